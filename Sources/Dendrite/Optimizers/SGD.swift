/// Stochastic gradient descent with momentum (`torch.optim.SGD`), the course's
/// `Δw(n+1) = η·δ·o + α·Δw(n)`:
///
/// `d = g + λ·p; b = μ·b + (1 − τ)·d (b = d at the first step); p ← p − η·(nesterov ? d + μ·b : b)`.
public final class SGD: Optimizer {
    /// Momentum μ (the course's α).
    public let momentum: Float
    /// Dampening τ of the gradient in the momentum buffer.
    public let dampening: Float
    /// Nesterov momentum.
    public let nesterov: Bool

    /// Creates the optimizer over `parameters`.
    public convenience init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                            nesterov: Bool = false, weightDecay: Float = 0) throws {
        try self.init(groups: [ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                      momentum: momentum, dampening: dampening, nesterov: nesterov)
    }

    /// Creates the optimizer over parameter groups.
    public init(groups: [ParameterGroup], momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false) throws {
        guard momentum >= 0, !nesterov || (momentum > 0 && dampening == 0) else {
            throw DendriteError.invalidArgument(operation: "SGD", argument: "momentum \(momentum)",
                                                reason: "must be ≥ 0; Nesterov needs momentum > 0 and no dampening")
        }
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        try super.init(groups: groups)
    }

    public override func update(_ value: inout Tensor, gradient: Tensor, state: inout [String: Tensor], group: ParameterGroup) throws {
        var buffer = state.removeValue(forKey: "momentum_buffer")
        OptimizerKernels.sgd(&value, gradient: gradient, momentumBuffer: &buffer, learningRate: group.learningRate,
                             momentum: momentum, dampening: dampening, nesterov: nesterov, weightDecay: group.weightDecay)
        state["momentum_buffer"] = buffer
    }
}
