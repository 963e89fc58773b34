/// Adam (`torch.optim.Adam`): `m = β₁m + (1 − β₁)g; v = β₂v + (1 − β₂)g²;
/// p ← p − η·m̂ / (√v̂ + ε)` with bias corrections, L2 weight decay added to the gradient,
/// optional AMSGrad. ``AdamW`` decouples the weight decay.
public class Adam: Optimizer {
    /// β₁, β₂.
    public let betas: (Float, Float)
    /// ε.
    public let epsilon: Float
    /// Whether to use the maximum of past second moments (AMSGrad).
    public let amsgrad: Bool
    var decoupledWeightDecay: Bool { false }

    /// Creates the optimizer with PyTorch's defaults (η 1e-3, β 0.9/0.999, ε 1e-8).
    public convenience init(_ parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                            epsilon: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false) throws {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      betas: betas, epsilon: epsilon, amsgrad: amsgrad)
    }

    /// Creates the optimizer over parameter groups.
    public init(groups: [ParameterGroup], betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8, amsgrad: Bool = false) throws {
        guard (0..<1).contains(betas.0), (0..<1).contains(betas.1), epsilon >= 0 else {
            throw DendriteError.invalidArgument(operation: String(describing: Self.self), argument: "betas \(betas), epsilon \(epsilon)",
                                                reason: "betas must be in [0, 1) and epsilon ≥ 0")
        }
        self.betas = betas
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        try super.init(groups: groups)
    }

    public override func update(_ value: inout Tensor, gradient: Tensor, state: inout [String: Tensor], group: ParameterGroup) throws {
        let step = Int(state["step"]?.scalar ?? 0) + 1
        var first = state.removeValue(forKey: "exp_avg") ?? Tensor.filled(value.shape, 0)
        var second = state.removeValue(forKey: "exp_avg_sq") ?? Tensor.filled(value.shape, 0)
        var maximum = amsgrad ? (state.removeValue(forKey: "max_exp_avg_sq") ?? Tensor.filled(value.shape, 0)) : nil
        OptimizerKernels.adam(&value, gradient: gradient, firstMoment: &first, secondMoment: &second, maximumSecondMoment: &maximum,
                              learningRate: group.learningRate, beta1: betas.0, beta2: betas.1, epsilon: epsilon,
                              weightDecay: group.weightDecay, decoupled: decoupledWeightDecay, step: step)
        state["exp_avg"] = first
        state["exp_avg_sq"] = second
        state["max_exp_avg_sq"] = maximum
        state["step"] = Tensor(Float(step))
    }
}

/// AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay `p ← p·(1 − η·λ)` before the
/// update (default λ 0.01).
public final class AdamW: Adam {
    override var decoupledWeightDecay: Bool { true }

    /// Creates the optimizer with PyTorch's defaults (η 1e-3, β 0.9/0.999, ε 1e-8, λ 0.01).
    public convenience init(_ parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                            epsilon: Float = 1e-8, weightDecay: Float = 0.01, amsgrad: Bool = false) throws {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      betas: betas, epsilon: epsilon, amsgrad: amsgrad)
    }
}

/// Adagrad (`torch.optim.Adagrad`): `s += g²; p ← p − η/(1 + (t − 1)·decay) · g / (√s + ε)`.
public final class Adagrad: Optimizer {
    /// Learning-rate decay per step.
    public let learningRateDecay: Float
    /// Initial value of the accumulated squares.
    public let initialAccumulatorValue: Float
    /// ε.
    public let epsilon: Float

    /// Creates the optimizer with PyTorch's defaults (η 0.01, ε 1e-10).
    public init(_ parameters: [Parameter], learningRate: Float = 0.01, learningRateDecay: Float = 0, weightDecay: Float = 0,
                initialAccumulatorValue: Float = 0, epsilon: Float = 1e-10) throws {
        self.learningRateDecay = learningRateDecay
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
        try super.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)])
    }

    public override func update(_ value: inout Tensor, gradient: Tensor, state: inout [String: Tensor], group: ParameterGroup) throws {
        let step = Int(state["step"]?.scalar ?? 0) + 1
        var sum = state.removeValue(forKey: "sum") ?? Tensor.filled(value.shape, initialAccumulatorValue)
        let rate = group.learningRate / (1 + Float(step - 1) * learningRateDecay)
        OptimizerKernels.adagrad(&value, gradient: gradient, sum: &sum, learningRate: rate, epsilon: epsilon, weightDecay: group.weightDecay)
        state["sum"] = sum
        state["step"] = Tensor(Float(step))
    }
}
