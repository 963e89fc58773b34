import Dendrite

/// Convolution forward and backward: im2col + GEMM against the direct loops.
func runConvolutionSuite(quick: Bool) throws -> [Row] {
    struct Layer { let name: String; let geometry: Conv2DGeometry }
    let layers = [
        Layer(name: "ResNet 64→64 3×3 56×56 b8", geometry: try Conv2DGeometry(
            batch: 8, inputChannels: 64, inputHeight: 56, inputWidth: 56, outputChannels: 64,
            kernelSize: (3, 3), padding: (1, 1))),
        Layer(name: "LeNet C1 1→6 5×5 32×32 b64", geometry: try Conv2DGeometry(
            batch: 64, inputChannels: 1, inputHeight: 32, inputWidth: 32, outputChannels: 6, kernelSize: (5, 5))),
        Layer(name: "exercise-5 16→32 3×3 16×16 b64", geometry: try Conv2DGeometry(
            batch: 64, inputChannels: 16, inputHeight: 16, inputWidth: 16, outputChannels: 32,
            kernelSize: (3, 3), padding: (1, 1))),
        Layer(name: "1×1 64→256 28×28 b8", geometry: try Conv2DGeometry(
            batch: 8, inputChannels: 64, inputHeight: 28, inputWidth: 28, outputChannels: 256, kernelSize: (1, 1))),
        Layer(name: "stride-2 64→128 3×3 56×56 b8", geometry: try Conv2DGeometry(
            batch: 8, inputChannels: 64, inputHeight: 56, inputWidth: 56, outputChannels: 128,
            kernelSize: (3, 3), stride: (2, 2), padding: (1, 1))),
    ]
    var generator = RandomGenerator(seed: 2)
    var rows: [Row] = []
    for layer in quick ? Array(layers.prefix(2)) : layers {
        let g = layer.geometry
        let x = Tensor.normal(g.inputShape, generator: &generator)
        let w = Tensor.normal(g.weightShape, generator: &generator)
        let bias = Tensor.normal([g.outputChannels], generator: &generator)
        let dy = Tensor.normal(g.outputShape, generator: &generator)
        let flops = 2.0 * Double(g.batch * g.outputChannels * g.outputHeight * g.outputWidth)
            * Double(g.inputChannels / g.groups * g.kernelHeight * g.kernelWidth)
        var dw = try Tensor.zeros(g.weightShape)
        let passes: [(String, () throws -> Void, () throws -> Void)] = [
            ("forward", { _ = try conv2dForward(input: x, weight: w, bias: bias, geometry: g) },
             { _ = try conv2dNaive(input: x, weight: w, bias: bias, geometry: g) }),
            ("backward-input", { _ = try conv2dBackwardInput(gradOutput: dy, weight: w, geometry: g) },
             { _ = try conv2dBackwardInputNaive(gradOutput: dy, weight: w, geometry: g) }),
            ("backward-weight", { try conv2dBackwardWeight(gradOutput: dy, input: x, geometry: g, accumulatingInto: &dw) },
             { try conv2dBackwardWeightNaive(gradOutput: dy, input: x, geometry: g, accumulatingInto: &dw) }),
        ]
        for (pass, fast, naive) in passes {
            let inner = try calibrate(fast)
            let fastTime = try measure(warmup: 1, runs: 5, inner: inner, fast)
            let naiveTime = try measure(warmup: 0, runs: quick ? 3 : 5, naive)
            rows.append(Row(suite: "conv", workload: "\(layer.name) \(pass)", unit: "GFLOP/s",
                            value: flops / fastTime.median / 1e9, medianSeconds: fastTime.median,
                            minSeconds: fastTime.minimum, maxSeconds: fastTime.maximum, noisy: fastTime.isNoisy,
                            baseline: "naive direct", baselineValue: flops / naiveTime.median / 1e9,
                            ratio: naiveTime.median / fastTime.median))
        }
    }
    return rows
}
