import Foundation

/// The transformer's position-wise feed-forward network: `linear2(activation(linear1(x)))`.
public final class FeedForward: Module, UnaryLayer {
    /// `[hidden, E]`.
    public let linear1: Linear
    /// `[E, hidden]`.
    public let linear2: Linear
    /// Whether the activation is GELU (otherwise ReLU).
    public let usesGELU: Bool

    /// Creates the network `E → hidden → E`.
    ///
    /// - Throws: as ``Linear/init(_:_:bias:weightInitializer:generator:)`` for sizes below 1.
    public init(_ embedDimension: Int, hidden: Int, gelu: Bool = true, generator: inout RandomGenerator) throws {
        linear1 = try Linear(embedDimension, hidden, generator: &generator)
        linear2 = try Linear(hidden, embedDimension, generator: &generator)
        usesGELU = gelu
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try FeedForward.apply(input, linear1: linear1, linear2: linear2, gelu: usesGELU)
    }

    /// `linear2(dropout(activation(linear1(x))))`: the computation, shared with the transformer
    /// blocks, which keep `linear1`/`linear2` as their own children for PyTorch's names.
    static func apply(_ x: Tensor, linear1: Linear, linear2: Linear, gelu: Bool, dropout: Dropout? = nil) throws -> Tensor {
        let hidden = try linear1(x)
        let activated = gelu ? hidden.gelu() : hidden.relu()
        return try linear2(try dropout.map { try $0(activated) } ?? activated)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try linear2.outputShape(forInput: try linear1.outputShape(forInput: shape))
    }
}

/// The sinusoidal positional encoding of "Attention Is All You Need":
/// `PE[p, 2i] = sin(p / 10000^{2i/E})`, `PE[p, 2i+1] = cos(p / 10000^{2i/E})`, added to `[B, T, E]`.
public final class SinusoidalPositionalEncoding: Module, UnaryLayer {
    /// `[maximumLength, E]`, not trained.
    public let table: Tensor
    /// Model width E.
    public let embedDimension: Int

    /// Precomputes the table.
    public init(maximumLength: Int, embedDimension: Int) {
        self.embedDimension = embedDimension
        var values = [Float](repeating: 0, count: maximumLength * embedDimension)
        for position in 0..<maximumLength {
            for i in stride(from: 0, to: embedDimension, by: 2) {
                let angle = Double(position) / Double(10_000).power(Float(i) / Float(embedDimension))
                values[position * embedDimension + i] = Float(sin(angle))
                if i + 1 < embedDimension { values[position * embedDimension + i + 1] = Float(cos(angle)) }
            }
        }
        table = (try? Tensor(shape: [maximumLength, embedDimension], scalars: values)) ?? Tensor.filled([maximumLength, embedDimension], 0)
        super.init()
    }

    /// Adds the encoding of positions `0..<T` to `[B, T, E]`.
    public func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 3, input.shape[2] == embedDimension, input.shape[1] <= table.shape[0] else {
            throw DendriteError.shapeMismatch(operation: "SinusoidalPositionalEncoding", expected: "[B, ≤\(table.shape[0]), \(embedDimension)]",
                                              got: "\(input.shape)")
        }
        return try input + table.slice(0..<input.shape[1])
    }

    /// The input shape `[T, E]` (T at most the table's length).
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 2, shape[1] == embedDimension, shape[0] <= table.shape[0] else {
            throw DendriteError.shapeMismatch(operation: "SinusoidalPositionalEncoding", expected: "[≤\(table.shape[0]), \(embedDimension)]",
                                              got: "\(shape)")
        }
        return shape
    }
}
