import XCTest
@testable import Dendrite

/// Layers, losses and optimizers against PyTorch's own numbers (Fixtures/make_fixtures.py),
/// element by element within rtol 1e-4.
final class PyTorchParityTests: XCTestCase {
    var generator = RandomGenerator(seed: 0)

    /// Loads PyTorch's weights, runs forward and `backward(seed)`, compares output and gradients.
    func checkLayer(_ name: String, _ layer: any UnaryLayer, file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try loadFixture(name)
        try layer.load(stateDict: fixture.stripping("param."))
        let input = try fixture.tensor("input").requiringGradient()
        let output = try layer(input)
        assertClose(output, try fixture.tensor("output"), rtol: 1e-4, atol: 1e-5, "\(name) output", file: file, line: line)
        try output.backward(seed: try fixture.tensor("seed_gradient"))
        assertClose(try XCTUnwrap(input.gradient), try fixture.tensor("input.grad"), rtol: 1e-4, atol: 1e-5,
                    "\(name) input gradient", file: file, line: line)
        for (key, parameter) in layer.namedParameters() {
            assertClose(try XCTUnwrap(parameter.gradient, key), try fixture.tensor("grad.\(key)"), rtol: 1e-4, atol: 1e-5,
                        "\(name) \(key) gradient", file: file, line: line)
        }
    }

    func testLinear() throws { try checkLayer("linear", Linear(5, 3, generator: &generator)) }

    func testConv2DStride2Padding1Groups2() throws {
        try checkLayer("conv2d", try Conv2D(4, 6, kernelSize: 3, stride: 2, padding: 1, groups: 2, generator: &generator))
    }

    func testMaxPool2D() throws {
        try checkLayer("maxpool2d", MaxPool2D(kernelSize: 2))
        try checkLayer("maxpool2d_padded", MaxPool2D(kernelSize: 3, stride: 2, padding: 1))
    }

    /// Ceil-mode pooling (GoogLeNet's): PyTorch's output sizes, and a partial last window whose
    /// average divides by its part inside the padded image. Values from torch 2.15 on arange(35).
    func testCeilModePoolingMatchesPyTorch() throws {
        let x = try Tensor(shape: [1, 1, 5, 7], scalars: (0..<35).map(Float.init))
        let average = try avgPool2d(x, kernelSize: (2, 2), stride: (2, 2), padding: (1, 0), ceilMode: true)
        assertClose(average, try Tensor(shape: [1, 1, 3, 4], scalars: [0.25, 1.25, 2.25, 3, 11, 13, 15, 16.5, 25, 27, 29, 30.5]))
        let maximum = try maxPool2d(x, kernelSize: (3, 3), stride: (2, 2), ceilMode: true)
        assertClose(maximum, try Tensor(shape: [1, 1, 2, 3], scalars: [16, 18, 20, 30, 32, 34]))
        XCTAssertEqual(try maxPool2d(x, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true).shape, [1, 1, 3, 4])
        XCTAssertEqual(try MaxPool2D(kernelSize: 3, stride: 2, padding: 1, ceilMode: true).outputShape(forInput: [1, 5, 7]), [1, 3, 4])
    }

    /// The 2×2 fast path and the general path agree on NaN (it wins its window, as in PyTorch),
    /// ties (the first maximum gets the gradient) and all −∞ windows.
    func testMaxPoolNaNTiesAndInfinities() throws {
        let x = try Tensor(shape: [1, 1, 2, 6], scalars: [1, .nan, 3, 3, -.infinity, -.infinity,
                                                        2, 0, 3, 1, -.infinity, -.infinity]).requiringGradient()
        for (kernel, stride) in [((2, 2), (2, 2)), ((2, 2), (2, 1))] {
            let y = try maxPool2d(x, kernelSize: kernel, stride: stride)
            XCTAssertTrue(y.scalars[0].isNaN)
            XCTAssertEqual(y.scalars[stride.1 == 2 ? 1 : 2], 3)
            XCTAssertEqual(y.scalars.last, -.infinity)
        }
        let y = try maxPool2d(x, kernelSize: (2, 2))
        try y.backward(seed: Tensor.ones(y.shape))
        XCTAssertEqual(try XCTUnwrap(x.gradient).scalars, [0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    }

    func testBatchNorm2DTrainThenEval() throws {
        let fixture = try loadFixture("batchnorm2d")
        let bn = BatchNorm2D(3)
        try bn.load(stateDict: fixture.stripping("param."))
        let input = try fixture.tensor("input").requiringGradient()
        let output = try bn(input)
        assertClose(output, try fixture.tensor("output"), rtol: 1e-4, atol: 1e-5, "train output")
        try output.backward(seed: try fixture.tensor("seed_gradient"))
        assertClose(try XCTUnwrap(input.gradient), try fixture.tensor("input.grad"), rtol: 1e-4, atol: 1e-5, "input gradient")
        assertClose(try XCTUnwrap(bn.weight?.gradient), try fixture.tensor("grad.weight"), rtol: 1e-4, atol: 1e-5, "γ gradient")
        assertClose(try XCTUnwrap(bn.bias?.gradient), try fixture.tensor("grad.bias"), rtol: 1e-4, atol: 1e-5, "β gradient")
        for (key, value) in bn.stateDict() {
            assertClose(value, try fixture.tensor("after.\(key)").reshaped(to: value.shape), rtol: 1e-4, atol: 1e-5, "after step: \(key)")
        }
        bn.eval()
        assertClose(try bn(try fixture.tensor("eval_input")), try fixture.tensor("eval_output"), rtol: 1e-4, atol: 1e-5, "eval output")
    }

    func testCrossEntropyIndicesSmoothingSumAndProbabilities() throws {
        let fixture = try loadFixture("cross_entropy")
        let labels = try fixture.tensor("labels")
        let cases: [(String, (Tensor) throws -> Tensor)] = [
            ("plain", { try crossEntropy(logits: $0, labels: labels) }),
            ("smoothed", { try crossEntropy(logits: $0, labels: labels, labelSmoothing: 0.1) }),
            ("sum", { try crossEntropy(logits: $0, labels: labels, reduction: .sum) }),
            ("soft", { try crossEntropy(logits: $0, probabilities: try fixture.tensor("probabilities")) }),
        ]
        for (name, loss) in cases {
            let logits = try fixture.tensor("logits").requiringGradient()
            let value = try loss(logits)
            assertClose(try value.reshaped(to: [1]), try fixture.tensor("\(name).loss"), rtol: 1e-4, atol: 1e-6, "\(name) loss")
            try value.backward()
            assertClose(try XCTUnwrap(logits.gradient), try fixture.tensor("\(name).grad"), rtol: 1e-4, atol: 1e-6, "\(name) gradient")
        }
    }

    /// Ten steps of each optimizer on the same MLP: every loss and every final parameter.
    func testOptimizersOverTenStepsOnASmallMLP() throws {
        let fixture = try loadFixture("optimizers")
        let inputs = try fixture.tensor("inputs"), targets = try fixture.tensor("targets")
        let configurations: [(String, ([Parameter]) throws -> Optimizer)] = [
            ("sgd_momentum", { try SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01) }),
            ("sgd_nesterov", { try SGD($0, learningRate: 0.05, momentum: 0.8, nesterov: true) }),
            ("rmsprop", { try RMSprop($0, learningRate: 0.01) }),
            ("rmsprop_centered", { try RMSprop($0, learningRate: 0.005, weightDecay: 0.01, momentum: 0.5, centered: true) }),
            ("adam", { try Adam($0, learningRate: 0.01, weightDecay: 0.01) }),
            ("adamw", { try AdamW($0, learningRate: 0.01, weightDecay: 0.1) }),
            ("adagrad", { try Adagrad($0, learningRate: 0.1, learningRateDecay: 0.01) }),
        ]
        for (name, make) in configurations {
            let model = try Sequential { try Linear(4, 5, generator: &generator); Tanh(); try Linear(5, 3, generator: &generator) }
            try model.load(stateDict: fixture.stripping("initial."))
            let optimizer = try make(model.parameters)
            var losses: [Float] = []
            for _ in 0..<10 {
                losses.append(try model.trainStep(inputs: inputs, targets: targets, loss: .crossEntropy, optimizer: optimizer).loss)
            }
            assertClose(Tensor(losses), try fixture.tensor("\(name).losses"), rtol: 1e-4, atol: 1e-6, "\(name) losses")
            for (key, value) in model.stateDict() {
                assertClose(value, try fixture.tensor("\(name).final.\(key)"), rtol: 1e-4, atol: 1e-5, "\(name) \(key)")
            }
        }
    }
}

final class DistillationParityTests: XCTestCase {
    /// The distillation loss and its gradient against PyTorch (T = 3, α = 0.7).
    func testDistillationLossMatchesPyTorch() throws {
        let fixture = try loadFixture("distillation")
        let student = try fixture.tensor("student").requiringGradient()
        let loss = try DistillationLoss(temperature: 3, alpha: 0.7)(studentLogits: student, teacherLogits: try fixture.tensor("teacher"),
                                                                     labels: try fixture.tensor("labels"))
        assertClose(try loss.reshaped(to: [1]), try fixture.tensor("loss"), rtol: 1e-4, atol: 1e-6, "loss")
        try loss.backward()
        assertClose(try XCTUnwrap(student.gradient), try fixture.tensor("student.grad"), rtol: 1e-4, atol: 1e-6, "gradient")
        XCTAssertThrowsError(try DistillationLoss(temperature: 0, alpha: 0.5))
    }
}
