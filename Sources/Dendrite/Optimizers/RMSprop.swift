/// RMSprop (`torch.optim.RMSprop`): `s = α·s + (1 − α)·g²; p ← p − η·g / (√s + ε)`, optionally
/// centered (`√(s − ḡ²)`) and with momentum. ``keras(_:learningRate:)`` gives Keras' defaults.
public final class RMSprop: Optimizer {
    /// Decay α of the square average (Keras' `rho`).
    public let alpha: Float
    /// ε added to the denominator.
    public let epsilon: Float
    /// Momentum.
    public let momentum: Float
    /// Whether to normalize by the centered second moment.
    public let centered: Bool

    /// Creates the optimizer with PyTorch's defaults (α 0.99, ε 1e-8).
    public convenience init(_ parameters: [Parameter], learningRate: Float = 0.01, alpha: Float = 0.99, epsilon: Float = 1e-8,
                            weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false) throws {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      alpha: alpha, epsilon: epsilon, momentum: momentum, centered: centered)
    }

    /// Creates the optimizer over parameter groups.
    public init(groups: [ParameterGroup], alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0, centered: Bool = false) throws {
        guard alpha >= 0 && alpha < 1, epsilon >= 0, momentum >= 0 else {
            throw DendriteError.invalidArgument(operation: "RMSprop", argument: "alpha \(alpha), epsilon \(epsilon), momentum \(momentum)",
                                                reason: "need 0 ≤ alpha < 1, epsilon ≥ 0, momentum ≥ 0")
        }
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        try super.init(groups: groups)
    }

    /// Keras' `RMSprop` defaults: learning rate 0.001, ρ 0.9, ε 1e-7 (the course's MNIST example).
    public static func keras(_ parameters: [Parameter], learningRate: Float = 0.001) throws -> RMSprop {
        try RMSprop(parameters, learningRate: learningRate, alpha: 0.9, epsilon: 1e-7)
    }

    public override func update(_ value: inout Tensor, gradient: Tensor, state: inout [String: Tensor], group: ParameterGroup) throws {
        var square = state.removeValue(forKey: "square_avg") ?? Tensor.filled(value.shape, 0)
        var average = centered ? (state.removeValue(forKey: "grad_avg") ?? Tensor.filled(value.shape, 0)) : nil
        var buffer = momentum > 0 ? (state.removeValue(forKey: "momentum_buffer") ?? Tensor.filled(value.shape, 0)) : nil
        OptimizerKernels.rmsprop(&value, gradient: gradient, squareAverage: &square, gradientAverage: &average,
                                 momentumBuffer: &buffer, learningRate: group.learningRate, alpha: alpha, epsilon: epsilon,
                                 weightDecay: group.weightDecay, momentum: momentum)
        state["square_avg"] = square
        state["grad_avg"] = average
        state["momentum_buffer"] = buffer
    }
}
