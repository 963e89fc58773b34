/// Scaled dot-product attention over queries, keys and values packed in one tensor
/// `[3, N, T, d]` — self-attention's single input projection split into heads — as one fused op:
/// `softmax(Q·Kᵀ/√d + mask)·V` → `[N, T, d]`.
///
/// Equal to ``scaledDotProductAttention(query:key:value:additiveMask:)`` on the three parts, but
/// the backward pass writes the gradients of Q, K and V straight into one packed gradient, so
/// the projection before it is one GEMM (not three on slices of its weight) and its gradient one
/// GEMM too, with no slicing, scattering or accumulation in between.
///
/// - Parameter additiveMask: broadcastable to `[N, T, T]` (`−∞` where a key is hidden).
/// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` for a tensor that is not `[3, N, T, d]`.
func packedSelfAttention(_ packed: Tensor, additiveMask: Tensor?) throws -> Tensor {
    guard packed.rank == 4, packed.shape[0] == 3 else {
        throw DendriteError.shapeMismatch(operation: "packedSelfAttention", expected: "[3, N, T, d]", got: "\(packed.shape)")
    }
    let (n, t, d) = (packed.shape[1], packed.shape[2], packed.shape[3])
    let block = n * t * d, scale = 1 / Float(d).squareRoot()
    let (queries, keys, values) = (0, block, 2 * block)   // offsets of Q, K and V in `packed`
    var scores = Tensor.gemmOutput([n, t, t])
    try batchedGEMM(transposeB: true, batch: n, m: t, n: t, k: d, alpha: scale,
                    a: packed, aOffset: queries, b: packed, bOffset: keys, c: &scores, cOffset: 0)
    if let additiveMask { scores = try scores + additiveMask.detached() }
    let probabilities = SoftmaxKernels.forward(scores, rows: n * t, columns: t, logarithm: false)
    var output = Tensor.gemmOutput([n, t, d])
    try batchedGEMM(batch: n, m: t, n: d, k: t, a: probabilities, aOffset: 0, b: packed, bOffset: values,
                    c: &output, cOffset: 0)
    return output.recorded("attention(packed QKV)", [packed]) { g in
        var gradient = Tensor.gemmOutput([3, n, t, d])
        // dV = Pᵀ·dO
        try batchedGEMM(transposeA: true, batch: n, m: t, n: d, k: t, a: probabilities, aOffset: 0, b: g, bOffset: 0,
                        c: &gradient, cOffset: values)
        // dP = dO·Vᵀ, then through the softmax
        var dProbabilities = Tensor.gemmOutput([n, t, t])
        try batchedGEMM(transposeB: true, batch: n, m: t, n: t, k: d, a: g, aOffset: 0, b: packed, bOffset: values,
                        c: &dProbabilities, cOffset: 0)
        let dScores = SoftmaxKernels.backward(dProbabilities, output: probabilities, rows: n * t, columns: t, logarithm: false)
        // dQ = scale·dS·K, dK = scale·dSᵀ·Q
        try batchedGEMM(batch: n, m: t, n: d, k: t, alpha: scale, a: dScores, aOffset: 0, b: packed, bOffset: keys,
                        c: &gradient, cOffset: queries)
        try batchedGEMM(transposeA: true, batch: n, m: t, n: d, k: t, alpha: scale, a: dScores, aOffset: 0, b: packed,
                        bOffset: queries, c: &gradient, cOffset: keys)
        return [gradient]
    }
}
