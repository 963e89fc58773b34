import XCTest
@testable import Dendrite

final class TrainingTests: XCTestCase {
    var generator = RandomGenerator(seed: 5)

    func testMLPLearnsXORTo100PercentWithFit() throws {
        let data = try TensorDataset(inputs: Tensor(rows: [[0, 0], [0, 1], [1, 0], [1, 1]]), targets: Tensor([0, 1, 1, 0]))
        let model = try Sequential { try Linear(2, 8, generator: &generator); Tanh(); try Linear(8, 2, generator: &generator) }
        let optimizer = try Adam(model.parameters, learningRate: 0.05)
        let history = try model.fit(data, epochs: 300, batchSize: 4, loss: .crossEntropy, optimizer: optimizer)
        XCTAssertEqual(history.records.count, 300)
        XCTAssertEqual(try model.evaluate(data, loss: .crossEntropy)["accuracy"], 1)
        XCTAssertLessThan(history.records.last!.loss, 0.05)
    }

    func testMLPLearnsTwoSpiralsTo100PercentWithTheExplicitLoop() throws {
        // Two interleaved spirals, 100 points each: the classic hard case for an MLP.
        var points: [[Float]] = [], labels: [Float] = []
        for i in 0..<100 {
            let t = Float(i) / 100 * 3 * .pi
            let radius = 0.2 + t / (3 * .pi)
            points.append([radius * cosf(t), radius * sinf(t)]); labels.append(0)
            points.append([-radius * cosf(t), -radius * sinf(t)]); labels.append(1)
        }
        let inputs = try Tensor(rows: points), targets = Tensor(labels)
        let model = try Sequential {
            try Linear(2, 64, generator: &generator); Tanh()
            try Linear(64, 64, generator: &generator); Tanh()
            try Linear(64, 2, generator: &generator)
        }
        let optimizer = try Adam(model.parameters, learningRate: 0.01)
        // The course's loop: forward, loss, backward, step, zero the gradients.
        for _ in 0..<1500 {
            let loss = try crossEntropy(logits: try model(inputs), labels: targets)
            try loss.backward()
            try optimizer.step()
            optimizer.zeroGrad()
        }
        let predictions = try model.predict(inputs).argmax(alongAxis: 1)
        XCTAssertEqual(zip(predictions, labels).filter { Float($0) == $1 }.count, 200)
    }

    func testEarlyStoppingStopsAtTheRightEpochAndRestoresTheBestWeights() throws {
        let model = try Sequential { try Linear(1, 1, bias: false, generator: &generator) }
        let weight = model.parameters[0]
        let optimizer = try SGD(model.parameters, learningRate: 0.1)
        let context = TrainingContext(model: model, optimizer: optimizer, epochs: 20, batchCount: 1)
        let stopper = EarlyStopping(monitor: "val_loss", patience: 3, minDelta: 0.01, restoreBestWeights: true)
        try stopper.trainingWillBegin(context)
        // Epoch 3 is best (0.5); 4 improves by less than minDelta; 5 and 6 are worse → stop at 6.
        let losses: [Float] = [1.0, 0.8, 0.5, 0.495, 0.6, 0.7, 0.4]
        var stoppedAt: Int?
        for (index, loss) in losses.enumerated() {
            weight.value = try Tensor.full([1, 1], Float(index + 1))          // the weight records the epoch
            let record = EpochRecord(epoch: index + 1, loss: loss, metrics: [:], validationLoss: loss, validationMetrics: [:],
                                     learningRate: 0.1, seconds: 0, samplesPerSecond: 0)
            context.history.records.append(record)
            try stopper.epochDidEnd(record, context: context)
            if context.stopTraining { stoppedAt = index + 1; break }
        }
        XCTAssertEqual(stoppedAt, 6)
        XCTAssertEqual(stopper.best?.epoch, 3)
        XCTAssertEqual(context.restoredEpoch, 3)
        XCTAssertEqual(weight.value.scalars, [3], "weights of the best epoch are back")
    }

    func testFitWithEarlyStoppingOnOverfittingData() throws {
        // Noisy labels on random inputs: validation loss rises as the model memorizes.
        let inputs = Tensor.normal([64, 8], generator: &generator)
        let targets = Tensor((0..<64).map { _ in Float(generator.nextInt(below: 2)) })
        let all = try TensorDataset(inputs: inputs, targets: targets)
        let (training, validation) = try all.split(validationFraction: 0.5)
        let model = try Sequential { try Linear(8, 64, generator: &generator); ReLU(); try Linear(64, 2, generator: &generator) }
        let stopper = EarlyStopping(patience: 3, restoreBestWeights: true)
        let history = try model.fit(training, validation: validation, epochs: 200, batchSize: 8, loss: .crossEntropy,
                                    optimizer: try Adam(model.parameters, learningRate: 0.01), callbacks: [stopper])
        XCTAssertTrue(history.stoppedEarly)
        XCTAssertLessThan(history.records.count, 200)
        let best = try XCTUnwrap(stopper.best)
        XCTAssertEqual(history.records.count, best.epoch + 3)
        XCTAssertEqual(try model.evaluate(validation, loss: .crossEntropy)["loss"]!, best.value, accuracy: 1e-5)
        XCTAssertTrue(history.csv.hasPrefix("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,samples_per_second\n"))
    }

    func testCosineScheduleEqualsTheCourseFormulaAtEveryEpoch() throws {
        let (initial, minimum, epochs): (Float, Float, Int) = (0.1, 0.001, 10)
        let schedule = try CosineDecay(total: epochs, minimum: minimum)
        for epoch in 0...epochs {
            let formula = minimum + (initial - minimum) * 0.5 * (1 + cosf(.pi * Float(epoch) / Float(epochs)))
            XCTAssertEqual(schedule.learningRate(at: epoch, initial: initial), formula, accuracy: 1e-7, "epoch \(epoch)")
        }
        // Applied by fit through the callback: the history records each epoch's rate.
        let data = try TensorDataset(inputs: Tensor.normal([8, 2], generator: &generator), targets: Tensor.zeros([8]))
        let model = try Sequential { try Linear(2, 2, generator: &generator) }
        let history = try model.fit(data, epochs: epochs, batchSize: 8, loss: .crossEntropy,
                                    optimizer: try SGD(model.parameters, learningRate: initial),
                                    callbacks: [LearningRateScheduler(schedule)])
        for (epoch, record) in history.records.enumerated() {
            XCTAssertEqual(record.learningRate, schedule.learningRate(at: epoch, initial: initial), accuracy: 1e-7)
        }
    }

    func testOtherSchedules() throws {
        let step = try StepDecay(stepSize: 3, gamma: 0.5), multiStep = try MultiStepDecay(milestones: [2, 4], gamma: 0.1)
        XCTAssertEqual((0..<7).map { step.learningRate(at: $0, initial: 1) }, [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
        assertClose((0..<6).map { multiStep.learningRate(at: $0, initial: 1) }, [1, 1, 0.1, 0.1, 0.01, 0.01], atol: 1e-7)
        XCTAssertEqual(try ExponentialDecay(gamma: 0.9).learningRate(at: 2, initial: 1), 0.81, accuracy: 1e-6)
        let warm = try WarmupCosineDecay(warmup: 4, total: 10)
        XCTAssertEqual((0..<4).map { warm.learningRate(at: $0, initial: 1) }, [0.25, 0.5, 0.75, 1])
        XCTAssertEqual(warm.learningRate(at: 7, initial: 1), 0.5, accuracy: 1e-6)
        XCTAssertEqual(ConstantSchedule().learningRate(at: 99, initial: 0.3), 0.3)
    }

    func testReduceOnPlateauFollowsPyTorch() throws {
        let optimizer = try SGD([Parameter(Tensor([0]))], learningRate: 1)
        let plateau = try ReduceLearningRateOnPlateau(factor: 0.5, patience: 2, cooldown: 1, minimum: 0.2)
        var rates: [Float] = []
        // Patience 2: the third epoch without improvement reduces; cooldown 1 skips one epoch of counting.
        for value: Float in [1, 0.9] + [Float](repeating: 0.9, count: 11) {
            plateau.observe(value, optimizer: optimizer)
            rates.append(optimizer.learningRate)
        }
        XCTAssertEqual(rates, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.2])
    }

    func testNonFiniteLossStopsTrainingNamingEpochAndBatch() throws {
        let data = try TensorDataset(inputs: Tensor.full([4, 1], 1e30), targets: Tensor.zeros([4, 1]))
        let model = try Sequential { try Linear(1, 1, generator: &generator) }
        XCTAssertThrowsError(try model.fit(data, epochs: 3, batchSize: 2, loss: .meanSquaredError,
                                           optimizer: try SGD(model.parameters, learningRate: 1e10), metrics: [])) { error in
            guard case .nonFiniteLoss(let epoch, let batch, _)? = error as? DendriteError else { return XCTFail("\(error)") }
            XCTAssertEqual(epoch, 1)
            XCTAssertGreaterThanOrEqual(batch, 1)
            XCTAssertTrue("\(error)".contains("epoch 1, batch"))
        }
    }

    func testMetricsAndConfusionMatrix() throws {
        let outputs = try Tensor(shape: [3, 3], scalars: [0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.3, 0.3, 0.4])
        let targets = Tensor([1, 1, 0])
        XCTAssertEqual(try StandardMetric.accuracy.correctCount(outputs: outputs, targets: targets), 1)
        XCTAssertEqual(try StandardMetric.topK(2).correctCount(outputs: outputs, targets: targets), 3)
        XCTAssertEqual(try StandardMetric.topK(1).correctCount(outputs: outputs, targets: targets), 1)
        XCTAssertEqual(try confusionMatrix(predictions: [1, 0, 2], labels: [1, 1, 0], classCount: 3), [[0, 0, 1], [1, 1, 0], [0, 0, 0]])
        XCTAssertThrowsError(try confusionMatrix(predictions: [3], labels: [0], classCount: 3))
    }
}
