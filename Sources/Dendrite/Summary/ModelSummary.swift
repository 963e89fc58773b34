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

/// The per-layer table of a model for a given input shape, found by shape inference alone
/// (no data flows through the model): what `model.summary()` prints in Keras.
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
    /// The last layer's output shape.
    public var outputShape: [Int] { layers.last?.outputShape ?? inputShape }

    /// Creates a summary from rows.
    public init(inputShape: [Int], layers: [LayerSummary]) {
        self.inputShape = inputShape
        self.layers = layers
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

extension Module {
    /// The per-layer summary for a per-sample `input` shape (e.g. `[1, 28, 28]`), by shape
    /// inference: nothing is computed, and a layer that cannot accept its input is reported.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` naming the layer's
    ///   position and type, what it expects and the shape it would receive.
    public func summary(input: [Int]) throws -> ModelSummary {
        var rows: [LayerSummary] = []
        _ = try summarize(path: nil, input: input, into: &rows)
        return ModelSummary(inputShape: input, layers: rows)
    }

    /// Appends this module's rows (expanding `Sequential` and ``summaryStages``) and returns its output shape.
    func summarize(path: String?, input: [Int], into rows: inout [LayerSummary]) throws -> [Int] {
        if let sequential = self as? Sequential {
            var shape = input
            for (name, child) in sequential.namedChildren {
                shape = try child.summarize(path: path.map { "\($0).\(name)" } ?? name, input: shape, into: &rows)
            }
            return shape
        }
        if let stages = summaryStages {
            var shape = input
            for stage in stages {
                switch stage {
                case .flatten: shape = [shape.reduce(1, *)]
                case let .layer(name, child):
                    shape = try child.summarize(path: path.map { "\($0).\(name)" } ?? name, input: shape, into: &rows)
                }
            }
            return shape
        }
        let output: [Int]
        do {
            output = try outputShape(forInput: input)
        } catch let DendriteError.shapeMismatch(operation, expected, got) {
            throw DendriteError.shapeMismatch(operation: "layer \(path ?? "model") \(operation)", expected: expected, got: got)
        }
        let named = namedParameters()
        let biases = named.filter { $0.0 == "bias" || $0.0.hasSuffix(".bias") || $0.0.hasSuffix("_bias") }
            .reduce(0) { $0 + $1.1.value.count }
        let total = named.reduce(0) { $0 + $1.1.value.count }
        let frozen = named.filter { !$0.1.requiresGradient }.reduce(0) { $0 + $1.1.value.count }
        rows.append(LayerSummary(path: path ?? "model", type: typeName, outputShape: output,
                                 weights: total - biases, biases: biases, frozen: frozen))
        return output
    }
}
