import XCTest
@testable import Dendrite

/// RNN, LSTM, GRU and their cells against PyTorch (Fixtures/make_recurrent_fixtures.py): the
/// output, the final states, the input and state gradients and every parameter's gradient,
/// element by element. The weights load strictly from PyTorch's state_dict names.
final class RecurrentParityTests: XCTestCase {
    var generator = RandomGenerator(seed: 0)
    static let fixtures = Result { try loadFixture("recurrent") }

    func fixture(_ name: String) throws -> [String: Tensor] { try Self.fixtures.get().stripping(name + ".") }

    /// Runs `network` on the case, seeds L = Σ output·w_out + Σ h_n·w_h (+ Σ c_n·w_c), compares.
    func check(_ name: String, _ network: RecurrentNetwork, file: StaticString = #filePath, line: UInt = #line) throws {
        let f = try fixture(name)
        let report = try network.load(stateDict: f.stripping("param."))
        XCTAssertTrue(report.missingKeys.isEmpty && report.unexpectedKeys.isEmpty, "\(name): \(report)", file: file, line: line)
        let x = try f.tensor("x").requiringGradient()
        let h0 = try f["h0"].map { $0.requiringGradient() }, c0 = try f["c0"].map { $0.requiringGradient() }
        let lengths = f["lengths"].map { $0.scalars.map { Int($0) } }
        let output: Tensor, hN: Tensor, cN: Tensor?
        if let lstm = network as? LSTM {
            let initial = try h0.map { LSTMState(hidden: $0, cell: try XCTUnwrap(c0)) }
            let result = try lstm(x, initialState: initial, lengths: lengths)
            (output, hN, cN) = (result.output, result.state.hidden, result.state.cell)
        } else {
            let result = try network.run(x, initialState: h0, initialCell: nil, lengths: lengths)
            (output, hN, cN) = (result.output, result.state, nil)
        }
        try compare(name, output: output, hN: hN, cN: cN, x: x, h0: h0, c0: c0, parameters: network.namedParameters(),
                    fixture: f, file: file, line: line)
    }

    func compare(_ name: String, output: Tensor?, hN: Tensor, cN: Tensor?, x: Tensor, h0: Tensor?, c0: Tensor?,
                 parameters: [(String, Parameter)], fixture f: [String: Tensor], file: StaticString, line: UInt) throws {
        var loss = try (hN * f.tensor("w_h")).sum()
        if let output {
            assertClose(output, try f.tensor("output"), "\(name) output", file: file, line: line)
            loss = try loss + (output * f.tensor("w_out")).sum()
        }
        assertClose(hN, try f.tensor("h_n"), "\(name) h_n", file: file, line: line)
        if let cN {
            assertClose(cN, try f.tensor("c_n"), "\(name) c_n", file: file, line: line)
            loss = try loss + (cN * f.tensor("w_c")).sum()
        }
        try loss.backward()
        assertClose(try XCTUnwrap(x.gradient), try f.tensor("grad.x"), "\(name) ∂L/∂x", file: file, line: line)
        if let h0 { assertClose(try XCTUnwrap(h0.gradient), try f.tensor("grad.h0"), "\(name) ∂L/∂h0", file: file, line: line) }
        if let c0 { assertClose(try XCTUnwrap(c0.gradient), try f.tensor("grad.c0"), "\(name) ∂L/∂c0", file: file, line: line) }
        XCTAssertFalse(parameters.isEmpty)
        for (key, parameter) in parameters {
            assertClose(try XCTUnwrap(parameter.gradient, key), try f.tensor("grad.\(key)"), "\(name) ∂L/∂\(key)", file: file, line: line)
        }
    }

    func testRNNTanh() throws { try check("rnn_tanh", RNN(inputSize: 5, hiddenSize: 4, generator: &generator)) }

    func testRNNReLUTwoLayers() throws {
        try check("rnn_relu", RNN(inputSize: 5, hiddenSize: 4, layers: 2, nonlinearity: .relu, generator: &generator))
    }

    func testLSTMTwoLayersBidirectionalBatchFirstWithProjection() throws {
        try check("lstm_bidirectional_projection", LSTM(inputSize: 5, hiddenSize: 6, layers: 2, batchFirst: true,
                                                        bidirectional: true, projectionSize: 3, generator: &generator))
    }

    func testLSTMWithoutBiasFromZeroState() throws {
        try check("lstm_no_state", LSTM(inputSize: 3, hiddenSize: 4, bias: false, generator: &generator))
    }

    func testGRUTwoLayersBidirectional() throws {
        try check("gru_bidirectional", GRU(inputSize: 5, hiddenSize: 4, layers: 2, bidirectional: true, generator: &generator))
    }

    func testPackedBatchesOfUnequalLengths() throws {
        try check("lstm_packed", LSTM(inputSize: 3, hiddenSize: 4, layers: 2, batchFirst: true, bidirectional: true, generator: &generator))
        try check("gru_packed", GRU(inputSize: 3, hiddenSize: 4, bidirectional: true, generator: &generator))
        try check("rnn_packed", RNN(inputSize: 3, hiddenSize: 4, batchFirst: true, generator: &generator))
    }

    func testCells() throws {
        for (name, cell) in [("rnn_cell", try RNNCell(inputSize: 5, hiddenSize: 4, generator: &generator) as RecurrentCell),
                             ("lstm_cell", try LSTMCell(inputSize: 5, hiddenSize: 4, generator: &generator)),
                             ("gru_cell", try GRUCell(inputSize: 5, hiddenSize: 4, generator: &generator))] {
            let f = try fixture(name)
            try cell.load(stateDict: f.stripping("param."))
            let x = try f.tensor("x").requiringGradient(), h0 = try f.tensor("h0").requiringGradient()
            let c0 = try f["c0"].map { $0.requiringGradient() }
            let result = try cell.step(x, state: h0, cell: c0)
            try compare(name, output: nil, hN: result.state, cN: result.cell, x: x, h0: h0, c0: c0,
                        parameters: cell.namedParameters(), fixture: f, file: #filePath, line: #line)
        }
    }
}
