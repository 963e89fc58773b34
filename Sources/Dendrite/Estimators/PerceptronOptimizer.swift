import Foundation

/// scikit-learn's stochastic optimizers for the perceptron estimators (`SGDOptimizer`,
/// `AdamOptimizer` in `sklearn.neural_network._stochastic_optimizers`), whose rules differ from
/// ``SGD``'s and ``Adam``'s: Nesterov momentum as `v ← μv − ηg; p += μv − ηg`, and Adam's step
/// `η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)`, ε outside the bias correction.
struct PerceptronOptimizer {
    enum Rule {
        case sgd(momentum: Float, nesterov: Bool, schedule: MLPLearningRateSchedule, powerT: Float)
        case adam(beta1: Float, beta2: Float, epsilon: Float)
    }

    let rule: Rule
    let initialRate: Float
    /// The current step size (`learning_rate_` in scikit-learn).
    private(set) var learningRate: Float
    private var first: [Tensor] = [], second: [Tensor] = []
    private var steps = 0

    init(_ hyperparameters: MLPHyperparameters, parameters: [Tensor]) {
        let h = hyperparameters
        rule = h.solver == .sgd ? .sgd(momentum: h.momentum, nesterov: h.nesterovsMomentum, schedule: h.learningRate, powerT: h.powerT)
                                : .adam(beta1: h.beta1, beta2: h.beta2, epsilon: h.epsilon)
        initialRate = h.learningRateInit
        learningRate = h.learningRateInit
        first = parameters.map { Tensor.zeros(like: $0) }
        if h.solver == .adam { second = first }   // SGD keeps only velocities
    }

    /// Adds this step's update to every parameter (coefs then intercepts, as `grads`).
    mutating func update(_ parameters: inout [Tensor], gradients: [Tensor]) throws {
        switch rule {
        case let .sgd(momentum, nesterov, _, _):
            for index in parameters.indices {
                let velocity = try first[index] * momentum - gradients[index] * learningRate
                first[index] = velocity
                let update = nesterov ? try velocity * momentum - gradients[index] * learningRate : velocity
                parameters[index] = try parameters[index] + update
            }
        case let .adam(beta1, beta2, epsilon):
            steps += 1
            let t = Double(steps)
            let rate = Double(initialRate) * (1 - Foundation.pow(Double(beta2), t)).squareRoot() / (1 - Foundation.pow(Double(beta1), t))
            learningRate = Float(rate)
            // PyTorch's fused Adam step computes p −= (η/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε′); with
            // ε′ = ε/√(1 − β₂ᵗ) that is scikit-learn's step exactly.
            let root = (1 - Foundation.pow(Double(beta2), t)).squareRoot()
            var noMaximum: Tensor?
            for index in parameters.indices {
                OptimizerKernels.adam(&parameters[index], gradient: gradients[index], firstMoment: &first[index],
                                      secondMoment: &second[index], maximumSecondMoment: &noMaximum, learningRate: initialRate,
                                      beta1: beta1, beta2: beta2, epsilon: Float(Double(epsilon) / root), weightDecay: 0,
                                      decoupled: false, step: steps)
            }
        }
    }

    /// After each epoch, with `samplesSeen` so far: invscaling's `η₀ / (t + 1)^powerT`.
    mutating func iterationEnds(samplesSeen: Int) {
        if case let .sgd(_, _, .invscaling, powerT) = rule {
            learningRate = Float(Double(initialRate) / Foundation.pow(Double(samplesSeen + 1), Double(powerT)))
        }
    }

    /// When progress stalls: `true` to stop, or (adaptive sgd above 1e-6) the rate divided by 5
    /// and `false`. `message` gets what scikit-learn prints.
    mutating func triggerStopping(_ reason: String, message: inout String) -> Bool {
        guard case .sgd(_, _, .adaptive, _) = rule else {
            message = reason + " Stopping."
            return true
        }
        if learningRate <= 1e-6 {
            message = reason + " Learning rate too small. Stopping."
            return true
        }
        learningRate /= 5
        message = reason + " Setting learning rate to \(String(format: "%f", learningRate))"
        return false
    }
}
