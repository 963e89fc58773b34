import Foundation

/// Scales all gradients so that their joint norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`): `g ← g · maxNorm / (‖g‖ + 1e-6)` when `‖g‖ > maxNorm`.
///
/// - Parameter normType: the p of the p-norm (2 by default; `.infinity` for the largest entry).
/// - Returns: the total norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float, normType: Float = 2) -> Float {
    let gradients = parameters.compactMap(\.gradient)
    var total: Double = 0
    if normType.isInfinite {
        total = Double(gradients.map { $0.abs().max().scalar ?? 0 }.max() ?? 0)
    } else {
        for gradient in gradients {
            total += gradient.scalars.reduce(0) { $0 + Double(Swift.abs($1)).power(normType) }
        }
        total = total.power(1 / normType)
    }
    let norm = Float(total)
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        for parameter in parameters {
            if let gradient = parameter.gradient { parameter.gradient = gradient * scale }
        }
    }
    return norm
}

/// Clamps every gradient entry into `[−maxValue, maxValue]` (`torch.nn.utils.clip_grad_value_`).
public func clipGradientValue(_ parameters: [Parameter], maxValue: Float) {
    for parameter in parameters {
        if let gradient = parameter.gradient { parameter.gradient = gradient.clamped(min: -maxValue, max: maxValue) }
    }
}

extension Double {
    func power(_ exponent: Float) -> Double {
        exponent == 2 ? self * self : (exponent == 1 ? self : Foundation.pow(self, Double(exponent)))
    }
}
