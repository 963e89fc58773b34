import Foundation
import XCTest
@testable import Dendrite

/// Loads `Fixtures/data/<name>.json` (written by make_fixtures.py) as named tensors.
func loadFixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Tensor] {
    guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "data") else {
        throw DendriteError.invalidFile(path: "Fixtures/data/\(name).json", offset: nil, reason: "missing: run make_fixtures.py")
    }
    let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
    guard let entries = object as? [String: [String: Any]] else {
        throw DendriteError.invalidFile(path: url.path, offset: nil, reason: "not a fixture object")
    }
    var result: [String: Tensor] = [:]
    for (key, entry) in entries {
        let shape = (entry["shape"] as? [NSNumber] ?? []).map(\.intValue)
        let data = (entry["data"] as? [NSNumber] ?? []).map(\.floatValue)
        result[key] = try Tensor(shape: shape, scalars: data)
    }
    return result
}

extension Dictionary where Key == String, Value == Tensor {
    /// The fixture tensor `key`, or a failure naming it.
    func tensor(_ key: String) throws -> Tensor {
        guard let value = self[key] else {
            throw DendriteError.invalidArgument(operation: "fixture", argument: key, reason: "is missing")
        }
        return value
    }

    /// Entries whose key starts with `prefix`, with the prefix removed.
    func stripping(_ prefix: String) -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: filter { $0.key.hasPrefix(prefix) }.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
    }
}
