import XCTest
@testable import Dendrite

/// Gradients of every loss against central differences, stability at huge logits, error reporting,
/// and the L1/L2 weight penalties.
final class FusedLossTests: XCTestCase {
    var generator = RandomGenerator(seed: 31)

    // MARK: Gradient checks

    func testRegressionLossGradients() throws {
        let target = Tensor.normal([3, 4], generator: &generator)
        for reduction in [LossReduction.mean, .sum, .none] {
            try checkGradients([Tensor.normal([3, 4], generator: &generator)], "mse \(reduction)") {
                try meanSquaredError($0[0], target, reduction: reduction)
            }
            try checkGradients([try target + awayFromZero([3, 4], gap: 0.2, generator: &generator)], "l1 \(reduction)") {
                try l1Loss($0[0], target, reduction: reduction)
            }
            // Differences of 0.1…2 in magnitude, away from the kink at |d| = δ = 0.5 by more than the step.
            let offsets = try Tensor(shape: [3, 4], scalars: [0.1, -0.2, 0.3, -0.35, 0.7, -0.9, 1.4, -2, 0.25, 0.8, -0.15, 1.1])
            try checkGradients([try target + offsets], "huber \(reduction)") {
                try huberLoss($0[0], target, delta: 0.5, reduction: reduction)
            }
        }
        // Both inputs of a regression loss are differentiable.
        try checkGradients([Tensor.normal([2, 3], generator: &generator), Tensor.normal([2, 3], generator: &generator)], "mse both") {
            try meanSquaredError($0[0], $0[1])
        }
        for halved in [false, true] {
            try checkGradients([Tensor.normal([5], generator: &generator), Tensor.normal([5], generator: &generator)], "sse \(halved)") {
                try sumSquaredError($0[0], $0[1], halved: halved)
            }
        }
    }

    func testCrossEntropyAndNLLGradients() throws {
        let labels = [0, 3, 1, 3]
        let labelTensor = Tensor(labels.map(Float.init))
        for reduction in [LossReduction.mean, .sum, .none] {
            for smoothing: Float in [0, 0.15] {
                try checkGradients([Tensor.normal([4, 5], generator: &generator)], "ce [Int] ε \(smoothing) \(reduction)") {
                    try crossEntropy(logits: $0[0], labels: labels, labelSmoothing: smoothing, reduction: reduction)
                }
                try checkGradients([Tensor.normal([4, 5], generator: &generator)], "ce Tensor ε \(smoothing) \(reduction)") {
                    try crossEntropy(logits: $0[0], labels: labelTensor, labelSmoothing: smoothing, reduction: reduction)
                }
            }
            let soft = try softmax(Tensor.normal([4, 5], generator: &generator))
            try checkGradients([Tensor.normal([4, 5], generator: &generator)], "ce probabilities \(reduction)") {
                try crossEntropy(logits: $0[0], probabilities: soft, labelSmoothing: 0.2, reduction: reduction)
            }
            try checkGradients([Tensor.normal([4, 5], generator: &generator)], "nll [Int] \(reduction)") {
                try nllLoss(logProbabilities: $0[0], labels: labels, reduction: reduction)
            }
            try checkGradients([Tensor.normal([4, 5], generator: &generator)], "nll ∘ logSoftmax \(reduction)") {
                try nllLoss(logProbabilities: try logSoftmax($0[0]), labels: labels, reduction: reduction)
            }
            try checkGradients([Tensor.normal([4, 5], generator: &generator)], "nll Tensor \(reduction)") {
                try nllLoss(logProbabilities: $0[0], labels: labelTensor, reduction: reduction)
            }
        }
    }

    func testBinaryLossGradients() throws {
        let targets = Tensor([1, 0, 0.3, 1, 0, 0.8])
        for reduction in [LossReduction.mean, .sum, .none] {
            try checkGradients([Tensor.uniform([6], low: 0.2, high: 0.8, generator: &generator)], "bce \(reduction)") {
                try binaryCrossEntropy(probabilities: $0[0], targets: targets, reduction: reduction)
            }
            // Logits and targets both get gradients; the per-class weight is [3] over [2, 3].
            let weight = Tensor([2, 0.5, 3])
            try checkGradients([Tensor.normal([2, 3], generator: &generator),
                                Tensor.uniform([2, 3], low: 0.1, high: 0.9, generator: &generator)], "bce logits \(reduction)") {
                try binaryCrossEntropyWithLogits(logits: $0[0], targets: $0[1], positiveWeight: weight, reduction: reduction)
            }
            try checkGradients([Tensor.normal([6], generator: &generator)], "bce logits no weight \(reduction)") {
                try binaryCrossEntropyWithLogits(logits: $0[0], targets: targets, positiveWeight: nil, reduction: reduction)
            }
        }
    }

    func testDivergenceGradients() throws {
        let teacher = Tensor.normal([3, 4], generator: &generator)
        for temperature: Float in [1, 2.5] {
            try checkGradients([Tensor.normal([3, 4], generator: &generator)], "klDivergence T \(temperature)") {
                try klDivergence(studentLogits: $0[0], teacherLogits: teacher, temperature: temperature)
            }
            // The fused gradient equals the composite one.
            let student = Tensor.normal([3, 4], generator: &generator)
            let a = student.requiringGradient(), b = student.requiringGradient()
            try klDivergence(studentLogits: a, teacherLogits: teacher, temperature: temperature).backward()
            try composedDistillationKL(studentLogits: b, teacherLogits: teacher, temperature: temperature).backward()
            assertClose(try XCTUnwrap(a.gradient), try XCTUnwrap(b.gradient), rtol: 1e-4, atol: 1e-6)
        }
        // The teacher is a constant.
        let teacherLeaf = teacher.requiringGradient()
        try klDivergence(studentLogits: Tensor.normal([3, 4], generator: &generator).requiringGradient(),
                         teacherLogits: teacherLeaf, temperature: 2).backward()
        XCTAssertNil(teacherLeaf.gradient)
        let target = try softmax(Tensor.normal([3, 4], generator: &generator))
        for reduction in [LossReduction.mean, .sum, .none] {
            try checkGradients([Tensor.normal([3, 4], generator: &generator)], "KLDivLoss \(reduction)") {
                try klDivergence(logProbabilities: try logSoftmax($0[0]), targetProbabilities: target, reduction: reduction)
            }
        }
    }

    // MARK: Stability

    func testHugeLogitsGiveFiniteLossesAndGradients() throws {
        let logits = try Tensor(rows: [[1000, -1000, 0], [-1000, 1000, 1000]]).requiringGradient()
        let checks: [(String, () throws -> Tensor)] = [
            ("ce [Int]", { try crossEntropy(logits: logits, labels: [1, 0], labelSmoothing: 0.1) }),
            ("ce Tensor", { try crossEntropy(logits: logits, labels: Tensor([1, 0])) }),
            ("ce probabilities", { try crossEntropy(logits: logits, probabilities: Tensor.full([2, 3], 1.0 / 3), labelSmoothing: 0.1) }),
            ("nll ∘ logSoftmax", { try nllLoss(logProbabilities: try logSoftmax(logits), labels: [1, 0]) }),
            ("bce logits", { try binaryCrossEntropyWithLogits(logits: logits, targets: Tensor.full([2, 3], 0.5), positiveWeight: Tensor([1, 2, 3])) }),
            ("bce logits composite", { try binaryCrossEntropyWithLogits(logits: logits, targets: Tensor.full([2, 3], 0.5)) }),
            ("kl student", { try klDivergence(studentLogits: logits, teacherLogits: Tensor.zeros([2, 3]), temperature: 2) }),
            ("kl teacher", { try klDivergence(studentLogits: Tensor.zeros([2, 3]).requiringGradient(),
                                              teacherLogits: logits.detached(), temperature: 0.5) }),
        ]
        for (name, loss) in checks {
            let value = try loss()
            XCTAssertTrue(value.isFinite, "\(name): \(value.scalars)")
            try value.backward()
        }
        XCTAssertTrue(try XCTUnwrap(logits.gradient).isFinite)
        // Exact values: −log_softmax picks a 2000 gap; softplus(1000) = 1000.
        XCTAssertEqual(try crossEntropy(logits: try Tensor(rows: [[1000, -1000]]), labels: [1]).scalar, 2000)
        XCTAssertEqual(try crossEntropy(logits: try Tensor(rows: [[1000, -1000]]), labels: [0]).scalar, 0)
        assertClose(try binaryCrossEntropyWithLogits(logits: Tensor([1000, -1000, 1000]), targets: Tensor([0, 1, 1]),
                                                     positiveWeight: nil, reduction: .none), Tensor([1000, 1000, 0]))
    }

    // MARK: Errors

    func testBadLabelIndicesNameTheIndexAndTheClassCount() throws {
        let logits = Tensor.normal([3, 4], generator: &generator)
        for (labels, bad, row) in [([0, 4, 1], 4, 1), ([-1, 0, 0], -1, 0), ([0, 1, 100], 100, 2)] {
            let calls: [(String, () throws -> Tensor)] = [
                ("crossEntropy", { try crossEntropy(logits: logits, labels: labels) }),
                ("nllLoss", { try nllLoss(logProbabilities: logits, labels: labels) }),
            ]
            for (operation, call) in calls {
                XCTAssertThrowsError(try call()) { error in
                    XCTAssertEqual(error as? DendriteError,
                                   .invalidArgument(operation: operation, argument: "label \(bad) of example \(row)",
                                                    reason: "must be a class index in 0..<4"))
                    XCTAssertTrue("\(error)".contains("\(bad)") && "\(error)".contains("0..<4"), "\(error)")
                }
            }
        }
        for bad: Float in [4, -1, 1.5, .nan] {
            XCTAssertThrowsError(try crossEntropy(logits: logits, labels: Tensor([0, bad, 1]))) { error in
                guard case .invalidArgument("crossEntropy", let argument, "must be a class index in 0..<4")? = error as? DendriteError
                else { return XCTFail("\(error)") }
                XCTAssertTrue(argument.hasSuffix("of example 1"), argument)
            }
        }
        XCTAssertThrowsError(try crossEntropy(logits: logits, labels: [0, 1, 2], labelSmoothing: 1.5))
        XCTAssertThrowsError(try crossEntropy(logits: logits, labels: [0, 1, 2], labelSmoothing: -0.1))
        XCTAssertThrowsError(try klDivergence(studentLogits: logits, teacherLogits: logits, temperature: 0))
    }

    func testShapeMismatchesNameTheLoss() throws {
        let a = Tensor.normal([2, 3], generator: &generator), b = Tensor.normal([3, 2], generator: &generator)
        let calls: [(String, () throws -> Tensor)] = [
            ("meanSquaredError", { try meanSquaredError(a, b) }),
            ("sumSquaredError", { try sumSquaredError(a, b) }),
            ("l1Loss", { try l1Loss(a, b) }),
            ("huberLoss", { try huberLoss(a, b) }),
            ("crossEntropy", { try crossEntropy(logits: a, labels: [0, 1, 2]) }),
            ("crossEntropy", { try crossEntropy(logits: a, labels: Tensor([0, 1, 2])) }),
            ("crossEntropy", { try crossEntropy(logits: Tensor([1, 2]), labels: [0]) }),
            ("crossEntropy", { try crossEntropy(logits: a, probabilities: b) }),
            ("crossEntropy", { try crossEntropy(logits: a, probabilities: b, labelSmoothing: 0.1) }),
            ("nllLoss", { try nllLoss(logProbabilities: a, labels: [0]) }),
            ("nllLoss", { try nllLoss(logProbabilities: a, labels: Tensor([0])) }),
            ("binaryCrossEntropy", { try binaryCrossEntropy(probabilities: a, targets: b) }),
            ("binaryCrossEntropyWithLogits", { try binaryCrossEntropyWithLogits(logits: a, targets: b) }),
            ("binaryCrossEntropyWithLogits", { try binaryCrossEntropyWithLogits(logits: a, targets: b, positiveWeight: nil) }),
            ("binaryCrossEntropyWithLogits", { try binaryCrossEntropyWithLogits(logits: a, targets: a, positiveWeight: Tensor([1, 2])) }),
            ("klDivergence", { try klDivergence(studentLogits: a, teacherLogits: b) }),
            ("klDivergence", { try klDivergence(logProbabilities: a, targetProbabilities: b) }),
        ]
        for (expected, call) in calls {
            XCTAssertThrowsError(try call()) { error in
                guard case .shapeMismatch(let operation, _, _)? = error as? DendriteError else { return XCTFail("\(expected): \(error)") }
                XCTAssertEqual(operation, expected)
            }
        }
    }

    // MARK: Weight penalties

    func testL2PenaltyFollowsScikitLearnsMLPConvention() throws {
        let first = Parameter(try Tensor(rows: [[1, -2], [3, 0.5]])), second = Parameter(Tensor([-1, 2]))
        // sklearn: 0.5·alpha·Σ‖W‖² / n_samples = 0.5·0.01·19.25 / 4.
        let penalty = try l2Penalty([first, second], alpha: 0.01, sampleCount: 4)
        assertClose(penalty, Tensor(0.0240625))
        try penalty.backward()
        // Gradient alpha·W / n_samples, as sklearn's `coef_grads += alpha·coefs`, then `/= n_samples`.
        assertClose(try XCTUnwrap(first.gradient), first.value * 0.0025)
        assertClose(try XCTUnwrap(second.gradient), second.value * 0.0025)
        // sampleCount 1: alpha/2·Σw², gradient alpha·w (PyTorch SGD weight_decay = alpha).
        assertClose(try l2Penalty([first, second], alpha: 0.01), Tensor(0.09625))
        assertClose(try l2Penalty([], alpha: 0.01), Tensor(0))
        assertClose(try l2Penalty([first], alpha: 0), Tensor(0))
    }

    func testL1PenaltyValueAndGradient() throws {
        let weight = Parameter(try Tensor(rows: [[1, -2], [3, 0]])), bias = Parameter(Tensor([-0.5]))
        let penalty = try l1Penalty([weight, bias], alpha: 0.01, sampleCount: 4)
        assertClose(penalty, Tensor(0.01 * 6.5 / 4))
        try penalty.backward()
        assertClose(try XCTUnwrap(weight.gradient), try Tensor(shape: [2, 2], scalars: [0.0025, -0.0025, 0.0025, 0]))
        assertClose(try XCTUnwrap(bias.gradient), Tensor([-0.0025]))
        assertClose(try l1Penalty([weight, bias], alpha: 0.5), Tensor(3.25))
    }

    func testPenaltiesAgainstCentralDifferencesAndFreezing() throws {
        let parameters = [Parameter(awayFromZero([3, 2], gap: 0.2, generator: &generator)),
                          Parameter(awayFromZero([4], gap: 0.2, generator: &generator))]
        let penalties: [(String, () throws -> Tensor)] = [
            ("l2", { try l2Penalty(parameters, alpha: 0.3, sampleCount: 3) }),
            ("l1", { try l1Penalty(parameters, alpha: 0.3, sampleCount: 3) }),
        ]
        for (name, penalty) in penalties {
            parameters.forEach { $0.zeroGradient() }
            try penalty().backward()
            for (index, parameter) in parameters.enumerated() {
                let analytic = try XCTUnwrap(parameter.gradient).scalars
                let original = parameter.value
                for element in 0..<original.count {
                    var values = original.scalars
                    values[element] += 1e-2
                    parameter.value = try Tensor(shape: original.shape, scalars: values)
                    let up = try noGrad { try penalty() }.scalar!
                    values[element] -= 2e-2
                    parameter.value = try Tensor(shape: original.shape, scalars: values)
                    let down = try noGrad { try penalty() }.scalar!
                    parameter.value = original
                    XCTAssertEqual(analytic[element], (up - down) / 2e-2, accuracy: 1e-3, "\(name) parameter \(index)[\(element)]")
                }
            }
        }
        // A frozen parameter adds to the value but receives no gradient.
        let frozen = Parameter(Tensor([2]), requiresGradient: false), live = Parameter(Tensor([1]))
        let penalty = try l2Penalty([frozen, live], alpha: 1)
        assertClose(penalty, Tensor(2.5))
        try penalty.backward()
        XCTAssertNil(frozen.gradient)
        assertClose(try XCTUnwrap(live.gradient), Tensor([1]))
        // Bad arguments.
        for (alpha, count) in [(Float(-1), 1), (.nan, 1), (.infinity, 1), (1, 0)] {
            XCTAssertThrowsError(try l2Penalty([live], alpha: alpha, sampleCount: count))
            XCTAssertThrowsError(try l1Penalty([live], alpha: alpha, sampleCount: count))
        }
    }

    func testPenaltyAddedToALossTrainsTowardSmallerWeights() throws {
        let layer = Parameter(Tensor([3, -4]))
        let data = try (layer.tensor * Tensor([0, 0])).sum()      // a data loss that ignores the weights
        let total = try data + l2Penalty([layer], alpha: 0.5, sampleCount: 2)
        XCTAssertEqual(total.scalar!, 0.5 / 4 * 25, accuracy: 1e-6)
        try total.backward()
        assertClose(try XCTUnwrap(layer.gradient), Tensor([0.75, -1]))
    }
}
