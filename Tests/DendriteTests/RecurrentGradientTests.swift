import XCTest
@testable import Dendrite

/// Central-difference checks of every recurrent layer and cell: the input, the initial states and
/// every parameter, through the output sequence and the final states.
final class RecurrentGradientTests: XCTestCase {
    var generator = RandomGenerator(seed: 21)

    /// Checks ∂(output, h_n, c_n)/∂(x, h0, c0) and, through the output, every parameter.
    func check(_ network: RecurrentNetwork, input: [Int], lengths: [Int]? = nil, _ label: String,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let x = Tensor.normal(input, generator: &generator)
        let batch = network.batchFirst ? input[0] : input[1], stacked = network.layerCount * network.directionCount
        let h0 = Tensor.normal([stacked, batch, network.stateSize], generator: &generator) * 0.5
        let c0 = Tensor.normal([stacked, batch, network.hiddenSize], generator: &generator) * 0.5
        let hasCell = network is LSTM
        try checkGradients(hasCell ? [x, h0, c0] : [x, h0], step: 1e-2, tolerance: 2e-3, label, file: file, line: line) { inputs in
            network.interLayerDropout?.reseed(5)   // the same mask in every evaluation
            let result = try network.run(inputs[0], initialState: inputs[1], initialCell: hasCell ? inputs[2] : nil, lengths: lengths)
            return try Tensor.concat([result.output.flattened(), result.state.flattened()] + (result.cell.map { [$0.flattened()] } ?? []))
        }
        if lengths == nil {
            try checkModuleGradients(network, input: x, step: 1e-2, tolerance: 2e-3, "\(label) parameters", file: file, line: line,
                                     beforeEachForward: { network.interLayerDropout?.reseed(5) })
        }
    }

    func testRNN() throws {
        try check(RNN(inputSize: 3, hiddenSize: 4, generator: &generator), input: [4, 2, 3], "RNN")
        try check(RNN(inputSize: 3, hiddenSize: 3, layers: 2, batchFirst: true, bidirectional: true, generator: &generator),
                  input: [2, 3, 3], "RNN 2-layer bidirectional")
    }

    func testLSTM() throws {
        try check(LSTM(inputSize: 3, hiddenSize: 4, generator: &generator), input: [3, 2, 3], "LSTM")
        try check(LSTM(inputSize: 3, hiddenSize: 4, layers: 2, bidirectional: true, generator: &generator), input: [3, 2, 3],
                  "LSTM 2-layer bidirectional")
        try check(LSTM(inputSize: 3, hiddenSize: 4, layers: 2, batchFirst: true, bidirectional: true, projectionSize: 2,
                       generator: &generator), input: [2, 3, 3], "LSTM projection")
    }

    func testGRU() throws {
        try check(GRU(inputSize: 3, hiddenSize: 4, generator: &generator), input: [3, 2, 3], "GRU")
        try check(GRU(inputSize: 3, hiddenSize: 3, layers: 2, bidirectional: true, generator: &generator), input: [3, 2, 3],
                  "GRU 2-layer bidirectional")
    }

    func testVariableLengths() throws {
        try check(LSTM(inputSize: 2, hiddenSize: 3, layers: 2, batchFirst: true, bidirectional: true, projectionSize: 2,
                       generator: &generator), input: [3, 4, 2], lengths: [4, 1, 3], "LSTM lengths")
        try check(GRU(inputSize: 2, hiddenSize: 3, bidirectional: true, generator: &generator), input: [4, 3, 2], lengths: [2, 4, 3],
                  "GRU lengths")
        try check(RNN(inputSize: 2, hiddenSize: 3, bidirectional: true, generator: &generator), input: [4, 2, 2], lengths: [3, 4],
                  "RNN lengths")
    }

    func testDropoutBetweenLayersWithAFixedMask() throws {
        try check(LSTM(inputSize: 3, hiddenSize: 4, layers: 2, dropout: 0.3, generator: &generator), input: [3, 2, 3], "LSTM dropout")
    }

    func testCells() throws {
        let cells: [RecurrentCell] = [try RNNCell(inputSize: 3, hiddenSize: 4, generator: &generator),
                                      try GRUCell(inputSize: 3, hiddenSize: 4, generator: &generator),
                                      try LSTMCell(inputSize: 3, hiddenSize: 4, generator: &generator)]
        for cell in cells {
            let hasCell = cell is LSTMCell
            let inputs = [Tensor.normal([2, 3], generator: &generator), Tensor.normal([2, 4], generator: &generator) * 0.5,
                          Tensor.normal([2, 4], generator: &generator) * 0.5]
            try checkGradients(hasCell ? inputs : Array(inputs.prefix(2)), tolerance: 2e-3, cell.typeName) { values in
                let result = try cell.step(values[0], state: values[1], cell: hasCell ? values[2] : nil)
                return try Tensor.concat([result.state.flattened()] + (result.cell.map { [$0.flattened()] } ?? []))
            }
            try checkModuleGradients(CellStep(cell, state: inputs[1], cell: hasCell ? inputs[2] : nil), input: inputs[0],
                                     tolerance: 2e-3, "\(cell.typeName) parameters")
        }
    }
}

/// A cell's step from fixed states as a one-tensor layer (h, then c), for `checkModuleGradients`.
private final class CellStep: Module, UnaryLayer {
    let cell: RecurrentCell
    let state: Tensor, cellState: Tensor?

    init(_ cell: RecurrentCell, state: Tensor, cell cellState: Tensor?) {
        self.cell = cell
        self.state = state
        self.cellState = cellState
    }

    func forward(_ input: Tensor) throws -> Tensor {
        let result = try cell.step(input, state: state, cell: cellState)
        return try Tensor.concat([result.state.flattened()] + (result.cell.map { [$0.flattened()] } ?? []))
    }

    func outputShape(forInput shape: [Int]) throws -> [Int] { [cell.hiddenSize * (cellState == nil ? 1 : 2)] }
}
