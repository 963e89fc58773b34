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
        optimizer.learningRate = 0
        XCTAssertEqual(optimizer.groups[1].learningRate, 0)
        optimizer.learningRate = 0.2
        XCTAssertEqual(optimizer.groups[1].learningRate, 2, accuracy: 1e-6, "ratios survive a rate of 0 (a cosine to 0, a warm-up from 0)")
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
        XCTAssertEqual(try clipGradientNorm([a, b], maxNorm: 1), 5, accuracy: 1e-5)
        XCTAssertEqual(a.gradient!.scalars[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(b.gradient!.scalars[0], 0.8, accuracy: 1e-5)
        XCTAssertEqual(try clipGradientNorm([a, b], maxNorm: 10), 1, accuracy: 1e-4, "no change below the limit")
        a.gradient = Tensor([-5, 0.5])
        clipGradientValue([a], maxValue: 1)
        XCTAssertEqual(a.gradient!.scalars, [-1, 0.5])
    }

    /// A NaN norm: PyTorch's default multiplies the NaN coefficient in; `errorIfNonFinite`
    /// throws, names the parameter and leaves every gradient as it was.
    func testGradientClippingWithANonFiniteNorm() throws {
        let a = Parameter(Tensor([0, 0])), b = Parameter(Tensor([0, 0, 0]))
        a.gradient = Tensor([3, 4])
        b.gradient = Tensor([1, .nan, 2])
        XCTAssertThrowsError(try clipGradientNorm([a, b], maxNorm: 1, errorIfNonFinite: true)) { error in
            guard case .invalidArgument(let operation, let argument, _)? = error as? DendriteError else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "clipGradientNorm")
            XCTAssertTrue(argument.contains("parameter 1 of 2") && argument.contains("[3]"), argument)
        }
        XCTAssertEqual(a.gradient?.scalars, [3, 4])
        XCTAssertTrue(try clipGradientNorm([a, b], maxNorm: 1).isNaN)
        XCTAssertTrue(a.gradient!.scalars.allSatisfy(\.isNaN), "as torch.nn.utils.clip_grad_norm_")
        // An infinite entry: coefficient 0, so the finite entries become 0 (∞·0 is NaN), as PyTorch.
        a.gradient = Tensor([3, 4])
        b.gradient = Tensor([1, .infinity, 2])
        XCTAssertEqual(try clipGradientNorm([a, b], maxNorm: 1), .infinity)
        XCTAssertEqual(a.gradient?.scalars, [0, 0])
        XCTAssertThrowsError(try clipGradientNorm([a], maxNorm: -1))
        XCTAssertThrowsError(try clipGradientNorm([a], maxNorm: 1, normType: 0))
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

// MARK: - Several steps of each rule, element-wise, with varying gradients

extension OptimizerTests {
    /// Steps a parameter through `gradients` (one per step) and returns its value after each step.
    func trajectory(_ make: ([Parameter]) throws -> Optimizer, start: [Float], gradients: [[Float]]) throws -> [[Float]] {
        let parameter = Parameter(Tensor(start))
        let optimizer = try make([parameter])
        return try gradients.map { gradient in
            parameter.gradient = Tensor(gradient)
            try optimizer.step()
            return parameter.value.scalars
        }
    }

    func assertTrajectory(_ actual: [[Float]], _ expected: [[Float]], rtol: Float = 1e-5, atol: Float = 1e-6, _ name: String,
                          file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, name, file: file, line: line)
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            assertClose(a, e, rtol: rtol, atol: atol, "\(name) step \(step + 1)", file: file, line: line)
        }
    }

    func testCourseMomentumRuleElementwiseOverChangingGradients() throws {
        // The course: Δw(n+1) = η·δ·o + α·Δw(n), where η·δ·o is the plain gradient step −η·g.
        let (eta, alpha): (Float, Float) = (0.1, 0.9)
        let start: [Float] = [1, -2]
        let gradients: [[Float]] = [[1, 2], [0.5, -1], [-1, 0], [0.25, 0.25]]
        var w = start, delta: [Float] = [0, 0], expected: [[Float]] = []
        for g in gradients {
            delta = zip(g, delta).map { -eta * $0 + alpha * $1 }
            w = zip(w, delta).map { $0 + $1 }
            expected.append(w)
        }
        let actual = try trajectory({ try SGD($0, learningRate: eta, momentum: alpha) }, start: start, gradients: gradients)
        assertTrajectory(actual, expected, "course momentum")
    }

    func testSGDDampeningSkipsTheFirstStep() throws {
        // μ 0.9, τ 0.5, η 0.1, g = 1: b = 1 (no dampening at first), then 0.9 + 0.5 = 1.4, then 1.26 + 0.5 = 1.76.
        let actual = try trajectory({ try SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.5) }, start: [1],
                                    gradients: [[1], [1], [1]])
        assertTrajectory(actual, [[0.9], [0.76], [0.584]], "dampening")
    }

    func testSGDNesterovWithWeightDecayOverTwoSteps() throws {
        // Step 1: d = g + 0.1p = [0.6, 0.4]; b = d; p −= 0.1·(d + 0.9b) = 0.19·d → [0.886, −1.076].
        // Step 2: d = [0.5886, 0.3924]; b = 0.9·[0.6, 0.4] + d = [1.1286, 0.7524];
        //         p −= 0.1·(d + 0.9b) = 0.1·[1.60434, 1.06956] → [0.725566, −1.182956].
        let actual = try trajectory({ try SGD($0, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1) },
                                    start: [1, -1], gradients: [[0.5, 0.5], [0.5, 0.5]])
        assertTrajectory(actual, [[0.886, -1.076], [0.725566, -1.182956]], "nesterov")
    }

    func testRMSpropWithWeightDecayOverThreeSteps() throws {
        // PyTorch's rule with α 0.99: step 1 moves each coordinate by η·d/√(0.01·d²) = 10·η·sign(d).
        let actual = try trajectory({ try RMSprop($0, learningRate: 0.01, weightDecay: 0.1) }, start: [1, -2],
                                    gradients: [[0.5, 1], [0.25, -1], [-1, 0]])
        assertTrajectory(actual, [[0.9, -2.1], [0.85051111, -2.0164563], [0.93062162, -2.00259867]], "rmsprop")
    }

    func testRMSpropCenteredWithMomentum() throws {
        // α 0.9, μ 0.5, η 0.01. Step 1: s = 0.4, ḡ = 0.2, √(s − ḡ²) = 0.6, b = 2/0.6, p = 1 − 0.01·b.
        // Step 2: s = 0.46, ḡ = 0.28, √(0.3816) = 0.6177378, b = 0.5·3.3333 + 1/0.6177378.
        let actual = try trajectory({ try RMSprop($0, learningRate: 0.01, alpha: 0.9, momentum: 0.5, centered: true) },
                                    start: [1], gradients: [[2], [1]])
        assertTrajectory(actual, [[0.96666667], [0.93381190]], "centered")
    }

    func testRMSpropKerasDefaults() throws {
        let parameter = Parameter(Tensor([1]))
        let keras = try RMSprop.keras([parameter])
        XCTAssertEqual(keras.learningRate, 0.001)
        XCTAssertEqual(keras.alpha, 0.9)
        XCTAssertEqual(keras.epsilon, 1e-7)
        // Keras adds ε outside the square root, as PyTorch: p −= η·g/(√s + ε), s = 0.1·4 after step 1.
        var values: [Float] = []
        for _ in 0..<2 {
            parameter.gradient = Tensor([2])
            try keras.step()
            values.append(parameter.value.scalars[0])
        }
        assertClose(values, [1 - 0.002 / (Float(0.4).squareRoot() + 1e-7), 0.99454357], rtol: 1e-6, atol: 1e-7)
    }

    func testAdamOverThreeSteps() throws {
        // Step 1 moves by η·sign(g) (m̂ = g, v̂ = g²); later steps use the bias-corrected moments.
        let gradients: [[Float]] = [[1, -2], [0.5, -1], [-0.25, 0.5]]
        let actual = try trajectory({ try Adam($0, learningRate: 0.1) }, start: [1, 2], gradients: gradients)
        assertTrajectory(actual, [[0.9, 2.1], [0.80678204, 2.19321796], [0.7504159, 2.2495841]], "adam")
    }

    func testAdamL2WeightDecayAgainstAdamWDecoupledDecay() throws {
        let gradients: [[Float]] = [[1, -2], [0.5, -1], [-0.25, 0.5]]
        // Adam adds λ·p to the gradient before the moments.
        let adam = try trajectory({ try Adam($0, learningRate: 0.1, weightDecay: 0.1) }, start: [1, 2], gradients: gradients)
        assertTrajectory(adam, [[0.9, 2.1], [0.8057718, 2.19126995], [0.74219539, 2.23555505]], "adam L2")
        // AdamW multiplies p by 1 − η·λ = 0.99 first: step 1 is 1·0.99 − 0.1 = 0.89 and 2·0.99 + 0.1 = 2.08.
        let adamW = try trajectory({ try AdamW($0, learningRate: 0.1, weightDecay: 0.1) }, start: [1, 2], gradients: gradients)
        assertTrajectory(adamW, [[0.89, 2.08], [0.78788204, 2.15241796], [0.72363708, 2.18725992]], "adamW")
        XCTAssertEqual(try AdamW([], learningRate: 0.1).groups[0].weightDecay, 0.01, "PyTorch's default decay")
    }

    func testAMSGradUsesTheLargestSecondMoment() throws {
        // β₂ 0.9 so that v falls after a large first gradient: v₁ = 0.4, v₂ = 0.361 < v₁.
        let gradients: [[Float]] = [[2, -1], [0.1, -1], [0.1, -1]]
        let plain = try trajectory({ try Adam($0, learningRate: 0.1, betas: (0.9, 0.9)) }, start: [1, 1], gradients: gradients)
        let ams = try trajectory({ try Adam($0, learningRate: 0.1, betas: (0.9, 0.9), amsgrad: true) }, start: [1, 1],
                                 gradients: gradients)
        assertTrajectory(plain, [[0.9, 1.1], [0.82745238, 1.2], [0.76654754, 1.3]], "adam β₂ 0.9")
        assertTrajectory(ams, [[0.9, 1.1], [0.83107976, 1.2], [0.77610492, 1.3]], "amsgrad")
    }

    func testAdagradWithLearningRateDecayInitialAccumulatorAndWeightDecay() throws {
        // η_t = 0.1/(1 + (t − 1)·0.5); s starts at 0.1; d = g + 0.1·p.
        // Step 1: d = [1.1, 1.9], s = [1.31, 3.71], p = [1 − 0.1·1.1/√1.31, −1 − 0.1·1.9/√3.71].
        let actual = try trajectory({
            try Adagrad($0, learningRate: 0.1, learningRateDecay: 0.5, weightDecay: 0.1, initialAccumulatorValue: 0.1)
        }, start: [1, -1], gradients: [[1, 2], [1, 2], [1, 2]])
        assertTrajectory(actual, [[0.90389255, -1.09864309], [0.85790804, -1.14533677], [0.82959954, -1.17397342]], "adagrad")
    }

    // MARK: State, errors, clipping

    func testEveryOptimizerResumesBitwiseThroughASafeTensorsRoundTrip() throws {
        var generator = RandomGenerator(seed: 9)
        let start = Tensor.normal([2, 3], generator: &generator)
        let gradients = (0..<8).map { _ in Tensor.normal([2, 3], generator: &generator) }
        let makers: [(String, ([Parameter]) throws -> Optimizer)] = [
            ("sgd", { try SGD($0, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01) }),
            ("rmsprop", { try RMSprop($0, learningRate: 0.01, weightDecay: 0.01, momentum: 0.5, centered: true) }),
            ("adam", { try Adam($0, learningRate: 0.05, weightDecay: 0.01) }),
            ("adamw", { try AdamW($0, learningRate: 0.05, amsgrad: true) }),
            ("adagrad", { try Adagrad($0, learningRate: 0.1, learningRateDecay: 0.1, initialAccumulatorValue: 0.2) }),
        ]
        for (name, make) in makers {
            func train(_ parameter: Parameter, _ optimizer: Optimizer, _ range: Range<Int>) throws {
                for i in range { parameter.gradient = gradients[i]; try optimizer.step() }
            }
            let straight = Parameter(start)
            try train(straight, try make([straight]), 0..<8)
            let first = Parameter(start)
            let before = try make([first])
            try train(first, before, 0..<4)
            let bytes = try SafeTensors.encode(before.stateDict())
            let resumed = Parameter(first.value)
            let after = try make([resumed])
            try after.load(stateDict: try SafeTensors.decode(bytes, source: name).tensors)
            XCTAssertEqual(after.stepCount, 4, name)
            try train(resumed, after, 4..<8)
            XCTAssertEqual(resumed.value.scalars, straight.value.scalars, "\(name) resumes bitwise")
        }
    }

    func testInvalidHyperparametersNameTheOptimizerAndArgument() throws {
        func assertInvalid(_ body: @autoclosure () throws -> Optimizer, _ operation: String, _ argument: String,
                           line: UInt = #line) {
            XCTAssertThrowsError(try body(), line: line) { error in
                guard case .invalidArgument(let op, let arg, _)? = error as? DendriteError else {
                    return XCTFail("\(error)", line: line)
                }
                XCTAssertEqual(op, operation, line: line)
                XCTAssertTrue(arg.contains(argument), "\(arg) should name \(argument)", line: line)
            }
        }
        let p = [Parameter(Tensor([1]))]
        assertInvalid(try SGD(p, learningRate: .nan), "SGD", "learningRate")
        assertInvalid(try SGD(p, learningRate: 0.1, weightDecay: -1), "SGD", "weightDecay")
        assertInvalid(try SGD(p, learningRate: 0.1, nesterov: true), "SGD", "momentum")
        assertInvalid(try RMSprop(p, alpha: 1), "RMSprop", "alpha")
        assertInvalid(try Adam(p, betas: (0.9, 1)), "Adam", "betas")
        assertInvalid(try AdamW(p, betas: (-0.1, 0.999)), "AdamW", "betas")
        assertInvalid(try Adagrad(p, learningRate: -0.1), "Adagrad", "learningRate")
        assertInvalid(try LBFGS(p, historySize: 0), "LBFGS", "historySize")
    }

    func testGradientOfTheWrongShapeIsRejected() throws {
        // The good parameter comes first: a rejected step must leave it, the state and the count alone.
        let good = Parameter(Tensor([5])), parameter = Parameter(Tensor([1, 2]))
        let optimizer = try Adam([good, parameter])
        good.gradient = Tensor([1])
        parameter.gradient = Tensor([1, 2, 3])
        defer {
            XCTAssertEqual(good.value.scalars, [5], "no partial update")
            XCTAssertEqual(optimizer.stepCount, 0, "no step counted")
        }
        XCTAssertThrowsError(try optimizer.step()) { error in
            guard case .shapeMismatch(let operation, _, _)? = error as? DendriteError else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "Adam.step")
        }
        XCTAssertEqual(parameter.value.scalars, [1, 2], "nothing was updated")
    }

    func testClipGradientNormForOtherNorms() throws {
        let a = Parameter(Tensor([0, 0])), b = Parameter(Tensor([0])), frozen = Parameter(Tensor([0]))
        // ∞-norm: the largest |g| over all parameters (7); scale 3.5/(7 + 1e-6).
        a.gradient = Tensor([3, -7])
        b.gradient = Tensor([5])
        XCTAssertEqual(try clipGradientNorm([a, b, frozen], maxNorm: 3.5, normType: .infinity), 7)
        assertClose(a.gradient!.scalars, [1.5, -3.5], rtol: 1e-5)
        assertClose(b.gradient!.scalars, [2.5], rtol: 1e-5)
        XCTAssertNil(frozen.gradient, "parameters without a gradient stay without one")
        // 1-norm: |1.5| + |−3.5| + |2.5| = 7.5 ≤ 10, so nothing changes.
        XCTAssertEqual(try clipGradientNorm([a, b], maxNorm: 10, normType: 1), 7.5, accuracy: 1e-5)
        assertClose(a.gradient!.scalars, [1.5, -3.5], rtol: 1e-5)
        // 3-norm of [3, 0] and [2]: (27 + 0 + 8)^(1/3) = 35^(1/3) > 1, so both are divided by it.
        a.gradient = Tensor([3, 0])
        b.gradient = Tensor([2])
        let norm = try clipGradientNorm([a, b], maxNorm: 1, normType: 3)
        XCTAssertEqual(norm, powf(35, 1.0 / 3), accuracy: 1e-5)
        assertClose(a.gradient!.scalars + b.gradient!.scalars, [3 / norm, 0, 2 / norm], rtol: 1e-5)
    }

    // MARK: L-BFGS

    func testLBFGSMinimizesAQuadraticToTolerance() throws {
        // f = (x₀ − 1)² + 2(x₁ + 2)² + ½(x₂ − 3)² + ½(x₀ − x₁)²; ∇f = 0 gives 3x₀ − x₁ = 2,
        // −x₀ + 5x₁ = −8, x₂ = 3, so the minimum is at (1/7, −11/7, 3).
        let point = Parameter(Tensor([0, 0, 0]))
        let optimizer = try LBFGS([point], learningRate: 1, maxIterations: 100, historySize: 5)
        var evaluations = 0
        func loss() throws -> Tensor {
            evaluations += 1
            optimizer.zeroGrad()
            let x = point.tensor
            let squares = try ((x - Tensor([1, -2, 3])).squared() * Tensor([1, 2, 0.5])).sum()
            let value = try squares + (try x[0] - x[1]).squared() * 0.5
            try value.backward()
            return value
        }
        _ = try optimizer.step(closure: loss)
        XCTAssertLessThanOrEqual(evaluations, optimizer.maxEvaluations)
        assertClose(point.value.scalars, [1.0 / 7, -11.0 / 7, 3], rtol: 1e-4, atol: 1e-4)
    }

    func testLBFGSReturnsAtOnceAtAStationaryPointAndBoundsEvaluations() throws {
        // At the minimum of Σx² the gradient is 0 ≤ toleranceGradient: one evaluation, no move.
        let point = Parameter(Tensor([0, 0]))
        let optimizer = try LBFGS([point], maxIterations: 5)
        var evaluations = 0
        func loss() throws -> Tensor {
            evaluations += 1
            optimizer.zeroGrad()
            let value = point.tensor.squared().sum()
            try value.backward()
            return value
        }
        _ = try optimizer.step(closure: loss)
        XCTAssertEqual(evaluations, 1)
        XCTAssertEqual(point.value.scalars, [0, 0])
        // Away from it, one step(closure:) evaluates at most maxIterations times (none after the last iteration).
        point.value = Tensor([3, -4])
        evaluations = 0
        _ = try optimizer.step(closure: loss)
        XCTAssertGreaterThan(evaluations, 1)
        XCTAssertLessThanOrEqual(evaluations, 5)
    }
}
