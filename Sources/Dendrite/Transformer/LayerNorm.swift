/// Layer normalization over the last axis (`nn.LayerNorm`): `y = γ·(x − μ)/√(σ² + ε) + β`, one fused
/// op with a hand-written backward. Parameters `weight` (γ, ones) and `bias` (β, zeros), `[features]`.
public final class LayerNorm: Module, UnaryLayer {
    /// γ, or `nil` without elementwise affine.
    public let weight: Parameter?
    /// β, or `nil`.
    public let bias: Parameter?
    /// Size of the normalized (last) axis.
    public let featureCount: Int
    /// ε.
    public let epsilon: Float

    /// Creates the layer with PyTorch's defaults (ε 1e-5, affine).
    public init(_ featureCount: Int, epsilon: Float = 1e-5, affine: Bool = true) {
        self.featureCount = featureCount
        self.epsilon = epsilon
        weight = affine ? Parameter(Tensor.filled([featureCount], 1)) : nil
        bias = affine ? Parameter(Tensor.filled([featureCount], 0)) : nil
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try layerNorm(input, weight: weight?.tensor, bias: bias?.tensor, epsilon: epsilon, operation: "LayerNorm(\(featureCount))")
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.last == featureCount else {
            throw DendriteError.shapeMismatch(operation: "LayerNorm(\(featureCount))", expected: "[..., \(featureCount)]", got: "\(shape)")
        }
        return shape
    }
}

/// Layer normalization of the last axis as a function (one fused differentiable op).
public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5, operation: String = "layerNorm") throws -> Tensor {
    guard let columns = x.shape.last, columns > 0 else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "[..., features]", got: "\(x.shape)")
    }
    for (name, tensor) in [("weight", weight), ("bias", bias)] {
        if let tensor, tensor.shape != [columns] {
            throw DendriteError.shapeMismatch(operation: "\(operation) \(name)", expected: "[\(columns)]", got: "\(tensor.shape)")
        }
    }
    let rows = x.count / columns
    let (y, mean, inverse) = LayerNormKernels.forward(x, gamma: weight, beta: bias, rows: rows, columns: columns, epsilon: epsilon)
    let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
    return y.recorded(operation, inputs) { g in
        let grads = LayerNormKernels.backward(g, input: x, gamma: weight, mean: mean, inverseStd: inverse, rows: rows, columns: columns)
        return [x.requiresGradient ? grads.dInput : nil] + (weight.map { _ in [grads.dGamma] } ?? []) + (bias.map { _ in [grads.dBeta] } ?? [])
    }
}
