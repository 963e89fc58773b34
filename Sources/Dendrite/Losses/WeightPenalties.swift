// L2 and L1 weight penalties to add to a data loss. Each is one fused op over all the
// parameters it is given.
//
// The convention, and how `alpha` maps onto other libraries
// ----------------------------------------------------------
// l2Penalty = alpha / (2·n) · Σ w²      gradient  alpha·w / n
// l1Penalty = alpha / n     · Σ |w|     gradient  alpha·sign(w) / n
// where n is `sampleCount` (default 1). With it:
// - scikit-learn MLPClassifier / MLPRegressor(alpha=a): `l2Penalty(weights, alpha: a, sampleCount: batchSize)`
//   added to the batch's mean loss is exactly sklearn's `loss += 0.5·alpha·Σ‖W‖² / n_samples`
//   (sklearn penalizes the weight matrices `coefs_` only, not the intercepts: pass weights only).
// - scikit-learn SGDClassifier / SGDRegressor(alpha=a, penalty="l2" | "l1"), whose objective is
//   mean loss + alpha·R(w) with R = ½‖w‖² or ‖w‖₁: `sampleCount: 1`. Lasso's alpha‖w‖₁ is the same L1.
// - PyTorch `weight_decay=λ` in plain SGD adds λ·w to each gradient: `l2Penalty(..., alpha: λ)`.
// - Keras `regularizers.l2(l)` adds l·Σw²: `alpha: 2·l`. `regularizers.l1(l)` adds l·Σ|w|: `alpha: l`.

/// The L2 penalty `alpha / (2·n) · Σ_p Σ w²` over `parameters`, with `n = sampleCount`: one fused op.
///
/// With `sampleCount` set to the batch size and only weight matrices passed, `alpha` means exactly what
/// it means in scikit-learn's `MLPClassifier(alpha:)` (default there `1e-4`): the term sklearn adds to
/// its mean loss is `0.5·alpha·Σ‖W‖²/n_samples`. With `sampleCount: 1` (the default) the gradient is
/// `alpha·w`, i.e. PyTorch SGD's `weight_decay = alpha` and scikit-learn `SGDClassifier`'s `alpha`.
///
/// ```swift
/// let weights = model.namedParameters().filter { $0.0.hasSuffix("weight") }.map(\.1)
/// let loss = try crossEntropy(logits: model(x), labels: y) + l2Penalty(weights, alpha: 1e-4, sampleCount: x.shape[0])
/// ```
///
/// - Parameters:
///   - parameters: the tensors to shrink (any shapes). Frozen parameters add to the value but get no gradient.
///   - alpha: the strength, `≥ 0` and finite; `0` disables the penalty.
///   - sampleCount: `n ≥ 1`, the number of samples the data loss averages over (sklearn's `n_samples`).
/// - Returns: a scalar; its gradient with respect to each parameter is `alpha·w / n`.
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` (`"l2Penalty"`) for a negative or
///   non-finite `alpha` or `sampleCount < 1`.
public func l2Penalty(_ parameters: [Parameter], alpha: Float, sampleCount: Int = 1) throws -> Tensor {
    let scale = try penaltyScale(alpha: alpha, sampleCount: sampleCount, operation: "l2Penalty") / 2
    let tensors = parameters.map(\.tensor)
    let total = tensors.reduce(0.0) { $0 + LossKernels.sumOfSquares($1) }
    return Tensor(Float(total) * scale).recorded("l2Penalty", tensors) { g in
        let factor = 2 * scale * g.scalars[0]
        return tensors.map { $0.requiresGradient ? $0.detached() * factor : nil }
    }
}

/// The L1 penalty `alpha / n · Σ_p Σ |w|` over `parameters`, with `n = sampleCount`: one fused op.
///
/// It drives small weights to exactly zero (sparse models). With `sampleCount: 1` (the default)
/// `alpha` is the `alpha` of scikit-learn's `Lasso` / `SGDClassifier(penalty="l1")` and the `l` of Keras's
/// `regularizers.l1(l)`; pass the batch size as `sampleCount` for the per-sample scaling that
/// ``l2Penalty(_:alpha:sampleCount:)`` uses for scikit-learn's MLP.
///
/// - Parameters:
///   - parameters: the tensors to shrink. Frozen parameters add to the value but get no gradient.
///   - alpha: the strength, `≥ 0` and finite.
///   - sampleCount: `n ≥ 1`.
/// - Returns: a scalar; its gradient is `alpha·sign(w) / n` (0 where `w = 0`, as PyTorch's `abs`).
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` (`"l1Penalty"`) for a negative or
///   non-finite `alpha` or `sampleCount < 1`.
public func l1Penalty(_ parameters: [Parameter], alpha: Float, sampleCount: Int = 1) throws -> Tensor {
    let scale = try penaltyScale(alpha: alpha, sampleCount: sampleCount, operation: "l1Penalty")
    let tensors = parameters.map(\.tensor)
    let total = tensors.reduce(0.0) { $0 + LossKernels.sumOfMagnitudes($1) }
    return Tensor(Float(total) * scale).recorded("l1Penalty", tensors) { g in
        let factor = scale * g.scalars[0]
        return tensors.map { tensor in
            tensor.requiresGradient ? ElementwiseKernels.map(tensor) { $0 > 0 ? factor : ($0 < 0 ? -factor : 0) } : nil
        }
    }
}

/// `alpha / sampleCount` after validating both.
private func penaltyScale(alpha: Float, sampleCount: Int, operation: String) throws -> Float {
    guard alpha >= 0, alpha.isFinite else {
        throw DendriteError.invalidArgument(operation: operation, argument: "alpha \(alpha)", reason: "must be finite and ≥ 0")
    }
    guard sampleCount >= 1 else {
        throw DendriteError.invalidArgument(operation: operation, argument: "sampleCount \(sampleCount)", reason: "must be ≥ 1")
    }
    return alpha / Float(sampleCount)
}
