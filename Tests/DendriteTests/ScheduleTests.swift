import XCTest
@testable import Dendrite

/// Every learning-rate schedule against its formula at every epoch, the PyTorch recursive forms
/// against the closed forms, application to an optimizer per epoch and per batch (also across a
/// resumed run), and reduce-on-plateau on scripted metric sequences checked against PyTorch's rule.
final class ScheduleTests: XCTestCase {
    var generator = RandomGenerator(seed: 11)

    // MARK: Closed forms at every epoch

    /// The course's loop, in Double: `lr_min + (lr0 − lr_min)·½(1 + cos(π·epoch/epochs))`.
    func courseCosine(_ epoch: Int, initial: Double, minimum: Double, epochs: Int) -> Double {
        let cosineDecay = 0.5 * (1 + cos(Double.pi * Double(epoch) / Double(epochs)))
        return minimum + (initial - minimum) * cosineDecay
    }

    func testCosineEqualsTheCourseFormulaAtEveryEpoch() throws {
        for (initial, minimum, epochs) in [(0.1, 0.0, 1), (0.1, 0.001, 7), (0.05, 1e-4, 10), (1.0, 0.0, 50)] as [(Double, Double, Int)] {
            let schedule = try CosineDecay(total: epochs, minimum: Float(minimum))
            let actual = (0...epochs).map { schedule.learningRate(at: $0, initial: Float(initial)) }
            let expected = (0...epochs).map { Float(courseCosine($0, initial: initial, minimum: minimum, epochs: epochs)) }
            assertClose(actual, expected, rtol: 1e-6, atol: 1e-8, "epochs \(epochs)")
            XCTAssertEqual(actual.first, Float(initial), "starts at lr0")
            XCTAssertEqual(actual.last!, Float(minimum), accuracy: 1e-8, "ends at lr_min")
            // Past the end it stays at lr_min.
            XCTAssertEqual(schedule.learningRate(at: epochs + 3, initial: Float(initial)), Float(minimum), accuracy: 1e-8)
        }
    }

    func testCosineEqualsPyTorchsRecursiveCosineAnnealingLR() throws {
        // torch.optim.lr_scheduler.CosineAnnealingLR.get_lr for 0 < t ≤ T_max:
        // η_t = η_min + (η_{t−1} − η_min)·(1 + cos(πt/T)) / (1 + cos(π(t − 1)/T)).
        let (initial, minimum, total) = (0.1, 0.002, 12)
        let schedule = try CosineDecay(total: total, minimum: Float(minimum))
        var recursive = [initial]
        for t in 1...total {
            let ratio = (1 + cos(Double.pi * Double(t) / Double(total))) / (1 + cos(Double.pi * Double(t - 1) / Double(total)))
            recursive.append(minimum + (recursive[t - 1] - minimum) * ratio)
        }
        assertClose((0...total).map { schedule.learningRate(at: $0, initial: Float(initial)) }, recursive.map(Float.init),
                    rtol: 1e-6, atol: 1e-8)
    }

    func testStepDecayAtEveryEpoch() throws {
        let schedule = try StepDecay(stepSize: 3, gamma: 0.5)
        // Closed form η₀·γ^⌊e/s⌋ and PyTorch's recursive StepLR (multiply by γ when e % s == 0, e > 0).
        var recursive: Float = 0.8
        for epoch in 0..<20 {
            if epoch > 0 && epoch % 3 == 0 { recursive *= 0.5 }
            let closed = 0.8 * powf(0.5, Float(epoch / 3))
            XCTAssertEqual(schedule.learningRate(at: epoch, initial: 0.8), closed, accuracy: 1e-9, "epoch \(epoch)")
            XCTAssertEqual(schedule.learningRate(at: epoch, initial: 0.8), recursive, accuracy: 1e-9, "epoch \(epoch)")
        }
    }

    func testMultiStepDecayAtEveryEpochWithUnsortedAndRepeatedMilestones() throws {
        // PyTorch's MultiStepLR counts repeated milestones: [5, 5] multiplies by γ² at epoch 5.
        let schedule = try MultiStepDecay(milestones: [5, 2, 5, 8], gamma: 0.1)
        let expected: [Float] = [1, 1, 0.1, 0.1, 0.1, 0.001, 0.001, 0.001, 1e-4, 1e-4, 1e-4]
        assertClose((0..<11).map { schedule.learningRate(at: $0, initial: 1) }, expected, rtol: 1e-5, atol: 0)
        XCTAssertEqual(schedule.milestones, [2, 5, 5, 8])
    }

    func testExponentialDecayAtEveryEpoch() throws {
        // η₀·γ^e and PyTorch's recursive ExponentialLR (multiply by γ each epoch); γ is a Float, so
        // the reference uses the same rounded γ and the comparison is relative.
        let schedule = try ExponentialDecay(gamma: 0.95)
        let gamma = Double(Float(0.95))
        var recursive = [0.3]
        for _ in 1..<40 { recursive.append(recursive.last! * gamma) }
        let actual = (0..<40).map { schedule.learningRate(at: $0, initial: 0.3) }
        assertClose(actual, (0..<40).map { Float(Double(Float(0.3)) * pow(gamma, Double($0))) }, rtol: 1e-6, atol: 0)
        assertClose(actual, recursive.map(Float.init), rtol: 1e-6, atol: 0)
    }

    func testConstantAtEveryEpoch() {
        XCTAssertEqual((0..<10).map { ConstantSchedule().learningRate(at: $0, initial: 0.02) }, [Float](repeating: 0.02, count: 10))
    }

    func testWarmupThenCosineAtEveryEpoch() throws {
        // Warm-up: η₀·(e + 1)/w for e < w; then the course's cosine over the remaining T − w epochs.
        let (initial, minimum, warmup, total): (Double, Double, Int, Int) = (0.4, 0.01, 5, 25)
        let schedule = try WarmupCosineDecay(warmup: warmup, total: total, minimum: Float(minimum))
        for epoch in 0...total + 2 {
            let expected = epoch < warmup
                ? initial * Double(epoch + 1) / Double(warmup)
                : courseCosine(Swift.min(epoch - warmup, total - warmup), initial: initial, minimum: minimum, epochs: total - warmup)
            XCTAssertEqual(schedule.learningRate(at: epoch, initial: Float(initial)), Float(expected), accuracy: 1e-7, "epoch \(epoch)")
        }
        XCTAssertEqual(schedule.learningRate(at: warmup - 1, initial: 0.4), 0.4, accuracy: 1e-7, "warm-up reaches η₀")
        XCTAssertEqual(schedule.learningRate(at: warmup, initial: 0.4), 0.4, accuracy: 1e-7, "cosine starts at η₀")
        XCTAssertEqual(schedule.learningRate(at: total, initial: 0.4), 0.01, accuracy: 1e-7, "and ends at η_min")
    }

    // MARK: Applied to an optimizer

    func testScheduleSetOnTheOptimizerIsTheRateTheStepUses() throws {
        // p = 0 with gradient 1: after each epoch's step p has moved by exactly that epoch's rate.
        let parameter = Parameter(Tensor([0]))
        let optimizer = try SGD([parameter], learningRate: 0.1)
        let schedule = try CosineDecay(total: 6, minimum: 0.01)
        var expected: Float = 0
        for epoch in 0..<6 {
            optimizer.learningRate = schedule.learningRate(at: epoch, initial: 0.1)
            parameter.gradient = Tensor([1])
            try optimizer.step()
            expected -= schedule.learningRate(at: epoch, initial: 0.1)
            XCTAssertEqual(parameter.value.scalars[0], expected, accuracy: 1e-6, "epoch \(epoch)")
        }
    }

    func testScheduleKeepsTheRatioBetweenParameterGroups() throws {
        // A pretrained backbone at a tenth of the head's rate stays at a tenth through the schedule.
        let backbone = ParameterGroup([Parameter(Tensor([0]))], learningRate: 0.01)
        let head = ParameterGroup([Parameter(Tensor([0]))], learningRate: 0.1)
        let optimizer = try SGD(groups: [head, backbone])
        let schedule = try CosineDecay(total: 10, minimum: 0.001)
        for epoch in 0..<10 {
            let rate = schedule.learningRate(at: epoch, initial: 0.1)
            optimizer.learningRate = rate
            XCTAssertEqual(optimizer.groups[0].learningRate, rate, accuracy: 1e-6 * rate, "epoch \(epoch)")
            XCTAssertEqual(optimizer.groups[1].learningRate, rate / 10, accuracy: 1e-6 * rate, "epoch \(epoch)")
        }
    }

    func smallProblem() throws -> (TensorDataset, Sequential) {
        let data = try TensorDataset(inputs: Tensor.normal([8, 2], generator: &generator), targets: Tensor.zeros([8]))
        let model = try Sequential { try Linear(2, 2, generator: &generator) }
        return (data, model)
    }

    func testPerEpochSchedulingThroughFit() throws {
        let (data, model) = try smallProblem()
        let schedule = try StepDecay(stepSize: 2, gamma: 0.5)
        let logger = LearningRateLogger()
        let history = try model.fit(data, epochs: 7, batchSize: 4, loss: .crossEntropy,
                                    optimizer: try SGD(model.parameters, learningRate: 0.4),
                                    callbacks: [LearningRateScheduler(schedule), logger])
        let expected: [Float] = [0.4, 0.4, 0.2, 0.2, 0.1, 0.1, 0.05]
        XCTAssertEqual(history.records.map(\.learningRate), expected)
        XCTAssertEqual(logger.epochRates, expected)
    }

    func testPerBatchSchedulingThroughFitUsesTheGlobalStep() throws {
        // 8 examples in batches of 2: 4 steps per epoch, 3 epochs, cosine over all 12 steps.
        let (data, model) = try smallProblem()
        let schedule = try CosineDecay(total: 12, minimum: 0)
        let logger = LearningRateLogger(perBatch: true)
        let history = try model.fit(data, epochs: 3, batchSize: 2, loss: .crossEntropy,
                                    optimizer: try SGD(model.parameters, learningRate: 0.2),
                                    callbacks: [logger, LearningRateScheduler(schedule, perBatch: true)])
        // The logger runs first, so it sees the rate each batch was trained with.
        assertClose(logger.batchRates, (0..<12).map { schedule.learningRate(at: $0, initial: 0.2) }, rtol: 1e-6, atol: 1e-9)
        assertClose(history.records.map(\.learningRate), [0, 4, 8].map { schedule.learningRate(at: $0, initial: 0.2) },
                    rtol: 1e-6, atol: 1e-9)
    }

    func testResumedRunContinuesTheScheduleFromTheOriginalRate() throws {
        let (data, model) = try smallProblem()
        let schedule = try StepDecay(stepSize: 2, gamma: 0.5)
        let first = try SGD(model.parameters, learningRate: 0.4)
        let partial = try model.fit(data, epochs: 3, batchSize: 4, loss: .crossEntropy, optimizer: first,
                                    callbacks: [LearningRateScheduler(schedule)])
        XCTAssertEqual(partial.initialLearningRate, 0.4)
        // A new optimizer restored from the saved state (its rate is the last epoch's, 0.2).
        let second = try SGD(model.parameters, learningRate: 1)
        try second.load(stateDict: Dictionary(uniqueKeysWithValues: first.stateDict()))
        XCTAssertEqual(second.learningRate, 0.2)
        let full = try model.fit(data, epochs: 6, batchSize: 4, loss: .crossEntropy, optimizer: second,
                                 callbacks: [LearningRateScheduler(schedule)], resuming: partial)
        XCTAssertEqual(full.records.map(\.learningRate), [0.4, 0.4, 0.2, 0.2, 0.1, 0.1])
    }

    // MARK: Reduce on plateau

    /// Feeds `values` one epoch at a time and returns the rate after each.
    func rates(_ plateau: ReduceLearningRateOnPlateau, _ values: [Float], optimizer: Optimizer) -> [Float] {
        values.map { value in
            plateau.observe(value, optimizer: optimizer)
            return optimizer.learningRate
        }
    }

    func testPlateauInMinimumModeWithARelativeThreshold() throws {
        // threshold 0.1 (relative): after a best of 1.0 only values < 0.9 count as improvements.
        // 0.95, 0.92, 0.91 are three bad epochs > patience 2 → halve; 0.85 is the new best, then
        // 0.84, 0.83, 0.80 are not < 0.765 → halve again; 0.76 improves.
        let optimizer = try SGD([Parameter(Tensor([0]))], learningRate: 1)
        let plateau = try ReduceLearningRateOnPlateau(mode: .minimum, factor: 0.5, patience: 2, threshold: 0.1)
        let values: [Float] = [1.0, 0.95, 0.92, 0.91, 0.85, 0.84, 0.83, 0.80, 0.76, 0.75, 0.74]
        XCTAssertEqual(rates(plateau, values, optimizer: optimizer), [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25])
    }

    func testPlateauThresholdIsRelativeNotAbsolute() throws {
        // At scale 100, 99.995 is 5e-5 better (relative) — not enough for the default 1e-4.
        let large = try SGD([Parameter(Tensor([0]))], learningRate: 1)
        let plateauLarge = try ReduceLearningRateOnPlateau(mode: .minimum, factor: 0.5, patience: 0)
        XCTAssertEqual(rates(plateauLarge, [100, 99.995, 99.995, 99.98], optimizer: large), [1, 0.5, 0.25, 0.25])
        // At scale 0.01, a change of 1e-5 is 1e-3 relative: an improvement every time.
        let small = try SGD([Parameter(Tensor([0]))], learningRate: 1)
        let plateauSmall = try ReduceLearningRateOnPlateau(mode: .minimum, factor: 0.5, patience: 0)
        XCTAssertEqual(rates(plateauSmall, [0.01, 0.00999, 0.00998], optimizer: small), [1, 1, 1])
    }

    func testPlateauInMaximumModeWithCooldownAndFloor() throws {
        // Accuracy, patience 1, cooldown 2, factor 0.1, floor 1e-3 (sequence checked against
        // PyTorch's ReduceLROnPlateau.step): the two epochs after a reduction do not count.
        let values: [Float] = [0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
        let expected: [Float] = [1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001, 0.001, 0.001]
        for mode in [MonitorMode.maximum, .automatic] {
            let optimizer = try SGD([Parameter(Tensor([0]))], learningRate: 1)
            let plateau = try ReduceLearningRateOnPlateau(monitor: "val_accuracy", mode: mode, factor: 0.1, patience: 1, cooldown: 2,
                                                      minimum: 1e-3)
            assertClose(rates(plateau, values, optimizer: optimizer), expected, rtol: 1e-5, atol: 0, "\(mode)")
        }
    }

    func testPlateauReportsReductionsAndStopsAtTheFloor() throws {
        let optimizer = try SGD([Parameter(Tensor([0]))], learningRate: 0.1)
        let plateau = try ReduceLearningRateOnPlateau(mode: .minimum, factor: 0.5, patience: 0, minimum: 0.03)
        XCTAssertNil(plateau.observe(1, optimizer: optimizer), "first value is the best")
        XCTAssertEqual(try XCTUnwrap(plateau.observe(1, optimizer: optimizer)), 0.05, accuracy: 1e-8)
        XCTAssertEqual(try XCTUnwrap(plateau.observe(1, optimizer: optimizer)), 0.03, accuracy: 1e-8, "clamped to the floor")
        XCTAssertNil(plateau.observe(1, optimizer: optimizer), "already at the floor")
        XCTAssertEqual(optimizer.learningRate, 0.03, accuracy: 1e-8)
    }

    func testPlateauScalesEveryParameterGroup() throws {
        let optimizer = try SGD(groups: [ParameterGroup([Parameter(Tensor([0]))], learningRate: 1),
                                         ParameterGroup([Parameter(Tensor([0]))], learningRate: 0.1)])
        let plateau = try ReduceLearningRateOnPlateau(mode: .minimum, factor: 0.5, patience: 0)
        for _ in 0..<4 { plateau.observe(1, optimizer: optimizer) }
        XCTAssertEqual(optimizer.groups[0].learningRate, 0.125, accuracy: 1e-8)
        XCTAssertEqual(optimizer.groups[1].learningRate, 0.0125, accuracy: 1e-8)
    }

    func testPlateauThroughFitReadsTheValidationMetricAndNamesAMissingOne() throws {
        let (data, model) = try smallProblem()
        // The targets are all class 0 and the data is tiny: the loss falls every epoch, so no reduction.
        let reducing = try ReduceLearningRateOnPlateau(monitor: "val_loss", factor: 0.5, patience: 1)
        let history = try model.fit(data, validation: data, epochs: 4, batchSize: 8, loss: .crossEntropy,
                                    optimizer: try SGD(model.parameters, learningRate: 0.1), callbacks: [reducing])
        XCTAssertEqual(history.records.map(\.learningRate), [0.1, 0.1, 0.1, 0.1])
        // Without validation data there is no val_loss: the error names the callback and the key.
        XCTAssertThrowsError(try model.fit(data, epochs: 1, batchSize: 8, loss: .crossEntropy,
                                           optimizer: try SGD(model.parameters, learningRate: 0.1),
                                           callbacks: [ReduceLearningRateOnPlateau(monitor: "val_loss")])) { error in
            guard case .invalidArgument(let operation, let argument, _)? = error as? DendriteError else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "ReduceLearningRateOnPlateau")
            XCTAssertTrue(argument.contains("val_loss"), argument)
        }
    }

    /// Out-of-range arguments are typed errors naming the schedule and the argument, never a
    /// silently adjusted schedule.
    func testInvalidScheduleArgumentsThrowNamingTheScheduleAndArgument() {
        func expect(_ schedule: String, _ argument: String, _ make: () throws -> LearningRateSchedule,
                    line: UInt = #line) {
            XCTAssertThrowsError(try make(), line: line) { error in
                guard case .invalidArgument(let operation, let named, _)? = error as? DendriteError else {
                    return XCTFail("\(error)", line: line)
                }
                XCTAssertEqual(operation, schedule, line: line)
                XCTAssertTrue(named.hasPrefix(argument), named, line: line)
            }
        }
        expect("StepDecay", "stepSize", { try StepDecay(stepSize: 0) })
        expect("StepDecay", "gamma", { try StepDecay(stepSize: 2, gamma: -0.5) })
        expect("StepDecay", "gamma", { try StepDecay(stepSize: 2, gamma: .nan) })
        expect("MultiStepDecay", "milestone", { try MultiStepDecay(milestones: [3, -1]) })
        expect("ExponentialDecay", "gamma", { try ExponentialDecay(gamma: 0) })
        expect("ExponentialDecay", "gamma", { try ExponentialDecay(gamma: .infinity) })
        expect("CosineDecay", "total", { try CosineDecay(total: 0) })
        expect("CosineDecay", "minimum", { try CosineDecay(total: 5, minimum: -1e-3) })
        expect("WarmupCosineDecay", "warmup", { try WarmupCosineDecay(warmup: -1, total: 5) })
        expect("WarmupCosineDecay", "total", { try WarmupCosineDecay(warmup: 5, total: 5) })
        XCTAssertThrowsError(try ReduceLearningRateOnPlateau(factor: 1))
        XCTAssertThrowsError(try ReduceLearningRateOnPlateau(patience: -1))
        XCTAssertThrowsError(try ReduceLearningRateOnPlateau(threshold: .nan))
        // The boundaries themselves are valid.
        XCTAssertNoThrow(try StepDecay(stepSize: 1, gamma: 0))
        XCTAssertNoThrow(try WarmupCosineDecay(warmup: 0, total: 1))
    }
}
