/// Multi-head scaled dot-product self-attention on the packed projection `[B, T, 3E]` — the
/// queries, keys and values of all heads, as self-attention's single input projection makes
/// them — as one fused op: per head, `softmax(Q·Kᵀ/√d + mask)·V`, merged back to `[B, T, E]`.
///
/// Equal to splitting the heads, ``scaledDotProductAttention(query:key:value:additiveMask:)``
/// and merging them, but every per-head GEMM reads and writes the packed layouts in place
/// (``headBatchedGEMM``): no split or merge copies forward, and the backward pass writes the
/// gradients of Q, K and V straight into one packed gradient, so the projection's backward is one
/// GEMM too.
///
/// - Parameters:
///   - projected: `[B, T, 3E]`, each row `[q | k | v]`, each of those `heads` blocks of `d = E / heads`.
///   - additiveMask: broadcastable to `[B·heads, T, T]` (`−∞` where a key is hidden).
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` for a tensor that is not
///   `[B, T, 3E]` with `E` a multiple of `heads`.
func packedSelfAttention(_ projected: Tensor, heads: Int, additiveMask: Tensor?) throws -> Tensor {
    guard projected.rank == 3, heads > 0, projected.shape[2] % (3 * heads) == 0 else {
        throw DendriteError.shapeMismatch(operation: "packedSelfAttention", expected: "[B, T, 3E] with E a multiple of \(heads) heads",
                                          got: "\(projected.shape)")
    }
    let (b, t, e) = (projected.shape[0], projected.shape[1], projected.shape[2] / 3)
    let d = e / heads, scale = 1 / Float(max(d, 1)).squareRoot()
    // Head h of batch entry i: in the projection at i·T·3E + part·E + h·d, rows 3E apart; in the
    // merged output at i·T·E + h·d, rows E apart; its scores are contiguous [T, T] matrices.
    func packed(_ part: Int) -> HeadLayout { HeadLayout(offset: part * e, batchStride: t * 3 * e, headStride: d, rowStride: 3 * e) }
    let (queries, keys, values) = (packed(0), packed(1), packed(2))
    let merged = HeadLayout(offset: 0, batchStride: t * e, headStride: d, rowStride: e)
    let square = HeadLayout(offset: 0, batchStride: heads * t * t, headStride: t * t, rowStride: t)
    var scores = Tensor.gemmOutput([b * heads, t, t])
    try headBatchedGEMM(transposeB: true, batches: b, heads: heads, m: t, n: t, k: d, alpha: scale,
                        a: projected, queries, b: projected, keys, c: &scores, square)
    if let additiveMask {
        scores = try scores + additiveMask.detached()
        guard scores.shape == [b * heads, t, t] else {
            throw DendriteError.shapeMismatch(operation: "packedSelfAttention additiveMask", expected: "broadcastable to [\(b * heads), \(t), \(t)]",
                                              got: "\(additiveMask.shape)")
        }
    }
    let probabilities = SoftmaxKernels.forward(scores, rows: b * heads * t, columns: t, logarithm: false)
    // The heads' outputs interleave in each row of [B, T, E]: cleared once, then accumulated
    // (beta 1) instead of cleared row piece by row piece.
    var output = Tensor.filled([b, t, e], 0)
    try headBatchedGEMM(batches: b, heads: heads, m: t, n: d, k: t, a: probabilities, square, b: projected, values,
                        beta: 1, c: &output, merged)
    return output.recorded("attention(packed QKV)", [projected]) { g in
        var gradient = Tensor.filled([b, t, 3 * e], 0)
        // dV = Pᵀ·dO
        try headBatchedGEMM(transposeA: true, batches: b, heads: heads, m: t, n: d, k: t, a: probabilities, square,
                            b: g, merged, beta: 1, c: &gradient, values)
        // dP = dO·Vᵀ, then through the softmax
        var dProbabilities = Tensor.gemmOutput([b * heads, t, t])
        try headBatchedGEMM(transposeB: true, batches: b, heads: heads, m: t, n: t, k: d, a: g, merged,
                            b: projected, values, c: &dProbabilities, square)
        let dScores = SoftmaxKernels.backward(dProbabilities, output: probabilities, rows: b * heads * t, columns: t,
                                              logarithm: false)
        // dQ = scale·dS·K, dK = scale·dSᵀ·Q
        try headBatchedGEMM(batches: b, heads: heads, m: t, n: d, k: t, alpha: scale, a: dScores, square,
                            b: projected, keys, beta: 1, c: &gradient, queries)
        try headBatchedGEMM(transposeA: true, batches: b, heads: heads, m: t, n: d, k: t, alpha: scale, a: dScores, square,
                            b: projected, queries, beta: 1, c: &gradient, keys)
        return [gradient]
    }
}
