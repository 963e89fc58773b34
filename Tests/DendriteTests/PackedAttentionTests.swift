import XCTest
@testable import Dendrite

/// Self-attention's fused path (one packed projection, `packedSelfAttention` on per-head strided
/// GEMMs) against the general path it replaces, and finite-difference checks of the fused op.
final class PackedAttentionTests: XCTestCase {
    var generator = RandomGenerator(seed: 17)

    func testPackedAttentionGradientsByFiniteDifferences() throws {
        let projected = Tensor.normal([2, 4, 3 * 6], generator: &generator)   // B 2, T 4, E 6 in 2 heads of 3
        try checkGradients([projected], "packed attention") { try packedSelfAttention($0[0], heads: 2, additiveMask: nil) }
        let mask = causalMask(queryLength: 4, keyLength: 4)
        try checkGradients([projected], "packed causal attention") { try packedSelfAttention($0[0], heads: 2, additiveMask: mask) }
        try checkGradients([Tensor.normal([1, 3, 3 * 4], generator: &generator)], "one head") {
            try packedSelfAttention($0[0], heads: 1, additiveMask: nil)
        }
        XCTAssertThrowsError(try packedSelfAttention(Tensor.zeros([2, 4, 17]), heads: 2, additiveMask: nil), "3E not a multiple of 3·heads")
        XCTAssertThrowsError(try packedSelfAttention(Tensor.zeros([4, 18]), heads: 2, additiveMask: nil), "not [B, T, 3E]")
        XCTAssertThrowsError(try packedSelfAttention(projected, heads: 2, additiveMask: Tensor.zeros([3, 4, 4])),
                             "a mask that broadcasts beyond [B·H, T, T]")
        XCTAssertEqual(try packedSelfAttention(Tensor.zeros([2, 0, 18]), heads: 2, additiveMask: nil).shape, [2, 0, 6],
                       "an empty sequence gives an empty result")
    }

    /// The per-head GEMM on strided layouts against the same products on copied-out matrices,
    /// including a transposed operand and a layout that would reach past its buffer.
    func testHeadBatchedGEMMMatchesPerHeadProducts() throws {
        let (batches, heads, t, d) = (2, 3, 5, 4)
        let e = heads * d
        let packed = Tensor.normal([batches, t, 3 * e], generator: &generator)
        let layout = { (part: Int) in HeadLayout(offset: part * e, batchStride: t * 3 * e, headStride: d, rowStride: 3 * e) }
        let square = HeadLayout(offset: 0, batchStride: heads * t * t, headStride: t * t, rowStride: t)
        var scores = try Tensor.full([batches * heads, t, t], .nan)
        try headBatchedGEMM(transposeB: true, batches: batches, heads: heads, m: t, n: t, k: d, alpha: 0.5,
                            a: packed, layout(0), b: packed, layout(1), c: &scores, square)
        let values = packed.scalars, got = scores.scalars
        for batch in 0..<batches { for head in 0..<heads { for i in 0..<t { for j in 0..<t {
            var expected: Float = 0
            for c in 0..<d {
                expected += values[(batch * t + i) * 3 * e + head * d + c] * values[(batch * t + j) * 3 * e + e + head * d + c]
            }
            XCTAssertEqual(got[((batch * heads + head) * t + i) * t + j], 0.5 * expected, accuracy: 1e-4,
                           "batch \(batch) head \(head) (\(i), \(j))")
        } } } }
        var tooSmall = try Tensor.zeros([batches * heads * t * t - 1])
        XCTAssertThrowsError(try headBatchedGEMM(transposeB: true, batches: batches, heads: heads, m: t, n: t, k: d,
                                                 a: packed, layout(0), b: packed, layout(1), c: &tooSmall, square))
    }

    /// The same module, once attending `x` to itself (fused) and once to a copy of `x` with other
    /// storage (general path): outputs, the input's gradient and every parameter's gradient agree.
    func testFusedSelfAttentionMatchesTheGeneralPath() throws {
        let attention = try MultiHeadAttention(embedDimension: 8, headCount: 2, generator: &generator)
        let input = Tensor.normal([2, 5, 8], generator: &generator)
        let padding = try Tensor(shape: [2, 5], scalars: [0, 0, 0, 0, 1, 0, 0, 1, 1, 1])
        for (causal, keyPadding) in [(false, nil), (true, nil), (true, padding)] as [(Bool, Tensor?)] {
            func run(fused: Bool) throws -> (output: Tensor, input: Tensor, parameters: [Tensor]) {
                attention.zeroGrad()
                let x = input.requiringGradient()
                let other = fused ? x : x * 1   // same values, other storage: the general path
                let y = try attention(query: x, key: other, value: other, causal: causal, keyPaddingMask: keyPadding)
                let operations = Set(try XCTUnwrap(y.node).topologicalOrder().map(\.operation))
                XCTAssertEqual(operations.contains("attention(packed QKV)"), fused, "the path taken")
                try (y * y).sum().backward()
                return (y, try XCTUnwrap(x.gradient), try attention.parameters.map { try XCTUnwrap($0.gradient) })
            }
            let fused = try run(fused: true), general = try run(fused: false)
            let label = "causal \(causal), padding \(keyPadding != nil)"
            assertClose(fused.output, general.output, rtol: 1e-5, atol: 1e-6, "\(label) output")
            assertClose(fused.input, general.input, rtol: 1e-4, atol: 1e-5, "\(label) input gradient")
            for (index, (a, b)) in zip(fused.parameters, general.parameters).enumerated() {
                assertClose(a, b, rtol: 1e-4, atol: 1e-5, "\(label) parameter \(index) gradient")
            }
        }
    }
}
