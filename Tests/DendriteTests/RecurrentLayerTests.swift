import XCTest
@testable import Dendrite

/// The recurrent layers' contracts beyond the numbers: PyTorch's names and counts, the spec
/// grammar, truncated backpropagation through time, and typed errors for bad input.
final class RecurrentLayerTests: XCTestCase {
    var generator = RandomGenerator(seed: 3)

    func testParameterNamesShapesAndCountsArePyTorchs() throws {
        let lstm = try LSTM(inputSize: 128, hiddenSize: 256, generator: &generator)
        XCTAssertEqual(lstm.parameterCount, 395_264)
        let deep = try LSTM(inputSize: 5, hiddenSize: 6, layers: 2, bidirectional: true, projectionSize: 3, generator: &generator)
        let shapes = Dictionary(uniqueKeysWithValues: deep.namedParameters().map { ($0.0, $0.1.shape) })
        XCTAssertEqual(shapes["weight_ih_l0"], [24, 5])
        XCTAssertEqual(shapes["weight_hh_l0_reverse"], [24, 3])
        XCTAssertEqual(shapes["weight_hr_l0"], [3, 6])
        XCTAssertEqual(shapes["weight_ih_l1"], [24, 6])
        XCTAssertEqual(shapes["bias_hh_l1_reverse"], [24])
        XCTAssertEqual(shapes.count, 20)
        let bound = 1 / Float(6).squareRoot()
        XCTAssertTrue(deep.parameters.allSatisfy { $0.value.scalars.allSatisfy { abs($0) <= bound } })
        let gru = try GRU(inputSize: 3, hiddenSize: 4, generator: &generator)
        XCTAssertEqual(gru.namedParameters().map(\.0), ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"])
        XCTAssertEqual(try LSTMCell(inputSize: 3, hiddenSize: 4, generator: &generator).namedParameters().map(\.0),
                       ["weight_ih", "weight_hh", "bias_ih", "bias_hh"])
    }

    func testSpecBuildsASequenceClassifierWithItsSummary() throws {
        let model = try ModelSpec("lstm:128,last,dense:10", inputShape: [1, 28, 28]).build(generator: &generator)
        let summary = try model.summary(input: [1, 28, 28])
        XCTAssertEqual(summary.outputShape, [10])
        let lstmRow = try XCTUnwrap(summary.layers.first { $0.type == "LSTM" })
        XCTAssertEqual(lstmRow.outputShape, [28, 128])
        XCTAssertEqual(lstmRow.biases, 2 * 4 * 128)
        XCTAssertEqual(lstmRow.weights, 4 * 128 * (28 + 128))
        XCTAssertEqual(try model(Tensor.normal([2, 1, 28, 28], generator: &generator)).shape, [2, 10])
        let stacked = try ModelSpec("gru:16:2:bi,last,dense:3", inputShape: [7, 5]).build(generator: &generator)
        XCTAssertEqual(try stacked.summary(input: [7, 5]).outputShape, [3])
        for bad in ["lstm:0", "lstm:8:bogus", "rnn", "gru:8:99", "lstm:9223372036854775807", "gru:100000000000"] {
            XCTAssertThrowsError(try ModelSpec(bad + ",last,dense:2", inputShape: [4, 3]).build(generator: &generator), bad)
        }
    }

    /// Truncated BPTT: a detached state carried into the next chunk keeps the values of running
    /// the whole sequence, while gradients stop at the chunk boundary.
    func testTruncatedBackpropagationThroughTime() throws {
        let lstm = try LSTM(inputSize: 2, hiddenSize: 3, batchFirst: true, generator: &generator)
        let x = Tensor.normal([2, 6, 2], generator: &generator)
        let whole = try lstm(x, initialState: nil)
        let first = try lstm(try x.slice(alongAxis: 1, 0..<3), initialState: nil)
        let second = try lstm(try x.slice(alongAxis: 1, 3..<6), initialState: first.state.detached())
        assertClose(second.state.hidden, whole.state.hidden, "chunked final state")
        assertClose(try Tensor.concat([first.output, second.output], alongAxis: 1), whole.output, "chunked outputs")
        let input = try x.slice(alongAxis: 1, 0..<3).requiringGradient()
        let carried = try lstm(input, initialState: nil).state.detached()
        try lstm(try x.slice(alongAxis: 1, 3..<6), initialState: carried).output.sum().backward()
        XCTAssertNil(input.gradient, "no gradient flows through a detached state")
        XCTAssertNotNil(lstm.namedParameters()[0].1.gradient)
    }

    func testOutputsPastASequenceEndAreZeroAndItsStateIsItsLastStep() throws {
        let gru = try GRU(inputSize: 2, hiddenSize: 3, batchFirst: true, generator: &generator)
        let x = Tensor.normal([2, 5, 2], generator: &generator)
        let packed = try gru(x, lengths: [5, 2])
        let short = try gru(try x.slice(1..<2).slice(alongAxis: 1, 0..<2), initialState: nil)
        XCTAssertEqual(try packed.output.slice(1..<2).slice(alongAxis: 1, 2..<5).scalars, [Float](repeating: 0, count: 9))
        assertClose(try packed.state.slice(alongAxis: 1, 1..<2), short.state, "final state at the short row's own end")
    }

    func testBadInputsAreTypedErrorsNamingTheLayer() throws {
        let lstm = try LSTM(inputSize: 4, hiddenSize: 3, layers: 2, generator: &generator)
        let x = Tensor.normal([5, 2, 4], generator: &generator)
        func expectError(_ label: String, _ body: () throws -> Void) {
            XCTAssertThrowsError(try body(), label) { error in
                XCTAssertTrue("\(error)".contains("LSTM"), "\(label): \(error)")
            }
        }
        expectError("wrong features") { _ = try lstm(Tensor.normal([5, 2, 3], generator: &generator)) }
        expectError("rank 4") { _ = try lstm(Tensor.normal([5, 2, 4, 1], generator: &generator)) }
        expectError("state shape") {
            _ = try lstm(x, initialState: LSTMState(hidden: Tensor.filled([1, 2, 3], 0), cell: Tensor.filled([2, 2, 3], 0)))
        }
        expectError("too long") { _ = try lstm(x, lengths: [6, 1]) }
        expectError("zero length") { _ = try lstm(x, lengths: [0, 5]) }
        expectError("count") { _ = try lstm(x, lengths: [5]) }
        XCTAssertThrowsError(try LSTM(inputSize: 4, hiddenSize: 3, projectionSize: 3))
        XCTAssertThrowsError(try GRU(inputSize: 0, hiddenSize: 3))
        XCTAssertThrowsError(try RNN(inputSize: 2, hiddenSize: 3, dropout: .nan))
        XCTAssertThrowsError(try LSTM(inputSize: Int.max / 2, hiddenSize: Int.max / 2))
    }

    func testUnbatchedInputsMatchABatchOfOne() throws {
        let rnn = try RNN(inputSize: 3, hiddenSize: 2, layers: 2, bidirectional: true, generator: &generator)
        let x = Tensor.normal([4, 3], generator: &generator)
        let single = try rnn(x, initialState: nil)
        let batched = try rnn(try x.reshaped(to: [4, 1, 3]), initialState: nil)
        XCTAssertEqual(try rnn(x).shape, [4, 4], "called with the input alone, a layer returns its output")
        XCTAssertEqual(single.output.shape, [4, 4])
        XCTAssertEqual(single.state.shape, [4, 2])
        assertClose(single.output, try batched.output.reshaped(to: [4, 4]), "unbatched output")
    }

    /// With two BLAS threads a batch of 17 runs as two chunks of rows, each on its own core; the
    /// numbers must be those of one chunk (one thread), forward and backward, with packed lengths.
    func testRowChunksOnSeveralCoresMatchOneChunk() throws {
        let saved = threadCount
        defer { threadCount = saved }
        let networks: [RecurrentNetwork] = [
            try RNN(inputSize: 3, hiddenSize: 5, generator: &generator),
            try LSTM(inputSize: 3, hiddenSize: 5, bidirectional: true, projectionSize: 2, generator: &generator),
            try GRU(inputSize: 3, hiddenSize: 5, layers: 2, bidirectional: true, generator: &generator),
        ]
        let x = Tensor.normal([6, 17, 3], generator: &generator)
        let lengths = (0..<17).map { 1 + $0 % 6 }
        for network in networks {
            func run(threads: Int) throws -> [Tensor] {
                threadCount = threads
                network.zeroGrad()
                let input = x.requiringGradient()
                let result = try network.run(input, initialState: nil, initialCell: nil, lengths: lengths)
                try (result.output.squared().sum() + result.state.sum()).backward()
                return [result.output, result.state, try XCTUnwrap(input.gradient)] + network.parameters.map { $0.gradient ?? Tensor([]) }
            }
            let chunked = try run(threads: 2), single = try run(threads: 1)
            for (index, (a, b)) in zip(chunked, single).enumerated() {
                assertClose(a, b, rtol: 1e-5, atol: 1e-6, "\(network.typeName) tensor \(index)")
            }
        }
    }
}
