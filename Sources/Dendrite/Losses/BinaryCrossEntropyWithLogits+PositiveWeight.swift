/// Binary cross-entropy from logits with an optional per-class positive weight, as PyTorch's
/// `BCEWithLogitsLoss(pos_weight:)`: one fused op, stable for any logit.
///
/// Elementwise, with `w` the positive weight of the element's class (1 when `nil`):
/// `ℓ = −[w·t·log σ(x) + (1 − t)·log(1 − σ(x))] = w·t·softplus(−x) + (1 − t)·softplus(x)`, where
/// `softplus(z) = max(z, 0) + log(1 + e^{−|z|})` never overflows (logits of ±1000 give finite
/// losses and gradients). `∂ℓ/∂x = (1 − t)·σ(x) − w·t·σ(−x)`; targets get `∂ℓ/∂t = w·softplus(−x) − softplus(x)`
/// when they require a gradient. The weight is a constant.
///
/// - Parameters:
///   - logits: any shape, e.g. `[N]` or `[N, C]` for multi-label classification.
///   - targets: the shape of `logits`, values in `[0, 1]`.
///   - positiveWeight: `nil`, a one-element tensor, or a tensor whose shape is a trailing part of
///     `logits.shape` (typically `[C]`: one weight per class, broadcast over the batch as PyTorch).
///     `w > 1` raises recall, `w < 1` raises precision; `w = #negatives/#positives` balances a class.
///   - reduction: `.mean` over all elements (default), `.sum`, or `.none` (the shape of `logits`).
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` (`"binaryCrossEntropyWithLogits"`)
///   when `targets` differs in shape from `logits` or `positiveWeight` does not broadcast as above.
public func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, positiveWeight: Tensor?,
                                         reduction: LossReduction = .mean) throws -> Tensor {
    let operation = "binaryCrossEntropyWithLogits"
    guard targets.shape == logits.shape else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "targets of the logits' shape \(logits.shape)",
                                          got: "\(targets.shape)")
    }
    if let weight = positiveWeight, weight.count != 1 {
        guard weight.rank <= logits.rank, Array(logits.shape.suffix(weight.rank)) == weight.shape else {
            throw DendriteError.shapeMismatch(operation: operation,
                                              expected: "positiveWeight of one element or a trailing part of \(logits.shape)",
                                              got: "\(weight.shape)")
        }
    }
    let (losses, dLogits, dTargets) = LossKernels.binaryCrossEntropyWithLogits(
        logits: logits, targets: targets, positiveWeight: positiveWeight?.detached(),
        targetGradient: targets.requiresGradient && GradientMode.isEnabled)
    let inputs = [logits, targets]
    switch reduction {
    case .none:
        return losses.recorded(operation, inputs) { g in
            [try dLogits * g, try dTargets.map { try $0 * g }]
        }
    case .mean, .sum:
        let scale: Float = reduction == .mean ? 1 / Float(Swift.max(logits.count, 1)) : 1
        let total = Tensor(Float(losses.scalars.reduce(0.0) { $0 + Double($1) }) * scale)
        return total.recorded(operation, inputs) { g in
            let factor = g.scalars[0] * scale
            return [dLogits * factor, dTargets.map { $0 * factor }]
        }
    }
}
