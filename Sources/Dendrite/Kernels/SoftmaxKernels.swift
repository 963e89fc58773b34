import CDendrite
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Row-wise softmax and log-softmax over the last axis, numerically stable (max subtracted),
// with their backward passes.

enum SoftmaxKernels {
    /// `y = softmax(x)` (or `log_softmax(x)` when `logarithm`) for each of `rows` rows of `columns`.
    static func forward(_ x: Tensor, rows: Int, columns: Int, logarithm: Bool) -> Tensor {
        let out = TensorStorage(uninitializedCount: rows * columns)
        let src = x.storage.base, dst = out.base
        inParallel(rows: rows, rowLength: columns) { start, count in
            dd_softmax_rows(src + start * columns, dst + start * columns, count, columns, logarithm ? 1 : 0)
        }
        return Tensor(shape: x.shape, storage: out)
    }

    /// Softmax: `dx = y ⊙ (dy − Σ dy ⊙ y)`. Log-softmax: `dx = dy − softmax ⊙ Σ dy`.
    static func backward(_ dy: Tensor, output y: Tensor, rows: Int, columns: Int, logarithm: Bool) -> Tensor {
        let out = TensorStorage(uninitializedCount: rows * columns)
        let g = dy.storage.base, yp = y.storage.base, dst = out.base
        inParallel(rows: rows, rowLength: columns) { start, count in
            let offset = start * columns
            dd_softmax_backward_rows(g + offset, yp + offset, dst + offset, count, columns, logarithm ? 1 : 0)
        }
        return Tensor(shape: dy.shape, storage: out)
    }

    /// Cross-entropy of logits `[rows, columns]` against target distributions of the same shape:
    /// per-row losses `−Σ t·log_softmax(x)` and the gradient `softmax(x)·Σt − t` (unscaled).
    static func crossEntropy(logits: Tensor, targets: Tensor, rows: Int, columns: Int) -> (losses: [Float], gradient: Tensor) {
        var losses = [Float](repeating: 0, count: rows)
        let gradient = TensorStorage(count: rows * columns)
        let x = logits.storage.base, t = targets.storage.base, d = gradient.base
        for r in 0..<rows {
            let xr = x + r * columns, tr = t + r * columns, dr = d + r * columns
            var maximum = -Float.infinity
            for c in 0..<columns { maximum = Swift.max(maximum, xr[c]) }
            var total: Float = 0
            for c in 0..<columns { total += expf(xr[c] - maximum) }
            let logTotal = logf(total) + maximum
            var loss: Float = 0, targetSum: Float = 0
            for c in 0..<columns where tr[c] != 0 {
                loss -= tr[c] * (xr[c] - logTotal)
                targetSum += tr[c]
            }
            for c in 0..<columns { dr[c] = expf(xr[c] - logTotal) * targetSum - tr[c] }
            losses[r] = loss
        }
        return (losses, Tensor(shape: logits.shape, storage: gradient))
    }
}
