import CDendrite
import Dispatch

// Layer normalization over the last axis: y = γ·(x − μ)/√(σ² + ε) + β per row, fused forward and
// backward (σ² biased, as PyTorch).

enum LayerNormKernels {
    /// Returns y, and per row the mean and 1/√(σ² + ε) for the backward pass (a C kernel, rows
    /// split over the cores).
    static func forward(_ x: Tensor, gamma: Tensor?, beta: Tensor?, rows: Int, columns: Int, epsilon: Float)
        -> (output: Tensor, mean: [Float], inverseStd: [Float]) {
        let out = TensorStorage(uninitializedCount: x.count)
        let means = TensorStorage(uninitializedCount: rows), inverses = TensorStorage(uninitializedCount: rows)
        inParallel(rows: rows, rowLength: columns) { start, count in
            dd_layernorm_forward(x.storage.base, gamma?.storage.base, beta?.storage.base, out.base, means.base, inverses.base,
                                 start, start + count, columns, epsilon)
        }
        return (Tensor(shape: x.shape, storage: out), Array(UnsafeBufferPointer(start: means.base, count: rows)),
                Array(UnsafeBufferPointer(start: inverses.base, count: rows)))
    }

    /// `dx = inv/C · (C·ĝ − Σĝ − x̂·Σ(ĝ·x̂))` with `ĝ = dy·γ`; `dγ = Σ_rows dy·x̂`, `dβ = Σ_rows dy`.
    static func backward(_ dy: Tensor, input x: Tensor, gamma: Tensor?, mean: [Float], inverseStd: [Float],
                         rows: Int, columns: Int) -> (dInput: Tensor, dGamma: Tensor, dBeta: Tensor) {
        let dx = TensorStorage(uninitializedCount: x.count)
        // One zeroed (dγ, dβ) pair per range of rows, added up afterwards.
        let chunks = rows * columns >= parallelElementThreshold ? Swift.max(1, Swift.min(threadCount, rows)) : 1
        let partials = (0..<chunks).map { _ in (TensorStorage(count: columns), TensorStorage(count: columns)) }
        let share = (rows + chunks - 1) / Swift.max(chunks, 1)
        mean.withUnsafeBufferPointer { meanBuffer in
            inverseStd.withUnsafeBufferPointer { inverseBuffer in
                let run = { (chunk: Int) in
                    let start = chunk * share, end = Swift.min(rows, start + share)
                    guard start < end else { return }
                    dd_layernorm_backward(dy.storage.base, x.storage.base, gamma?.storage.base, meanBuffer.baseAddress,
                                          inverseBuffer.baseAddress, dx.base, partials[chunk].0.base, partials[chunk].1.base,
                                          start, end, columns)
                }
                if chunks > 1 { DispatchQueue.concurrentPerform(iterations: chunks, execute: run) } else { run(0) }
            }
        }
        let dGamma = partials[0].0, dBeta = partials[0].1
        for (g, b) in partials.dropFirst() {
            for c in 0..<columns {
                dGamma.base[c] += g.base[c]
                dBeta.base[c] += b.base[c]
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
