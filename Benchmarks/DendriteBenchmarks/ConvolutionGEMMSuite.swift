import Dendrite

/// The convolutions' AVX-512 GEMM against OpenBLAS (`gemm`) on one core, on ResNet-18's im2col
/// products (OC × plane × C·KH·KW) in each transpose the convolution uses, paired rounds.
func runConvolutionGEMMSuite(quick: Bool) throws -> [Row] {
    guard ConvolutionGEMM.avx512Available else {
        print("conv-gemm: this CPU has no AVX-512; the kernel is not used here")
        return []
    }
    let saved = Dendrite.threadCount
    Dendrite.threadCount = 1
    defer { Dendrite.threadCount = saved }
    var generator = RandomGenerator(seed: 12)
    var rows: [Row] = []
    // (m, n, k): layer1 3×3 at 56², layer2 3×3 at 28², layer3 3×3 at 14², layer4 3×3 at 7² (batch 1 and 8), the stem.
    let shapes = quick ? [(128, 784, 1152), (512, 49, 4608)]
        : [(64, 3136, 576), (128, 784, 1152), (256, 196, 2304), (512, 49, 4608), (512, 392, 4608), (64, 12544, 147)]
    let transposes = quick ? [(false, false)] : [(false, false), (true, false), (false, true)]
    for (m, n, k) in shapes {
        for (transposeA, transposeB) in transposes {
            let flops = 2.0 * Double(m * n * k)
            let a = Tensor.uniform(transposeA ? [k, m] : [m, k], low: -1, high: 1, generator: &generator)
            let b = Tensor.uniform(transposeB ? [n, k] : [k, n], low: -1, high: 1, generator: &generator)
            var mine = try Tensor.zeros([m, n]), theirs = try Tensor.zeros([m, n])
            let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
            let kernel = {
                try avx512GEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                               c: &mine, ldc: n)
            }
            let openBLAS = { try gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, c: &theirs) }
            let inner = try calibrate(target: 0.05, openBLAS)
            var kernelSamples: [Double] = [], blasSamples: [Double] = [], ratios: [Double] = []
            for _ in 0..<(quick ? 3 : 7) {
                let x = try measure(warmup: 1, runs: 1, inner: inner, kernel).samples[0]
                let y = try measure(warmup: 1, runs: 1, inner: inner, openBLAS).samples[0]
                kernelSamples.append(x)
                blasSamples.append(y)
                ratios.append(y / x)
            }
            let time = Measurement(samples: kernelSamples), blas = Measurement(samples: blasSamples)
            let name = "\(m)×\(n)×\(k) \(transposeA ? "Aᵀ" : "A")·\(transposeB ? "Bᵀ" : "B"), 1 core"
            rows.append(Row(suite: "conv-gemm", workload: name, unit: "GFLOP/s", value: flops / time.median / 1e9,
                            medianSeconds: time.median, minSeconds: time.minimum, maxSeconds: time.maximum, noisy: time.isNoisy,
                            baseline: "OpenBLAS gemm", baselineValue: flops / blas.median / 1e9, ratio: Measurement(samples: ratios).median))
        }
    }
    return rows
}
