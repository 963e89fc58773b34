/// One row of a ``ModelSummary``: a layer, its output shape and its parameter counts.
public struct LayerSummary: Codable, Equatable {
    /// Position in the model as a `state_dict` prefix (`"0"`, `"features.3"`).
    public let path: String
    /// The layer's type (`"Linear"`, `"Conv2D"`).
    public let type: String
    /// Per-sample output shape (batch axis excluded).
    public let outputShape: [Int]
    /// Scalars in weight-like parameters (everything but biases).
    public let weights: Int
    /// Scalars in bias parameters.
    public let biases: Int
    /// `weights + biases`.
    public var parameters: Int { weights + biases }
    /// Scalars in frozen parameters.
    public let frozen: Int

    /// Creates a row.
    public init(path: String, type: String, outputShape: [Int], weights: Int, biases: Int, frozen: Int = 0) {
        self.path = path
        self.type = type
        self.outputShape = outputShape
        self.weights = weights
        self.biases = biases
        self.frozen = frozen
    }

    enum CodingKeys: String, CodingKey { case path, type, outputShape, weights, biases, parameters, frozen }

    /// Decodes a row (the stored `parameters` is recomputed).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(path: try container.decode(String.self, forKey: .path), type: try container.decode(String.self, forKey: .type),
                  outputShape: try container.decode([Int].self, forKey: .outputShape),
                  weights: try container.decode(Int.self, forKey: .weights), biases: try container.decode(Int.self, forKey: .biases),
                  frozen: try container.decode(Int.self, forKey: .frozen))
    }

    /// Encodes the row including `parameters`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(type, forKey: .type)
        try container.encode(outputShape, forKey: .outputShape)
        try container.encode(weights, forKey: .weights)
        try container.encode(biases, forKey: .biases)
        try container.encode(parameters, forKey: .parameters)
        try container.encode(frozen, forKey: .frozen)
    }
}

/// The per-layer table of a model for a given input shape, traced from one forward pass of a
/// zero sample: what `model.summary()` prints in Keras.
public struct ModelSummary: Codable, Equatable, CustomStringConvertible {
    /// Per-sample input shape.
    public let inputShape: [Int]
    /// One row per layer, in order.
    public let layers: [LayerSummary]

    /// All parameters.
    public var totalParameters: Int { layers.reduce(0) { $0 + $1.parameters } }
    /// Parameters that train.
    public var trainableParameters: Int { totalParameters - nonTrainableParameters }
    /// Frozen parameters.
    public var nonTrainableParameters: Int { layers.reduce(0) { $0 + $1.frozen } }
    /// The model's per-sample output shape.
    public let outputShape: [Int]

    /// Creates a summary from rows.
    public init(inputShape: [Int], layers: [LayerSummary], outputShape: [Int]? = nil) {
        self.inputShape = inputShape
        self.layers = layers
        self.outputShape = outputShape ?? layers.last?.outputShape ?? inputShape
    }

    /// A text table: layer, output shape, weights, biases, parameters, then the totals.
    public var description: String {
        let header = ["Layer", "Output shape", "Weights", "Biases", "Parameters"]
        let rows = layers.map { row in
            ["\(row.path) \(row.type)", "[" + row.outputShape.map(String.init).joined(separator: ", ") + "]",
             grouped(row.weights), grouped(row.biases), grouped(row.parameters)]
        }
        let all = [header] + rows
        let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index < 2 ? cell + String(repeating: " ", count: widths[index] - cell.count)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        var text = "Input: [" + inputShape.map(String.init).joined(separator: ", ") + "]\n"
        text += line(header) + "\n" + rule + "\n"
        text += rows.map(line).joined(separator: "\n") + "\n" + rule + "\n"
        text += "Total parameters: \(grouped(totalParameters))\n"
        text += "Trainable: \(grouped(trainableParameters)) · Non-trainable: \(grouped(nonTrainableParameters))"
        return text
    }

    private func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}

extension UnaryLayer {
    /// The per-layer summary for a per-sample `input` shape (e.g. `[1, 28, 28]`), traced from the
    /// forward pass itself: the model runs once on a batch of one zero sample, in eval mode and
    /// without recording gradients, and every call of a child of the model (or of a
    /// ``Sequential`` or ``ModuleList`` inside it) becomes a row with the shape it really
    /// returned — a summary cannot disagree with what the model computes. Before each row runs,
    /// its declared ``UnaryLayer/outputShape(forInput:)`` must accept the input, and afterwards it
    /// must equal the shape the layer returned.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` naming the layer's
    ///   position and type, what it expects and the per-sample shape it would receive; a layer
    ///   whose declared shape differs from its output is reported the same way.
    public func summary(input: [Int]) throws -> ModelSummary {
        let tracer = ModuleCallTracer(root: self)
        let restoreModes = enterEvaluationMode()
        defer { restoreModes() }
        let output = try ModuleCallTracer.$current.withValue(tracer) {
            try noGrad { try self(Tensor.filled([1] + input, 0)) }
        }
        let outputShape = Array(output.shape.dropFirst())
        return ModelSummary(inputShape: input, layers: tracer.finishedRows(output: outputShape), outputShape: outputShape)
    }
}
