#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Fused loss kernels. Each computes the losses and the gradient with respect to its inputs in one
// pass over contiguous storage, so a loss is a single node on the autograd tape. Gradients are
// returned unscaled (for an upstream gradient of 1 per loss element); callers scale them.

enum LossKernels {
    /// Negative log-likelihood picks: `losses[r] = −logP[r, labels[r]]`.
    ///
    /// `logP: [rows, columns]`; `labels` must already be validated to lie in `0..<columns`.
    static func negativeLogLikelihood(_ logP: Tensor, labels: [Int], rows: Int, columns: Int) -> [Float] {
        let x = logP.storage.base
        return (0..<rows).map { r in -x[r * columns + labels[r]] }
    }

    /// Gradient of the picks: `dX[r, labels[r]] = −upstream[r]`, zero elsewhere. Returns `[rows, columns]`.
    static func negativeLogLikelihoodBackward(upstream: [Float], labels: [Int], rows: Int, columns: Int) -> Tensor {
        let out = TensorStorage(count: rows * columns)
        let d = out.base
        for r in 0..<rows { d[r * columns + labels[r]] = -upstream[r] }
        return Tensor(shape: [rows, columns], storage: out)
    }

    /// Binary cross-entropy from logits, elementwise and stable for any `x`:
    /// `ℓ = w·t·softplus(−x) + (1 − t)·softplus(x)` with `softplus(z) = max(z, 0) + log1p(e^{−|z|})`.
    ///
    /// - `positiveWeight`: `nil` (w = 1) or weights repeating every `positiveWeight.count` elements
    ///   (a scalar, or one weight per class along the last axis).
    /// - Returns: losses and `∂ℓ/∂x = (1 − t)·σ(x) − w·t·σ(−x)`, both of `logits.shape`, and, when
    ///   `targetGradient`, `∂ℓ/∂t = w·softplus(−x) − softplus(x)`.
    static func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, positiveWeight: Tensor?,
                                             targetGradient: Bool) -> (losses: Tensor, dLogits: Tensor, dTargets: Tensor?) {
        let n = logits.count
        let losses = TensorStorage(uninitializedCount: n), dLogits = TensorStorage(uninitializedCount: n)
        let dTargets = targetGradient ? TensorStorage(uninitializedCount: n) : nil
        let x = logits.storage.base, t = targets.storage.base
        let l = losses.base, dx = dLogits.base, dt = dTargets?.base
        let weights = positiveWeight?.storage.base, period = Swift.max(positiveWeight?.count ?? 1, 1)
        for i in 0..<n {
            let xi = x[i], ti = t[i], w = weights.map { $0[i % period] } ?? 1
            let e = expf(-Swift.abs(xi))
            let log1pE = log1pf(e)
            let softplusPositive = Swift.max(xi, 0) + log1pE     // −log(1 − σ(x))
            let softplusNegative = Swift.max(-xi, 0) + log1pE    // −log σ(x)
            let inverse = 1 / (1 + e)
            let sigmoid = xi >= 0 ? inverse : e * inverse        // σ(x)
            let sigmoidNegative = xi >= 0 ? e * inverse : inverse // σ(−x) = 1 − σ(x)
            l[i] = w * ti * softplusNegative + (1 - ti) * softplusPositive
            dx[i] = (1 - ti) * sigmoid - w * ti * sigmoidNegative
            dt?[i] = w * softplusNegative - softplusPositive
        }
        return (Tensor(shape: logits.shape, storage: losses), Tensor(shape: logits.shape, storage: dLogits),
                dTargets.map { Tensor(shape: logits.shape, storage: $0) })
    }

    /// Row-wise `KL(softmax(teacher/T) ‖ softmax(student/T)) = Σ_c p_c·(log p_c − log q_c)` for
    /// `[rows, columns]` logits, both sides through a max-subtracted log-sum-exp.
    ///
    /// - Returns: per-row divergences and `∂KL_r/∂student = (q − p)/T` (`[rows, columns]`).
    static func distillationDivergence(student: Tensor, teacher: Tensor, rows: Int, columns: Int,
                                       temperature: Float) -> (losses: [Float], gradient: Tensor) {
        var losses = [Float](repeating: 0, count: rows)
        let gradient = TensorStorage(uninitializedCount: rows * columns)
        let s = student.storage.base, t = teacher.storage.base, d = gradient.base
        let inverseT = 1 / temperature
        func logSumExp(_ row: UnsafeMutablePointer<Float>) -> Float {
            var maximum = -Float.infinity
            for c in 0..<columns { maximum = Swift.max(maximum, row[c] * inverseT) }
            if !maximum.isFinite { maximum = 0 }
            var total: Float = 0
            for c in 0..<columns { total += expf(row[c] * inverseT - maximum) }
            return logf(total) + maximum
        }
        for r in 0..<rows {
            let sr = s + r * columns, tr = t + r * columns, dr = d + r * columns
            let studentLSE = logSumExp(sr), teacherLSE = logSumExp(tr)
            var divergence: Float = 0
            for c in 0..<columns {
                let logP = tr[c] * inverseT - teacherLSE, logQ = sr[c] * inverseT - studentLSE
                let p = expf(logP)
                if p > 0 { divergence += p * (logP - logQ) }
                dr[c] = (expf(logQ) - p) * inverseT
            }
            losses[r] = divergence
        }
        return (losses, Tensor(shape: student.shape, storage: gradient))
    }

    /// `Σ x²` over all elements, accumulated in `Double`.
    static func sumOfSquares(_ x: Tensor) -> Double {
        let p = x.storage.base
        var total: Double = 0
        for i in 0..<x.count { total += Double(p[i]) * Double(p[i]) }
        return total
    }

    /// `Σ |x|` over all elements, accumulated in `Double`.
    static func sumOfMagnitudes(_ x: Tensor) -> Double {
        let p = x.storage.base
        var total: Double = 0
        for i in 0..<x.count { total += Double(Swift.abs(p[i])) }
        return total
    }
}
