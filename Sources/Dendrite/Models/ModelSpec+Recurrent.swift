extension ModelSpec {
    /// The tokens that build a recurrent layer.
    static let recurrentKinds: Set<String> = ["lstm", "gru", "rnn"]
}

/// The options of a recurrent token: `lstm:H[:L][:bi]`, `gru:…`, `rnn:…[:relu]`.
struct RecurrentSpecOptions {
    var hidden: Int
    var layers = 1
    var bidirectional = false
    var relu = false

    init(_ parts: [String], fail: (String) -> DendriteError) throws {
        guard parts.count >= 2, let hidden = Int(parts[1]), hidden > 0 else {
            throw fail("needs a positive hidden size, e.g. \(parts[0]):128")
        }
        self.hidden = hidden
        for option in parts.dropFirst(2) {
            switch option.lowercased() {
            case "bi": bidirectional = true
            case "relu" where parts[0].lowercased() == "rnn": relu = true
            default:
                guard let layers = Int(option), layers > 0, layers <= 64 else {
                    throw fail("option \"\(option)\" is not a layer count (1…64), bi\(parts[0].lowercased() == "rnn" ? " or relu" : "")")
                }
                self.layers = layers
            }
        }
    }

    /// The batch-first layer.
    func build(_ kind: String, inputSize: Int, generator: inout RandomGenerator) throws -> RecurrentNetwork {
        switch kind {
        case "lstm":
            return try LSTM(inputSize: inputSize, hiddenSize: hidden, layers: layers, batchFirst: true, bidirectional: bidirectional,
                            generator: &generator)
        case "gru":
            return try GRU(inputSize: inputSize, hiddenSize: hidden, layers: layers, batchFirst: true, bidirectional: bidirectional,
                           generator: &generator)
        default:
            return try RNN(inputSize: inputSize, hiddenSize: hidden, layers: layers, nonlinearity: relu ? .relu : .tanh,
                           batchFirst: true, bidirectional: bidirectional, generator: &generator)
        }
    }
}
