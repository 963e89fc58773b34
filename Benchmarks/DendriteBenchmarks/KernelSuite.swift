import Dendrite

/// Times `fused` against `plain` and returns the kernel-suite row (ratio = plain time ÷ fused time).
func compareKernel(_ workload: String, elements: Int, baseline: String = "composed ops", quick: Bool,
                   fused: () throws -> Void, plain: () throws -> Void) throws -> Row {
    let fast = try measure(warmup: 2, runs: quick ? 5 : 9, inner: try calibrate(target: 0.05, fused), fused)
    let slow = try measure(warmup: 1, runs: quick ? 5 : 9, inner: try calibrate(target: 0.05, plain), plain)
    return Row(suite: "kernels", workload: workload, unit: "Melem/s", value: Double(elements) / fast.median / 1e6,
               medianSeconds: fast.median, minSeconds: fast.minimum, maxSeconds: fast.maximum, noisy: fast.isNoisy,
               baseline: baseline, baselineValue: Double(elements) / slow.median / 1e6, ratio: slow.median / fast.median)
}

/// Fused kernels against the straightforward way to write them: softmax and layer norm against
/// the same math composed from tensor operations (forward and backward through autograd).
func runKernelSuite(quick: Bool) throws -> [Row] {
    var generator = RandomGenerator(seed: 4)
    var rows: [Row] = []
    func compare(_ workload: String, elements: Int, fused: () throws -> Void, plain: () throws -> Void) throws {
        rows.append(try compareKernel(workload, elements: elements, quick: quick, fused: fused, plain: plain))
    }

    // Attention-sized softmax rows: [B·H·T, T] = [8192, 64], forward + backward.
    let scores = Tensor.normal([8192, 64], generator: &generator)
    let seed = Tensor.normal([8192, 64], generator: &generator)
    try compare("softmax [8192, 64] forward+backward", elements: scores.count, fused: {
        try softmax(scores.requiringGradient()).backward(seed: seed)
    }, plain: {
        let x = scores.requiringGradient()
        let shifted = try x - x.max(alongAxes: [1], keepingDimensions: true).detached()
        let e = shifted.exp()
        try (e / e.sum(alongAxes: [1], keepingDimensions: true)).backward(seed: seed)
    })

    // Transformer-sized layer norm: [B·T, E] = [2048, 128], forward + backward.
    let activations = Tensor.normal([2048, 128], generator: &generator)
    let gamma = try Tensor.ones([128]), beta = try Tensor.zeros([128])
    let upstream = Tensor.normal([2048, 128], generator: &generator)
    try compare("layer norm [2048, 128] forward+backward", elements: activations.count, fused: {
        try layerNorm(activations.requiringGradient(), weight: gamma, bias: beta).backward(seed: upstream)
    }, plain: {
        let x = activations.requiringGradient()
        let mean = try x.mean(alongAxes: [1], keepingDimensions: true)
        let variance = try x.variance(alongAxes: [1], keepingDimensions: true)
        let normalized = try (x - mean) / (variance + 1e-5).sqrt()
        try (normalized * gamma + beta).backward(seed: upstream)
    })

    return rows
}

/// Max pooling against a plain loop written for the 2×2, non-overlapping case.
func runPoolingSuite(quick: Bool) throws -> [Row] {
    var sink: Float = 0
    defer { if sink == .infinity { print(sink) } }
    var generator = RandomGenerator(seed: 4)
    // The cnn preset's first pooling: [64, 16, 28, 28] → [64, 16, 14, 14], forward.
    let images = Tensor.normal([64, 16, 28, 28], generator: &generator)
    let values = images.scalars
    let row = try compareKernel("max pool 2×2 [64, 16, 28, 28] forward", elements: images.count, baseline: "plain 2×2 loop",
                                quick: quick, fused: {
        _ = try maxPool2d(images, kernelSize: (2, 2))
    }, plain: {
        var output = [Float](repeating: 0, count: 64 * 16 * 14 * 14)
        for plane in 0..<(64 * 16) {
            for oh in 0..<14 {
                for ow in 0..<14 {
                    var best = -Float.infinity
                    for i in 0..<2 { for j in 0..<2 { best = max(best, values[plane * 784 + (2 * oh + i) * 28 + 2 * ow + j]) } }
                    output[plane * 196 + oh * 14 + ow] = best
                }
            }
        }
        sink += output[output.count / 2]          // keep the loop from being optimized away
    })
    return [row]
}
