/// A loss chosen by name for `fit`, `evaluate` and the CLI: `loss: .crossEntropy()`.
///
/// Classification losses read targets as class indices (`[N]`, stored as `Float`); regression
/// losses read targets of the output's shape.
public enum Loss: Sendable {
    /// ``crossEntropy(logits:labels:labelSmoothing:reduction:)`` on logits.
    case crossEntropy(labelSmoothing: Float = 0)
    /// ``nllLoss(logProbabilities:labels:reduction:)`` on log-probabilities.
    case negativeLogLikelihood
    /// ``meanSquaredError(_:_:reduction:)``.
    case meanSquaredError
    /// ``sumSquaredError(_:_:halved:)``, the course's `E = Σ(y − o)²` (½ when `halved`).
    case sumSquaredError(halved: Bool = false)
    /// ``l1Loss(_:_:reduction:)``.
    case l1
    /// ``huberLoss(_:_:delta:reduction:)``.
    case huber(delta: Float = 1)
    /// ``binaryCrossEntropy(probabilities:targets:reduction:)`` on probabilities.
    case binaryCrossEntropy
    /// ``binaryCrossEntropyWithLogits(logits:targets:positiveWeight:reduction:)``.
    case binaryCrossEntropyWithLogits

    /// Cross-entropy without label smoothing.
    public static var crossEntropy: Loss { .crossEntropy(labelSmoothing: 0) }

    /// The mean loss of `output` against `target` (a rank-0, differentiable tensor).
    public func callAsFunction(_ output: Tensor, _ target: Tensor) throws -> Tensor {
        switch self {
        case .crossEntropy(let smoothing): return try Dendrite.crossEntropy(logits: output, labels: target, labelSmoothing: smoothing)
        case .negativeLogLikelihood: return try nllLoss(logProbabilities: output, labels: target)
        case .meanSquaredError: return try Dendrite.meanSquaredError(output, try target.reshaped(to: output.shape))
        case .sumSquaredError(let halved): return try Dendrite.sumSquaredError(output, try target.reshaped(to: output.shape), halved: halved)
        case .l1: return try l1Loss(output, try target.reshaped(to: output.shape))
        case .huber(let delta): return try huberLoss(output, try target.reshaped(to: output.shape), delta: delta)
        case .binaryCrossEntropy:
            return try Dendrite.binaryCrossEntropy(probabilities: output, targets: try target.reshaped(to: output.shape))
        case .binaryCrossEntropyWithLogits:
            return try Dendrite.binaryCrossEntropyWithLogits(logits: output, targets: try target.reshaped(to: output.shape))
        }
    }
}
