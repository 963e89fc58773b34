/// The nonlinearity of an ``RNN`` or ``RNNCell``: `tanh` (PyTorch's default) or `relu`.
public enum RNNNonlinearity: String, Sendable {
    case tanh, relu
}

/// An Elman recurrent network (`nn.RNN`): `h_t = act(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh)`,
/// stacked `layers` deep, optionally bidirectional.
///
/// ```swift
/// let rnn = try RNN(inputSize: 28, hiddenSize: 64, layers: 2, batchFirst: true)
/// let (output, state) = try rnn(x, initialState: nil)   // [B, T, 64], [2, B, 64]
/// let sequence = try rnn(x)                             // the output alone, as in a Sequential
/// ```
public final class RNN: RecurrentNetwork {
    /// `tanh` or `relu`.
    public let nonlinearity: RNNNonlinearity

    /// Creates the network with PyTorch's options and initialization (uniform in ±1/√hidden).
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for sizes below 1
    ///   or a dropout outside [0, 1).
    public init(inputSize: Int, hiddenSize: Int, layers: Int = 1, nonlinearity: RNNNonlinearity = .tanh, bias: Bool = true,
                batchFirst: Bool = false, dropout: Float = 0, bidirectional: Bool = false,
                generator: inout RandomGenerator) throws {
        self.nonlinearity = nonlinearity
        try super.init(kind: nonlinearity == .tanh ? .rnnTanh : .rnnReLU, name: "RNN", inputSize: inputSize, hiddenSize: hiddenSize,
                       layers: layers, bias: bias, batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional,
                       projectionSize: 0, generator: &generator)
    }

    /// Creates the network drawing from ``RandomGenerator/global``.
    public convenience init(inputSize: Int, hiddenSize: Int, layers: Int = 1, nonlinearity: RNNNonlinearity = .tanh, bias: Bool = true,
                            batchFirst: Bool = false, dropout: Float = 0, bidirectional: Bool = false) throws {
        try self.init(inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, nonlinearity: nonlinearity, bias: bias,
                      batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, generator: &RandomGenerator.global)
    }

    /// Runs the sequence from `initialState` `[L·D, B, H]` (zeros when `nil`); `lengths` gives
    /// each batch row's length (packed-sequence semantics). Returns the output `[T, B, D·H]`
    /// (`[B, T, D·H]` batch-first) and the final state `[L·D, B, H]`.
    public func callAsFunction(_ input: Tensor, initialState: Tensor? = nil, lengths: [Int]? = nil) throws
        -> (output: Tensor, state: Tensor) {
        let result = try run(input, initialState: initialState, initialCell: nil, lengths: lengths)
        return (result.output, result.state)
    }
}

/// A gated recurrent unit network (`nn.GRU`), gates r, z, n in PyTorch's order:
/// `r = σ(W_ir·x + b_ir + W_hr·h + b_hr)`, `z = σ(…)`, `n = tanh(W_in·x + b_in + r·(W_hn·h + b_hn))`,
/// `h' = (1 − z)·n + z·h`.
public final class GRU: RecurrentNetwork {
    /// Creates the network with PyTorch's options and initialization (uniform in ±1/√hidden).
    ///
    /// - Throws: as ``RNN/init(inputSize:hiddenSize:layers:nonlinearity:bias:batchFirst:dropout:bidirectional:generator:)``.
    public init(inputSize: Int, hiddenSize: Int, layers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Float = 0, bidirectional: Bool = false, generator: inout RandomGenerator) throws {
        try super.init(kind: .gru, name: "GRU", inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, bias: bias,
                       batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, projectionSize: 0, generator: &generator)
    }

    /// Creates the network drawing from ``RandomGenerator/global``.
    public convenience init(inputSize: Int, hiddenSize: Int, layers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                            dropout: Float = 0, bidirectional: Bool = false) throws {
        try self.init(inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, bias: bias, batchFirst: batchFirst,
                      dropout: dropout, bidirectional: bidirectional, generator: &RandomGenerator.global)
    }

    /// As ``RNN/callAsFunction(_:initialState:lengths:)``.
    public func callAsFunction(_ input: Tensor, initialState: Tensor? = nil, lengths: [Int]? = nil) throws
        -> (output: Tensor, state: Tensor) {
        let result = try run(input, initialState: initialState, initialCell: nil, lengths: lengths)
        return (result.output, result.state)
    }
}

/// An LSTM's state: `h` `[L·D, B, S]` and `c` `[L·D, B, H]` (PyTorch's `(h_n, c_n)`).
public struct LSTMState {
    /// The hidden state (after the projection, when there is one).
    public var hidden: Tensor
    /// The cell state.
    public var cell: Tensor

    /// Creates a state from its two tensors.
    public init(hidden: Tensor, cell: Tensor) {
        self.hidden = hidden
        self.cell = cell
    }

    /// The same values cut from the graph: carry it to the next batch for truncated
    /// backpropagation through time.
    public func detached() -> LSTMState { LSTMState(hidden: hidden.detached(), cell: cell.detached()) }
}

/// A long short-term memory network (`nn.LSTM`), gates i, f, g, o in PyTorch's order:
/// `c' = f·c + i·g`, `h' = o·tanh(c')` — projected by `weight_hr` to `projectionSize` features
/// when that is above 0 (PyTorch's `proj_size`).
public final class LSTM: RecurrentNetwork {
    /// Creates the network with PyTorch's options and initialization (uniform in ±1/√hidden).
    ///
    /// - Throws: as ``RNN/init(inputSize:hiddenSize:layers:nonlinearity:bias:batchFirst:dropout:bidirectional:generator:)``,
    ///   and for a projection size not in 0..<hiddenSize.
    public init(inputSize: Int, hiddenSize: Int, layers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                dropout: Float = 0, bidirectional: Bool = false, projectionSize: Int = 0, generator: inout RandomGenerator) throws {
        try super.init(kind: .lstm, name: "LSTM", inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, bias: bias,
                       batchFirst: batchFirst, dropout: dropout, bidirectional: bidirectional, projectionSize: projectionSize,
                       generator: &generator)
    }

    /// Creates the network drawing from ``RandomGenerator/global``.
    public convenience init(inputSize: Int, hiddenSize: Int, layers: Int = 1, bias: Bool = true, batchFirst: Bool = false,
                            dropout: Float = 0, bidirectional: Bool = false, projectionSize: Int = 0) throws {
        try self.init(inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, bias: bias, batchFirst: batchFirst,
                      dropout: dropout, bidirectional: bidirectional, projectionSize: projectionSize, generator: &RandomGenerator.global)
    }

    /// Runs the sequence from `initialState` (zeros when `nil`); `lengths` gives each batch row's
    /// length (packed-sequence semantics). Returns the output `[T, B, D·S]` (`[B, T, D·S]`
    /// batch-first) and the final state.
    public func callAsFunction(_ input: Tensor, initialState: LSTMState? = nil, lengths: [Int]? = nil) throws
        -> (output: Tensor, state: LSTMState) {
        let result = try run(input, initialState: initialState?.hidden, initialCell: initialState?.cell, lengths: lengths)
        let cell = result.cell ?? result.state
        return (result.output, LSTMState(hidden: result.state, cell: cell))
    }
}
