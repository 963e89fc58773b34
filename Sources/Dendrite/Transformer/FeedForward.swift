import Foundation

/// The transformer's position-wise feed-forward network: `linear2(activation(linear1(x)))`.
public final class FeedForward: Module {
    /// `[hidden, E]`.
    public let linear1: Linear
    /// `[E, hidden]`.
    public let linear2: Linear
    /// Whether the activation is GELU (otherwise ReLU).
    public let usesGELU: Bool

    /// Creates the network `E → hidden → E`.
    public init(_ embedDimension: Int, hidden: Int, gelu: Bool = true, generator: inout RandomGenerator) {
        linear1 = Linear(embedDimension, hidden, generator: &generator)
        linear2 = Linear(hidden, embedDimension, generator: &generator)
        usesGELU = gelu
        super.init()
    }

    public override var typeName: String { "FeedForward" }

    public override func forward(_ input: Tensor) throws -> Tensor {
        let hidden = try linear1(input)
        return try linear2(usesGELU ? hidden.gelu() : hidden.relu())
    }

    public override func outputShape(forInput shape: [Int]) throws -> [Int] {
        try linear2.outputShape(forInput: try linear1.outputShape(forInput: shape))
    }
}

/// The sinusoidal positional encoding of "Attention Is All You Need":
/// `PE[p, 2i] = sin(p / 10000^{2i/E})`, `PE[p, 2i+1] = cos(p / 10000^{2i/E})`, added to `[B, T, E]`.
public final class SinusoidalPositionalEncoding: Module {
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
        table = (try? Tensor(shape: [maximumLength, embedDimension], scalars: values)) ?? Tensor.zeros([maximumLength, embedDimension])
        super.init()
    }

    public override var typeName: String { "SinusoidalPositionalEncoding" }

    /// Adds the encoding of positions `0..<T` to `[B, T, E]`.
    public override func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 3, input.shape[2] == embedDimension, input.shape[1] <= table.shape[0] else {
            throw DendriteError.shapeMismatch(operation: "SinusoidalPositionalEncoding", expected: "[B, ≤\(table.shape[0]), \(embedDimension)]",
                                              got: "\(input.shape)")
        }
        return try input + table.slice(0..<input.shape[1])
    }
}
