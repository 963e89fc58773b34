import XCTest
@testable import Dendrite

final class LossTests: XCTestCase {
    var generator = RandomGenerator(seed: 8)

    func testRegressionLossValues() throws {
        let prediction = Tensor([1, 2, 3, 4]), target = Tensor([1.5, 2, 1, 4.25])
        XCTAssertEqual(try meanSquaredError(prediction, target).scalar!, (0.25 + 0 + 4 + 0.0625) / 4, accuracy: 1e-6)
        XCTAssertEqual(try meanSquaredError(prediction, target, reduction: .sum).scalar!, 4.3125, accuracy: 1e-6)
        XCTAssertEqual(try meanSquaredError(prediction, target, reduction: .none).scalars, [0.25, 0, 4, 0.0625])
        XCTAssertEqual(try sumSquaredError(prediction, target).scalar!, 4.3125, accuracy: 1e-6)
        XCTAssertEqual(try sumSquaredError(prediction, target, halved: true).scalar!, 2.15625, accuracy: 1e-6)
        XCTAssertEqual(try l1Loss(prediction, target).scalar!, (0.5 + 0 + 2 + 0.25) / 4, accuracy: 1e-6)
        // Huber δ = 1: ½·0.25, 0, 1·(2 − ½), ½·0.0625.
        XCTAssertEqual(try huberLoss(prediction, target).scalar!, (0.125 + 0 + 1.5 + 0.03125) / 4, accuracy: 1e-6)
        XCTAssertThrowsError(try meanSquaredError(prediction, Tensor([1, 2]))) { error in
            guard case .shapeMismatch(let operation, _, _)? = error as? DendriteError else { return XCTFail() }
            XCTAssertEqual(operation, "meanSquaredError")
        }
    }

    func testClassificationLossValues() throws {
        let logits = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 1, 1, 1])
        let labels = Tensor([2, 0])
        let expected: Double = ((-3 + Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0))) + Foundation.log(3.0)) / 2
        XCTAssertEqual(try crossEntropy(logits: logits, labels: labels).scalar!, Float(expected), accuracy: 1e-5)
        let logProbabilities = try logSoftmax(logits)
        XCTAssertEqual(try nllLoss(logProbabilities: logProbabilities, labels: labels).scalar!, Float(expected), accuracy: 1e-5)
        let probabilities = Tensor([0.9, 0.2]), targets = Tensor([1, 0])
        XCTAssertEqual(try binaryCrossEntropy(probabilities: probabilities, targets: targets).scalar!,
                       Float(-(Foundation.log(0.9) + Foundation.log(0.8)) / 2), accuracy: 1e-5)
        let logitsB = Tensor([2, -1])
        XCTAssertEqual(try binaryCrossEntropyWithLogits(logits: logitsB, targets: targets).scalar!,
                       Float((Foundation.log(1 + Foundation.exp(-2.0)) + Foundation.log(1 + Foundation.exp(-1.0))) / 2), accuracy: 1e-5)
        XCTAssertEqual(try binaryCrossEntropy(probabilities: Tensor([0]), targets: Tensor([1])).scalar, 100, "log clamped at −100")
        // Huge logits stay finite.
        XCTAssertTrue(try crossEntropy(logits: try Tensor(shape: [1, 2], scalars: [1000, -1000]), labels: Tensor([1])).scalar!.isFinite)
        XCTAssertTrue(try binaryCrossEntropyWithLogits(logits: Tensor([1000, -1000]), targets: Tensor([0, 1])).scalar!.isFinite)
        XCTAssertThrowsError(try crossEntropy(logits: logits, labels: Tensor([3, 0]))) { error in
            guard case .invalidArgument(let operation, let argument, let reason)? = error as? DendriteError else { return XCTFail() }
            XCTAssertEqual(operation, "crossEntropy")
            XCTAssertEqual(argument, "label 3.0 of example 0")
            XCTAssertEqual(reason, "must be a class index in 0..<3")
        }
    }

    func testLabelsThatAreNotIntegersInRangeAreTypedErrors() throws {
        let logits = try Tensor.zeros([2, 3])
        for bad: Float in [.infinity, -.infinity, .nan, 1e30, 3, -1, 0.5] {
            XCTAssertThrowsError(try crossEntropy(logits: logits, labels: Tensor([0, bad])), "label \(bad)") { error in
                guard case .invalidArgument(let operation, _, _)? = error as? DendriteError else { return XCTFail("\(error)") }
                XCTAssertEqual(operation, "crossEntropy")
            }
            XCTAssertThrowsError(try embedding(Tensor([bad]), weight: Tensor.zeros([3, 2])), "index \(bad)") { error in
                guard case .invalidArgument(let operation, _, _)? = error as? DendriteError else { return XCTFail("\(error)") }
                XCTAssertEqual(operation, "embedding")
            }
        }
    }

    func testDistillationAndKLDivergence() throws {
        let student = try Tensor(shape: [2, 3], scalars: [1, 0, -1, 0.5, 0.5, 2])
        XCTAssertEqual(try klDivergence(studentLogits: student, teacherLogits: student, temperature: 3).scalar!, 0, accuracy: 1e-6)
        let teacher = try Tensor(shape: [2, 3], scalars: [2, 1, 0, 0, 0, 0])
        let t: Float = 2
        let p = try softmax(teacher / t), logP = try logSoftmax(teacher / t), logQ = try logSoftmax(student / t)
        let expected = try (p * (logP - logQ)).sum().scalar! / 2 * t * t
        XCTAssertEqual(try klDivergence(studentLogits: student, teacherLogits: teacher, temperature: t).scalar!, expected, accuracy: 1e-6)
        XCTAssertEqual(try klDivergence(logProbabilities: logQ, targetProbabilities: p).scalar!, expected / (t * t), accuracy: 1e-6)
    }

    func testEveryLossHasCorrectGradients() throws {
        let target = Tensor.normal([3, 4], generator: &generator)
        try checkGradients([Tensor.normal([3, 4], generator: &generator)], "mse") { try meanSquaredError($0[0], target) }
        try checkGradients([Tensor.normal([3, 4], generator: &generator)], "sse") { try sumSquaredError($0[0], target, halved: true) }
        try checkGradients([try target + awayFromZero([3, 4], gap: 0.2, generator: &generator)], "l1") { try l1Loss($0[0], target) }
        try checkGradients([try target + Tensor([0.5, -2, 1.7, -0.3])], "huber") { try huberLoss($0[0], target, delta: 1) }
        let labels = Tensor([0, 3, 1])
        try checkGradients([Tensor.normal([3, 4], generator: &generator)], "crossEntropy") {
            try crossEntropy(logits: $0[0], labels: labels, labelSmoothing: 0.1)
        }
        try checkGradients([Tensor.normal([3, 4], generator: &generator)], "crossEntropy none") {
            try crossEntropy(logits: $0[0], labels: labels, reduction: .none)
        }
        try checkGradients([Tensor.normal([3, 4], generator: &generator)], "nll") {
            try nllLoss(logProbabilities: try logSoftmax($0[0]), labels: labels)
        }
        let binary = Tensor([1, 0, 1, 0])
        try checkGradients([Tensor.uniform([4], low: 0.2, high: 0.8, generator: &generator)], "bce") {
            try binaryCrossEntropy(probabilities: $0[0], targets: binary)
        }
        try checkGradients([Tensor.normal([4], generator: &generator)], "bce logits") {
            try binaryCrossEntropyWithLogits(logits: $0[0], targets: binary, positiveWeight: 2)
        }
        let teacher = Tensor.normal([3, 4], generator: &generator)
        try checkGradients([Tensor.normal([3, 4], generator: &generator)], "distillation") {
            try klDivergence(studentLogits: $0[0], teacherLogits: teacher, temperature: 2)
        }
    }
}
