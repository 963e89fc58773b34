import XCTest
@testable import Dendrite

/// The backward pass's "gradient is final" hook, on which data-parallel training starts each
/// bucket's allreduce during backward: each leaf once, last layers first, and its gradient at
/// that moment is the one it ends with.
final class GradientReadinessTests: XCTestCase {
    func testEveryLeafIsAnnouncedOnceWithItsFinalGradient() throws {
        var generator = RandomGenerator(seed: 5)
        let shared = try Linear(6, 6, generator: &generator)          // used twice: final only after its second use
        let model = Sequential([try Linear(4, 6, generator: &generator), ReLU(), shared, ReLU(), shared,
                                try Linear(6, 3, generator: &generator)])
        let x = Tensor.normal([5, 4], generator: &generator)
        let loss = try model(x).squared().mean()
        let names = Dictionary(uniqueKeysWithValues: model.namedParameters().map { (ObjectIdentifier($0.1.node), $0.0) })
        var announced: [String] = [], snapshots: [String: [Float]] = [:]
        try loss.backward(seed: nil) { leaf in
            guard let name = names[ObjectIdentifier(leaf)] else { return }
            announced.append(name)
            snapshots[name] = leaf.gradient?.scalars
        }
        XCTAssertEqual(announced.count, Set(announced).count, "each leaf once: \(announced)")
        XCTAssertEqual(Set(announced), Set(names.values))
        XCTAssertEqual(announced.first.map { $0.hasPrefix("5.") }, true, "the last layer first: \(announced)")
        XCTAssertEqual(announced.suffix(2).allSatisfy { $0.hasPrefix("0.") }, true, "the first layer last: \(announced)")
        for (name, parameter) in model.namedParameters() {
            XCTAssertEqual(snapshots[name], parameter.gradient?.scalars, "\(name) was announced before its last contribution")
        }
    }
}
