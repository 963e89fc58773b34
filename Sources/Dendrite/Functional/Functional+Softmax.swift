/// Softmax along `axis` (default: the last), numerically stable; one fused op.
public func softmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
    try softmaxFamily(x, axis: axis, logarithm: false)
}

/// `log(softmax(x))` along `axis`, computed as `x − max − log Σ exp(x − max)`; one fused op.
public func logSoftmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
    try softmaxFamily(x, axis: axis, logarithm: true)
}

private func softmaxFamily(_ x: Tensor, axis: Int, logarithm: Bool) throws -> Tensor {
    let name = logarithm ? "logSoftmax" : "softmax"
    let a = try x.normalizedAxis(axis, name)
    if a != x.rank - 1 {
        // Move the axis last, apply, move it back (both moves are differentiable copies).
        let moved = try x.transposed(a, x.rank - 1)
        return try softmaxFamily(moved, axis: -1, logarithm: logarithm).transposed(a, x.rank - 1)
    }
    let columns = x.shape[a], rows = x.count / Swift.max(columns, 1)
    let y = SoftmaxKernels.forward(x, rows: rows, columns: columns, logarithm: logarithm)
    return y.recorded(name, [x]) { g in
        [SoftmaxKernels.backward(g, output: y, rows: rows, columns: columns, logarithm: logarithm)]
    }
}
