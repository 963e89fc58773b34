#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Scaled dot-product attention `softmax(Q·Kᵀ/√d + mask)·V` over batched heads.
///
/// - Parameters:
///   - query: `[N, T, d]` (N = batch × heads).
///   - key: `[N, S, d]`.
///   - value: `[N, S, dv]`.
///   - additiveMask: added to the scores before the softmax, broadcast to `[N, T, S]`
///     (`−∞` where attention is forbidden), or `nil`.
/// - Returns: `[N, T, dv]`. QKᵀ and AV are batched GEMMs; the softmax is fused.
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, additiveMask: Tensor? = nil) throws -> Tensor {
    guard query.rank == 3, key.rank == 3, value.rank == 3, query.shape[0] == key.shape[0], key.shape[0] == value.shape[0],
          query.shape[2] == key.shape[2], key.shape[1] == value.shape[1] else {
        throw DendriteError.shapeMismatch(operation: "scaledDotProductAttention", expected: "query [N, T, d], key [N, S, d], value [N, S, dv]",
                                          got: "query \(query.shape), key \(key.shape), value \(value.shape)")
    }
    var scores = try query.matmulTransposingRight(key, alpha: 1 / Float(query.shape[2]).squareRoot())
    if let additiveMask { scores = try scores + additiveMask }
    return try softmax(scores).matmul(value)
}

/// The causal mask `[T, S]`: 0 where key position ≤ query position (offset by `S − T`), `−∞` elsewhere.
public func causalMask(queryLength: Int, keyLength: Int) -> Tensor {
    let offset = keyLength - queryLength
    var values = [Float](repeating: 0, count: queryLength * keyLength)
    for t in 0..<queryLength { for s in 0..<keyLength where s > t + offset { values[t * keyLength + s] = -.infinity } }
    return (try? Tensor(shape: [queryLength, keyLength], scalars: values)) ?? Tensor.filled([queryLength, keyLength], 0)
}

/// Multi-head attention with packed input projections, as `nn.MultiheadAttention(batch_first=True)`:
/// parameters `in_proj_weight` `[3E, E]`, `in_proj_bias` `[3E]`, `out_proj.weight` `[E, E]`,
/// `out_proj.bias` `[E]`, so PyTorch weights load by name.
///
/// Inputs are `[B, T, E]`. Calling the module attends a sequence to itself (causally when
/// ``isCausal``); ``callAsFunction(query:key:value:causal:keyPaddingMask:)`` covers cross-attention and masks.
public final class MultiHeadAttention: Module, UnaryLayer {
    /// `[3E, E]`: the query, key and value projections stacked.
    public let inProjWeight: Parameter
    /// `[3E]`, or `nil`.
    public let inProjBias: Parameter?
    /// The output projection.
    public let outProj: Linear
    /// Model width E.
    public let embedDimension: Int
    /// Number of heads H (E must be divisible by H).
    public let headCount: Int
    /// Whether `callAsFunction(_:)` masks future positions.
    public var isCausal: Bool

    /// Creates the layer; input projections Xavier-uniform, biases zero (PyTorch's initialization).
    public init(embedDimension: Int, headCount: Int, bias: Bool = true, isCausal: Bool = false,
                generator: inout RandomGenerator) throws {
        guard embedDimension > 0, headCount > 0, embedDimension % headCount == 0 else {
            throw DendriteError.invalidArgument(operation: "MultiHeadAttention", argument: "embedDimension \(embedDimension), headCount \(headCount)",
                                                reason: "the width must be a positive multiple of the head count")
        }
        self.embedDimension = embedDimension
        self.headCount = headCount
        self.isCausal = isCausal
        inProjWeight = Parameter(try Initializer.xavierUniform().make([3 * embedDimension, embedDimension], generator: &generator))
        inProjBias = bias ? Parameter(Tensor.filled([3 * embedDimension], 0)) : nil
        outProj = try Linear(embedDimension, embedDimension, bias: bias, generator: &generator)
        if let outBias = outProj.bias { outBias.value = Tensor.filled([embedDimension], 0) }
        super.init()
    }

    var name: String { "MultiHeadAttention(\(embedDimension), heads: \(headCount))" }

    public func forward(_ input: Tensor) throws -> Tensor {
        try self(query: input, key: input, value: input)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 2, shape[1] == embedDimension else {
            throw DendriteError.shapeMismatch(operation: name, expected: "[T, \(embedDimension)]", got: "\(shape)")
        }
        return shape
    }

    /// Attention of `query` `[B, T, E]` over `key`/`value` `[B, S, E]`.
    ///
    /// - Parameters:
    ///   - query: `[B, T, E]`.
    ///   - key: `[B, S, E]`.
    ///   - value: `[B, S, E]`.
    ///   - causal: mask keys after each query position (``isCausal`` when `nil`).
    ///   - keyPaddingMask: `[B, S]`, non-zero where a key is padding and must be ignored.
    /// - Returns: `[B, T, E]`.
    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, causal: Bool? = nil,
                               keyPaddingMask: Tensor? = nil) throws -> Tensor {
        let e = embedDimension, h = headCount, d = e / h
        guard query.rank == 3, key.rank == 3, value.rank == 3, query.shape[2] == e, key.shape[2] == e, value.shape[2] == e,
              key.shape[0] == query.shape[0], value.shape[0] == query.shape[0], key.shape[1] == value.shape[1] else {
            throw DendriteError.shapeMismatch(operation: name, expected: "query [B, T, \(e)], key and value [B, S, \(e)]",
                                              got: "query \(query.shape), key \(key.shape), value \(value.shape)")
        }
        let (b, t, s) = (query.shape[0], query.shape[1], key.shape[1])
        let weight = inProjWeight.tensor, bias = inProjBias?.tensor
        func project(_ x: Tensor, _ part: Int, _ length: Int) throws -> Tensor {
            let w = try weight.slice((part * e)..<((part + 1) * e))
            let projected = try linear(x, weight: w, bias: try bias?.slice((part * e)..<((part + 1) * e)), operation: name)
            // [B, L, E] → [B, L, H, d] → [B, H, L, d] → [B·H, L, d]
            return try projected.reshaped(to: [b, length, h, d]).permuted([0, 2, 1, 3]).reshaped(to: [b * h, length, d])
        }
        var mask: Tensor?
        if causal ?? isCausal { mask = causalMask(queryLength: t, keyLength: s) }
        if let keyPaddingMask {
            guard keyPaddingMask.shape == [b, s] else {
                throw DendriteError.shapeMismatch(operation: "\(name) keyPaddingMask", expected: "[\(b), \(s)]", got: "\(keyPaddingMask.shape)")
            }
            // [B, S] → additive [B·H, 1, S].
            let additive = keyPaddingMask.detached().scalars.map { $0 != 0 ? -Float.infinity : 0 }
            var rows: [Float] = []
            for batch in 0..<b { for _ in 0..<h { rows += additive[(batch * s)..<((batch + 1) * s)] } }
            let padding = try Tensor(shape: [b * h, 1, s], scalars: rows)
            mask = try mask.map { try $0 + padding } ?? padding
        }
        if query.storage === key.storage && key.storage === value.storage && query.shape == key.shape && key.shape == value.shape {
            // Self-attention: one projection GEMM over the packed weight, then the fused op that
            // works on the packed projection and returns the heads merged: no split or merge copies.
            let projected = try linear(query, weight: weight, bias: bias, operation: name)
            return try outProj(try packedSelfAttention(projected.reshaped(to: [b, t, 3 * e]), heads: h, additiveMask: mask))
        }
        let q = try project(query, 0, t), k = try project(key, 1, s), v = try project(value, 2, s)
        let attended = try scaledDotProductAttention(query: q, key: k, value: v, additiveMask: mask)
        let merged = try attended.reshaped(to: [b, h, t, d]).permuted([0, 2, 1, 3]).reshaped(to: [b, t, e])
        return try outProj(merged)
    }
}
