import Foundation

/// Scales all gradients so that their joint norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`): `g ← g · min(1, maxNorm / (‖g‖ + 1e-6))`.
///
/// A NaN or infinite norm follows PyTorch: the coefficient is then NaN or 0 and so are the
/// gradients — unless `errorIfNonFinite`, which throws instead and leaves them untouched.
///
/// - Parameters:
///   - parameters: the parameters whose gradients are scaled together.
///   - maxNorm: the largest joint norm the gradients may have.
///   - normType: the p of the p-norm (2 by default; `.infinity` for the largest entry).
///   - errorIfNonFinite: throw when the norm is NaN or infinite (PyTorch's `error_if_nonfinite`).
/// - Returns: the total norm before clipping.
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a `maxNorm` that is
///   negative or NaN, a `normType` ≤ 0, or (with `errorIfNonFinite`) a non-finite norm, naming the
///   first parameter whose gradient holds a NaN or infinity.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float, normType: Float = 2,
                             errorIfNonFinite: Bool = false) throws -> Float {
    guard maxNorm >= 0 else {
        throw DendriteError.invalidArgument(operation: "clipGradientNorm", argument: "maxNorm \(maxNorm)", reason: "must be ≥ 0")
    }
    guard normType > 0 else {
        throw DendriteError.invalidArgument(operation: "clipGradientNorm", argument: "normType \(normType)", reason: "must be > 0")
    }
    let gradients = parameters.compactMap(\.gradient)
    var total: Double = 0
    if normType.isInfinite {
        total = Double(gradients.map { $0.abs().max().scalar ?? 0 }.max() ?? 0)
        if gradients.contains(where: { !$0.isFinite }) {
            total = gradients.contains { $0.scalars.contains(where: \.isNaN) } ? .nan : .infinity
        }
    } else if normType == 2 {
        total = gradients.reduce(0) { $0 + OptimizerKernels.sumOfSquares($1) }.squareRoot()
    } else {
        for gradient in gradients {
            total += gradient.scalars.reduce(0) { $0 + Double(Swift.abs($1)).power(normType) }
        }
        total = total.power(1 / normType)
    }
    let norm = Float(total)
    if !norm.isFinite && errorIfNonFinite {
        let index = parameters.firstIndex { $0.gradient.map { !$0.isFinite } ?? false } ?? 0
        throw DendriteError.invalidArgument(operation: "clipGradientNorm",
                                            argument: "gradient norm \(norm) (parameter \(index) of \(parameters.count), "
                                                + "shape \(parameters[index].value.shape))",
                                            reason: "the gradients hold NaN or infinite values")
    }
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 || scale.isNaN {   // a NaN coefficient multiplies in too, as in PyTorch
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
