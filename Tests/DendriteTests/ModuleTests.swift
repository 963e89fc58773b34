import XCTest
@testable import Dendrite

final class ModuleTests: XCTestCase {
    var generator = RandomGenerator(seed: 3)

    final class TwoLayer: Module, UnaryLayer {
        let fc1: Linear
        let norm: BatchNorm1D
        let fc2: Linear
        init(generator: inout RandomGenerator) throws {
            fc1 = try Linear(4, 3, generator: &generator)
            norm = BatchNorm1D(3)
            fc2 = try Linear(3, 2, generator: &generator)
            super.init()
        }
        func forward(_ input: Tensor) throws -> Tensor { try fc2(norm(fc1(input)).relu()) }
        func outputShape(forInput shape: [Int]) throws -> [Int] { try fc2.outputShape(forInput: fc1.outputShape(forInput: shape)) }
    }

    func testStateDictUsesPyTorchNames() throws {
        let model = try Sequential {
            try Linear(4, 3, generator: &generator); ReLU()
            BatchNorm1D(3)
            try Sequential { try Linear(3, 2, generator: &generator) }
        }
        // PyTorch's order: each module's parameters, then its buffers, then its children.
        XCTAssertEqual(model.stateDict().map(\.0), ["0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var",
                                                     "2.num_batches_tracked", "3.0.weight", "3.0.bias"])
        let custom = try TwoLayer(generator: &generator)
        XCTAssertEqual(custom.namedParameters().map(\.0), ["fc1.weight", "fc1.bias", "norm.weight", "norm.bias", "fc2.weight", "fc2.bias"])
        XCTAssertEqual(custom.parameterCount, 15 + 6 + 8)
    }

    func testStrictLoadReportsMissingUnexpectedAndMismatchedKeysAndChangesNothing() throws {
        let model = try TwoLayer(generator: &generator)
        var state = Dictionary(uniqueKeysWithValues: model.stateDict())
        let before = model.fc1.weight.value
        state["fc1.weight"] = try Tensor.zeros([3, 5])
        state["fc9.bias"] = try Tensor.zeros([2])
        state["fc2.bias"] = nil
        XCTAssertThrowsError(try model.load(stateDict: state)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("missing keys: fc2.bias"), text)
            XCTAssertTrue(text.contains("unexpected keys: fc9.bias"), text)
            XCTAssertTrue(text.contains("shape mismatch for fc1.weight: model [3, 4], given [3, 5]"), text)
        }
        XCTAssertEqual(model.fc1.weight.value, before)
        let report = try model.load(stateDict: state, strict: false)
        XCTAssertEqual(report.missingKeys, ["fc2.bias"])
        XCTAssertEqual(report.unexpectedKeys, ["fc9.bias"])
        XCTAssertEqual(report.shapeMismatches.map(\.key), ["fc1.weight"])
        let other = try TwoLayer(generator: &generator)
        try other.load(stateDict: Dictionary(uniqueKeysWithValues: model.stateDict()))
        XCTAssertEqual(other.fc2.weight.value, model.fc2.weight.value)
    }

    func testTrainEvalModesReachEveryChildAndChangeBehaviour() throws {
        let dropout = try Dropout(0.5, seed: 1)
        let model = try Sequential { try Linear(4, 4, generator: &generator); Sequential { dropout } }
        let x = try Tensor.ones([2, 4])
        model.eval()
        XCTAssertFalse(dropout.isTraining)
        XCTAssertEqual(try model(x), try model(x))
        model.train()
        XCTAssertTrue(dropout.isTraining)
        let y = try dropout(Tensor.ones([1000]))
        let zeros = y.scalars.filter { $0 == 0 }.count
        XCTAssertTrue((400...600).contains(zeros), "\(zeros) zeros")
        XCTAssertTrue(y.scalars.allSatisfy { $0 == 0 || $0 == 2 })
    }

    func testFrozenParametersGetNoGradient() throws {
        let model = try TwoLayer(generator: &generator)
        model.fc1.setTrainable(false)
        try model(Tensor.normal([5, 4], generator: &generator)).sum().backward()
        XCTAssertNil(model.fc1.weight.gradient)
        XCTAssertNotNil(model.fc2.weight.gradient)
        XCTAssertEqual(model.trainableParameters.count, 4)
        model.zeroGrad()
        XCTAssertNil(model.fc2.weight.gradient)
    }

    func testBatchNormRunningStatisticsFollowPyTorch() throws {
        let bn = BatchNorm1D(2, momentum: 0.1)
        let x = try Tensor(shape: [4, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40])
        _ = try bn(x)
        // mean (2.5, 25); unbiased variance (1.6667, 166.67).
        assertClose(bn.runningMean.value, Tensor([0.25, 2.5]), atol: 1e-5)
        assertClose(bn.runningVar.value, Tensor([0.9 + 0.1 * 5 / 3, 0.9 + 0.1 * 500 / 3]), atol: 1e-4)
        XCTAssertEqual(bn.numBatchesTracked.value.scalar, 1)
        bn.eval()
        let y = try bn(x)
        let expected = try (x - bn.runningMean.value) / (bn.runningVar.value + 1e-5).sqrt()
        assertClose(y, expected, atol: 1e-5)
        XCTAssertThrowsError(try bn(Tensor.zeros([4, 3]))) { error in
            guard case .shapeMismatch(let operation, _, _)? = error as? DendriteError else { return XCTFail() }
            XCTAssertEqual(operation, "BatchNorm1D(2)")
        }
    }

    func testInitializersHaveTheirStatistics() throws {
        let shape = [256, 128]
        let bound = 1 / Float(128).squareRoot()
        let pytorch = try Initializer.pytorchDefault(fanIn: 128).make(shape, generator: &generator)
        XCTAssertLessThanOrEqual(pytorch.abs().max().scalar!, bound)
        XCTAssertEqual(pytorch.variance().scalar!, bound * bound / 3, accuracy: 2e-4)
        let xavier = try Initializer.xavierNormal().make(shape, generator: &generator)
        XCTAssertEqual(xavier.variance().scalar!, 2 / Float(384), accuracy: 3e-4)
        let kaiming = try Initializer.kaimingNormal().make(shape, generator: &generator)
        XCTAssertEqual(kaiming.variance().scalar!, 2 / Float(128), accuracy: 1e-3)
        let course = try Initializer.uniform(low: -0.5, high: 0.5).make([1000], generator: &generator)
        XCTAssertTrue(course.scalars.allSatisfy { $0 >= -0.5 && $0 < 0.5 })
        let orthogonal = try Initializer.orthogonal().make([6, 4], generator: &generator)
        assertClose(try orthogonal.transposed().matmul(orthogonal), Tensor.identity(4), atol: 1e-5)
        let wide = try Initializer.orthogonal(gain: 2).make([3, 5], generator: &generator)
        assertClose(try wide.matmul(wide.transposed()), Tensor.identity(3) * 4, atol: 1e-4)
    }

    func testSequentialBuilderSupportsConditionsAndLoops() throws {
        let deep = true
        let model = try Sequential {
            for _ in 0..<3 { try Linear(2, 2, generator: &generator) }
            if deep { ReLU() } else { Tanh() }
        }
        XCTAssertEqual(model.layers.count, 4)
        XCTAssertTrue(model.layers[3] is ReLU)
        try model.replaceLayer(at: 3, with: Tanh())
        XCTAssertTrue(model.layers[3] is Tanh)
        XCTAssertThrowsError(try model.replaceLayer(at: 9, with: Tanh()))
    }
}
