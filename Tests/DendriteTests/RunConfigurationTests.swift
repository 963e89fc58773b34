import Dendrite
import DendriteRun
import Foundation
import XCTest

/// `model.json` is read from a run folder a user may have edited or damaged: every bad setting
/// is an error naming the file and the setting.
final class RunConfigurationTests: XCTestCase {
    let path = "run/model.json"

    func configuration() -> RunConfiguration {
        var configuration = RunConfiguration(spec: "flatten,dense:10", dataFolder: "/data", limit: 100, epochs: 2, batchSize: 32,
                                             optimizer: "adam", learningRate: 0.01, schedule: "cosine", weightDecay: 0,
                                             dropout: 0.2, patience: 1, validationSplit: 0.1, seed: 7)
        configuration.inputShape = [1, 4, 4]
        configuration.classCount = 10
        return configuration
    }

    func encoded(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration())) as? [String: Any])
        edit(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    func testAValidFileRoundTripsAndRebuildsItsModel() throws {
        let decoded = try RunConfiguration.decode(try encoded { _ in }, path: path)
        XCTAssertEqual(decoded.batchSize, 32)
        XCTAssertEqual(decoded.inputShape, [1, 4, 4])
        let model = try decoded.buildModel(path: path)
        XCTAssertEqual(try model.summary(input: [1, 4, 4]).outputShape, [10])
        XCTAssertEqual(model.parameterCount, 16 * 10 + 10)
    }

    func testEachBadSettingIsAnErrorNamingIt() throws {
        let cases: [(String, Any)] = [
            ("batchSize", 0), ("batchSize", Int.max), ("epochs", -1), ("limit", 0), ("patience", -3),
            ("learningRate", -1), ("weightDecay", -0.5), ("dropout", 1), ("validationSplit", 1.5),
            ("inputShape", [1, 0, 28]), ("inputShape", [Int]()), ("classCount", 0), ("spec", ""),
            ("optimizer", "adagrad"), ("schedule", "linear"),
        ]
        for (setting, value) in cases {
            let data = try encoded { $0[setting] = value }
            XCTAssertThrowsError(try RunConfiguration.decode(data, path: path), "\(setting) = \(value)") { error in
                guard case let .invalidFile(file, _, reason) = error as? DendriteError else { return XCTFail("\(error)") }
                XCTAssertEqual(file, path)
                XCTAssertTrue(reason.hasPrefix(setting), "\(setting): \(reason)")
            }
        }
    }

    func testMissingSettingsAndDamagedJSONAreErrors() throws {
        let complete = try encoded { _ in }
        for data in [try encoded { $0["batchSize"] = nil }, Data("{".utf8), Data(), complete.prefix(complete.count / 2)] {
            XCTAssertThrowsError(try RunConfiguration.decode(Data(data), path: path)) { error in
                guard case let .invalidFile(file, _, reason) = error as? DendriteError else { return XCTFail("\(error)") }
                XCTAssertEqual(file, path)
                XCTAssertTrue(reason.contains("is not valid"), reason)
            }
        }
    }

    func testAFileWithoutItsDataShapeCannotRebuildAModel() throws {
        let decoded = try RunConfiguration.decode(try encoded { $0["inputShape"] = nil }, path: path)
        XCTAssertThrowsError(try decoded.buildModel(path: path)) { error in
            XCTAssertEqual(error as? DendriteError, .invalidFile(path: path, offset: nil, reason: "has no input shape or class count"))
        }
    }
}
