extension RecurrentNetwork {
    /// Runs every layer over `input` — `[T, B, I]`, `[B, T, I]` when ``batchFirst``, or unbatched
    /// `[T, I]` — from `initialState` `[L·D, B, S]` (`[L·D, S]` unbatched; zeros when `nil`) and,
    /// for an LSTM, `initialCell` `[L·D, B, H]`.
    ///
    /// Returns the last layer's output `[T, B, D·S]` (in the input's layout) and the final state
    /// (and cell) of every layer and direction, stacked as PyTorch's `h_n` (`c_n`).
    func run(_ input: Tensor, initialState: Tensor?, initialCell: Tensor?, lengths: [Int]?) throws
        -> (output: Tensor, state: Tensor, cell: Tensor?) {
        let name = layerDescription
        guard input.rank == 2 || input.rank == 3, input.shape.last == inputSize else {
            throw DendriteError.shapeMismatch(operation: name, expected: batchFirst ? "input [B, T, \(inputSize)] or [T, \(inputSize)]"
                                                : "input [T, B, \(inputSize)] or [T, \(inputSize)]", got: "\(input.shape)")
        }
        let unbatched = input.rank == 2
        var sequence = unbatched ? try input.expandingShape(at: 1) : (batchFirst ? try input.transposed(0, 1) : input)
        let (batch, stacked) = (sequence.shape[1], layerCount * directionCount)
        func prepared(_ state: Tensor?, _ size: Int, _ what: String) throws -> Tensor? {
            guard let state else { return nil }
            let expected = unbatched ? [stacked, size] : [stacked, batch, size]
            guard state.shape == expected else {
                throw DendriteError.shapeMismatch(operation: "\(name) initial \(what)", expected: "\(expected)", got: "\(state.shape)")
            }
            return unbatched ? try state.expandingShape(at: 1) : state
        }
        let state0 = try prepared(initialState, stateSize, "state") ?? Tensor.filled([stacked, batch, stateSize], 0)
        let cell0 = kind == .lstm ? try prepared(initialCell, hiddenSize, "cell") : nil
        if let lengths, unbatched, lengths != [sequence.shape[0]] {
            throw DendriteError.invalidArgument(operation: name, argument: "lengths \(lengths)", reason: "an unbatched sequence has one length, its own")
        }
        var states: [Tensor] = [], cells: [Tensor] = []
        for (layer, sets) in layerParameters.enumerated() {
            let rows = (layer * directionCount)..<((layer + 1) * directionCount)
            let result = try recurrentLayer(kind, input: sequence, initialState: try state0.slice(rows),
                                            initialCell: try cell0?.slice(rows), parameters: sets.map(\.tensors),
                                            lengths: lengths, operation: layerCount > 1 ? "\(name) layer \(layer)" : name)
            sequence = result.output
            if let dropout = interLayerDropout, layer < layerCount - 1 { sequence = try dropout.forward(sequence) }
            states.append(result.finalState)
            if let cell = result.finalCell { cells.append(cell) }
        }
        var state = try Tensor.concat(states, alongAxis: 0)
        var cell = kind == .lstm ? try Tensor.concat(cells, alongAxis: 0) : nil
        if unbatched {
            sequence = try sequence.reshaped(to: [sequence.shape[0], sequence.shape[2]])
            state = try state.reshaped(to: [stacked, stateSize])
            cell = try cell?.reshaped(to: [stacked, hiddenSize])
        } else if batchFirst {
            sequence = try sequence.transposed(0, 1)
        }
        return (sequence, state, cell)
    }
}
