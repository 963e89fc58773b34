import XCTest
@testable import Dendrite

final class OptimizerTests: XCTestCase {
    /// A parameter with a fixed gradient, stepped `count` times.
    func run(_ make: ([Parameter]) throws -> Optimizer, start: [Float], gradient: [Float], steps: Int) throws -> [Float] {
        let parameter = Parameter(Tensor(start))
        let optimizer = try make([parameter])
        for _ in 0..<steps {
            parameter.gradient = Tensor(gradient)
            try optimizer.step()
        }
        return parameter.value.scalars
    }

    func testCourseMomentumRule() throws {
        // Δw(n+1) = −η·g + α·Δw(n) with η 0.1, α 0.5, g = 1 constant: Δ = −0.1, −0.15, −0.175.
        let values = try run({ try SGD($0, learningRate: 0.1, momentum: 0.5) }, start: [0], gradient: [1], steps: 3)
        XCTAssertEqual(values[0], -0.425, accuracy: 1e-6)
    }

    func testHandComputedStepsOfEachRule() throws {
        // SGD with L2 weight decay: p ← p − η(g + λp) = 1 − 0.1·(0.5 + 0.1) = 0.94.
        XCTAssertEqual(try run({ try SGD($0, learningRate: 0.1, weightDecay: 0.1) }, start: [1], gradient: [0.5], steps: 1)[0],
                       0.94, accuracy: 1e-6)
        // Nesterov, μ 0.9: step 1 b = g, p −= η(g + μb) = 1 − 0.1·1.9.
        XCTAssertEqual(try run({ try SGD($0, learningRate: 0.1, momentum: 0.9, nesterov: true) }, start: [1], gradient: [1], steps: 1)[0],
                       0.81, accuracy: 1e-6)
        // RMSprop α 0.9: s = 0.1·4 = 0.4; p = 1 − 0.01·2/(√0.4 + 1e-8).
        XCTAssertEqual(try run({ try RMSprop($0, learningRate: 0.01, alpha: 0.9) }, start: [1], gradient: [2], steps: 1)[0],
                       1 - 0.02 / Float(0.4).squareRoot(), accuracy: 1e-6)
        // Adam's first step moves every coordinate by ≈ η·sign(g).
        let adam = try run({ try Adam($0, learningRate: 0.01) }, start: [1, 1], gradient: [3, -0.2], steps: 1)
        XCTAssertEqual(adam[0], 0.99, accuracy: 1e-6)
        XCTAssertEqual(adam[1], 1.01, accuracy: 1e-6)
        // AdamW shrinks the weight first: 1·(1 − 0.01·0.5) − 0.01.
        XCTAssertEqual(try run({ try AdamW($0, learningRate: 0.01, weightDecay: 0.5) }, start: [1], gradient: [1], steps: 1)[0],
                       0.985, accuracy: 1e-6)
        // Adagrad: s = g²; p −= η·g/|g| per step with decay 0: 1 − 0.1, then − 0.1·1/√2.
        XCTAssertEqual(try run({ try Adagrad($0, learningRate: 0.1) }, start: [1], gradient: [1], steps: 2)[0],
                       1 - 0.1 - 0.1 / Float(2).squareRoot(), accuracy: 1e-6)
        XCTAssertThrowsError(try SGD([], learningRate: -1)) { error in
            guard case .invalidArgument(let operation, _, _)? = error as? DendriteError else { return XCTFail() }
            XCTAssertEqual(operation, "SGD")
        }
    }

    func testFrozenAndGradientlessParametersAreSkippedAndGroupsKeepTheirRates() throws {
        let frozen = Parameter(Tensor([1]), requiresGradient: false), free = Parameter(Tensor([1])), head = Parameter(Tensor([1]))
        let optimizer = try SGD(groups: [ParameterGroup([frozen, free], learningRate: 0.1), ParameterGroup([head], learningRate: 1)])
        for parameter in [frozen, free, head] { parameter.gradient = Tensor([1]) }
        try optimizer.step()
        XCTAssertEqual(frozen.value.scalars, [1])
        XCTAssertEqual(free.value.scalars[0], 0.9, accuracy: 1e-6)
        XCTAssertEqual(head.value.scalars[0], 0, accuracy: 1e-6)
        optimizer.learningRate = 0.05
        XCTAssertEqual(optimizer.groups[1].learningRate, 0.5, accuracy: 1e-6, "ratios survive a schedule")
    }

    func testStateSaveRestoreContinuesIdentically() throws {
        var generator = RandomGenerator(seed: 4)
        let start = Tensor.normal([6], generator: &generator)
        let gradients = (0..<6).map { _ in Tensor.normal([6], generator: &generator) }
        func train(_ parameter: Parameter, _ optimizer: Optimizer, _ range: Range<Int>) throws {
            for i in range { parameter.gradient = gradients[i]; try optimizer.step() }
        }
        let straight = Parameter(start)
        let reference = try Adam([straight], learningRate: 0.1, amsgrad: true)
        try train(straight, reference, 0..<6)
        let first = Parameter(start)
        let before = try Adam([first], learningRate: 0.1, amsgrad: true)
        try train(first, before, 0..<3)
        let resumed = Parameter(first.value)
        let after = try Adam([resumed], learningRate: 0.1, amsgrad: true)
        try after.load(stateDict: Dictionary(uniqueKeysWithValues: before.stateDict()))
        XCTAssertEqual(after.stepCount, 3)
        try train(resumed, after, 3..<6)
        XCTAssertEqual(resumed.value.scalars, straight.value.scalars)
        XCTAssertThrowsError(try after.load(stateDict: ["state.0.9.exp_avg": Tensor([1])]))
    }

    func testGradientClipping() throws {
        let a = Parameter(Tensor([0, 0])), b = Parameter(Tensor([0]))
        a.gradient = Tensor([3, 0])
        b.gradient = Tensor([4])
        XCTAssertEqual(clipGradientNorm([a, b], maxNorm: 1), 5, accuracy: 1e-5)
        XCTAssertEqual(a.gradient!.scalars[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(b.gradient!.scalars[0], 0.8, accuracy: 1e-5)
        XCTAssertEqual(clipGradientNorm([a, b], maxNorm: 10), 1, accuracy: 1e-4, "no change below the limit")
        a.gradient = Tensor([-5, 0.5])
        clipGradientValue([a], maxValue: 1)
        XCTAssertEqual(a.gradient!.scalars, [-1, 0.5])
    }

    func testLBFGSMinimizesRosenbrock() throws {
        let point = Parameter(Tensor([-1.2, 1]))
        let optimizer = try LBFGS([point], learningRate: 1, maxIterations: 50, historySize: 10)
        func rosenbrock() throws -> Tensor {
            optimizer.zeroGrad()
            let x = try point.tensor[0], y = try point.tensor[1]
            let loss = try (1 - x).squared() + (y - x.squared()).squared() * 100
            try loss.backward()
            return loss
        }
        XCTAssertThrowsError(try optimizer.step())
        var loss: Float = 0
        for _ in 0..<40 { loss = try optimizer.step(closure: rosenbrock) }
        XCTAssertLessThan(loss, 1e-4)
        XCTAssertEqual(point.value.scalars[0], 1, accuracy: 0.02)
        XCTAssertEqual(point.value.scalars[1], 1, accuracy: 0.04)
    }
}
