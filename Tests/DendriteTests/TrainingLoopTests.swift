import Foundation
import XCTest
@testable import Dendrite

/// The open training loop: custom losses and metrics, hooks, a replaced step, sharded loaders,
/// concurrent training.
final class TrainingLoopTests: XCTestCase {
    /// Mean squared error times ten: a loss `fit` has never heard of.
    struct ScaledSquaredError: Loss {
        var name: String { "scaled_mse" }
        func callAsFunction(_ output: Tensor, _ target: Tensor) throws -> Tensor {
            // Module-qualified: inside a Loss, `meanSquaredError` names the built-in StandardLoss.
            try Dendrite.meanSquaredError(output, try target.reshaped(to: output.shape)) * 10
        }
    }

    /// The fraction of outputs above zero: a metric `fit` has never heard of.
    struct PositiveFraction: Metric {
        var name: String { "positive" }
        func contribution(outputs: Tensor, targets: Tensor) throws -> MetricContribution {
            MetricContribution(total: Double(outputs.scalars.filter { $0 > 0 }.count), count: outputs.count)
        }
    }

    /// Records the order of the hooks `fit` calls.
    final class HookRecorder: TrainingCallback {
        var events: [String] = []
        var gradientSeen: Bool?
        func gradientsDidCompute(_ context: TrainingContext) throws {
            events.append("gradients \(context.batch)")
            gradientSeen = context.model.parameters.allSatisfy { $0.gradient != nil }
        }
        func optimizerWillStep(_ context: TrainingContext) throws { events.append("willStep \(context.batch)") }
        func epochWillBegin(_ epoch: Int, context: TrainingContext) throws { events.append("epoch \(context.epoch)") }
        func optimizerDidStep(_ context: TrainingContext) throws { events.append("didStep \(context.batch)") }
        func batchDidEnd(_ batch: Int, loss: Float, context: TrainingContext) throws { events.append("batch \(batch)") }
    }

    func regressionData(count: Int, seed: UInt64) throws -> TensorDataset {
        var generator = RandomGenerator(seed: seed)
        let x = Tensor.normal([count, 3], generator: &generator)
        let y = try x.matmul(try Tensor(shape: [3, 1], scalars: [1, -2, 0.5])) + 0.25
        return try TensorDataset(inputs: x, targets: y)
    }

    func testCustomLossAndMetricThroughFitEvaluateAndTheHistoryFile() throws {
        var generator = RandomGenerator(seed: 1)
        let model = try Sequential { try Linear(3, 1, generator: &generator) }
        let data = try regressionData(count: 64, seed: 2)
        let history = try model.fit(data, validation: data, epochs: 3, batchSize: 16, loss: ScaledSquaredError(),
                                    optimizer: try SGD(model.parameters, learningRate: 0.01),
                                    metrics: [PositiveFraction(), .meanAbsoluteError])
        let losses = history.records.map(\.loss)
        XCTAssertLessThan(losses[2], losses[0], "the custom loss is minimized")
        let outputs = try model.predict(data.inputs)
        let positive = Float(outputs.scalars.filter { $0 > 0 }.count) / Float(outputs.count)
        XCTAssertEqual(try XCTUnwrap(history.records.last?.validationMetrics["positive"]), positive, accuracy: 1e-6)
        let evaluation = try model.evaluate(data, loss: ScaledSquaredError(), metrics: [PositiveFraction()])
        XCTAssertEqual(try XCTUnwrap(evaluation["loss"]), try ScaledSquaredError()(outputs, data.targets).scalar!, accuracy: 1e-4)
        XCTAssertEqual(try XCTUnwrap(evaluation["positive"]), positive, accuracy: 1e-6)
        // The history file the CLI writes (history.json, history.csv) carries the custom names.
        let json = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
        XCTAssertTrue(json.contains("\"positive\""), json)
        XCTAssertEqual(try JSONDecoder().decode(History.self, from: Data(json.utf8)), history)
        XCTAssertTrue(history.csv.contains("val_positive"), history.csv)
        XCTAssertTrue(history.csv.contains("val_mae"), history.csv)
    }

    func testHooksRunAfterBackwardBeforeAndAfterTheStepInThatOrder() throws {
        var generator = RandomGenerator(seed: 3)
        let model = try Sequential { try Linear(3, 1, generator: &generator) }
        let recorder = HookRecorder()
        try model.fit(try regressionData(count: 8, seed: 4), epochs: 1, batchSize: 4, loss: .meanSquaredError,
                      optimizer: try SGD(model.parameters, learningRate: 0.1), metrics: [], callbacks: [recorder])
        XCTAssertEqual(recorder.events, ["epoch 0", "gradients 0", "willStep 0", "didStep 0", "batch 0",
                                         "gradients 1", "willStep 1", "didStep 1", "batch 1"])
        XCTAssertEqual(recorder.gradientSeen, true, "gradients exist when gradientsDidCompute runs")
    }

    /// A gradient transform in `gradientsDidCompute` (an L2 penalty) changes what the step applies.
    final class GradientPenalty: TrainingCallback {
        let alpha: Float
        init(alpha: Float) { self.alpha = alpha }
        func gradientsDidCompute(_ context: TrainingContext) throws {
            for parameter in context.model.parameters {
                if let gradient = parameter.gradient { parameter.gradient = try gradient + parameter.value * alpha }
            }
        }
    }

    func testAGradientHookActsLikeWeightDecay() throws {
        func train(_ callbacks: [TrainingCallback], weightDecay: Float) throws -> [Float] {
            var generator = RandomGenerator(seed: 5)
            let model = try Sequential { try Linear(3, 2, generator: &generator) }
            let data = try regressionData(count: 12, seed: 6)
            let targets = try Tensor.concat([data.targets, data.targets], alongAxis: 1)
            try model.fit(try TensorDataset(inputs: data.inputs, targets: targets), epochs: 2, batchSize: 4, loss: .meanSquaredError,
                          optimizer: try SGD(model.parameters, learningRate: 0.05, weightDecay: weightDecay), metrics: [],
                          callbacks: callbacks)
            return model.parameters.flatMap(\.value.scalars)
        }
        let hooked = try train([GradientPenalty(alpha: 0.3)], weightDecay: 0)
        assertClose(hooked, try train([], weightDecay: 0.3), rtol: 1e-5, atol: 1e-6)
        XCTAssertNotEqual(hooked, try train([], weightDecay: 0))
    }

    func testAReplacedStepTrainsWithItsOwnLoss() throws {
        var generator = RandomGenerator(seed: 7)
        let teacher = try Sequential { try Linear(3, 4, generator: &generator) }
        let student = try Sequential { try Linear(3, 4, generator: &generator) }
        var labelGenerator = RandomGenerator(seed: 8)
        let inputs = Tensor.normal([32, 3], generator: &labelGenerator)
        let data = try TensorDataset(inputs: inputs, targets: Tensor((0..<32).map { Float($0 % 4) }))
        let distillation = try DistillationLoss(temperature: 2, alpha: 1)   // soft targets only
        var stepped = 0
        let history = try student.fit(data, epochs: 30, batchSize: 8, loss: .crossEntropy,
                                      optimizer: try Adam(student.parameters, learningRate: 0.05)) { images, labels in
            stepped += 1
            let soft = try noGrad { try teacher(images) }
            let logits = try student(images)
            return (try distillation(studentLogits: logits, teacherLogits: soft, labels: labels), logits)
        }
        XCTAssertEqual(stepped, 120)
        XCTAssertLessThan(history.records.last!.loss, history.records.first!.loss / 4, "the distillation loss falls")
        let agreement = zip(try student.predict(inputs).argmax(alongAxis: 1), try teacher.predict(inputs).argmax(alongAxis: 1))
            .filter { $0 == $1 }.count
        XCTAssertGreaterThanOrEqual(agreement, 28, "the student learned the teacher's decisions")
    }

    func testShardsAreDisjointEqualAndShareThePermutation() throws {
        let data = try regressionData(count: 23, seed: 9)
        let loader = try DataLoader(data, batchSize: 4, shuffle: true, seed: 11)
        for epoch in 0..<3 {
            let shards = try (0..<3).map { try loader.shard(rank: $0, count: 3).order(epoch: epoch) }
            XCTAssertEqual(shards.map(\.count), [7, 7, 7])
            XCTAssertEqual(Set(shards.joined()).count, 21, "disjoint")
            let full = loader.order(epoch: epoch)
            for (rank, shard) in shards.enumerated() {
                XCTAssertEqual(shard, stride(from: rank, to: 21, by: 3).map { full[$0] }, "rank \(rank) of the same permutation")
            }
            XCTAssertEqual(try loader.shard(rank: 1, count: 3).batchCount, 2)
        }
        XCTAssertNotEqual(try loader.shard(rank: 0, count: 3).order(epoch: 0), try loader.shard(rank: 0, count: 3).order(epoch: 1))
        XCTAssertThrowsError(try loader.shard(rank: 3, count: 3))
        XCTAssertThrowsError(try loader.shard(rank: 0, count: 24))
    }

    /// Two models with dropout, batch norm and validation (which runs under `noGrad`), trained
    /// one after the other and then at the same time on two threads.
    func testTwoModelsOnTwoThreadsEqualTheSequentialResults() throws {
        func makeModel(_ seed: UInt64) throws -> Sequential {
            var generator = RandomGenerator(seed: seed)
            return try Sequential {
                try Linear(3, 16, generator: &generator); BatchNorm1D(16); ReLU()
                try! Dropout(0.2, seed: seed)
                try Linear(16, 1, generator: &generator)
            }
        }
        func train(_ model: Sequential, seed: UInt64) throws -> [Float] {
            let data = try regressionData(count: 96, seed: seed)
            try model.fit(data, validation: data, epochs: 4, batchSize: 8, loss: .meanSquaredError,
                          optimizer: try Adam(model.parameters, learningRate: 0.01), metrics: [], seed: seed)
            return model.parameters.flatMap(\.value.scalars)
        }
        let sequential = [try train(try makeModel(1), seed: 1), try train(try makeModel(2), seed: 2)]
        let models = [try makeModel(1), try makeModel(2)]
        var concurrent: [[Float]?] = [nil, nil]
        let lock = NSLock()
        let group = DispatchGroup()
        for index in 0..<2 {
            let thread = Thread {
                let result = try? train(models[index], seed: UInt64(index + 1))
                lock.lock(); concurrent[index] = result; lock.unlock()
                group.leave()
            }
            group.enter()
            thread.start()
        }
        group.wait()
        XCTAssertEqual(concurrent[0], sequential[0])
        XCTAssertEqual(concurrent[1], sequential[1])
    }

    func testGradientModeAndDefaultGeneratorBelongToTheThread() throws {
        var seenInside: Bool?
        var drawnElsewhere: UInt64?
        RandomGenerator.seedGlobal(99)
        try noGrad {
            XCTAssertFalse(GradientMode.isEnabled)
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                seenInside = GradientMode.isEnabled
                drawnElsewhere = RandomGenerator.global.next()
                done.signal()
            }
            thread.start()
            done.wait()
        }
        XCTAssertEqual(seenInside, true, "noGrad on one thread does not stop recording on another")
        var fresh = RandomGenerator(seed: 0)
        XCTAssertEqual(drawnElsewhere, fresh.next(), "a new thread's default generator starts from seed 0")
        var reseeded = RandomGenerator(seed: 99)
        XCTAssertEqual(RandomGenerator.global.next(), reseeded.next())
    }

    func testEmptyDataAndSplitsThatLeaveNothingToTrainOnAreErrors() throws {
        var generator = RandomGenerator(seed: 13)
        let model = try Sequential { try Linear(3, 1, generator: &generator) }
        let empty = try TensorDataset(inputs: try Tensor.zeros([0, 3]), targets: try Tensor.zeros([0, 1]))
        XCTAssertThrowsError(try model.fit(empty, epochs: 1, loss: .meanSquaredError,
                                           optimizer: try SGD(model.parameters, learningRate: 0.1))) { error in
            XCTAssertTrue("\(error)".contains("fit: invalid data: has no examples"), "\(error)")
        }
        let one = try regressionData(count: 1, seed: 14)
        XCTAssertThrowsError(try one.split(validationFraction: 0.1)) { error in
            XCTAssertTrue("\(error)".contains("leaves none for training"), "\(error)")
        }
        XCTAssertThrowsError(try model.fit(one, validation: empty, epochs: 1, loss: .meanSquaredError,
                                           optimizer: try SGD(model.parameters, learningRate: 0.1)))
    }

    /// Found by the history fuzz target: a finite but huge loss trapped in the learning-curve
    /// labels (an Int conversion), which `dendrite train` writes after every epoch.
    func testLearningCurvesOfAHugeLossDoNotTrap() throws {
        var history = History()
        history.records = [EpochRecord(epoch: 1, loss: 2.2e24, metrics: ["accuracy": 0.8], validationLoss: 0.6,
                                       validationMetrics: ["accuracy": 0.75], learningRate: 0.001, seconds: 1,
                                       samplesPerSecond: 1000)]
        XCTAssertTrue(history.learningCurvesSVG(title: "huge").contains("<svg"))
    }
}
