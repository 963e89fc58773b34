// Classification losses that take class labels as Swift integers, and cross-entropy against
// soft targets with PyTorch's label smoothing. Each is one fused op on the tape.

/// Cross-entropy of logits against integer class labels (PyTorch's `CrossEntropyLoss`), one fused
/// op over a stable log-sum-exp.
///
/// For row `n` with label `y_n`:
/// `ℓ_n = −Σ_c t_{n,c} · log_softmax(x_n)_c` with `t = (1 − ε)·onehot(y_n) + ε/C`, that is
/// `(1 − ε)·(lse(x_n) − x_{n,y_n}) + ε·(lse(x_n) − mean_c x_{n,c})`. `.mean` divides the sum by `N`
/// (as PyTorch without class weights).
///
/// - Parameters:
///   - logits: `[N, C]` unnormalized scores (the gradient flows here).
///   - labels: `N` class indices, each in `0..<C`.
///   - labelSmoothing: ε in `[0, 1]`; `0` is plain cross-entropy.
///   - reduction: `.mean` (default) and `.sum` give a scalar, `.none` gives `[N]`.
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` (operation `"crossEntropy"`)
///   when `logits` is not `[N, C]` with `N == labels.count`;
///   ``DendriteError/invalidArgument(operation:argument:reason:)`` naming the first label outside
///   `0..<C` (its value, its example and `C`), or an ε outside `[0, 1]`.
public func crossEntropy(logits: Tensor, labels: [Int], labelSmoothing: Float = 0,
                         reduction: LossReduction = .mean) throws -> Tensor {
    let (rows, classes) = try integerLabelShape(logits, labels, "crossEntropy")
    try checkLabelSmoothing(labelSmoothing)
    try checkIntegerLabels(labels, classes: classes, operation: "crossEntropy")
    var targets = [Float](repeating: labelSmoothing / Float(classes), count: rows * classes)
    for (row, label) in labels.enumerated() { targets[row * classes + label] += 1 - labelSmoothing }
    return try crossEntropy(logits: logits, probabilities: Tensor(shape: [rows, classes], scalars: targets),
                            reduction: reduction)
}

/// Cross-entropy of logits against target distributions with label smoothing, as PyTorch's
/// `CrossEntropyLoss(label_smoothing: ε)` with probability targets: one fused op.
///
/// `ℓ_n = −Σ_c t̃_{n,c} · log_softmax(x_n)_c` with `t̃ = (1 − ε)·t + ε/C`. `.mean` divides by `N`.
/// The targets are constants (they receive no gradient).
///
/// - Parameters:
///   - logits: `[N, C]` unnormalized scores.
///   - probabilities: `[N, C]` target distributions (rows normally sum to 1).
///   - labelSmoothing: ε in `[0, 1]` (no default, so the overload without it stays the plain form).
///   - reduction: `.mean` (default), `.sum`, or `.none` (`[N]`).
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` (`"crossEntropy"`) unless both
///   are the same `[N, C]`; ``DendriteError/invalidArgument(operation:argument:reason:)`` for ε outside `[0, 1]`.
public func crossEntropy(logits: Tensor, probabilities: Tensor, labelSmoothing: Float,
                         reduction: LossReduction = .mean) throws -> Tensor {
    guard logits.rank == 2, probabilities.shape == logits.shape else {
        throw DendriteError.shapeMismatch(operation: "crossEntropy", expected: "logits [N, C] and probabilities of the same shape",
                                          got: "logits \(logits.shape), probabilities \(probabilities.shape)")
    }
    try checkLabelSmoothing(labelSmoothing)
    let classes = Float(Swift.max(logits.shape[1], 1))
    let smoothed = labelSmoothing == 0
        ? probabilities.detached()
        : probabilities.detached() * (1 - labelSmoothing) + labelSmoothing / classes
    return try crossEntropy(logits: logits, probabilities: smoothed, reduction: reduction)
}

/// Negative log-likelihood of log-probabilities at integer class labels (PyTorch's `NLLLoss`),
/// one fused op: `ℓ_n = −logP[n, y_n]`; `.mean` divides the sum by `N`.
///
/// Pair it with ``logSoftmax(_:axis:)``: `nllLoss(logProbabilities: logSoftmax(x), labels: y)`
/// equals `crossEntropy(logits: x, labels: y)`.
///
/// - Parameters:
///   - logProbabilities: `[N, C]` (the gradient `−1` at each picked entry, scaled, flows here).
///   - labels: `N` class indices in `0..<C`.
///   - reduction: `.mean` (default), `.sum`, or `.none` (`[N]`).
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` (`"nllLoss"`) or
///   ``DendriteError/invalidArgument(operation:argument:reason:)`` naming a label outside `0..<C`.
public func nllLoss(logProbabilities: Tensor, labels: [Int], reduction: LossReduction = .mean) throws -> Tensor {
    let (rows, classes) = try integerLabelShape(logProbabilities, labels, "nllLoss")
    try checkIntegerLabels(labels, classes: classes, operation: "nllLoss")
    let losses = LossKernels.negativeLogLikelihood(logProbabilities, labels: labels, rows: rows, columns: classes)
    switch reduction {
    case .none:
        return Tensor(losses).recorded("nllLoss", [logProbabilities]) { g in
            [LossKernels.negativeLogLikelihoodBackward(upstream: g.scalars, labels: labels, rows: rows, columns: classes)]
        }
    case .mean, .sum:
        let scale: Float = reduction == .mean ? 1 / Float(Swift.max(rows, 1)) : 1
        let total = Tensor(Float(losses.reduce(0.0) { $0 + Double($1) }) * scale)
        return total.recorded("nllLoss", [logProbabilities]) { g in
            let upstream = [Float](repeating: g.scalars[0] * scale, count: rows)
            return [LossKernels.negativeLogLikelihoodBackward(upstream: upstream, labels: labels, rows: rows, columns: classes)]
        }
    }
}

/// `(N, C)` of `[N, C]` scores with `N` integer labels, or a `shapeMismatch` naming `operation`.
func integerLabelShape(_ scores: Tensor, _ labels: [Int], _ operation: String) throws -> (rows: Int, classes: Int) {
    guard scores.rank == 2, scores.shape[0] == labels.count else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "scores [N, C] and N labels",
                                          got: "scores \(scores.shape), \(labels.count) labels")
    }
    return (scores.shape[0], scores.shape[1])
}

/// Throws `invalidArgument` naming the first label outside `0..<classes`, its example and `classes`.
func checkIntegerLabels(_ labels: [Int], classes: Int, operation: String) throws {
    if let row = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
        throw DendriteError.invalidArgument(operation: operation, argument: "label \(labels[row]) of example \(row)",
                                            reason: "must be a class index in 0..<\(classes)")
    }
}

/// PyTorch accepts a label smoothing ε in `[0, 1]`.
private func checkLabelSmoothing(_ epsilon: Float) throws {
    guard epsilon >= 0 && epsilon <= 1 else {
        throw DendriteError.invalidArgument(operation: "crossEntropy", argument: "labelSmoothing \(epsilon)",
                                            reason: "must be in [0, 1]")
    }
}
