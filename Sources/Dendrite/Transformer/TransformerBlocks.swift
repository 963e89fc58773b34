/// The transformer encoder layer (`nn.TransformerEncoderLayer(batch_first=True)`): self-attention
/// and a feed-forward network, each wrapped in the course's "Add & Norm" — post-norm
/// `x = norm(x + sublayer(x))` as in the paper, or pre-norm `x = x + sublayer(norm(x))` (GPT-2).
///
/// Parameter names match PyTorch: `self_attn.*`, `linear1.*`, `linear2.*`, `norm1.*`, `norm2.*`.
public final class TransformerEncoderBlock: Module, UnaryLayer {
    /// Multi-head self-attention.
    public let selfAttn: MultiHeadAttention
    /// First feed-forward projection `E → F`.
    public let linear1: Linear
    /// Second feed-forward projection `F → E`.
    public let linear2: Linear
    /// Norm around the attention.
    public let norm1: LayerNorm
    /// Norm around the feed-forward network.
    public let norm2: LayerNorm
    /// Dropout after attention, inside and after the feed-forward network.
    public let dropout: Dropout, dropout1: Dropout, dropout2: Dropout
    /// Pre-norm (`true`) or post-norm.
    public let normFirst: Bool
    /// GELU (`true`) or ReLU in the feed-forward network.
    public let usesGELU: Bool

    /// Creates the block.
    public init(embedDimension: Int, headCount: Int, feedForward: Int, dropout probability: Float = 0, gelu: Bool = true,
                normFirst: Bool = false, causal: Bool = false, epsilon: Float = 1e-5, generator: inout RandomGenerator) throws {
        selfAttn = try MultiHeadAttention(embedDimension: embedDimension, headCount: headCount, isCausal: causal, generator: &generator)
        linear1 = try Linear(embedDimension, feedForward, generator: &generator)
        linear2 = try Linear(feedForward, embedDimension, generator: &generator)
        norm1 = LayerNorm(embedDimension, epsilon: epsilon)
        norm2 = LayerNorm(embedDimension, epsilon: epsilon)
        dropout = try Dropout(probability)
        dropout1 = try Dropout(probability)
        dropout2 = try Dropout(probability)
        self.normFirst = normFirst
        usesGELU = gelu
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try forward(input, keyPaddingMask: nil)
    }

    /// The block with an optional key padding mask `[B, T]` (non-zero = padding).
    public func forward(_ input: Tensor, keyPaddingMask: Tensor?) throws -> Tensor {
        func attention(_ x: Tensor) throws -> Tensor {
            try dropout1(try selfAttn(query: x, key: x, value: x, keyPaddingMask: keyPaddingMask))
        }
        func feedForward(_ x: Tensor) throws -> Tensor {
            try dropout2(try FeedForward.apply(x, linear1: linear1, linear2: linear2, gelu: usesGELU, dropout: dropout))
        }
        if normFirst {
            let x = try input + attention(try norm1(input))
            return try x + feedForward(try norm2(x))
        }
        let x = try norm1(try input + attention(input))
        return try norm2(try x + feedForward(x))
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { try selfAttn.outputShape(forInput: shape) }
}

/// The transformer decoder layer (`nn.TransformerDecoderLayer(batch_first=True)`): causal
/// self-attention, cross-attention over the encoder's output (`memory`), feed-forward, each with
/// Add & Norm. Names: `self_attn`, `multihead_attn`, `linear1`, `linear2`, `norm1`…`norm3`.
///
/// Call it with the memory: `try block(x, memory: encoded)`; it is not a ``UnaryLayer``, so it
/// cannot be put in a ``Sequential`` by mistake (use a ``ModuleList``).
public final class TransformerDecoderBlock: Module {
    /// Causal self-attention.
    public let selfAttn: MultiHeadAttention
    /// Attention over the memory.
    public let multiheadAttn: MultiHeadAttention
    /// Feed-forward projections.
    public let linear1: Linear, linear2: Linear
    /// Norms around the three sublayers.
    public let norm1: LayerNorm, norm2: LayerNorm, norm3: LayerNorm
    /// Pre-norm (`true`) or post-norm.
    public let normFirst: Bool
    /// GELU or ReLU.
    public let usesGELU: Bool

    /// Creates the block.
    public init(embedDimension: Int, headCount: Int, feedForward: Int, gelu: Bool = true, normFirst: Bool = false,
                generator: inout RandomGenerator) throws {
        selfAttn = try MultiHeadAttention(embedDimension: embedDimension, headCount: headCount, isCausal: true, generator: &generator)
        multiheadAttn = try MultiHeadAttention(embedDimension: embedDimension, headCount: headCount, generator: &generator)
        linear1 = try Linear(embedDimension, feedForward, generator: &generator)
        linear2 = try Linear(feedForward, embedDimension, generator: &generator)
        norm1 = LayerNorm(embedDimension)
        norm2 = LayerNorm(embedDimension)
        norm3 = LayerNorm(embedDimension)
        self.normFirst = normFirst
        usesGELU = gelu
        super.init()
    }

    /// Decodes `input` `[B, T, E]` attending to `memory` `[B, S, E]`.
    public func callAsFunction(_ input: Tensor, memory: Tensor, memoryPaddingMask: Tensor? = nil) throws -> Tensor {
        func selfAttention(_ x: Tensor) throws -> Tensor { try selfAttn(query: x, key: x, value: x, causal: true) }
        func crossAttention(_ x: Tensor) throws -> Tensor {
            try multiheadAttn(query: x, key: memory, value: memory, keyPaddingMask: memoryPaddingMask)
        }
        func feedForward(_ x: Tensor) throws -> Tensor {
            try FeedForward.apply(x, linear1: linear1, linear2: linear2, gelu: usesGELU)
        }
        if normFirst {
            var x = try input + selfAttention(try norm1(input))
            x = try x + crossAttention(try norm2(x))
            return try x + feedForward(try norm3(x))
        }
        var x = try norm1(try input + selfAttention(input))
        x = try norm2(try x + crossAttention(x))
        return try norm3(try x + feedForward(x))
    }
}
