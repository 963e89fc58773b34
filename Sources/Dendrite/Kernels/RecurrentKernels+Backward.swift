import CDendrite

/// One direction's gradients with respect to its gate pre-activations, every step (time-indexed).
/// The weight gradients are GEMMs over all steps at once (`recurrentLayer`'s pullback).
struct RecurrentDirectionGradients {
    /// `[T·B, G·H]`: ∂L/∂(x·W_ihᵀ + b_ih) per step.
    var inputGates: Tensor
    /// `[T·B, G·H]`: ∂L/∂(h·W_hhᵀ + b_hh) per step (the same tensor as `inputGates` except for GRU).
    var hiddenGates: Tensor
    /// LSTM with projection: `[T·B, S]`, ∂L/∂h per step (zero past a sequence's end).
    var states: Tensor?
}

extension RecurrentKernels {
    /// Backpropagation through time for every direction, from the gradient of the packed result
    /// (output, final states, final cells). Returns the per-step gate gradients and the gradients
    /// of the initial states `[D·B·S]` and cells `[D·B·H]`.
    static func backward(_ geometry: RecurrentGeometry, gradient: Tensor, traces: [RecurrentTrace],
                         weights: [RecurrentDirectionWeights], lengths: [Int64]?)
        -> (directions: [RecurrentDirectionGradients], initialStates: Tensor, initialCells: Tensor?) {
        let g = geometry
        let initialStates = TensorStorage(uninitializedCount: g.finalStateCount)
        let initialCells = g.hasCell ? TensorStorage(uninitializedCount: g.finalCellCount) : nil
        var directions: [RecurrentDirectionGradients] = []
        for direction in 0..<g.directions {
            directions.append(backwardDirection(g, direction: direction, gradient: gradient, trace: traces[direction],
                                                weights: weights[direction], lengths: lengths,
                                                initialStates: initialStates, initialCells: initialCells))
        }
        return (directions, Tensor(shape: [g.finalStateCount], storage: initialStates),
                initialCells.map { Tensor(shape: [g.finalCellCount], storage: $0) })
    }

    private static func backwardDirection(_ g: RecurrentGeometry, direction: Int, gradient: Tensor, trace: RecurrentTrace,
                                          weights w: RecurrentDirectionWeights, lengths: [Int64]?,
                                          initialStates: TensorStorage, initialCells: TensorStorage?) -> RecurrentDirectionGradients {
        let (steps, batch, hidden, state, width) = (g.steps, g.batch, g.hiddenSize, g.stateSize, g.gateWidth)
        let reverse = direction == 1, rows = steps * batch
        let upstream = gradient.storage.base, outputStride = g.directions * state
        // ∂L/∂h and ∂L/∂c flowing backwards, starting from the final state's and cell's gradients.
        let dh = UnsafeMutablePointer<Float>.allocate(capacity: batch * state)
        dh.update(from: upstream + g.outputCount + direction * batch * state, count: batch * state)
        let dc = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, batch * hidden))
        if g.hasCell { dc.update(from: upstream + g.outputCount + g.finalStateCount + direction * batch * hidden, count: batch * hidden) }
        defer { dh.deallocate(); dc.deallocate() }
        let inputGates = TensorStorage(uninitializedCount: rows * width)
        let hiddenGates = g.kind == .gru ? TensorStorage(uninitializedCount: rows * width) : inputGates
        let projected = g.hasCell && w.projection != nil
        let stateGradients = projected ? TensorStorage(uninitializedCount: rows * state) : nil
        let dm = projected ? UnsafeMutablePointer<Float>.allocate(capacity: batch * hidden) : nil
        defer { dm?.deallocate() }
        let states = trace.states.storage.base, gates = trace.gates.storage.base
        // Each chunk of batch rows runs back through every step on its own core (see forward).
        forEachRowChunk(batch: batch, lengths: lengths) { r0, count, lengthPointer in
            let n64 = Int64(count), h64 = Int64(hidden), s64 = Int64(state)
            let dh = dh + r0 * state, dc = dc + r0 * hidden, dm = dm.map { $0 + r0 * hidden }
            for k in 0..<steps {
                let t = reverse ? k : steps - 1 - k
                let blocks = stateBlocks(t, reverse: reverse, steps: steps)
                let time = Int64(t)
                let stepGates = gates + (t * batch + r0) * width, dGates = inputGates.base + (t * batch + r0) * width
                dd_rnn_add_active_rows(n64, s64, dh, upstream + (t * batch + r0) * outputStride + direction * state,
                                       Int64(outputStride), lengthPointer, time)
                var dHiddenGates = dGates
                switch g.kind {
                case .rnnTanh, .rnnReLU:
                    dd_rnn_step_backward(n64, h64, states + (blocks.next * batch + r0) * state, dh, dGates,
                                         g.kind == .rnnReLU ? 1 : 0, lengthPointer, time)
                case .lstm:
                    let cells = trace.cells!.storage.base
                    var cellGradient = UnsafePointer(dh)
                    if let stateGradients, let dm, let projection = w.projection {
                        let stepStates = stateGradients.base + (t * batch + r0) * state
                        dd_rnn_masked_copy(n64, s64, dh, s64, stepStates, s64, lengthPointer, time)
                        gemmUnchecked(transposeA: false, transposeB: false, m: count, n: hidden, k: state, alpha: 1, a: stepStates,
                                      lda: state, b: projection.storage.base, ldb: hidden, beta: 0, c: dm, ldc: hidden)
                        cellGradient = UnsafePointer(dm)
                    }
                    dd_lstm_step_backward(n64, h64, stepGates, cells + (blocks.previous * batch + r0) * hidden,
                                          cells + (blocks.next * batch + r0) * hidden, cellGradient, dc, dGates, lengthPointer, time)
                    dd_rnn_zero_active_rows(n64, s64, dh, lengthPointer, time)
                case .gru:
                    dHiddenGates = hiddenGates.base + (t * batch + r0) * width
                    dd_gru_step_backward(n64, h64, stepGates, trace.hiddenCandidates!.storage.base + (t * batch + r0) * hidden,
                                         states + (blocks.previous * batch + r0) * state, dh, dGates, dHiddenGates, lengthPointer, time)
                }
                // ∂L/∂h_prev += ∂L/∂(hidden gates) · W_hh.
                gemmUnchecked(transposeA: false, transposeB: false, m: count, n: state, k: width, alpha: 1, a: dHiddenGates,
                              lda: width, b: w.hidden.storage.base, ldb: state, beta: 1, c: dh, ldc: state,
                              thinOnOneThread: false)
            }
        }
        (initialStates.base + direction * batch * state).update(from: dh, count: batch * state)
        if let initialCells { (initialCells.base + direction * batch * hidden).update(from: dc, count: batch * hidden) }
        let input = Tensor(shape: [rows, width], storage: inputGates)
        return RecurrentDirectionGradients(inputGates: input,
                                           hiddenGates: g.kind == .gru ? Tensor(shape: [rows, width], storage: hiddenGates) : input,
                                           states: stateGradients.map { Tensor(shape: [rows, state], storage: $0) })
    }
}
