// Layer normalization over the last axis: y = γ·(x − μ)/√(σ² + ε) + β per row, fused forward and
// backward (σ² biased, as PyTorch).

enum LayerNormKernels {
    /// Returns y, and per row the mean and 1/√(σ² + ε) for the backward pass.
    static func forward(_ x: Tensor, gamma: Tensor?, beta: Tensor?, rows: Int, columns: Int, epsilon: Float)
        -> (output: Tensor, mean: [Float], inverseStd: [Float]) {
        let out = TensorStorage(uninitializedCount: x.count)
        var means = [Float](repeating: 0, count: rows), inverses = [Float](repeating: 0, count: rows)
        let src = x.storage.base, dst = out.base
        // Unit scale and zero shift when not affine, so the inner loop has no branches.
        let ones = gamma == nil ? [Float](repeating: 1, count: columns) : [], zeros = beta == nil ? [Float](repeating: 0, count: columns) : []
        for r in 0..<rows {
            let row = src + r * columns, target = dst + r * columns
            var sum: Float = 0
            for c in 0..<columns { sum += row[c] }
            let mean = sum / Float(columns)
            var squares: Float = 0
            for c in 0..<columns { let d = row[c] - mean; squares += d * d }
            let inverse = 1 / (squares / Float(columns) + epsilon).squareRoot()
            means[r] = mean
            inverses[r] = inverse
            ones.withUnsafeBufferPointer { unit in
                zeros.withUnsafeBufferPointer { zero in
                    let g = gamma?.storage.base ?? UnsafeMutablePointer(mutating: unit.baseAddress!)
                    let b = beta?.storage.base ?? UnsafeMutablePointer(mutating: zero.baseAddress!)
                    for c in 0..<columns { target[c] = (row[c] - mean) * inverse * g[c] + b[c] }
                }
            }
        }
        return (Tensor(shape: x.shape, storage: out), means, inverses)
    }

    /// `dx = inv/C · (C·ĝ − Σĝ − x̂·Σ(ĝ·x̂))` with `ĝ = dy·γ`; `dγ = Σ_rows dy·x̂`, `dβ = Σ_rows dy`.
    static func backward(_ dy: Tensor, input x: Tensor, gamma: Tensor?, mean: [Float], inverseStd: [Float],
                         rows: Int, columns: Int) -> (dInput: Tensor, dGamma: Tensor, dBeta: Tensor) {
        let dx = TensorStorage(count: x.count), dGamma = TensorStorage(count: columns), dBeta = TensorStorage(count: columns)
        let g = dy.storage.base, src = x.storage.base, dst = dx.base, gammaP = gamma?.storage.base
        for r in 0..<rows {
            let gr = g + r * columns, xr = src + r * columns, dr = dst + r * columns
            let mu = mean[r], inverse = inverseStd[r]
            var sumG: Float = 0, sumGX: Float = 0
            for c in 0..<columns {
                let xhat = (xr[c] - mu) * inverse
                let scaled = gr[c] * (gammaP?[c] ?? 1)
                sumG += scaled
                sumGX += scaled * xhat
                dGamma.base[c] += gr[c] * xhat
                dBeta.base[c] += gr[c]
            }
            let n = Float(columns)
            for c in 0..<columns {
                let xhat = (xr[c] - mu) * inverse
                let scaled = gr[c] * (gammaP?[c] ?? 1)
                dr[c] = inverse / n * (n * scaled - sumG - xhat * sumGX)
            }
        }
        return (Tensor(shape: x.shape, storage: dx), Tensor(shape: [columns], storage: dGamma), Tensor(shape: [columns], storage: dBeta))
    }

    /// Rows `indices` of `table` `[count, width]` stacked: the embedding lookup.
    static func gather(_ table: Tensor, indices: [Int], width: Int, shape: [Int]) -> Tensor {
        LayoutKernels.gatherRows(table, indices: indices, rowSize: width, shape: shape)
    }

    /// The embedding's adjoint: `dTable[indices[i]] += dy[i]`, skipping `skip` (a padding index).
    static func scatterAdd(_ dy: Tensor, indices: [Int], rows: Int, width: Int, skip: Int?) -> Tensor {
        let out = TensorStorage(count: rows * width)
        let src = dy.storage.base, dst = out.base
        for (position, index) in indices.enumerated() where index != skip {
            let from = src + position * width, to = dst + index * width
            for c in 0..<width { to[c] += from[c] }
        }
        return Tensor(shape: [rows, width], storage: out)
    }
}
