import Foundation
import XCTest
@testable import Dendrite

/// Pruning against PyTorch's `torch.nn.utils.prune` (Fixtures/make_pruning_fixtures.py): the same
/// masks after every call of a compounding sequence, the same state-dict names, the same weight
/// after `remove`; masked gradients; pruned state dicts loading into fresh models.
final class PruningTests: XCTestCase {
    struct Fixture: Decodable {
        struct Step: Decodable { let step: String; let linear_mask: [Float]; let conv_mask: [Float] }
        let initial: [String: [Float]]
        let steps: [Step]
        let keys: [String: [String]]
        let removed_keys: [String]
        let removed_weight: [Float]
    }

    func layers() throws -> (Fixture, Linear, Conv2D) {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "pruning", withExtension: "json", subdirectory: "data"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var generator = RandomGenerator(seed: 0)
        let linear = try Linear(6, 5, generator: &generator), conv = try Conv2D(3, 4, kernelSize: 3, generator: &generator)
        linear.weight.value = try Tensor(shape: [5, 6], scalars: try XCTUnwrap(fixture.initial["linear.weight"]))
        linear.bias!.value = try Tensor(try XCTUnwrap(fixture.initial["linear.bias"]))
        conv.weight.value = try Tensor(shape: [4, 3, 3, 3], scalars: try XCTUnwrap(fixture.initial["conv.weight"]))
        conv.bias!.value = try Tensor(try XCTUnwrap(fixture.initial["conv.bias"]))
        return (fixture, linear, conv)
    }

    func testMasksNamesAndRemoveMatchPyTorch() throws {
        let (fixture, linear, conv) = try layers()
        let calls: [() throws -> Void] = [
            { try Pruning.l1Unstructured(linear, amount: .fraction(0.3)) },
            { try Pruning.l1Unstructured(linear, amount: .fraction(0.5)) },
            { try Pruning.lnStructured(conv, amount: .fraction(0.5), norm: 2, dimension: 0) },
            { try Pruning.l1Unstructured(conv, amount: .count(7)) },
            { try Pruning.lnStructured(conv, amount: .count(1), norm: 1, dimension: 1) },
            { try Pruning.globalUnstructured([(linear, "weight"), (conv, "weight")], amount: .fraction(0.2)) },
        ]
        for (call, step) in zip(calls, fixture.steps) {
            try call()
            XCTAssertEqual(linear.weight.pruningMask?.value.scalars ?? [Float](repeating: 1, count: 30), step.linear_mask, step.step)
            XCTAssertEqual(conv.weight.pruningMask?.value.scalars ?? [Float](repeating: 1, count: 108), step.conv_mask, step.step)
        }
        XCTAssertEqual(Set(linear.stateDict().map(\.0)), Set(try XCTUnwrap(fixture.keys["linear"])))
        XCTAssertEqual(Set(conv.stateDict().map(\.0)), Set(try XCTUnwrap(fixture.keys["conv"])))
        XCTAssertEqual(Set(linear.namedParameters().map(\.0)), ["weight_orig", "bias"])
        try Pruning.remove(linear)
        XCTAssertEqual(Set(linear.stateDict().map(\.0)), Set(fixture.removed_keys))
        XCTAssertEqual(linear.weight.value.scalars, fixture.removed_weight)
        XCTAssertThrowsError(try Pruning.remove(linear), "not pruned any more")
    }

    func testPrunedEntriesGetNoGradientAndTheLayerSeesTheMaskedWeight() throws {
        let (_, linear, _) = try layers()
        try Pruning.l1Unstructured(linear, amount: .fraction(0.5))
        let mask = try XCTUnwrap(linear.weight.pruningMask).value
        var generator = RandomGenerator(seed: 1)
        let x = Tensor.normal([3, 6], generator: &generator)
        let expected = try x.matmul((linear.weight.value * mask).transposed()) + linear.bias!.value
        let y = try linear(x)
        assertClose(y, expected, "forward uses orig ⊙ mask")
        try y.sum().backward()
        let gradient = try XCTUnwrap(linear.weight.gradient)
        for (g, m) in zip(gradient.scalars, mask.scalars) where m == 0 { XCTAssertEqual(g, 0) }
        XCTAssertTrue(zip(gradient.scalars, mask.scalars).contains { $0 != 0 && $1 == 1 })
        let report = Pruning.sparsity(of: linear)
        XCTAssertEqual(report.first { $0.name == "weight" }?.zeros, 15)
    }

    /// A pruned model's state dict (weight_orig + weight_mask) loads into a fresh model, which
    /// becomes pruned alike; a fresh model's state dict does not load into a pruned one (strict).
    func testPrunedStateDictsLoadIntoFreshModels() throws {
        var generator = RandomGenerator(seed: 2)
        let source = Sequential([try Linear(4, 3, generator: &generator), ReLU(), try Linear(3, 2, generator: &generator)])
        try Pruning.l1Unstructured(try XCTUnwrap(source.layers[0] as? Module), amount: .fraction(0.5))
        let state = Dictionary(uniqueKeysWithValues: source.stateDict())
        XCTAssertNotNil(state["0.weight_mask"])
        let fresh = Sequential([try Linear(4, 3, generator: &generator), ReLU(), try Linear(3, 2, generator: &generator)])
        try fresh.load(stateDict: state)
        let x = Tensor.normal([2, 4], generator: &generator)
        assertClose(try fresh(x), try source(x), "the same function")
        XCTAssertNotNil((fresh.layers[0] as? Linear)?.weight.pruningMask)
        XCTAssertThrowsError(try Pruning.l1Unstructured(fresh, name: "nothing", amount: .count(1)))
        XCTAssertThrowsError(try Pruning.l1Unstructured(try XCTUnwrap(fresh.layers[0] as? Module), amount: .fraction(1.5)))
    }

    func testRandomUnstructuredPrunesTheCountAmongTheRemaining() throws {
        let (_, linear, _) = try layers()
        var generator = RandomGenerator(seed: 3)
        try Pruning.randomUnstructured(linear, amount: .fraction(0.4), generator: &generator)
        XCTAssertEqual(linear.weight.pruningMask?.value.scalars.filter { $0 == 0 }.count, 12)
        try Pruning.randomUnstructured(linear, amount: .fraction(0.5), generator: &generator)
        XCTAssertEqual(linear.weight.pruningMask?.value.scalars.filter { $0 == 0 }.count, 12 + 9, "half of the 18 left")
    }
}
