import XCTest
@testable import Dendrite

/// Convolution → batch norm (→ ReLU) run as one kernel in inference: against the same layers one
/// by one (what runs while gradients are recorded), in the zoo's blocks and in `Sequential`, and
/// never in training mode, while recording, or while a summary traces the calls.
final class ConvolutionNormInferenceTests: XCTestCase {
    var generator = RandomGenerator(seed: 41)

    /// The eval-mode output without gradients (fused) against the output while the input's
    /// gradient is recorded (the layers one by one), element-wise.
    func assertFusedMatchesLayerByLayer(_ model: Module & UnaryLayer, input: Tensor, _ label: String,
                                        file: StaticString = #filePath, line: UInt = #line) throws {
        BatchNormFoldingTests.randomizeNorms(model, generator: &generator)
        model.eval()
        let fused = try noGrad { try model(input) }
        let reference = try model(input.requiringGradient())
        XCTAssertTrue(reference.requiresGradient, "\(label): the reference should have been recorded", file: file, line: line)
        let scale = reference.scalars.map(Swift.abs).max() ?? 1
        assertClose(fused, reference.detached(), rtol: 1e-4, atol: 1e-5 * scale, label, file: file, line: line)
    }

    func testResNetBlocksAndStemMatchTheirLayersOneByOne() throws {
        let resnet = try Models.resnet18(seed: 8)
        try assertFusedMatchesLayerByLayer(resnet, input: Tensor.normal([2, 3, 40, 40], generator: &generator), "ResNet-18")
        let bottleneck = try Bottleneck(16, 8, stride: 2, generator: &generator)
        try assertFusedMatchesLayerByLayer(bottleneck, input: Tensor.normal([3, 16, 9, 9], generator: &generator), "Bottleneck")
        let basic = try BasicConv2d(5, 7, kernelSize: 3, padding: 1, generator: &generator)
        try assertFusedMatchesLayerByLayer(basic, input: Tensor.normal([2, 5, 11, 13], generator: &generator), "BasicConv2d")
    }

    func testSequentialFusesConvolutionNormAndReLU() throws {
        let model = Sequential([
            try Conv2D(3, 6, kernelSize: 3, padding: 1, generator: &generator), BatchNorm2D(6), ReLU(),
            try Conv2D(6, 5, kernelSize: 3, stride: 2, generator: &generator), BatchNorm2D(5),
            try Conv2D(5, 4, kernelSize: 1, bias: false, generator: &generator), BatchNorm2D(4), ReLU(),
        ])
        try assertFusedMatchesLayerByLayer(model, input: Tensor.normal([2, 3, 12, 12], generator: &generator), "Sequential")
    }

    func testTrainingModeStillNormalizesByTheBatchAndUpdatesTheStatistics() throws {
        let norm = BatchNorm2D(4)
        let model = Sequential([try Conv2D(2, 4, kernelSize: 3, generator: &generator), norm])
        model.train()
        let x = Tensor.normal([3, 2, 6, 6], generator: &generator) * 3 + 1
        let y = try noGrad { try model(x) }
        XCTAssertEqual(norm.numBatchesTracked.value.scalars, [1], "the batch norm ran itself, in training mode")
        // Batch statistics: every channel of the output has mean ≈ 0 over the batch.
        let perChannel = try y.mean(alongAxes: 0, 2, 3)
        for mean in perChannel.scalars { XCTAssertEqual(mean, 0, accuracy: 1e-4) }
    }

    func testASummaryStillSeesEveryLayer() throws {
        let model = Sequential([try Conv2D(1, 2, kernelSize: 3, generator: &generator), BatchNorm2D(2), ReLU()])
        model.eval()
        let summary = try noGrad { try model.summary(input: [1, 8, 8]) }
        // A layer the trace did not see would still get a row, but without the shape it returned.
        XCTAssertEqual(summary.layers.map(\.type), ["Conv2D", "BatchNorm2D", "ReLU"])
        XCTAssertEqual(summary.layers.map(\.outputShape), [[2, 6, 6], [2, 6, 6], [2, 6, 6]], "every layer ran under the trace")
    }
}
