import XCTest
@testable import Dendrite

/// Winograd F(2×2, 3×3) against the direct loops on odd sizes, paddings, batches and channel
/// counts that are no multiple of the vector width; the automatic rule; a whole ResNet-18 with
/// Winograd forced on against im2col.
final class WinogradTests: XCTestCase {
    private let vectorizedByDefault = WinogradTransforms.vectorized

    override func tearDown() {
        ConvolutionAlgorithm.current = .automatic
        ConvolutionGEMM.current = .automatic
        WinogradTransforms.vectorized = vectorizedByDefault
    }

    func testWinogradMatchesDirectLoops() throws {
        // Both implementations where the CPU has AVX-512 (the scalar one elsewhere); the AVX-512 one
        // runs only with its own GEMM, forced here for the small shapes too.
        for vectorized in vectorizedByDefault ? [true, false] : [false] {
            WinogradTransforms.vectorized = vectorized
            ConvolutionGEMM.current = vectorized ? .avx512 : .automatic
            try checkAgainstDirectLoops(label: vectorized ? "AVX-512" : "scalar")
        }
    }

    /// Odd sizes, paddings 0–2, batches, output channels no multiple of 8 (the packed filters'
    /// panels), tile rows longer than 16 tiles (the input and output transforms' vector: 37 columns
    /// are 19 tiles, 16 + 3), tiles crossing the packed inputs' 48-column panels, more than 256
    /// input channels (two blocks of the packed operands) and a batch transformed in two groups.
    private func checkAgainstDirectLoops(label: String) throws {
        ConvolutionAlgorithm.current = .winograd
        var generator = RandomGenerator(seed: 13)
        let cases: [(n: Int, c: Int, k: Int, h: Int, w: Int, padding: Int)] = [
            (1, 5, 7, 9, 11, 1), (3, 3, 2, 8, 8, 0), (2, 7, 9, 5, 6, 2), (1, 1, 1, 3, 3, 0), (4, 16, 33, 7, 7, 1),
            (2, 19, 17, 11, 37, 1), (1, 17, 5, 36, 35, 2), (1, 3, 16, 4, 67, 0), (1, 70, 130, 29, 30, 1),
            (10, 300, 9, 9, 9, 1),
        ]
        for (index, s) in cases.enumerated() {
            let g = try Conv2DGeometry(batch: s.n, inputChannels: s.c, inputHeight: s.h, inputWidth: s.w, outputChannels: s.k,
                                       kernelSize: (3, 3), padding: (s.padding, s.padding))
            XCTAssertTrue(ConvolutionAlgorithm.usesWinograd(g))
            let x = Tensor.normal(g.inputShape, generator: &generator), w = Tensor.normal(g.weightShape, generator: &generator)
            let bias = Tensor.normal([s.k], generator: &generator)
            let reference = try conv2dNaive(input: x, weight: w, bias: bias, geometry: g)
            let scale = reference.scalars.map(Swift.abs).max() ?? 1
            assertClose(try conv2dForward(input: x, weight: w, bias: bias, geometry: g), reference, rtol: 1e-4, atol: 1e-5 * scale,
                        "Winograd (\(label)) \(index)")
            assertClose(try conv2dForward(input: x, weight: w, bias: nil, geometry: g, relu: true),
                        try conv2dNaive(input: x, weight: w, bias: nil, geometry: g).relu(), rtol: 1e-4, atol: 1e-5 * scale,
                        "Winograd (\(label)) with ReLU, no bias \(index)")
        }
    }

    func testTheAutomaticRuleAndTheOverride() throws {
        let wide = try Conv2DGeometry(batch: 1, inputChannels: 128, inputHeight: 28, inputWidth: 28, outputChannels: 128,
                                      kernelSize: (3, 3), padding: (1, 1))
        let narrow = try Conv2DGeometry(batch: 1, inputChannels: 64, inputHeight: 56, inputWidth: 56, outputChannels: 64,
                                        kernelSize: (3, 3), padding: (1, 1))
        let fewTiles = try Conv2DGeometry(batch: 1, inputChannels: 512, inputHeight: 7, inputWidth: 7, outputChannels: 512,
                                          kernelSize: (3, 3), padding: (1, 1))
        XCTAssertFalse(ConvolutionAlgorithm.usesWinograd(fewTiles), "16 tiles: the filter transform dominates")
        let strided = try Conv2DGeometry(batch: 1, inputChannels: 64, inputHeight: 56, inputWidth: 56, outputChannels: 128,
                                         kernelSize: (3, 3), stride: (2, 2), padding: (1, 1))
        XCTAssertTrue(ConvolutionAlgorithm.usesWinograd(wide))
        XCTAssertEqual(ConvolutionAlgorithm.usesWinograd(narrow), WinogradTransforms.runsVectorized,
                       "64 channels gain only with the AVX-512 implementation")
        WinogradTransforms.vectorized = false
        XCTAssertFalse(ConvolutionAlgorithm.usesWinograd(narrow), "too few channels to gain with the scalar transforms")
        XCTAssertTrue(ConvolutionAlgorithm.usesWinograd(wide))
        WinogradTransforms.vectorized = vectorizedByDefault
        ConvolutionGEMM.current = .openBLAS
        XCTAssertFalse(ConvolutionAlgorithm.usesWinograd(narrow), "on OpenBLAS the scalar implementation runs")
        ConvolutionGEMM.current = .automatic
        XCTAssertFalse(ConvolutionAlgorithm.usesWinograd(strided), "stride 2: not F(2×2, 3×3)")
        ConvolutionAlgorithm.current = .winograd
        XCTAssertTrue(ConvolutionAlgorithm.usesWinograd(narrow))
        XCTAssertFalse(ConvolutionAlgorithm.usesWinograd(strided))
        ConvolutionAlgorithm.current = .im2col
        XCTAssertFalse(ConvolutionAlgorithm.usesWinograd(wide))
    }

    func testResNet18WithWinogradForcedMatchesIm2Col() throws {
        let resnet = try Models.resnet18(seed: 4)
        resnet.eval()
        var generator = RandomGenerator(seed: 5)
        let x = Tensor.normal([2, 3, 64, 64], generator: &generator)
        ConvolutionAlgorithm.current = .im2col
        let reference = try noGrad { try resnet(x) }
        ConvolutionAlgorithm.current = .winograd
        let winograd = try noGrad { try resnet(x) }
        let scale = reference.scalars.map(Swift.abs).max() ?? 1
        assertClose(winograd, reference, rtol: 1e-3, atol: 1e-4 * scale, "ResNet-18 logits")
    }
}
