/// The convolution → batch norm (→ ReLU) sequence of CNN blocks, run as one kernel in inference
/// (and a residual block's sum and ReLU, as one pass).
///
/// In eval mode a batch norm is a fixed per-channel affine map, `y = x·scale + shift` with
/// `scale = γ/√(σ² + ε)` and `shift = β − μ·scale`. When nothing records gradients, the
/// convolution applies it — and the ReLU after it — to each output while the output is in cache,
/// instead of two more passes over every activation (the zoo's ResNet at batch 1 spends about 6 %
/// of its time in those passes). The result is the same function; unlike
/// ``Module/foldBatchNorm()`` the model is not changed, so training can resume at any time.
extension Module {
    /// `relu(norm(conv(x)))`, or `norm(conv(x))` without `relu`: fused into the convolution when
    /// `conv` is a ``Conv2D``, `norm` a ``BatchNorm`` in eval mode with as many features as the
    /// convolution's outputs, `relu` a ``ReLU``, no gradient is being recorded and no
    /// ``UnaryLayer/summary(input:)`` is tracing the calls; the layers one by one otherwise.
    func convolutionThenNorm(_ x: Tensor, conv: any UnaryLayer, norm: any UnaryLayer, relu: (any UnaryLayer)?) throws -> Tensor {
        if let conv = conv as? Conv2D, let norm = norm as? BatchNorm2D, relu == nil || relu is ReLU,
           let fused = try conv.normalizedInference(x, by: norm, relu: relu != nil) {
            return fused
        }
        let y = try norm(conv(x))
        guard let relu else { return y }
        return try reluUnlessFused(y, after: conv, relu: relu)
    }
}

extension Conv2D {
    /// This convolution followed by `norm` (and a ReLU) in one kernel, or `nil` when the fused
    /// path does not apply (see ``Module/convolutionThenNorm(_:conv:norm:relu:)``): then the
    /// caller runs the layers one by one, and they report any error in the input.
    func normalizedInference(_ x: Tensor, by norm: BatchNorm2D, relu: Bool) throws -> Tensor? {
        let parameters = [weight.tensor, bias?.tensor, norm.weight?.tensor, norm.bias?.tensor].compactMap { $0 }
        let recording = GradientMode.isEnabled && (x.requiresGradient || parameters.contains(where: \.requiresGradient))
        guard !norm.isTraining, !recording, !fusedReLU, ModuleCallTracer.current == nil, norm.featureCount == outputChannels,
              x.rank == 4, x.shape[1] == inputChannels,
              let geometry = try? Conv2DGeometry(batch: x.shape[0], inputChannels: inputChannels, inputHeight: x.shape[2],
                                                 inputWidth: x.shape[3], outputChannels: outputChannels, kernelSize: kernelSize.pair,
                                                 stride: stride.pair, padding: padding.pair, dilation: dilation.pair, groups: groups)
        else { return nil }
        let mean = norm.runningMean.value.scalars, variance = norm.runningVar.value.scalars
        let gamma = norm.weight?.tensor.scalars, beta = norm.bias?.tensor.scalars, convBias = bias?.tensor.scalars
        var scale = [Float](repeating: 0, count: outputChannels), shift = scale
        for c in 0..<outputChannels {
            scale[c] = (gamma?[c] ?? 1) / (variance[c] + norm.epsilon).squareRoot()
            shift[c] = (beta?[c] ?? 0) + ((convBias?[c] ?? 0) - mean[c]) * scale[c]
        }
        return try conv2dForward(input: x, weight: weight.tensor, bias: Tensor(shift), scale: Tensor(scale), geometry: geometry,
                                 relu: relu)
    }
}

extension Module {
    /// `relu(main + shortcut)`, a residual block's end: in one pass when nothing records gradients
    /// and `relu` is a ``ReLU`` (the sum is not written, then read again); the two ops otherwise.
    func residualSum(_ main: Tensor, _ shortcut: Tensor, relu: any UnaryLayer) throws -> Tensor {
        let recording = GradientMode.isEnabled && (main.requiresGradient || shortcut.requiresGradient)
        guard !recording, relu is ReLU, ModuleCallTracer.current == nil, main.shape == shortcut.shape else {
            return try relu(try main + shortcut)
        }
        return ElementwiseKernels.zip(main, shortcut, shape: main.shape) { a, b in
            let sum = a + b
            return sum < 0 ? 0 : sum   // NaN stays NaN, as in relu()
        }
    }
}
