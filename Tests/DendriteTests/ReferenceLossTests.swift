import XCTest
@testable import Dendrite

/// Loss values against hand computation and PyTorch's formulas. The expected literals were computed
/// in float64 with NumPy from the PyTorch definitions (MSELoss, L1Loss, HuberLoss, CrossEntropyLoss
/// with label_smoothing, NLLLoss, BCELoss with its −100 log clamp, BCEWithLogitsLoss with pos_weight,
/// KLDivLoss with batchmean), then rounded to Float.
final class ReferenceLossTests: XCTestCase {
    // prediction − target = [−0.5, −2, 0.5, 3, −0.25, −0.5]
    let prediction = try! Tensor(rows: [[0.5, -1.0, 2.0], [3.0, 0.0, -2.5]])
    let target = try! Tensor(rows: [[1.0, 1.0, 1.5], [0.0, 0.25, -2.0]])

    // MARK: Regression

    func testMeanSquaredErrorEveryReduction() throws {
        let squares: [Float] = [0.25, 4.0, 0.25, 9.0, 0.0625, 0.25]
        assertClose(try meanSquaredError(prediction, target, reduction: .none), try Tensor(shape: [2, 3], scalars: squares))
        assertClose(try meanSquaredError(prediction, target), Tensor(13.8125 / 6))
        assertClose(try meanSquaredError(prediction, target, reduction: .sum), Tensor(13.8125))
    }

    func testSumSquaredErrorIsTheCoursesE() throws {
        // E = Σ(y − o)² = 13.8125; the halved form ½Σ(y − o)² = 6.90625.
        assertClose(try sumSquaredError(prediction, target), Tensor(13.8125))
        assertClose(try sumSquaredError(prediction, target, halved: true), Tensor(6.90625))
        // The course's worked step: o₃ = 0.6651, y = 0.5. ∂(½(y − o)²)/∂o = o − y = 0.1651, so the
        // output delta (y − o)·o(1 − o) is −∂E/∂o · f'(net) ≈ −0.0368.
        let output = Tensor([0.6651]).requiringGradient()
        try sumSquaredError(output, Tensor([0.5]), halved: true).backward()
        let dE = try XCTUnwrap(output.gradient).scalars[0]
        XCTAssertEqual(dE, 0.1651, accuracy: 1e-6)
        XCTAssertEqual(-dE * 0.6651 * (1 - 0.6651), -0.0368, accuracy: 1e-4)
        let full = Tensor([0.6651]).requiringGradient()
        try sumSquaredError(full, Tensor([0.5])).backward()
        XCTAssertEqual(try XCTUnwrap(full.gradient).scalars[0], 2 * 0.1651, accuracy: 1e-6)
    }

    func testL1LossEveryReduction() throws {
        assertClose(try l1Loss(prediction, target, reduction: .none),
                    try Tensor(shape: [2, 3], scalars: [0.5, 2.0, 0.5, 3.0, 0.25, 0.5]))
        assertClose(try l1Loss(prediction, target), Tensor(1.125))
        assertClose(try l1Loss(prediction, target, reduction: .sum), Tensor(6.75))
    }

    func testHuberLossMatchesPyTorchForTwoDeltas() throws {
        // δ = 1: ½d² where |d| ≤ 1, else |d| − ½.
        assertClose(try huberLoss(prediction, target, reduction: .none),
                    try Tensor(shape: [2, 3], scalars: [0.125, 1.5, 0.125, 2.5, 0.03125, 0.125]))
        assertClose(try huberLoss(prediction, target), Tensor(0.734375))
        assertClose(try huberLoss(prediction, target, reduction: .sum), Tensor(4.40625))
        // δ = 0.5: ½d² where |d| ≤ 0.5 (the boundary counts as quadratic), else 0.5·(|d| − 0.25).
        assertClose(try huberLoss(prediction, target, delta: 0.5, reduction: .none),
                    try Tensor(shape: [2, 3], scalars: [0.125, 0.875, 0.125, 1.375, 0.03125, 0.125]))
        assertClose(try huberLoss(prediction, target, delta: 0.5), Tensor(0.4427083432674408))
        assertClose(try huberLoss(prediction, target, delta: 0.5, reduction: .sum), Tensor(2.65625))
    }

    // MARK: Classification

    let logits = try! Tensor(rows: [[1.0, -0.5, 2.0, 0.25], [0.0, 3.0, -1.0, 1.5], [-2.0, 0.5, 0.5, -0.75]])
    let labels = [2, 1, 3]
    var labelTensor: Tensor { Tensor(labels.map(Float.init)) }

    func testCrossEntropyWithIntegerAndTensorLabels() throws {
        let perRow: [Float] = [0.48473113775253296, 0.25559747219085693, 2.1122946739196777]
        assertClose(try crossEntropy(logits: logits, labels: labels, reduction: .none), Tensor(perRow))
        assertClose(try crossEntropy(logits: logits, labels: labels), Tensor(0.9508744478225708))
        assertClose(try crossEntropy(logits: logits, labels: labels, reduction: .sum), Tensor(2.852623462677002))
        assertClose(try crossEntropy(logits: logits, labels: labelTensor, reduction: .none), Tensor(perRow))
        assertClose(try crossEntropy(logits: logits, labels: labelTensor), Tensor(0.9508744478225708))
        assertClose(try crossEntropy(logits: logits, labels: labelTensor, reduction: .sum), Tensor(2.852623462677002))
    }

    func testCrossEntropyLabelSmoothingMatchesPyTorch() throws {
        // target = 0.9·onehot + 0.1/4.
        let perRow: [Float] = [0.6159811615943909, 0.4680974781513214, 2.0810446739196777]
        for (index, label) in [(0, "integer"), (1, "tensor")] {
            func loss(_ reduction: LossReduction) throws -> Tensor {
                index == 0 ? try crossEntropy(logits: logits, labels: labels, labelSmoothing: 0.1, reduction: reduction)
                           : try crossEntropy(logits: logits, labels: labelTensor, labelSmoothing: 0.1, reduction: reduction)
            }
            assertClose(try loss(.none), Tensor(perRow), label)
            assertClose(try loss(.mean), Tensor(1.0550410747528076), label)
            assertClose(try loss(.sum), Tensor(3.165123462677002), label)
        }
        // Smoothing is (1 − ε)·CE + ε·(uniform CE).
        let plain = try crossEntropy(logits: logits, labels: labels).scalar!
        let uniform = try crossEntropy(logits: logits, probabilities: Tensor.full([3, 4], 0.25)).scalar!
        XCTAssertEqual(try crossEntropy(logits: logits, labels: labels, labelSmoothing: 0.3).scalar!,
                       0.7 * plain + 0.3 * uniform, accuracy: 1e-5)
    }

    func testCrossEntropyWithProbabilityTargets() throws {
        let targets = try Tensor(rows: [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.5, 0], [0, 0, 1, 0]])
        assertClose(try crossEntropy(logits: logits, probabilities: targets, reduction: .none),
                    Tensor([1.784731149673462, 3.0055975914001465, 0.8622947335243225]))
        assertClose(try crossEntropy(logits: logits, probabilities: targets), Tensor(1.884207844734192))
        assertClose(try crossEntropy(logits: logits, probabilities: targets, reduction: .sum), Tensor(5.652623176574707))
        // With ε = 0.2: t̃ = 0.8·t + 0.05.
        assertClose(try crossEntropy(logits: logits, probabilities: targets, labelSmoothing: 0.2, reduction: .none),
                    Tensor([1.7872310876846313, 2.8805975914001465, 1.0497947931289673]))
        assertClose(try crossEntropy(logits: logits, probabilities: targets, labelSmoothing: 0.2), Tensor(1.905874490737915))
        assertClose(try crossEntropy(logits: logits, probabilities: targets, labelSmoothing: 0.2, reduction: .sum),
                    Tensor(5.717623233795166))
        assertClose(try crossEntropy(logits: logits, probabilities: targets, labelSmoothing: 0),
                    try crossEntropy(logits: logits, probabilities: targets))
    }

    func testNegativeLogLikelihoodEqualsCrossEntropyOfLogSoftmax() throws {
        let logP = try logSoftmax(logits)
        let perRow: [Float] = [0.48473113775253296, 0.25559747219085693, 2.1122946739196777]
        assertClose(try nllLoss(logProbabilities: logP, labels: labels, reduction: .none), Tensor(perRow))
        assertClose(try nllLoss(logProbabilities: logP, labels: labels), Tensor(0.9508744478225708))
        assertClose(try nllLoss(logProbabilities: logP, labels: labels, reduction: .sum), Tensor(2.852623462677002))
        assertClose(try nllLoss(logProbabilities: logP, labels: labelTensor, reduction: .none), Tensor(perRow))
        // NLL only picks: on arbitrary scores it is −x[n, yₙ].
        assertClose(try nllLoss(logProbabilities: logits, labels: labels, reduction: .none), Tensor([-2.0, -3.0, 0.75]))
    }

    func testBinaryCrossEntropyClampsTheLogAtMinus100() throws {
        let p = Tensor([0.9, 0.2, 0.6, 0.05]), t = Tensor([1, 0, 0.3, 1])
        assertClose(try binaryCrossEntropy(probabilities: p, targets: t, reduction: .none),
                    Tensor([0.10536051541566849, 0.2231435477733612, 0.794651210308075, 2.995732307434082]))
        assertClose(try binaryCrossEntropy(probabilities: p, targets: t), Tensor(1.0297218561172485))
        assertClose(try binaryCrossEntropy(probabilities: p, targets: t, reduction: .sum), Tensor(4.118887424468994))
        // log 0 = −∞ is clamped to −100, so a confident wrong answer costs exactly 100, never ∞.
        assertClose(try binaryCrossEntropy(probabilities: Tensor([0, 1, 0, 1]), targets: Tensor([1, 0, 0, 1]), reduction: .none),
                    Tensor([100, 100, 0, 0]))
    }

    let binaryLogits = try! Tensor(rows: [[2.0, -1.0, 0.5], [-3.0, 0.0, 4.0]])
    let binaryTargets = try! Tensor(rows: [[1.0, 0.0, 1.0], [0.0, 0.5, 1.0]])

    func testBinaryCrossEntropyWithLogitsMatchesPyTorch() throws {
        let unweighted: [Float] = [0.12692801654338837, 0.3132616877555847, 0.4740769863128662,
                                   0.04858735203742981, 0.6931471824645996, 0.018149927258491516]
        for (name, loss) in [
            ("fused, no weight", { (r: LossReduction) in try binaryCrossEntropyWithLogits(logits: self.binaryLogits, targets: self.binaryTargets, positiveWeight: nil, reduction: r) }),
            ("composite", { (r: LossReduction) in try binaryCrossEntropyWithLogits(logits: self.binaryLogits, targets: self.binaryTargets, reduction: r) }),
        ] {
            assertClose(try loss(.none), try Tensor(shape: [2, 3], scalars: unweighted), name)
            assertClose(try loss(.mean), Tensor(0.27902519702911377), name)
            assertClose(try loss(.sum), Tensor(1.6741511821746826), name)
        }
        // pos_weight = [2, 0.5, 3], one per class (last axis), broadcast over the batch.
        let weight = Tensor([2, 0.5, 3])
        assertClose(try binaryCrossEntropyWithLogits(logits: binaryLogits, targets: binaryTargets, positiveWeight: weight, reduction: .none),
                    try Tensor(shape: [2, 3], scalars: [0.25385603308677673, 0.3132616877555847, 1.4222309589385986,
                                                        0.04858735203742981, 0.5198603868484497, 0.05444978550076485]))
        assertClose(try binaryCrossEntropyWithLogits(logits: binaryLogits, targets: binaryTargets, positiveWeight: weight),
                    Tensor(0.43537434935569763))
        assertClose(try binaryCrossEntropyWithLogits(logits: binaryLogits, targets: binaryTargets, positiveWeight: weight, reduction: .sum),
                    Tensor(2.61224627494812))
        // A one-element weight equals the scalar overload.
        assertClose(try binaryCrossEntropyWithLogits(logits: binaryLogits, targets: binaryTargets, positiveWeight: Tensor([2.5])),
                    try binaryCrossEntropyWithLogits(logits: binaryLogits, targets: binaryTargets, positiveWeight: 2.5))
        // And BCE with logits is BCE of the sigmoid.
        assertClose(try binaryCrossEntropyWithLogits(logits: binaryLogits, targets: binaryTargets, positiveWeight: nil),
                    try binaryCrossEntropy(probabilities: binaryLogits.sigmoid(), targets: binaryTargets), rtol: 1e-4, atol: 1e-5)
    }

    // MARK: Divergences

    let student = try! Tensor(rows: [[1.0, 0.0, -1.0], [0.5, 0.5, 2.0]])
    let teacher = try! Tensor(rows: [[2.0, 1.0, 0.0], [0.0, -1.0, 3.0]])

    func testDistillationDivergenceAtSeveralTemperatures() throws {
        for (temperature, expected) in [(Float(1), Float(0.09515436738729477)), (2, 0.22210150957107544), (4, 0.26976707577705383)] {
            let fused = try klDivergence(studentLogits: student, teacherLogits: teacher, temperature: temperature)
            XCTAssertEqual(fused.shape, [])
            assertClose(fused, Tensor(expected), "T = \(temperature)")
            assertClose(try composedDistillationKL(studentLogits: student, teacherLogits: teacher, temperature: temperature), fused,
                        "composite distillationKL, T = \(temperature)")
        }
        assertClose(try klDivergence(studentLogits: student, teacherLogits: student, temperature: 3), Tensor(0), atol: 1e-6)
    }

    func testKLDivergenceLikePyTorchKLDivLoss() throws {
        // input = log softmax(student); target has a zero, whose term is 0 (PyTorch's xlogy).
        let logQ = try logSoftmax(student)
        let targetProbabilities = try Tensor(rows: [[0.2, 0.8, 0], [0.5, 0.25, 0.25]])
        assertClose(try klDivergence(logProbabilities: logQ, targetProbabilities: targetProbabilities, reduction: .none),
                    try Tensor(shape: [2, 3], scalars: [-0.2403663843870163, 0.9475699067115784, 0,
                                                        0.5879169702529907, 0.12067169696092606, -0.25432831048965454]))
        assertClose(try klDivergence(logProbabilities: logQ, targetProbabilities: targetProbabilities, reduction: .sum),
                    Tensor(1.1614638566970825))
        // `.mean` is PyTorch's "batchmean": the sum over the batch size 2, not over 6 elements.
        assertClose(try klDivergence(logProbabilities: logQ, targetProbabilities: targetProbabilities), Tensor(0.5807319283485413))
    }

    // MARK: The Loss enum

    func testLossEnumDispatchesToEachFunction() throws {
        let indexTargets = labelTensor
        let cases: [(String, Loss, Tensor, Tensor, Tensor)] = [
            ("crossEntropy", .crossEntropy, logits, indexTargets, try crossEntropy(logits: logits, labels: labels)),
            ("crossEntropy ε", .crossEntropy(labelSmoothing: 0.1), logits, indexTargets, Tensor(1.0550410747528076)),
            ("nll", .negativeLogLikelihood, try logSoftmax(logits), indexTargets, Tensor(0.9508744478225708)),
            ("mse", .meanSquaredError, prediction, target, Tensor(13.8125 / 6)),
            ("sse", .sumSquaredError(halved: true), prediction, target, Tensor(6.90625)),
            ("l1", .l1, prediction, target, Tensor(1.125)),
            ("huber", .huber(delta: 0.5), prediction, target, Tensor(0.4427083432674408)),
            ("bce", .binaryCrossEntropy, Tensor([0.9, 0.2, 0.6, 0.05]), Tensor([1, 0, 0.3, 1]), Tensor(1.0297218561172485)),
            ("bce logits", .binaryCrossEntropyWithLogits, binaryLogits, binaryTargets, Tensor(0.27902519702911377)),
        ]
        for (name, loss, output, target, expected) in cases {
            assertClose(try loss(output, target), expected, name)
        }
        // Regression targets of the right count are reshaped to the output's shape, e.g. [N] for [N, 1].
        assertClose(try StandardLoss.meanSquaredError(try Tensor(shape: [3, 1], scalars: [1, 2, 3]), Tensor([1, 2, 5])), Tensor(4.0 / 3))
    }
}

/// Hinton's soft-target term composed from differentiable ops, the reference the fused
/// `klDivergence(studentLogits:teacherLogits:temperature:)` is checked against.
func composedDistillationKL(studentLogits: Tensor, teacherLogits: Tensor, temperature: Float) throws -> Tensor {
    let teacher = try softmax(teacherLogits.detached() / temperature)
    let teacherLog = try logSoftmax(teacherLogits.detached() / temperature)
    let studentLog = try logSoftmax(studentLogits / temperature)
    let divergence = try (teacher * (teacherLog - studentLog)).sum() / Float(studentLogits.shape[0])
    return divergence * (temperature * temperature)
}
