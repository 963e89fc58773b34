import XCTest
@testable import Dendrite

/// Folding batch norm into the layer before it: the folded model computes the eval-mode output
/// of the unfolded one, on the zoo and on spec-built models.
final class BatchNormFoldingTests: XCTestCase {
    var generator = RandomGenerator(seed: 21)

    /// Gives every batch norm random running statistics and affine parameters (fresh ones would
    /// make folding trivial).
    func randomizeNorms(_ model: Module) throws { Self.randomizeNorms(model, generator: &generator) }

    /// Random running statistics and affine parameters for every batch norm of `model`.
    static func randomizeNorms(_ model: Module, generator: inout RandomGenerator) {
        for case let norm as BatchNorm in model.namedModules().map(\.1) {
            let c = norm.featureCount
            norm.runningMean.value = Tensor.normal([c], generator: &generator) * 0.3
            norm.runningVar.value = Tensor.uniform([c], low: 0.5, high: 2, generator: &generator)
            norm.weight?.value = Tensor.uniform([c], low: 0.5, high: 1.5, generator: &generator)
            norm.bias?.value = Tensor.normal([c], generator: &generator) * 0.1
        }
    }

    func assertFoldingKeepsTheOutput(_ model: Module & UnaryLayer, input: Tensor, expectedFolds: Int,
                                     file: StaticString = #filePath, line: UInt = #line) throws {
        try randomizeNorms(model)
        model.eval()
        let before = try noGrad { try model(input) }
        XCTAssertEqual(try model.foldBatchNorm(), expectedFolds, file: file, line: line)
        XCTAssertTrue(model.namedModules().allSatisfy { !($0.1 is BatchNorm) }, "every batch norm folded", file: file, line: line)
        let after = try noGrad { try model(input) }
        let scale = before.scalars.map(Swift.abs).max() ?? 1
        assertClose(after, before, rtol: 1e-4, atol: 1e-4 * scale, "folded output", file: file, line: line)
    }

    func testFoldedResNet18MatchesItsEvalOutput() throws {
        let resnet = try Models.resnet18(seed: 3)
        let input = Tensor.normal([2, 3, 64, 64], generator: &generator)
        try assertFoldingKeepsTheOutput(resnet, input: input, expectedFolds: 20)
        // Then the ReLUs after the stem and each block's first convolution run inside them.
        let folded = try noGrad { try resnet(input) }
        XCTAssertEqual(resnet.fuseReLU(), 9)
        XCTAssertEqual(resnet.fuseReLU(), 0, "nothing left to fuse")
        XCTAssertEqual(try noGrad { try resnet(input) }.scalars, folded.scalars, "the same function, bitwise")
    }

    /// A convolution with its ReLU fused computes conv → relu, with the same gradients while
    /// they are recorded; in a Sequential the ReLU becomes an Identity, and a batch norm not
    /// folded yet blocks the fusion.
    func testFusedReLUConvolutionEqualsConvolutionThenReLU() throws {
        let conv = try Conv2D(3, 4, kernelSize: 3, padding: 1, generator: &generator)
        let x = Tensor.normal([2, 3, 5, 5], generator: &generator)
        let reference = try conv(x).relu()
        conv.fusedReLU = true
        XCTAssertEqual(try noGrad { try conv(x) }.scalars, reference.scalars, "the fused kernel")
        conv.zeroGrad()
        try conv(x).sum().backward()
        let fusedGradient = try XCTUnwrap(conv.weight.gradient)
        conv.fusedReLU = false
        conv.zeroGrad()
        try conv(x).relu().sum().backward()
        assertClose(fusedGradient, try XCTUnwrap(conv.weight.gradient), "gradients while recording")

        let cnn = try ModelSpec("cnn", inputShape: [1, 28, 28]).build(generator: &generator)
        try randomizeNorms(cnn)
        cnn.eval()
        XCTAssertEqual(cnn.fuseReLU(), 0, "batch norms in between")
        let images = Tensor.normal([3, 1, 28, 28], generator: &generator)
        try cnn.foldBatchNorm()
        let folded = try noGrad { try cnn(images) }
        XCTAssertEqual(cnn.fuseReLU(), 2)
        XCTAssertTrue(cnn.layers[2] is Identity && cnn.layers[10] is ReLU, "the dense ReLU stays")
        XCTAssertEqual(try noGrad { try cnn(images) }.scalars, folded.scalars)
    }

    func testSequentialConvAndLinearPairsFold() throws {
        let cnn = try ModelSpec("cnn", inputShape: [1, 28, 28]).build(generator: &generator)
        try assertFoldingKeepsTheOutput(cnn, input: Tensor.normal([3, 1, 28, 28], generator: &generator), expectedFolds: 2)
        let mlp = Sequential([try Linear(6, 5, bias: false, generator: &generator), BatchNorm1D(5), ReLU(),
                              try Linear(5, 3, generator: &generator), BatchNorm1D(3)])
        try assertFoldingKeepsTheOutput(mlp, input: Tensor.normal([4, 6], generator: &generator), expectedFolds: 2)
    }

    func testGoogLeNetFoldsEveryBasicConvAndTrainingModeIsAnError() throws {
        let googlenet = try XCTUnwrap(try Models.googlenet() as? Module)
        XCTAssertThrowsError(try googlenet.foldBatchNorm(), "training mode") { XCTAssertTrue("\($0)".contains("eval()"), "\($0)") }
        let norms = googlenet.namedModules().filter { $0.1 is BatchNorm }.count
        googlenet.eval()
        XCTAssertEqual(try googlenet.foldBatchNorm(), norms)
        XCTAssertEqual(googlenet.namedModules().filter { $0.1 is BatchNorm }.count, 0)
        XCTAssertEqual(googlenet.fuseReLU(), norms, "every BasicConv2d's ReLU")
    }
}
