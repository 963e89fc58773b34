import XCTest
@testable import Dendrite

/// The AVX-512 GEMM of the convolutions against its naive twin, and the convolutions and the zoo
/// with each GEMM forced on.
final class ConvolutionGEMMTests: XCTestCase {
    func requireAVX512() throws {
        guard ConvolutionGEMM.avx512Available else { throw XCTSkip("this CPU has no AVX-512: the kernel is never used here") }
    }

    /// Sizes around the 8 × 48 tile and the 256-deep k blocks (257 crosses one), all transposes, leading dimensions
    /// wider than the rows, overwrite and accumulate, one and three parts.
    func testAVX512KernelMatchesNaiveOnOddShapes() throws {
        try requireAVX512()
        var generator = RandomGenerator(seed: 48)
        let sizes = [1, 7, 8, 9, 47, 48, 49, 97, 257]
        for trial in 0..<96 {
            let transposeA = trial % 2 == 1, transposeB = (trial / 2) % 2 == 1
            let m = sizes[generator.nextInt(below: sizes.count)], n = sizes[generator.nextInt(below: sizes.count)]
            let k = sizes[generator.nextInt(below: sizes.count)]
            let (rowsA, colsA) = transposeA ? (k, m) : (m, k)
            let (rowsB, colsB) = transposeB ? (n, k) : (k, n)
            let lda = colsA + generator.nextInt(below: 3), ldb = colsB + generator.nextInt(below: 3), ldc = n + generator.nextInt(below: 3)
            let a = Tensor.uniform([rowsA * lda], low: -1, high: 1, generator: &generator)
            let b = Tensor.uniform([rowsB * ldb], low: -1, high: 1, generator: &generator)
            let c0 = Tensor.uniform([m * ldc], low: -1, high: 1, generator: &generator)
            let accumulate = trial % 3 == 0, threads = trial % 5 == 0 ? 3 : 1
            var fast = c0, reference = c0
            try avx512GEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                       accumulate: accumulate, c: &fast, ldc: ldc, threads: threads)
            try gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
                          beta: accumulate ? 1 : 0, c: &reference, ldc: ldc)
            let label = "trial \(trial): m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB) accumulate \(accumulate) threads \(threads)"
            // Every element compared; one assertion per trial naming the first element off (fast under sanitizers).
            let (x, y, before) = (fast.scalars, reference.scalars, c0.scalars)
            let wrong = (0..<(m * ldc)).first { index in
                index % ldc < n ? abs(x[index] - y[index]) > 1e-4 * Float(k).squareRoot() + 1e-4 * abs(y[index]) : x[index] != before[index]
            }
            XCTAssertNil(wrong, "\(label): element \(wrong.map { "(\($0 / ldc), \($0 % ldc))" } ?? "") "
                         + "\(wrong.map { "\(x[$0]) vs \(y[$0])" } ?? "")")
        }
    }

    /// The three convolution products on each GEMM against the naive direct convolution: odd
    /// sizes, padding, strides, groups, batches.
    func testConvolutionsOnEachGEMMMatchTheDirectLoops() throws {
        let saved = ConvolutionGEMM.current
        defer { ConvolutionGEMM.current = saved }
        var generator = RandomGenerator(seed: 49)
        let cases: [(batch: Int, c: Int, h: Int, w: Int, oc: Int, kernel: Int, stride: Int, padding: Int, groups: Int)] = [
            (1, 3, 13, 11, 17, 3, 1, 1, 1), (2, 6, 9, 10, 10, 3, 2, 0, 2), (3, 5, 7, 7, 9, 1, 1, 0, 1), (1, 16, 15, 15, 32, 5, 1, 2, 1),
        ]
        for gemmChoice in [ConvolutionGEMM.openBLAS, .avx512, .automatic] {
            ConvolutionGEMM.current = gemmChoice
            for t in cases {
                let g = try Conv2DGeometry(batch: t.batch, inputChannels: t.c, inputHeight: t.h, inputWidth: t.w, outputChannels: t.oc,
                                           kernelSize: (t.kernel, t.kernel), stride: (t.stride, t.stride), padding: (t.padding, t.padding),
                                           groups: t.groups)
                let x = Tensor.normal(g.inputShape, generator: &generator), w = Tensor.normal(g.weightShape, generator: &generator)
                let bias = Tensor.normal([t.oc], generator: &generator)
                let label = "\(gemmChoice) \(t)"
                assertClose(try conv2dForward(input: x, weight: w, bias: bias, geometry: g),
                            try conv2dNaive(input: x, weight: w, bias: bias, geometry: g), rtol: 1e-4, atol: 1e-4, label)
                let dy = Tensor.normal(g.outputShape, generator: &generator)
                assertClose(try conv2dBackwardInput(gradOutput: dy, weight: w, geometry: g),
                            try conv2dBackwardInputNaive(gradOutput: dy, weight: w, geometry: g), rtol: 1e-4, atol: 1e-4, label)
                var fast = try Tensor.zeros(g.weightShape), reference = try Tensor.zeros(g.weightShape)
                try conv2dBackwardWeight(gradOutput: dy, input: x, geometry: g, accumulatingInto: &fast)
                try conv2dBackwardWeightNaive(gradOutput: dy, input: x, geometry: g, accumulatingInto: &reference)
                assertClose(fast, reference, rtol: 1e-4, atol: 1e-3, label)
            }
        }
    }
}
