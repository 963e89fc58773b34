/// What the three cells share: one step of the recurrence, PyTorch's `weight_ih` `[G·H, I]`,
/// `weight_hh` `[G·H, H]`, `bias_ih` and `bias_hh` `[G·H]`, uniform in ±1/√H. A step is the
/// fused recurrent op over one time step.
public class RecurrentCell: Module {
    let kind: RecurrentCellKind
    /// Input features.
    public let inputSize: Int
    /// H: hidden features.
    public let hiddenSize: Int
    /// `[G·H, I]`.
    public let weightIh: Parameter
    /// `[G·H, H]`.
    public let weightHh: Parameter
    /// `[G·H]`, or `nil` without bias.
    public let biasIh: Parameter?
    /// `[G·H]`, or `nil` without bias.
    public let biasHh: Parameter?

    init(kind: RecurrentCellKind, name: String, inputSize: Int, hiddenSize: Int, bias: Bool, generator: inout RandomGenerator) throws {
        guard inputSize >= 1, hiddenSize >= 1, inputSize <= Int.max / 2, hiddenSize <= Int.max / 2, Tensor.checkedElementCount(of: [4, hiddenSize, inputSize + hiddenSize]) != nil else {
            throw DendriteError.invalidArgument(operation: "\(name)(\(inputSize), \(hiddenSize))", argument: "sizes",
                                                reason: "input and hidden sizes must be ≥ 1 and their weights countable")
        }
        self.kind = kind
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        let bound = 1 / Float(hiddenSize).squareRoot(), width = kind.gateCount * hiddenSize
        let initializer = Initializer.uniform(low: -bound, high: bound)
        weightIh = Parameter(try initializer.make([width, inputSize], generator: &generator))
        weightHh = Parameter(try initializer.make([width, hiddenSize], generator: &generator))
        biasIh = bias ? Parameter(try initializer.make([width], generator: &generator)) : nil
        biasHh = bias ? Parameter(try initializer.make([width], generator: &generator)) : nil
        super.init()
    }

    /// One step from `input` `[B, I]` (or `[I]`) and the state `[B, H]` (`[H]`; zeros when `nil`).
    func step(_ input: Tensor, state: Tensor?, cell: Tensor?) throws -> (state: Tensor, cell: Tensor?) {
        let name = "\(typeName)(\(inputSize), \(hiddenSize))"
        guard (input.rank == 1 || input.rank == 2), input.shape.last == inputSize else {
            throw DendriteError.shapeMismatch(operation: name, expected: "input [B, \(inputSize)] or [\(inputSize)]", got: "\(input.shape)")
        }
        let unbatched = input.rank == 1, batch = unbatched ? 1 : input.shape[0]
        func prepared(_ tensor: Tensor?, _ what: String) throws -> Tensor? {
            guard let tensor else { return nil }
            let expected = unbatched ? [hiddenSize] : [batch, hiddenSize]
            guard tensor.shape == expected else {
                throw DendriteError.shapeMismatch(operation: "\(name) \(what)", expected: "\(expected)", got: "\(tensor.shape)")
            }
            return try tensor.reshaped(to: [1, batch, hiddenSize])
        }
        let parameters = RecurrentDirectionParameters(inputWeight: weightIh.tensor, hiddenWeight: weightHh.tensor,
                                                      inputBias: biasIh?.tensor, hiddenBias: biasHh?.tensor, projection: nil)
        let result = try recurrentLayer(kind, input: try input.reshaped(to: [1, batch, inputSize]),
                                        initialState: try prepared(state, "state") ?? Tensor.filled([1, batch, hiddenSize], 0),
                                        initialCell: try prepared(cell, "cell"), parameters: [parameters], lengths: nil, operation: name)
        let shape = unbatched ? [hiddenSize] : [batch, hiddenSize]
        return (try result.finalState.reshaped(to: shape), try result.finalCell?.reshaped(to: shape))
    }
}

/// One step of an Elman RNN (`nn.RNNCell`): `h' = act(W_ih·x + b_ih + W_hh·h + b_hh)`.
public final class RNNCell: RecurrentCell {
    /// `tanh` or `relu`.
    public let nonlinearity: RNNNonlinearity

    /// Creates the cell with PyTorch's initialization.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for sizes below 1.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, nonlinearity: RNNNonlinearity = .tanh,
                generator: inout RandomGenerator) throws {
        self.nonlinearity = nonlinearity
        try super.init(kind: nonlinearity == .tanh ? .rnnTanh : .rnnReLU, name: "RNNCell", inputSize: inputSize, hiddenSize: hiddenSize,
                       bias: bias, generator: &generator)
    }

    /// Creates the cell drawing from ``RandomGenerator/global``.
    public convenience init(inputSize: Int, hiddenSize: Int, bias: Bool = true, nonlinearity: RNNNonlinearity = .tanh) throws {
        try self.init(inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, nonlinearity: nonlinearity, generator: &RandomGenerator.global)
    }

    /// The next state `[B, H]` from `input` `[B, I]` and `state` (zeros when `nil`).
    public func callAsFunction(_ input: Tensor, state: Tensor? = nil) throws -> Tensor {
        try step(input, state: state, cell: nil).state
    }
}

/// One step of a GRU (`nn.GRUCell`), gates r, z, n.
public final class GRUCell: RecurrentCell {
    /// Creates the cell with PyTorch's initialization.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for sizes below 1.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, generator: inout RandomGenerator) throws {
        try super.init(kind: .gru, name: "GRUCell", inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, generator: &generator)
    }

    /// Creates the cell drawing from ``RandomGenerator/global``.
    public convenience init(inputSize: Int, hiddenSize: Int, bias: Bool = true) throws {
        try self.init(inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, generator: &RandomGenerator.global)
    }

    /// The next state `[B, H]` from `input` `[B, I]` and `state` (zeros when `nil`).
    public func callAsFunction(_ input: Tensor, state: Tensor? = nil) throws -> Tensor {
        try step(input, state: state, cell: nil).state
    }
}

/// One step of an LSTM (`nn.LSTMCell`), gates i, f, g, o.
public final class LSTMCell: RecurrentCell {
    /// Creates the cell with PyTorch's initialization.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for sizes below 1.
    public init(inputSize: Int, hiddenSize: Int, bias: Bool = true, generator: inout RandomGenerator) throws {
        try super.init(kind: .lstm, name: "LSTMCell", inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, generator: &generator)
    }

    /// Creates the cell drawing from ``RandomGenerator/global``.
    public convenience init(inputSize: Int, hiddenSize: Int, bias: Bool = true) throws {
        try self.init(inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, generator: &RandomGenerator.global)
    }

    /// The next `(h, c)`, each `[B, H]`, from `input` `[B, I]` and `state` (zeros when `nil`).
    public func callAsFunction(_ input: Tensor, state: LSTMState? = nil) throws -> LSTMState {
        let result = try step(input, state: state?.hidden, cell: state?.cell)
        return LSTMState(hidden: result.state, cell: result.cell ?? result.state)
    }
}
