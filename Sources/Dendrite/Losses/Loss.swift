/// What `fit`, `evaluate` and the CLI minimize: a differentiable function of a batch's outputs
/// and targets. The built-in losses are ``StandardLoss``s with their usual spellings
/// (`loss: .crossEntropy`, `.meanSquaredError`, `.huber(delta: 2)`); conform your own type to
/// pass any other loss. Inside a conforming type those spellings name the built-ins, so call the
/// loss functions module-qualified there (`Dendrite.meanSquaredError`).
///
/// ```swift
/// struct ScaledMSE: Loss {
///     var name: String { "scaled_mse" }
///     func callAsFunction(_ output: Tensor, _ target: Tensor) throws -> Tensor {
///         try Dendrite.meanSquaredError(output, target) * 10
///     }
/// }
/// ```
public protocol Loss {
    /// The loss's name in logs.
    var name: String { get }
    /// The mean loss of `output` against `target` (a rank-0, differentiable tensor).
    func callAsFunction(_ output: Tensor, _ target: Tensor) throws -> Tensor
}

/// A built-in loss, chosen by name: `loss: .crossEntropy(labelSmoothing: 0.1)`.
///
/// Classification losses read targets as class indices (`[N]`, stored as `Float`); regression
/// losses read targets of the output's shape (any shape with as many elements).
public struct StandardLoss: Loss, Sendable {
    enum Kind: Sendable {
        case crossEntropy(labelSmoothing: Float)
        case negativeLogLikelihood
        case meanSquaredError
        case sumSquaredError(halved: Bool)
        case l1
        case huber(delta: Float)
        case binaryCrossEntropy
        case binaryCrossEntropyWithLogits
    }
    let kind: Kind

    /// The loss's name in logs (`"cross_entropy"`, `"mse"`, …).
    public var name: String {
        switch kind {
        case .crossEntropy: return "cross_entropy"
        case .negativeLogLikelihood: return "nll"
        case .meanSquaredError: return "mse"
        case .sumSquaredError: return "sse"
        case .l1: return "l1"
        case .huber: return "huber"
        case .binaryCrossEntropy: return "binary_cross_entropy"
        case .binaryCrossEntropyWithLogits: return "binary_cross_entropy_with_logits"
        }
    }

    /// The mean loss of `output` against `target` (a rank-0, differentiable tensor).
    public func callAsFunction(_ output: Tensor, _ target: Tensor) throws -> Tensor {
        switch kind {
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

extension Loss where Self == StandardLoss {
    /// ``crossEntropy(logits:labels:labelSmoothing:reduction:)-(_,Tensor,_,_)`` on logits, without smoothing.
    public static var crossEntropy: StandardLoss { StandardLoss(kind: .crossEntropy(labelSmoothing: 0)) }
    /// ``crossEntropy(logits:labels:labelSmoothing:reduction:)-(_,Tensor,_,_)`` with label smoothing in [0, 1].
    public static func crossEntropy(labelSmoothing: Float) -> StandardLoss {
        StandardLoss(kind: .crossEntropy(labelSmoothing: labelSmoothing))
    }
    /// ``nllLoss(logProbabilities:labels:reduction:)-(_,Tensor,_)`` on log-probabilities.
    public static var negativeLogLikelihood: StandardLoss { StandardLoss(kind: .negativeLogLikelihood) }
    /// ``meanSquaredError(_:_:reduction:)``.
    public static var meanSquaredError: StandardLoss { StandardLoss(kind: .meanSquaredError) }
    /// ``sumSquaredError(_:_:halved:)``, the course's `E = Σ(y − o)²`.
    public static var sumSquaredError: StandardLoss { StandardLoss(kind: .sumSquaredError(halved: false)) }
    /// ``sumSquaredError(_:_:halved:)``; `½Σ(y − o)²` when `halved`.
    public static func sumSquaredError(halved: Bool) -> StandardLoss { StandardLoss(kind: .sumSquaredError(halved: halved)) }
    /// ``l1Loss(_:_:reduction:)``.
    public static var l1: StandardLoss { StandardLoss(kind: .l1) }
    /// ``huberLoss(_:_:delta:reduction:)`` with δ = 1.
    public static var huber: StandardLoss { StandardLoss(kind: .huber(delta: 1)) }
    /// ``huberLoss(_:_:delta:reduction:)``.
    public static func huber(delta: Float) -> StandardLoss { StandardLoss(kind: .huber(delta: delta)) }
    /// ``binaryCrossEntropy(probabilities:targets:reduction:)`` on probabilities.
    public static var binaryCrossEntropy: StandardLoss { StandardLoss(kind: .binaryCrossEntropy) }
    /// ``binaryCrossEntropyWithLogits(logits:targets:positiveWeight:reduction:)-(_,_,Float,_)``.
    public static var binaryCrossEntropyWithLogits: StandardLoss { StandardLoss(kind: .binaryCrossEntropyWithLogits) }
}
