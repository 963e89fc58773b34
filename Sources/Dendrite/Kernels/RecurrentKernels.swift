import CDendrite

// The fused recurrent layer: one layer of an RNN, LSTM or GRU over a whole sequence, in every
// direction, as one op. Per direction the input projection of all steps is one GEMM; each step is
// one hidden GEMM and one C kernel (CDendrite/recurrent.c) for the gates and the state update.
// Everything the backward pass needs is kept in a `RecurrentTrace` per direction, time-indexed.
//
// Layout: the input is time-major `[T, B, I]`; the output `[T, B, D·S]` puts direction d's
// state (size S: the hidden size, or LSTM's projection size) in columns d·S..<(d+1)·S.

/// The recurrence a fused recurrent op runs.
enum RecurrentCellKind: Equatable, Sendable {
    case rnnTanh, rnnReLU, lstm, gru

    /// Gate blocks in the stacked weights (PyTorch's order: LSTM i, f, g, o; GRU r, z, n).
    var gateCount: Int {
        switch self {
        case .rnnTanh, .rnnReLU: return 1
        case .lstm: return 4
        case .gru: return 3
        }
    }
}

/// Sizes of one fused recurrent layer.
struct RecurrentGeometry: Equatable {
    var kind: RecurrentCellKind
    /// T, B, I.
    var steps: Int, batch: Int, inputSize: Int
    /// H: the size of each gate and of LSTM's cell.
    var hiddenSize: Int
    /// S: the state and output size per direction (LSTM's projection size, else H).
    var stateSize: Int
    /// D: 1, or 2 when bidirectional.
    var directions: Int

    var gateWidth: Int { kind.gateCount * hiddenSize }
    var hasCell: Bool { kind == .lstm }
    var outputCount: Int { steps * batch * directions * stateSize }
    var finalStateCount: Int { directions * batch * stateSize }
    var finalCellCount: Int { hasCell ? directions * batch * hiddenSize : 0 }
    /// Output, final states and final cells, one after the other.
    var packedCount: Int { outputCount + finalStateCount + finalCellCount }
}

/// One direction's parameters, shaped as PyTorch's.
struct RecurrentDirectionWeights {
    /// `[G·H, I]`, `[G·H, S]`.
    var input: Tensor, hidden: Tensor
    /// `[G·H]` each, or `nil` without bias.
    var inputBias: Tensor?, hiddenBias: Tensor?
    /// LSTM's `[S, H]` projection, or `nil`.
    var projection: Tensor?
}

/// What one direction's forward pass leaves for its backward pass (all time-indexed).
struct RecurrentTrace {
    /// `[T·B, G·H]`: the gate activations of every step.
    var gates: Tensor
    /// `[(T+1)·B, S]`: row block t is the state before step t; block T is the final state.
    var states: Tensor
    /// LSTM: `[(T+1)·B, H]`, cells indexed as `states`.
    var cells: Tensor?
    /// LSTM with projection: `[T·B, H]`, o·tanh(c) before the projection.
    var unprojected: Tensor?
    /// GRU: `[T·B, H]`, the hidden side of the n gate, W_hn·h + b_hn.
    var hiddenCandidates: Tensor?
}

enum RecurrentKernels {
    /// Runs the layer. `initialStates` is `[D·B·S]`, `initialCells` `[D·B·H]` (LSTM); `lengths`
    /// (one per batch row, 1…T) switches on packed-sequence semantics.
    static func forward(_ geometry: RecurrentGeometry, input x: Tensor, initialStates: Tensor, initialCells: Tensor?,
                        weights: [RecurrentDirectionWeights], lengths: [Int64]?) -> (packed: Tensor, traces: [RecurrentTrace]) {
        let g = geometry
        let packed = TensorStorage(uninitializedCount: g.packedCount)
        var traces: [RecurrentTrace] = []
        for direction in 0..<g.directions {
            traces.append(forwardDirection(g, direction: direction, x: x, initialStates: initialStates, initialCells: initialCells,
                                           weights: weights[direction], lengths: lengths, packed: packed))
        }
        return (Tensor(shape: [g.packedCount], storage: packed), traces)
    }

    /// Rows of the state block that step `t` reads (`previous`) and writes (`next`): forward,
    /// t → t+1; in reverse, t → t−1, the last step (t = 0) writing block T.
    static func stateBlocks(_ t: Int, reverse: Bool, steps: Int) -> (previous: Int, next: Int) {
        (t, reverse ? (t == 0 ? steps : t - 1) : t + 1)
    }

    private static func forwardDirection(_ g: RecurrentGeometry, direction: Int, x: Tensor, initialStates: Tensor,
                                         initialCells: Tensor?, weights w: RecurrentDirectionWeights, lengths: [Int64]?,
                                         packed: TensorStorage) -> RecurrentTrace {
        let (steps, batch, hidden, state, width) = (g.steps, g.batch, g.hiddenSize, g.stateSize, g.gateWidth)
        let reverse = direction == 1
        let rows = steps * batch
        // The input projection of every step, with the biases that are plain sums folded in.
        let gates = TensorStorage(uninitializedCount: rows * width)
        let bias = foldedBias(g.kind, w, width: width, hidden: hidden)
        if let bias {
            for r in 0..<rows { (gates.base + r * width).update(from: bias, count: width) }
            bias.deallocate()
        }
        gemmUnchecked(transposeA: false, transposeB: true, m: rows, n: width, k: g.inputSize, alpha: 1, a: x.storage.base,
                      lda: g.inputSize, b: w.input.storage.base, ldb: g.inputSize, beta: bias == nil ? 0 : 1,
                      c: gates.base, ldc: width)
        let states = TensorStorage(uninitializedCount: (steps + 1) * batch * state)
        let firstBlock = reverse ? steps - 1 : 0
        (states.base + firstBlock * batch * state).update(from: initialStates.storage.base + direction * batch * state, count: batch * state)
        let cells = g.hasCell ? TensorStorage(uninitializedCount: (steps + 1) * batch * hidden) : nil
        if let cells, let initialCells {
            (cells.base + firstBlock * batch * hidden).update(from: initialCells.storage.base + direction * batch * hidden, count: batch * hidden)
        }
        let projected = g.hasCell && w.projection != nil
        let unprojected = projected ? TensorStorage(uninitializedCount: rows * hidden) : nil
        let candidates = g.kind == .gru ? TensorStorage(uninitializedCount: rows * hidden) : nil
        let hiddenGates = g.kind == .gru ? TensorStorage(uninitializedCount: batch * width) : nil
        let outputStride = g.directions * state
        // Batch rows recur independently: each chunk of rows runs every step on its own core
        // (OpenBLAS single-threaded), with no hand-over between cores inside the sequence.
        forEachRowChunk(batch: batch, lengths: lengths) { r0, count, lengthPointer in
            let n64 = Int64(count), h64 = Int64(hidden), s64 = Int64(state)
            for k in 0..<steps {
                let t = reverse ? steps - 1 - k : k
                let blocks = stateBlocks(t, reverse: reverse, steps: steps)
                let previous = states.base + (blocks.previous * batch + r0) * state, next = states.base + (blocks.next * batch + r0) * state
                let stepGates = gates.base + (t * batch + r0) * width
                let time = Int64(t)
                switch g.kind {
                case .rnnTanh, .rnnReLU:
                    gemmUnchecked(transposeA: false, transposeB: true, m: count, n: width, k: state, alpha: 1, a: previous, lda: state,
                                  b: w.hidden.storage.base, ldb: state, beta: 1, c: stepGates, ldc: width, thinOnOneThread: false)
                    dd_rnn_step_forward(n64, h64, stepGates, previous, next, g.kind == .rnnReLU ? 1 : 0, lengthPointer, time)
                case .lstm:
                    gemmUnchecked(transposeA: false, transposeB: true, m: count, n: width, k: state, alpha: 1, a: previous, lda: state,
                                  b: w.hidden.storage.base, ldb: state, beta: 1, c: stepGates, ldc: width, thinOnOneThread: false)
                    let cellPrevious = cells!.base + (blocks.previous * batch + r0) * hidden
                    let cellNext = cells!.base + (blocks.next * batch + r0) * hidden
                    if let unprojected, let projection = w.projection {
                        let m = unprojected.base + (t * batch + r0) * hidden
                        dd_lstm_step_forward(n64, h64, stepGates, cellPrevious, cellNext, m, nil, 0, lengthPointer, time)
                        gemmUnchecked(transposeA: false, transposeB: true, m: count, n: state, k: hidden, alpha: 1, a: m, lda: hidden,
                                      b: projection.storage.base, ldb: hidden, beta: 0, c: next, ldc: state)
                        dd_rnn_copy_inactive_rows(n64, s64, next, previous, lengthPointer, time)
                    } else {
                        dd_lstm_step_forward(n64, h64, stepGates, cellPrevious, cellNext, next, previous, s64, lengthPointer, time)
                    }
                case .gru:
                    let hg = hiddenGates!.base + r0 * width
                    if let hiddenBias = w.hiddenBias {
                        for r in 0..<count { (hg + r * width).update(from: hiddenBias.storage.base, count: width) }
                    }
                    gemmUnchecked(transposeA: false, transposeB: true, m: count, n: width, k: state, alpha: 1, a: previous, lda: state,
                                  b: w.hidden.storage.base, ldb: state, beta: w.hiddenBias == nil ? 0 : 1, c: hg, ldc: width)
                    dd_gru_step_forward(n64, h64, stepGates, hg, previous, next, candidates!.base + (t * batch + r0) * hidden,
                                        lengthPointer, time)
                }
                dd_rnn_masked_copy(n64, s64, next, s64, packed.base + (t * batch + r0) * outputStride + direction * state,
                                   Int64(outputStride), lengthPointer, time)
            }
        }
        // Final state and cell (block T) into the packed result.
        (packed.base + g.outputCount + direction * batch * state).update(from: states.base + steps * batch * state, count: batch * state)
        if let cells {
            (packed.base + g.outputCount + g.finalStateCount + direction * batch * hidden)
                .update(from: cells.base + steps * batch * hidden, count: batch * hidden)
        }
        return RecurrentTrace(gates: Tensor(shape: [rows, width], storage: gates),
                              states: Tensor(shape: [(steps + 1) * batch, state], storage: states),
                              cells: cells.map { Tensor(shape: [(steps + 1) * batch, hidden], storage: $0) },
                              unprojected: unprojected.map { Tensor(shape: [rows, hidden], storage: $0) },
                              hiddenCandidates: candidates.map { Tensor(shape: [rows, hidden], storage: $0) })
    }

    /// The bias added to every step's input projection, or `nil` without bias: b_ih + b_hh for
    /// RNN and LSTM; for GRU b_ih only (b_hh goes with each step's hidden product, since its n
    /// part sits inside r·(W_hn·h + b_hn)). The caller deallocates it.
    private static func foldedBias(_ kind: RecurrentCellKind, _ w: RecurrentDirectionWeights, width: Int,
                                   hidden: Int) -> UnsafeMutablePointer<Float>? {
        guard w.inputBias != nil || w.hiddenBias != nil else { return nil }
        let bias = UnsafeMutablePointer<Float>.allocate(capacity: width)
        bias.initialize(repeating: 0, count: width)
        if let inputBias = w.inputBias { for j in 0..<width { bias[j] += inputBias.storage.base[j] } }
        if kind != .gru, let hiddenBias = w.hiddenBias { for j in 0..<width { bias[j] += hiddenBias.storage.base[j] } }
        return bias
    }

    /// Calls `body(firstRow, rowCount, lengths)` for each chunk of the batch rows — one chunk per
    /// BLAS thread, run concurrently with OpenBLAS single-threaded, when the batch has at least 8
    /// rows per chunk; else one chunk with the per-step GEMMs on every thread. `lengths` points at
    /// the chunk's first row's length, or is `nil` when every row runs every step.
    static func forEachRowChunk(batch: Int, lengths: [Int64]?, _ body: (Int, Int, UnsafePointer<Int64>?) -> Void) {
        let chunks = Swift.max(1, Swift.min(threadCount, batch / 8))
        let share = (batch + chunks - 1) / chunks
        func run(_ chunk: Int, _ base: UnsafePointer<Int64>?) {
            let r0 = chunk * share
            guard r0 < batch else { return }
            body(r0, Swift.min(share, batch - r0), base.map { $0 + r0 })
        }
        func all(_ base: UnsafePointer<Int64>?) {
            if chunks == 1 { run(0, base) } else { concurrentlyWithSingleThreadedBLAS(chunks: chunks) { run($0, base) } }
        }
        guard let lengths else { return all(nil) }
        lengths.withUnsafeBufferPointer { all($0.baseAddress) }
    }
}
