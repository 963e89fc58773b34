import Dendrite

/// GEMM throughput: Dendrite `gemm` against raw `cblas_sgemm` (wrapper overhead) and the naive loop.
func runGEMMSuite(quick: Bool) throws -> [Row] {
    var generator = RandomGenerator(seed: 1)
    var rows: [Row] = []
    let sizes = quick ? [64, 128, 256, 512, 1024] : [64, 128, 256, 512, 1024, 2048]
    for size in sizes {
        let (m, n, k) = (size, size, size)
        let flops = 2.0 * Double(m * n * k)
        let a = Tensor.uniform([m, k], low: -1, high: 1, generator: &generator)
        let b = Tensor.uniform([k, n], low: -1, high: 1, generator: &generator)
        var c = try Tensor.zeros([m, n])
        let rawA = a.scalars, rawB = b.scalars
        var rawC = [Float](repeating: 0, count: m * n)
        let runs = size >= 1024 ? 5 : 9
        // Alternate the two in rounds and compare each round's pair, so that drift in clock speed
        // or load affects both alike; the ratio is the median of the per-round ratios.
        let inner = calibrate { rawSGEMM(m: m, n: n, k: k, a: rawA, b: rawB, c: &rawC) }
        var wrapperSamples: [Double] = [], rawSamples: [Double] = [], ratios: [Double] = []
        for _ in 0..<(runs * 2) {
            let w = try measure(warmup: 1, runs: 1, inner: inner) { try gemm(m: m, n: n, k: k, a: a, b: b, c: &c) }.samples[0]
            let r = measure(warmup: 1, runs: 1, inner: inner) { rawSGEMM(m: m, n: n, k: k, a: rawA, b: rawB, c: &rawC) }.samples[0]
            wrapperSamples.append(w)
            rawSamples.append(r)
            ratios.append(r / w)
        }
        let wrapper = Measurement(samples: wrapperSamples), raw = Measurement(samples: rawSamples)
        let pairedRatio = Measurement(samples: ratios).median
        rows.append(Row(suite: "gemm", workload: "gemm \(size)³ vs raw cblas", unit: "GFLOP/s",
                        value: flops / wrapper.median / 1e9, medianSeconds: wrapper.median,
                        minSeconds: wrapper.minimum, maxSeconds: wrapper.maximum, noisy: wrapper.isNoisy,
                        baseline: "cblas_sgemm", baselineValue: flops / raw.median / 1e9,
                        ratio: pairedRatio))
        if size <= (quick ? 512 : 1024) {
            var naiveC = try Tensor.zeros([m, n])
            let naive = try measure(warmup: 1, runs: size >= 512 ? 3 : 5) {
                try gemmNaive(m: m, n: n, k: k, a: a, b: b, c: &naiveC)
            }
            rows.append(Row(suite: "gemm", workload: "gemm \(size)³ vs naive", unit: "GFLOP/s",
                            value: flops / wrapper.median / 1e9, medianSeconds: wrapper.median,
                            minSeconds: wrapper.minimum, maxSeconds: wrapper.maximum, noisy: wrapper.isNoisy,
                            baseline: "naive loop", baselineValue: flops / naive.median / 1e9,
                            ratio: naive.median / wrapper.median))
        }
    }
    rows += try trainingShapeRows(quick: quick, generator: &generator)
    return rows
}

/// The MLP's real GEMMs — 128×784×512 (the first layer) and 128×512×10 (the second) as m×k×n —
/// in all four transpose combinations, against raw `cblas_sgemm` (paired rounds) and the naive loop.
private func trainingShapeRows(quick: Bool, generator: inout RandomGenerator) throws -> [Row] {
    var rows: [Row] = []
    for (m, k, n) in [(128, 784, 512), (128, 512, 10)] {
        for (transposeA, transposeB) in [(false, false), (false, true), (true, false), (true, true)] {
            let flops = 2.0 * Double(m * n * k)
            let a = Tensor.uniform(transposeA ? [k, m] : [m, k], low: -1, high: 1, generator: &generator)
            let b = Tensor.uniform(transposeB ? [n, k] : [k, n], low: -1, high: 1, generator: &generator)
            var c = try Tensor.zeros([m, n]), naiveC = try Tensor.zeros([m, n])
            let rawA = a.scalars, rawB = b.scalars
            var rawC = [Float](repeating: 0, count: m * n)
            let ours = { try gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, c: &c) }
            let raw = { rawSGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: rawA, b: rawB, c: &rawC) }
            let inner = calibrate(raw)
            var oursSamples: [Double] = [], rawSamples: [Double] = [], ratios: [Double] = []
            for _ in 0..<(quick ? 5 : 9) {
                let w = try measure(warmup: 1, runs: 1, inner: inner, ours).samples[0]
                let r = measure(warmup: 1, runs: 1, inner: inner, raw).samples[0]
                oursSamples.append(w)
                rawSamples.append(r)
                ratios.append(r / w)
            }
            let time = Measurement(samples: oursSamples), rawTime = Measurement(samples: rawSamples)
            let naive = try measure(warmup: 0, runs: 3) {
                try gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, c: &naiveC)
            }
            let name = "gemm \(m)×\(k)×\(n) \(transposeA ? "Aᵀ" : "A")·\(transposeB ? "Bᵀ" : "B")"
            for (baseline, figure, ratio) in [("cblas_sgemm", flops / rawTime.median / 1e9, Measurement(samples: ratios).median),
                                              ("naive loop", flops / naive.median / 1e9, naive.median / time.median)] {
                rows.append(Row(suite: "gemm", workload: "\(name) vs \(baseline == "naive loop" ? "naive" : "raw cblas")",
                                unit: "GFLOP/s", value: flops / time.median / 1e9, medianSeconds: time.median,
                                minSeconds: time.minimum, maxSeconds: time.maximum, noisy: time.isNoisy,
                                baseline: baseline, baselineValue: figure, ratio: ratio))
            }
        }
    }
    return rows
}
