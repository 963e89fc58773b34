import XCTest
@testable import Dendrite

/// Structured channel pruning that shrinks layers: the smaller model computes exactly what the
/// original computes with the removed channels cut from their consumer, and a freshly built
/// model resized alike loads its state dict.
final class ChannelPruningTests: XCTestCase {
    var generator = RandomGenerator(seed: 31)

    /// Random running statistics and affine values, so slicing them is visible in the output.
    func randomizeNorms(_ model: Module) {
        for case let norm as BatchNorm in model.modules() {
            let c = norm.featureCount
            norm.runningMean.value = Tensor.normal([c], generator: &generator) * 0.3
            norm.runningVar.value = Tensor.uniform([c], low: 0.5, high: 2, generator: &generator)
            norm.weight?.value = Tensor.uniform([c], low: 0.2, high: 1.5, generator: &generator)
            norm.bias?.value = Tensor.normal([c], generator: &generator) * 0.1
        }
    }

    /// The channels a producer keeps by L2 norm of its filters, computed here independently.
    func keptByL2(_ weight: Tensor, keep: Int) -> Set<Int> {
        let channels = weight.shape[0], inner = weight.count / channels, w = weight.scalars
        let norms = (0..<channels).map { c in (0..<inner).reduce(Float(0)) { $0 + w[c * inner + $1] * w[c * inner + $1] } }
        return Set(norms.indices.sorted { norms[$0] > norms[$1] }.prefix(keep))
    }

    /// Zeroes the consumer's input slices of the channels not in `kept` (each `perChannel` wide).
    func cutInputs(_ weight: Parameter, kept: Set<Int>, perChannel: Int) throws {
        let shape = weight.value.shape, inner = shape.dropFirst(2).reduce(1, *)
        var w = weight.value.scalars
        for row in 0..<shape[0] {
            for column in 0..<shape[1] where !kept.contains(column / perChannel) {
                for k in 0..<inner { w[(row * shape[1] + column) * inner + k] = 0 }
            }
        }
        weight.value = try Tensor(shape: shape, scalars: w)
    }

    func testShrunkCNNComputesTheOriginalWithTheRemovedChannelsCut() throws {
        let spec = ModelSpec("cnn", inputShape: [1, 28, 28])
        let model = try spec.build(generator: &generator)
        randomizeNorms(model)
        model.eval()
        let reference = try spec.build(generator: &generator)
        try reference.load(stateDict: Dictionary(uniqueKeysWithValues: model.stateDict()))
        reference.eval()

        let changes = try ChannelPruning.prune(model, inputShape: [1, 28, 28], amount: .fraction(0.5))
        XCTAssertEqual(changes, [.init(layer: 0, before: 16, after: 8), .init(layer: 4, before: 32, after: 16),
                                 .init(layer: 9, before: 128, after: 64)])
        XCTAssertEqual(try model.outputShape(forInput: [1, 28, 28]), [10])
        XCTAssertEqual((model.layers[1] as? BatchNorm)?.featureCount, 8)
        XCTAssertEqual((model.layers[9] as? Linear)?.inputFeatures, 16 * 7 * 7)
        XCTAssertEqual(model.parameterCount, 8 * 9 + 8 + 16 + 16 * 8 * 9 + 16 + 32 + 784 * 64 + 64 + 64 * 10 + 10)
        XCTAssertFalse(model.layers.contains { ($0 as? Module)?.isTraining == true }, "the new layers keep eval mode")

        // The reference: the same weights with the removed channels' inputs cut from each consumer;
        // a layer's channels are ranked by what is left of its filters once its inputs are cut.
        let conv1 = try XCTUnwrap(reference.layers[0] as? Conv2D), conv2 = try XCTUnwrap(reference.layers[4] as? Conv2D)
        let dense1 = try XCTUnwrap(reference.layers[9] as? Linear), dense2 = try XCTUnwrap(reference.layers[11] as? Linear)
        try cutInputs(conv2.weight, kept: keptByL2(conv1.weight.value, keep: 8), perChannel: 1)
        try cutInputs(dense1.weight, kept: keptByL2(conv2.weight.value, keep: 16), perChannel: 49)
        try cutInputs(dense2.weight, kept: keptByL2(dense1.weight.value, keep: 64), perChannel: 1)
        let x = Tensor.normal([3, 1, 28, 28], generator: &generator)
        let expected = try noGrad { try reference(x) }
        let actual = try noGrad { try model(x) }
        let scale = expected.scalars.map(Swift.abs).max() ?? 1
        assertClose(actual, expected, rtol: 1e-4, atol: 1e-5 * scale, "shrunk model")
    }

    func testResizedFreshModelLoadsThePrunedStateDict() throws {
        let spec = ModelSpec("cnn", inputShape: [1, 28, 28])
        let pruned = try spec.build(generator: &generator)
        randomizeNorms(pruned)
        let changes = try ChannelPruning.prune(pruned, inputShape: [1, 28, 28], amount: .fraction(0.25), importance: .batchNormScale)
        let fresh = try spec.build(generator: &generator)
        try ChannelPruning.resize(fresh, inputShape: [1, 28, 28], channels: Dictionary(uniqueKeysWithValues: changes.map { ($0.layer, $0.after) }))
        try fresh.load(stateDict: Dictionary(uniqueKeysWithValues: pruned.stateDict()))
        pruned.eval(); fresh.eval()
        let x = Tensor.normal([2, 1, 28, 28], generator: &generator)
        assertClose(try noGrad { try fresh(x) }, try noGrad { try pruned(x) }, "same function")
        XCTAssertThrowsError(try ChannelPruning.resize(fresh, inputShape: [1, 28, 28], channels: [2: 3]), "a ReLU is no producer")
        XCTAssertThrowsError(try ChannelPruning.resize(fresh, inputShape: [1, 28, 28], channels: [0: 99]))
    }

    func testBatchNormScaleKeepsTheLargestGammas() throws {
        let model = Sequential([try Linear(5, 6, generator: &generator), BatchNorm1D(6), ReLU(), try Linear(6, 2, generator: &generator)])
        (model.layers[1] as! BatchNorm).weight!.value = Tensor([0.9, -0.1, 0.5, 0.05, -2, 0.3])
        try ChannelPruning.prune(model, inputShape: [5], amount: .count(3), importance: .batchNormScale)
        XCTAssertEqual((model.layers[1] as! BatchNorm).weight!.value.scalars, [0.9, 0.5, -2], "channels 0, 2, 4 in order")
        XCTAssertEqual((model.layers[3] as! Linear).inputFeatures, 3)
    }

    func testUnprunableLayersAndBadAmountsAreLeftOrRefused() throws {
        // Softmax between producer and consumer mixes channels: nothing is shrunk.
        let mixed = Sequential([try Linear(4, 6, generator: &generator), Softmax(), try Linear(6, 2, generator: &generator)])
        XCTAssertEqual(try ChannelPruning.prune(mixed, inputShape: [4], amount: .fraction(0.5)), [])
        let mlp = Sequential([try Linear(4, 6, generator: &generator), ReLU(), try Linear(6, 2, generator: &generator)])
        XCTAssertThrowsError(try ChannelPruning.prune(mlp, inputShape: [4], amount: .fraction(1))) {
            XCTAssertTrue("\($0)".contains("all 6 channels of layer 0"), "\($0)")
        }
        try Pruning.l1Unstructured(mlp.layers[2] as! Module, amount: .count(2))
        XCTAssertThrowsError(try ChannelPruning.prune(mlp, inputShape: [4], amount: .fraction(0.5))) {
            XCTAssertTrue("\($0)".contains("Pruning.remove"), "\($0)")
        }
        XCTAssertThrowsError(try ChannelPruning.prune(mlp, inputShape: [5], amount: .fraction(0.5)), "wrong input shape")
    }
}
