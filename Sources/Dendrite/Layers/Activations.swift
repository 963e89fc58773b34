/// `max(x, 0)` (`nn.ReLU`).
public final class ReLU: Module {
    /// Creates the layer.
    public override init() { super.init() }
    public override var typeName: String { "ReLU" }
    public override func forward(_ input: Tensor) throws -> Tensor { input.relu() }
}

/// `x` for `x > 0`, `negativeSlope·x` otherwise (`nn.LeakyReLU`).
public final class LeakyReLU: Module {
    /// Slope for negative inputs.
    public let negativeSlope: Float
    /// Creates the layer (PyTorch's default slope 0.01).
    public init(negativeSlope: Float = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    public override var typeName: String { "LeakyReLU" }
    public override func forward(_ input: Tensor) throws -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }
}

/// `x` for `x > 0`, `α·(eˣ − 1)` otherwise (`nn.ELU`).
public final class ELU: Module {
    /// α.
    public let alpha: Float
    /// Creates the layer.
    public init(alpha: Float = 1) {
        self.alpha = alpha
        super.init()
    }
    public override var typeName: String { "ELU" }
    public override func forward(_ input: Tensor) throws -> Tensor { input.elu(alpha: alpha) }
}

/// `x·Φ(x)` (`nn.GELU`, exact by default, or the tanh approximation).
public final class GELU: Module {
    /// Whether to use the tanh approximation.
    public let tanhApproximation: Bool
    /// Creates the layer.
    public init(tanhApproximation: Bool = false) {
        self.tanhApproximation = tanhApproximation
        super.init()
    }
    public override var typeName: String { "GELU" }
    public override func forward(_ input: Tensor) throws -> Tensor { input.gelu(tanhApproximation: tanhApproximation) }
}

/// The logistic function `1 / (1 + e⁻ˣ)` (`nn.Sigmoid`; scikit-learn's `logistic`).
public final class Sigmoid: Module {
    /// Creates the layer.
    public override init() { super.init() }
    public override var typeName: String { "Sigmoid" }
    public override func forward(_ input: Tensor) throws -> Tensor { input.sigmoid() }
}

/// Hyperbolic tangent (`nn.Tanh`).
public final class Tanh: Module {
    /// Creates the layer.
    public override init() { super.init() }
    public override var typeName: String { "Tanh" }
    public override func forward(_ input: Tensor) throws -> Tensor { input.tanh() }
}

/// Softmax along `axis` (`nn.Softmax`, default the last axis).
public final class Softmax: Module {
    /// The axis normalized to sum to 1.
    public let axis: Int
    /// Creates the layer.
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    public override var typeName: String { "Softmax" }
    public override func forward(_ input: Tensor) throws -> Tensor { try softmax(input, axis: axis) }
}

/// Log-softmax along `axis` (`nn.LogSoftmax`).
public final class LogSoftmax: Module {
    /// The axis.
    public let axis: Int
    /// Creates the layer.
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    public override var typeName: String { "LogSoftmax" }
    public override func forward(_ input: Tensor) throws -> Tensor { try logSoftmax(input, axis: axis) }
}
