#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Cross-entropy from logits against class indices (PyTorch's `CrossEntropyLoss`), one fused op
/// with a stable log-sum-exp: `−Σ_c t_c · log_softmax(x)_c` with `t = (1 − ε)·onehot + ε/C`.
///
/// - Parameters:
///   - logits: `[N, C]` unnormalized scores.
///   - labels: `[N]` class indices stored as `Float`.
///   - labelSmoothing: ε in `[0, 1]`.
///   - reduction: the mean over the batch (default), the sum, or one loss per example.
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a label outside `0..<C`.
public func crossEntropy(logits: Tensor, labels: Tensor, labelSmoothing: Float = 0,
                         reduction: LossReduction = .mean) throws -> Tensor {
    try crossEntropy(logits: logits, labels: try classIndices(logits, labels, "crossEntropy"), labelSmoothing: labelSmoothing,
                     reduction: reduction)
}

/// Cross-entropy from logits against target distributions `[N, C]` (rows summing to 1):
/// `−Σ_c p_c · log_softmax(x)_c`, one fused op.
public func crossEntropy(logits: Tensor, probabilities: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
    guard logits.rank == 2, probabilities.shape == logits.shape else {
        throw DendriteError.shapeMismatch(operation: "crossEntropy", expected: "logits [N, C] and probabilities of the same shape",
                                          got: "logits \(logits.shape), probabilities \(probabilities.shape)")
    }
    let (rows, classes) = (logits.shape[0], logits.shape[1])
    let (losses, gradient) = SoftmaxKernels.crossEntropy(logits: logits, targets: probabilities, rows: rows, columns: classes)
    let perExample = Tensor(losses)
    switch reduction {
    case .none:
        return perExample.recorded("crossEntropy", [logits]) { g in
            [try gradient * g.reshaped(to: [rows, 1])]
        }
    case .mean, .sum:
        let scale: Float = reduction == .mean ? 1 / Float(Swift.max(rows, 1)) : 1
        let total = Tensor(losses.reduce(0, +) * scale)
        return total.recorded("crossEntropy", [logits]) { g in [gradient * (g.scalar! * scale)] }
    }
}

/// Negative log-likelihood of log-probabilities `[N, C]` at class indices `[N]` (PyTorch's `NLLLoss`).
public func nllLoss(logProbabilities: Tensor, labels: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
    try nllLoss(logProbabilities: logProbabilities, labels: try classIndices(logProbabilities, labels, "nllLoss"), reduction: reduction)
}

/// Binary cross-entropy of probabilities (PyTorch's `BCELoss`, logs clamped at −100):
/// `−[t·log p + (1 − t)·log(1 − p)]`.
public func binaryCrossEntropy(probabilities: Tensor, targets: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
    try checkSameShape(probabilities, targets, "binaryCrossEntropy")
    let logP = probabilities.log().clamped(min: -100), logNotP = (1 - probabilities).log().clamped(min: -100)
    return reduction.apply(-(try targets * logP + (1 - targets) * logNotP))
}

/// Binary cross-entropy from logits, stable for any logit (PyTorch's `BCEWithLogitsLoss`):
/// `max(x, 0) − x·t + log(1 + e^{−|x|})`, with `positiveWeight` scaling the positive term; one fused op
/// (the overload taking a `Tensor?` weight accepts one weight per class).
public func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, positiveWeight: Float = 1,
                                         reduction: LossReduction = .mean) throws -> Tensor {
    try binaryCrossEntropyWithLogits(logits: logits, targets: targets,
                                     positiveWeight: positiveWeight == 1 ? nil : Tensor(positiveWeight), reduction: reduction)
}

/// KL divergence `Σ p·(log p − input)` where `input` holds log-probabilities (PyTorch's
/// `KLDivLoss`; `.mean` here is PyTorch's `batchmean`: the sum divided by the batch size).
public func klDivergence(logProbabilities: Tensor, targetProbabilities: Tensor, reduction: LossReduction = .mean) throws -> Tensor {
    try checkSameShape(logProbabilities, targetProbabilities, "klDivergence")
    let target = targetProbabilities.detached()
    let logTarget = ElementwiseKernels.map(target) { $0 > 0 ? logf($0) : 0 }
    let terms = try target * (logTarget - logProbabilities)
    switch reduction {
    case .none: return terms
    case .sum: return terms.sum()
    case .mean: return terms.sum() / Float(Swift.max(logProbabilities.shape.first ?? 1, 1))
    }
}

/// The class indices held by `labels` (`[N]` or `[N, 1]`, as `Float`) for `[N, C]` scores: the one
/// validation every tensor-label classification loss goes through before its integer-label form.
///
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` for other shapes,
///   ``DendriteError/invalidArgument(operation:argument:reason:)`` naming the first label that is
///   not a whole number in `0..<C` (its value and example).
func classIndices(_ scores: Tensor, _ labels: Tensor, _ operation: String) throws -> [Int] {
    guard scores.rank == 2, labels.count == scores.shape[0], labels.rank <= 1 || labels.shape == [scores.shape[0], 1] else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "scores [N, C] and labels [N]",
                                          got: "scores \(scores.shape), labels \(labels.shape)")
    }
    return try classIndices(labels, classes: scores.shape[1], operation: operation)
}

/// The whole numbers in `0..<classes` that `labels` holds, or an error naming the first that is not.
func classIndices(_ labels: Tensor, classes: Int, operation: String) throws -> [Int] {
    try labels.scalars.enumerated().map { row, value in
        guard value.isFinite, value == value.rounded(), value >= 0, value < Float(classes) else {
            throw DendriteError.invalidArgument(operation: operation, argument: "label \(value) of example \(row)",
                                                reason: "must be a class index in 0..<\(classes)")
        }
        return Int(value)
    }
}
