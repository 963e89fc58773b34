/// The size of a GPT-style language model.
public struct GPTConfiguration: Codable, Equatable, Sendable {
    /// Tokens in the vocabulary.
    public var vocabularySize: Int
    /// Longest context (learned positions).
    public var contextLength: Int
    /// Model width E.
    public var embedDimension: Int
    /// Attention heads.
    public var headCount: Int
    /// Transformer blocks.
    public var layerCount: Int
    /// Feed-forward width (4E by default).
    public var feedForwardDimension: Int
    /// Whether the output head reuses the token embedding (GPT-2's weight tying).
    public var tiedHead: Bool
    /// Dropout inside the blocks.
    public var dropout: Float

    /// Creates a configuration.
    public init(vocabularySize: Int, contextLength: Int, embedDimension: Int, headCount: Int, layerCount: Int,
                feedForwardDimension: Int? = nil, tiedHead: Bool = true, dropout: Float = 0) {
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.embedDimension = embedDimension
        self.headCount = headCount
        self.layerCount = layerCount
        self.feedForwardDimension = feedForwardDimension ?? 4 * embedDimension
        self.tiedHead = tiedHead
        self.dropout = dropout
    }

    /// GPT-2 small: 12 layers, 12 heads, width 768, vocabulary 50,257, context 1,024.
    public static let gpt2Small = GPTConfiguration(vocabularySize: 50_257, contextLength: 1_024, embedDimension: 768,
                                                   headCount: 12, layerCount: 12)
    /// GPT-3 (175B) as in the course: 96 layers, 96 heads, width 12,288, context 2,048.
    public static let gpt3 = GPTConfiguration(vocabularySize: 50_257, contextLength: 2_048, embedDimension: 12_288,
                                              headCount: 96, layerCount: 96)

    /// The number of parameters (GPT-2 small: 124,439,808; GPT-3: 174,604,259,328), counted
    /// without building the model: embeddings `(V + C)·E`; per block `4E² + 4E` (attention),
    /// `2EF + F + E` (feed-forward), `4E` (two layer norms); a final norm `2E`; an untied head `V·E`.
    /// `TransformerTests` checks it against built models' ``Module/parameterCount``.
    public var parameterCount: Int {
        let (v, c, e, f) = (vocabularySize, contextLength, embedDimension, feedForwardDimension)
        let block = (4 * e * e + 4 * e) + (2 * e * f + f + e) + 4 * e
        return (v + c) * e + layerCount * block + 2 * e + (tiedHead ? 0 : v * e)
    }
}

/// A GPT-style decoder-only language model: token and learned position embeddings, pre-norm causal
/// transformer blocks, a final layer norm, and an output head (tied to the token embedding by
/// default). Input: token indices `[B, T]` (as `Float`); output: logits `[B, T, vocabularySize]`.
public final class GPT: Module, UnaryLayer {
    /// `[V, E]` token embedding (`wte`).
    public let tokenEmbedding: Embedding
    /// `[C, E]` learned positions (`wpe`).
    public let positionEmbedding: Embedding
    /// The blocks.
    public let blocks: Sequential
    /// The final layer norm (`ln_f`).
    public let finalNorm: LayerNorm
    /// The untied output head, when not tied.
    public let head: Linear?
    /// The configuration.
    public let configuration: GPTConfiguration

    /// Creates the model; embeddings `N(0, 0.02)` as GPT-2.
    public init(_ configuration: GPTConfiguration, generator: inout RandomGenerator) throws {
        self.configuration = configuration
        let e = configuration.embedDimension
        tokenEmbedding = Embedding(configuration.vocabularySize, e, generator: &generator)
        positionEmbedding = Embedding(configuration.contextLength, e, generator: &generator)
        tokenEmbedding.weight.value = tokenEmbedding.weight.value * 0.02
        positionEmbedding.weight.value = positionEmbedding.weight.value * 0.02
        blocks = Sequential(try (0..<configuration.layerCount).map { _ in
            try TransformerEncoderBlock(embedDimension: e, headCount: configuration.headCount,
                                        feedForward: configuration.feedForwardDimension, dropout: configuration.dropout,
                                        gelu: true, normFirst: true, causal: true, generator: &generator)
        })
        finalNorm = LayerNorm(e)
        head = configuration.tiedHead ? nil : try Linear(e, configuration.vocabularySize, bias: false, generator: &generator)
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 2, input.shape[1] <= configuration.contextLength else {
            throw DendriteError.shapeMismatch(operation: "GPT", expected: "tokens [B, T ≤ \(configuration.contextLength)]", got: "\(input.shape)")
        }
        let t = input.shape[1]
        var x = try tokenEmbedding(input) + positionEmbedding(try Tensor.arange(0, Float(t)))
        x = try blocks(x)
        x = try finalNorm(x)
        if let head { return try head(x) }
        return try linear(x, weight: tokenEmbedding.weight.tensor, bias: nil, operation: "GPT tied head")
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 1, shape[0] <= configuration.contextLength else {
            throw DendriteError.shapeMismatch(operation: "GPT", expected: "[T ≤ \(configuration.contextLength)]", got: "\(shape)")
        }
        return [shape[0], configuration.vocabularySize]
    }

    /// Mean cross-entropy in nats per token of predicting `targets` `[B, T]` (each position's next
    /// token) from `inputs` `[B, T]`.
    public func loss(inputs: Tensor, targets: Tensor) throws -> Tensor {
        let logits = try self(inputs)
        let v = configuration.vocabularySize
        return try crossEntropy(logits: logits.reshaped(to: [-1, v]), labels: targets.reshaped(to: [-1]))
    }

    /// Extends `prompt` by `count` tokens, sampling from `softmax(logits / temperature)` restricted
    /// to the `topK` most likely tokens (all when `nil`).
    public func generate(prompt: [Int], count: Int, temperature: Float = 1, topK: Int? = nil,
                         generator: inout RandomGenerator) throws -> [Int] {
        guard temperature > 0 else {
            throw DendriteError.invalidArgument(operation: "GPT.generate", argument: "temperature \(temperature)", reason: "must be positive")
        }
        let restoreModes = enterEvaluationMode()
        defer { restoreModes() }
        var tokens = prompt.isEmpty ? [0] : prompt
        for _ in 0..<count {
            let context = Array(tokens.suffix(configuration.contextLength))
            let logits = try noGrad { try self(try Tensor(shape: [1, context.count], scalars: context.map(Float.init))) }
            let last = Array(logits.scalars.suffix(configuration.vocabularySize))
            let choice = try sampleIndex(logits: last, temperature: temperature, topK: topK.map { Swift.max($0, 1) }, generator: &generator)
            tokens.append(choice)
        }
        return Array(tokens.suffix(count))
    }
}
