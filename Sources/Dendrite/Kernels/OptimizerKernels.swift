import CDendrite
import Dispatch

// Fused in-place parameter updates: one pass over the parameter, its gradient and its state,
// with PyTorch's exact formulas. Callers ensure all tensors have the parameter's count.

enum OptimizerKernels {
    /// SGD with momentum, dampening, Nesterov and L2 weight decay (`torch.optim.SGD`).
    static func sgd(_ parameter: inout Tensor, gradient: Tensor, momentumBuffer: inout Tensor?, learningRate: Float,
                    momentum: Float, dampening: Float, nesterov: Bool, weightDecay: Float) {
        parameter.makeUnique()
        let p = parameter.storage.base, g = gradient.storage.base, n = parameter.count
        if momentum == 0 {
            for i in 0..<n { p[i] -= learningRate * (g[i] + weightDecay * p[i]) }
            return
        }
        let first = momentumBuffer == nil
        if first { momentumBuffer = Tensor.filled(parameter.shape, 0) }
        momentumBuffer!.makeUnique()
        let b = momentumBuffer!.storage.base
        if !first {
            inParallel(n) { start, count in
                dd_sgd_momentum_step(p + start, g + start, b + start, count, learningRate, momentum, dampening, weightDecay,
                                     nesterov ? 1 : 0)
            }
            return
        }
        for i in 0..<n {
            let d = g[i] + weightDecay * p[i]
            b[i] = first ? d : momentum * b[i] + (1 - dampening) * d
            p[i] -= learningRate * (nesterov ? d + momentum * b[i] : b[i])
        }
    }

    /// RMSprop (`torch.optim.RMSprop`): square average with decay `alpha`, optional centering
    /// and momentum, L2 weight decay.
    static func rmsprop(_ parameter: inout Tensor, gradient: Tensor, squareAverage: inout Tensor, gradientAverage: inout Tensor?,
                        momentumBuffer: inout Tensor?, learningRate: Float, alpha: Float, epsilon: Float, weightDecay: Float,
                        momentum: Float) {
        parameter.makeUnique()
        squareAverage.makeUnique()
        gradientAverage?.makeUnique()
        momentumBuffer?.makeUnique()
        let p = parameter.storage.base, g = gradient.storage.base, s = squareAverage.storage.base
        let a = gradientAverage?.storage.base, b = momentumBuffer?.storage.base
        if a == nil && b == nil {
            inParallel(parameter.count) { start, count in
                dd_rmsprop_step(p + start, g + start, s + start, count, learningRate, alpha, epsilon, weightDecay)
            }
            return
        }
        for i in 0..<parameter.count {
            let d = g[i] + weightDecay * p[i]
            s[i] = alpha * s[i] + (1 - alpha) * d * d
            var denominator: Float
            if let a {
                a[i] = alpha * a[i] + (1 - alpha) * d
                denominator = (s[i] - a[i] * a[i]).squareRoot() + epsilon
            } else {
                denominator = s[i].squareRoot() + epsilon
            }
            if let b {
                b[i] = momentum * b[i] + d / denominator
                p[i] -= learningRate * b[i]
            } else {
                p[i] -= learningRate * d / denominator
            }
        }
    }

    /// Adam / AdamW (`torch.optim.Adam`, `torch.optim.AdamW`), optionally AMSGrad.
    /// `decoupled` applies weight decay as `p ← p·(1 − lr·wd)` (AdamW) instead of adding `wd·p` to the gradient.
    static func adam(_ parameter: inout Tensor, gradient: Tensor, firstMoment: inout Tensor, secondMoment: inout Tensor,
                     maximumSecondMoment: inout Tensor?, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
                     weightDecay: Float, decoupled: Bool, step: Int) {
        parameter.makeUnique()
        firstMoment.makeUnique()
        secondMoment.makeUnique()
        maximumSecondMoment?.makeUnique()
        let p = parameter.storage.base, g = gradient.storage.base
        let m = firstMoment.storage.base, v = secondMoment.storage.base, vmax = maximumSecondMoment?.storage.base
        let correction1 = 1 - Float(Double(beta1).power(step)), correction2 = 1 - Float(Double(beta2).power(step))
        let stepSize = learningRate / correction1, root2 = correction2.squareRoot()
        let decay = decoupled ? 1 - learningRate * weightDecay : 1
        let l2 = decoupled ? 0 : weightDecay
        if vmax == nil {
            inParallel(parameter.count) { start, count in
                dd_adam_step(p + start, g + start, m + start, v + start, count, stepSize, beta1, beta2, epsilon, root2, l2, decay)
            }
            return
        }
        for i in 0..<parameter.count {
            p[i] *= decay
            let d = g[i] + l2 * p[i]
            m[i] = beta1 * m[i] + (1 - beta1) * d
            v[i] = beta2 * v[i] + (1 - beta2) * d * d
            var second = v[i]
            if let vmax { vmax[i] = Swift.max(vmax[i], v[i]); second = vmax[i] }
            p[i] -= stepSize * m[i] / (second.squareRoot() / root2 + epsilon)
        }
    }

    /// Adagrad (`torch.optim.Adagrad`) with an already decayed learning rate.
    static func adagrad(_ parameter: inout Tensor, gradient: Tensor, sum: inout Tensor, learningRate: Float, epsilon: Float,
                        weightDecay: Float) {
        parameter.makeUnique()
        sum.makeUnique()
        let p = parameter.storage.base, g = gradient.storage.base, s = sum.storage.base
        for i in 0..<parameter.count {
            let d = g[i] + weightDecay * p[i]
            s[i] += d * d
            p[i] -= learningRate * d / (s[i].squareRoot() + epsilon)
        }
    }
}

/// Runs `body` over `0..<count` in contiguous chunks, one per core for large arrays: the
/// optimizer update is bandwidth-bound and runs while the BLAS threads are idle.
extension OptimizerKernels {
    /// `Σ x²` over every element, accumulated in `Double`.
    static func sumOfSquares(_ x: Tensor) -> Double { dd_sum_of_squares(x.storage.base, x.count) }
}

func inParallel(_ count: Int, _ body: (_ start: Int, _ count: Int) -> Void) {
    let chunks = count >= parallelElementThreshold ? Swift.min(max(threadCount, 1), (count + (1 << 15) - 1) >> 15) : 1
    guard chunks > 1 else { return body(0, count) }
    let size = (count + chunks - 1) / chunks
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = chunk * size
        if start < count { body(start, Swift.min(size, count - start)) }
    }
}

/// Runs `body` over `0..<rows` in contiguous row ranges, one per core when the rows hold at
/// least `minimumElements` elements in all (row-wise kernels: softmax, normalization, pooling).
func inParallel(rows: Int, rowLength: Int, minimumElements: Int = parallelElementThreshold, _ body: (_ startRow: Int, _ rowCount: Int) -> Void) {
    let chunks = rows * rowLength >= minimumElements ? Swift.min(max(threadCount, 1), rows) : 1
    guard chunks > 1 else { return body(0, rows) }
    let size = (rows + chunks - 1) / chunks
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = chunk * size
        if start < rows { body(start, Swift.min(size, rows - start)) }
    }
}

extension Double {
    /// `self` raised to a non-negative integer power.
    func power(_ exponent: Int) -> Double {
        var result = 1.0, base = self, e = exponent
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}
