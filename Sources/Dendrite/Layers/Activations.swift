/// `max(x, 0)` (`nn.ReLU`).
public final class ReLU: Module, UnaryLayer {
    /// Creates the layer.
    public override init() { super.init() }
    public func forward(_ input: Tensor) throws -> Tensor { input.relu() }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}

/// `x` for `x > 0`, `negativeSlope·x` otherwise (`nn.LeakyReLU`).
public final class LeakyReLU: Module, UnaryLayer {
    /// Slope for negative inputs.
    public let negativeSlope: Float
    /// Creates the layer (PyTorch's default slope 0.01).
    public init(negativeSlope: Float = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    public func forward(_ input: Tensor) throws -> Tensor { input.leakyRelu(negativeSlope: negativeSlope) }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}

/// `x` for `x > 0`, `α·(eˣ − 1)` otherwise (`nn.ELU`).
public final class ELU: Module, UnaryLayer {
    /// α.
    public let alpha: Float
    /// Creates the layer.
    public init(alpha: Float = 1) {
        self.alpha = alpha
        super.init()
    }
    public func forward(_ input: Tensor) throws -> Tensor { input.elu(alpha: alpha) }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}

/// `x·Φ(x)` (`nn.GELU`, exact by default, or the tanh approximation).
public final class GELU: Module, UnaryLayer {
    /// Whether to use the tanh approximation.
    public let tanhApproximation: Bool
    /// Creates the layer.
    public init(tanhApproximation: Bool = false) {
        self.tanhApproximation = tanhApproximation
        super.init()
    }
    public func forward(_ input: Tensor) throws -> Tensor { input.gelu(tanhApproximation: tanhApproximation) }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}

/// The logistic function `1 / (1 + e⁻ˣ)` (`nn.Sigmoid`; scikit-learn's `logistic`).
public final class Sigmoid: Module, UnaryLayer {
    /// Creates the layer.
    public override init() { super.init() }
    public func forward(_ input: Tensor) throws -> Tensor { input.sigmoid() }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}

/// Hyperbolic tangent (`nn.Tanh`).
public final class Tanh: Module, UnaryLayer {
    /// Creates the layer.
    public override init() { super.init() }
    public func forward(_ input: Tensor) throws -> Tensor { input.tanh() }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}

/// Softmax along `axis` (`nn.Softmax`, default the last axis).
public final class Softmax: Module, UnaryLayer {
    /// The axis normalized to sum to 1.
    public let axis: Int
    /// Creates the layer.
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    public func forward(_ input: Tensor) throws -> Tensor { try softmax(input, axis: axis) }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}

/// Log-softmax along `axis` (`nn.LogSoftmax`).
public final class LogSoftmax: Module, UnaryLayer {
    /// The axis.
    public let axis: Int
    /// Creates the layer.
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    public func forward(_ input: Tensor) throws -> Tensor { try logSoftmax(input, axis: axis) }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}
