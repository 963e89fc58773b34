/// The parameters of one layer and direction of a recurrent network.
struct RecurrentParameterSet {
    let inputWeight: Parameter, hiddenWeight: Parameter
    let inputBias: Parameter?, hiddenBias: Parameter?
    let projection: Parameter?

    var tensors: RecurrentDirectionParameters {
        RecurrentDirectionParameters(inputWeight: inputWeight.tensor, hiddenWeight: hiddenWeight.tensor, inputBias: inputBias?.tensor,
                                     hiddenBias: hiddenBias?.tensor, projection: projection?.tensor)
    }
}

/// What ``RNN``, ``LSTM`` and ``GRU`` share: PyTorch's options, its parameter names and shapes,
/// stacking, directions, dropout between layers, batch-first and unbatched inputs, and sequence
/// lengths. Each layer (both directions) is one fused op on the tape.
///
/// Parameters, per layer `k` and direction (`_reverse` for the second): `weight_ih_l{k}`
/// `[G·H, I_k]`, `weight_hh_l{k}` `[G·H, S]`, `bias_ih_l{k}`, `bias_hh_l{k}` `[G·H]` and, for an
/// LSTM with a projection, `weight_hr_l{k}` `[S, H]` — `G` gates (1, 4 or 3), `S` the state size,
/// `I_0` the input size and `I_k = D·S` above. All start uniform in ±1/√H, as PyTorch's.
public class RecurrentNetwork: Module, UnaryLayer {
    let kind: RecurrentCellKind
    /// Features per time step of the input.
    public let inputSize: Int
    /// H: features of the hidden state (of each gate, and of an LSTM's cell).
    public let hiddenSize: Int
    /// Stacked layers.
    public let layerCount: Int
    /// Whether the layers have `bias_ih` and `bias_hh`.
    public let hasBias: Bool
    /// Whether inputs and outputs are `[B, T, F]` (else `[T, B, F]`, PyTorch's default).
    public let batchFirst: Bool
    /// The dropout probability applied to each layer's output except the last, in training mode.
    public let dropoutProbability: Float
    /// Whether each layer also runs the sequence backwards (outputs concatenated, forward first).
    public let isBidirectional: Bool
    /// LSTM's projection size, 0 without projection.
    public let projectionSize: Int
    let interLayerDropout: Dropout?
    let layerParameters: [[RecurrentParameterSet]]

    /// D: 1 or 2.
    public var directionCount: Int { isBidirectional ? 2 : 1 }
    /// S: the size of the state each direction outputs (the projection size, or H).
    public var stateSize: Int { projectionSize > 0 ? projectionSize : hiddenSize }

    init(kind: RecurrentCellKind, name: String, inputSize: Int, hiddenSize: Int, layers: Int, bias: Bool, batchFirst: Bool,
         dropout: Float, bidirectional: Bool, projectionSize: Int, generator: inout RandomGenerator) throws {
        let description = "\(name)(\(inputSize), \(hiddenSize))"
        guard inputSize >= 1, hiddenSize >= 1, layers >= 1 else {
            throw DendriteError.invalidArgument(operation: description, argument: "sizes",
                                                reason: "input size, hidden size and layer count must be ≥ 1 (got \(inputSize), \(hiddenSize), \(layers))")
        }
        guard dropout.isFinite, dropout >= 0, dropout < 1 else {
            throw DendriteError.invalidArgument(operation: description, argument: "dropout \(dropout)", reason: "must be in [0, 1)")
        }
        guard projectionSize >= 0, projectionSize < hiddenSize || projectionSize == 0 else {
            throw DendriteError.invalidArgument(operation: description, argument: "projection size \(projectionSize)",
                                                reason: "must be 0 (none) or in 1..<\(hiddenSize), as PyTorch's proj_size")
        }
        let gates = kind.gateCount
        // The largest layer's weights (an upper layer reads up to 2·H features) must be countable.
        guard inputSize <= Int.max / 8, hiddenSize <= Int.max / 8,
              Tensor.checkedElementCount(of: [layers, 2, gates, hiddenSize, Swift.max(inputSize, 2 * hiddenSize) + hiddenSize + 2]) != nil else {
            throw DendriteError.invalidArgument(operation: description, argument: "sizes", reason: "the parameter count overflows")
        }
        self.kind = kind
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        layerCount = layers
        hasBias = bias
        self.batchFirst = batchFirst
        dropoutProbability = dropout
        isBidirectional = bidirectional
        self.projectionSize = projectionSize
        interLayerDropout = dropout > 0 && layers > 1 ? try Dropout(dropout) : nil
        let state = projectionSize > 0 ? projectionSize : hiddenSize, directions = bidirectional ? 2 : 1
        let bound = 1 / Float(hiddenSize).squareRoot()
        let initializer = Initializer.uniform(low: -bound, high: bound)
        func parameter(_ shape: [Int]) throws -> Parameter { Parameter(try initializer.make(shape, generator: &generator)) }
        var sets: [[RecurrentParameterSet]] = []
        for layer in 0..<layers {
            var directionSets: [RecurrentParameterSet] = []
            for _ in 0..<directions {
                let inputs = layer == 0 ? inputSize : directions * state
                directionSets.append(RecurrentParameterSet(
                    inputWeight: try parameter([gates * hiddenSize, inputs]), hiddenWeight: try parameter([gates * hiddenSize, state]),
                    inputBias: bias ? try parameter([gates * hiddenSize]) : nil, hiddenBias: bias ? try parameter([gates * hiddenSize]) : nil,
                    projection: projectionSize > 0 ? try parameter([projectionSize, hiddenSize]) : nil))
            }
            sets.append(directionSets)
        }
        layerParameters = sets
        super.init()
        for (layer, directionSets) in sets.enumerated() {
            for (direction, set) in directionSets.enumerated() {
                let suffix = "_l\(layer)" + (direction == 1 ? "_reverse" : "")
                register(parameter: set.inputWeight, named: "weight_ih" + suffix)
                register(parameter: set.hiddenWeight, named: "weight_hh" + suffix)
                if let b = set.inputBias { register(parameter: b, named: "bias_ih" + suffix) }
                if let b = set.hiddenBias { register(parameter: b, named: "bias_hh" + suffix) }
                if let p = set.projection { register(parameter: p, named: "weight_hr" + suffix) }
            }
        }
    }

    var layerDescription: String {
        "\(typeName)(\(inputSize) → \(hiddenSize)\(layerCount > 1 ? ", \(layerCount) layers" : "")\(isBidirectional ? ", bidirectional" : ""))"
    }

    /// The output sequence (the final states are dropped): what ``Sequential`` runs.
    public func forward(_ input: Tensor) throws -> Tensor {
        try run(input, initialState: nil, initialCell: nil, lengths: nil).output
    }

    /// Per sample `[T, inputSize]` → `[T, D·S]` (the batch axis, excluded here, is first when
    /// ``batchFirst``, as in a ``Sequential``).
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 2, shape[1] == inputSize else {
            throw DendriteError.shapeMismatch(operation: layerDescription, expected: "a sequence [T, \(inputSize)] per sample", got: "\(shape)")
        }
        return [shape[0], directionCount * stateSize]
    }
}
