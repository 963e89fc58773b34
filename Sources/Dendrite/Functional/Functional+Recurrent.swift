/// One recurrent layer's parameters for one direction, in PyTorch's shapes (`G` gates of size `H`:
/// 1 for RNN, 4 for LSTM, 3 for GRU; `S` the state size, LSTM's projection size or `H`).
struct RecurrentDirectionParameters {
    /// `weight_ih_l{k}` `[G·H, I]` and `weight_hh_l{k}` `[G·H, S]`.
    var inputWeight: Tensor, hiddenWeight: Tensor
    /// `bias_ih_l{k}`, `bias_hh_l{k}` `[G·H]`, or `nil`.
    var inputBias: Tensor?, hiddenBias: Tensor?
    /// LSTM's `weight_hr_l{k}` `[S, H]`, or `nil`.
    var projection: Tensor?

    var tensors: [Tensor] { [inputWeight, hiddenWeight] + [inputBias, hiddenBias, projection].compactMap { $0 } }
}

/// One layer of a recurrent network over a whole time-major sequence, in one or two directions,
/// as one op on the tape (backpropagation through time is its pullback, with the weight
/// gradients of all steps as one GEMM each).
///
/// - Parameters:
///   - input: `[T, B, I]`.
///   - initialState: `[D, B, S]`; `initialCell`: `[D, B, H]` (LSTM only).
///   - lengths: each batch row's length (1…T), for packed-sequence semantics, or `nil`.
/// - Returns: the output `[T, B, D·S]` (zero past each row's length), the final states
///   `[D, B, S]` (at each row's own last step) and, for LSTM, the final cells `[D, B, H]`.
func recurrentLayer(_ kind: RecurrentCellKind, input: Tensor, initialState: Tensor, initialCell: Tensor?,
                    parameters: [RecurrentDirectionParameters], lengths: [Int]?, operation: String) throws
    -> (output: Tensor, finalState: Tensor, finalCell: Tensor?) {
    guard input.rank == 3, let first = parameters.first else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "input [T, B, I]", got: "\(input.shape)")
    }
    let hidden = first.inputWeight.shape[0] / kind.gateCount
    let geometry = RecurrentGeometry(kind: kind, steps: input.shape[0], batch: input.shape[1], inputSize: input.shape[2],
                                     hiddenSize: hidden, stateSize: first.projection?.shape[0] ?? hidden,
                                     directions: parameters.count)
    try checkRecurrentShapes(geometry, initialState: initialState, initialCell: initialCell, parameters: parameters, operation: operation)
    let lengths64 = try lengths.map { try validatedLengths($0, geometry: geometry, operation: operation) }
    let weights = parameters.map {
        RecurrentDirectionWeights(input: $0.inputWeight, hidden: $0.hiddenWeight, inputBias: $0.inputBias,
                                  hiddenBias: $0.hiddenBias, projection: $0.projection)
    }
    // An LSTM without an initial cell starts from zeros (the other kinds have no cell).
    let cell = kind == .lstm ? initialCell ?? Tensor.filled([geometry.directions, geometry.batch, hidden], 0) : nil
    let (packed, traces) = RecurrentKernels.forward(geometry, input: input, initialStates: initialState, initialCells: cell,
                                                    weights: weights, lengths: lengths64)
    let tracked = [input, initialState] + (cell.map { [$0] } ?? []) + parameters.flatMap(\.tensors)
    let result = packed.recorded(operation, tracked) { gradient in
        let (directions, dState, dCell) = RecurrentKernels.backward(geometry, gradient: gradient, traces: traces,
                                                                    weights: weights, lengths: lengths64)
        var dInput = Tensor.gemmOutput(input.requiresGradient ? input.shape : [0])
        var gradients: [Tensor?] = [nil, try dState.reshaped(to: initialState.shape)]
        if kind == .lstm { gradients.append(try dCell?.reshaped(to: [geometry.directions, geometry.batch, hidden])) }
        let rows = geometry.steps * geometry.batch, width = geometry.gateWidth
        for (direction, (p, d)) in zip(parameters, directions).enumerated() {
            if input.requiresGradient {
                try gemm(m: rows, n: geometry.inputSize, k: width, a: d.inputGates, b: p.inputWeight, beta: direction == 0 ? 0 : 1, c: &dInput)
            }
            gradients.append(try weightGradient(p.inputWeight) { slot, beta in
                try gemm(transposeA: true, m: width, n: geometry.inputSize, k: rows, a: d.inputGates, b: input, beta: beta, c: &slot)
            })
            gradients.append(try weightGradient(p.hiddenWeight) { slot, beta in
                try gemm(transposeA: true, m: width, n: geometry.stateSize, k: rows, a: d.hiddenGates, b: traces[direction].states,
                         beta: beta, c: &slot)
            })
            // Both biases get the column sums of their gate gradients — one sum when those are the
            // same tensor (every kind but GRU).
            let inputBiasGradient = p.inputBias == nil ? nil : try d.inputGates.sum(alongAxes: [0])
            if p.inputBias != nil { gradients.append(inputBiasGradient) }
            if p.hiddenBias != nil {
                gradients.append(kind == .gru || inputBiasGradient == nil ? try d.hiddenGates.sum(alongAxes: [0]) : inputBiasGradient)
            }
            if let projection = p.projection, let states = d.states, let unprojected = traces[direction].unprojected {
                gradients.append(try weightGradient(projection) { slot, beta in
                    try gemm(transposeA: true, m: geometry.stateSize, n: hidden, k: rows, a: states, b: unprojected, beta: beta, c: &slot)
                })
            }
        }
        gradients[0] = input.requiresGradient ? dInput : nil
        return gradients
    }
    let output = try result.slice(0..<geometry.outputCount)
        .reshaped(to: [geometry.steps, geometry.batch, geometry.directions * geometry.stateSize])
    let stateEnd = geometry.outputCount + geometry.finalStateCount
    let finalState = try result.slice(geometry.outputCount..<stateEnd).reshaped(to: [geometry.directions, geometry.batch, geometry.stateSize])
    let finalCell = kind == .lstm
        ? try result.slice(stateEnd..<geometry.packedCount).reshaped(to: [geometry.directions, geometry.batch, hidden]) : nil
    return (output, finalState, finalCell)
}

/// A weight's gradient over all steps: written by `product` straight into the weight's arena slot
/// when it has one (`nil` is returned then), else into a new tensor. `product` gets the target and
/// the GEMM's beta (1 to add to a gradient already there).
private func weightGradient(_ weight: Tensor, _ product: (inout Tensor, Float) throws -> Void) throws -> Tensor? {
    guard weight.requiresGradient else { return nil }
    if try weight.writeGradientInPlace({ slot, accumulate in try product(&slot, accumulate ? 1 : 0) }) { return nil }
    var gradient = Tensor.gemmOutput(weight.shape)
    try product(&gradient, 0)
    return gradient
}

private func checkRecurrentShapes(_ g: RecurrentGeometry, initialState: Tensor, initialCell: Tensor?,
                                  parameters: [RecurrentDirectionParameters], operation: String) throws {
    func expect(_ tensor: Tensor, _ shape: [Int], _ name: String) throws {
        guard tensor.shape == shape else {
            throw DendriteError.shapeMismatch(operation: "\(operation) \(name)", expected: "\(shape)", got: "\(tensor.shape)")
        }
    }
    guard g.steps >= 1, g.batch >= 1, g.hiddenSize >= 1, [1, 2].contains(g.directions) else {
        throw DendriteError.invalidArgument(operation: operation, argument: "sizes",
                                            reason: "needs at least one step, one batch row and hidden size ≥ 1 (T \(g.steps), B \(g.batch))")
    }
    for p in parameters {
        try expect(p.inputWeight, [g.gateWidth, g.inputSize], "input weight")
        try expect(p.hiddenWeight, [g.gateWidth, g.stateSize], "hidden weight")
        if let bias = p.inputBias { try expect(bias, [g.gateWidth], "input bias") }
        if let bias = p.hiddenBias { try expect(bias, [g.gateWidth], "hidden bias") }
        if let projection = p.projection { try expect(projection, [g.stateSize, g.hiddenSize], "projection weight") }
        guard (p.projection != nil) == (parameters[0].projection != nil) else {
            throw DendriteError.invalidArgument(operation: operation, argument: "projection", reason: "every direction needs the same weights")
        }
    }
    try expect(initialState, [g.directions, g.batch, g.stateSize], "initial state")
    if let initialCell { try expect(initialCell, [g.directions, g.batch, g.hiddenSize], "initial cell") }
}

private func validatedLengths(_ lengths: [Int], geometry g: RecurrentGeometry, operation: String) throws -> [Int64] {
    guard lengths.count == g.batch else {
        throw DendriteError.invalidArgument(operation: operation, argument: "lengths",
                                            reason: "has \(lengths.count) entries for a batch of \(g.batch)")
    }
    if let bad = lengths.first(where: { $0 < 1 || $0 > g.steps }) {
        throw DendriteError.invalidArgument(operation: operation, argument: "lengths",
                                            reason: "length \(bad) is outside 1…\(g.steps) (the padded sequence length)")
    }
    return lengths.map(Int64.init)
}
