import XCTest
@testable import Dendrite

/// Self-attention's fused path (one packed projection, `packedSelfAttention`) against the
/// general path it replaces, and a finite-difference check of the fused op itself.
final class PackedAttentionTests: XCTestCase {
    var generator = RandomGenerator(seed: 17)

    func testPackedAttentionGradientsByFiniteDifferences() throws {
        let packed = Tensor.normal([3, 2, 4, 3], generator: &generator)
        try checkGradients([packed], "packed attention") { try packedSelfAttention($0[0], additiveMask: nil) }
        let mask = causalMask(queryLength: 4, keyLength: 4)
        try checkGradients([packed], "packed causal attention") { try packedSelfAttention($0[0], additiveMask: mask) }
        XCTAssertThrowsError(try packedSelfAttention(Tensor.zeros([2, 2, 4, 3]), additiveMask: nil))
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
                let y = try attention.attend(query: x, key: other, value: other, causal: causal, keyPaddingMask: keyPadding)
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
