/// The affine map `y = x·Wᵀ + b`, one fused op: a single GEMM with the bias pre-filled.
///
/// - Parameters:
///   - x: `[..., inputFeatures]` (leading axes are folded into rows).
///   - weight: `[outputFeatures, inputFeatures]` (PyTorch's layout).
///   - bias: `[outputFeatures]` or `nil`.
///   - operation: the name errors report.
/// - Returns: `[..., outputFeatures]`.
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` naming the operand.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, operation: String = "linear") throws -> Tensor {
    guard weight.rank == 2 else {
        throw DendriteError.shapeMismatch(operation: "\(operation) weight", expected: "[out, in]", got: "\(weight.shape)")
    }
    let (outputs, inputs) = (weight.shape[0], weight.shape[1])
    guard x.rank >= 1, x.shape[x.rank - 1] == inputs else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "input [..., \(inputs)]", got: "\(x.shape)")
    }
    if let bias, bias.shape != [outputs] {
        throw DendriteError.shapeMismatch(operation: "\(operation) bias", expected: "[\(outputs)]", got: "\(bias.shape)")
    }
    let rows = x.count / Swift.max(inputs, 1)
    var outputShape = x.shape
    outputShape[x.rank - 1] = outputs
    var y = bias.map { LayoutKernels.tiledRows($0, count: rows) } ?? Tensor.gemmOutput([rows, outputs])
    try gemm(transposeB: true, m: rows, n: outputs, k: inputs, a: x, b: weight, beta: bias == nil ? 0 : 1, c: &y)
    let inputs3 = [x, weight] + (bias.map { [$0] } ?? [])
    return try y.reshaped(to: outputShape).recorded(operation, inputs3) { g in
        var dInput: Tensor?, dWeight: Tensor?, dBias: Tensor?
        if x.requiresGradient {
            var grad = Tensor.gemmOutput([rows, inputs])
            try gemm(m: rows, n: inputs, k: outputs, a: g, b: weight, c: &grad)
            dInput = try grad.reshaped(to: x.shape)
        }
        if weight.requiresGradient {
            // A parameter in an arena gets dW = gᵀ·x written (or added, beta = 1) straight into its slot.
            let written = try weight.writeGradientInPlace { slot, accumulate in
                try gemm(transposeA: true, m: outputs, n: inputs, k: rows, a: g, b: x, beta: accumulate ? 1 : 0, c: &slot)
            }
            if !written {
                var grad = Tensor.gemmOutput([outputs, inputs])
                try gemm(transposeA: true, m: outputs, n: inputs, k: rows, a: g, b: x, c: &grad)
                dWeight = grad
            }
        }
        if let bias, bias.requiresGradient {
            dBias = try g.reshaped(to: [rows, outputs]).sum(alongAxes: [0])
        }
        return [dInput, dWeight, dBias]
    }
}
