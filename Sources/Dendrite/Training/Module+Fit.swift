/// Where `fit` reports progress.
public enum TrainingVerbosity: Sendable {
    /// Prints nothing.
    case silent
    /// Prints one line per epoch.
    case epochLines
}

extension UnaryLayer {
    /// One optimization step on a batch: forward, loss, backward, optimizer step.
    ///
    /// - Returns: the batch loss and the (detached) outputs.
    /// - Parameter clipGradientNorm: when set, gradients are scaled to this joint norm before the
    ///   step; a NaN or infinite norm throws (``clipGradientNorm(_:maxNorm:normType:errorIfNonFinite:)``).
    @discardableResult
    public func trainStep(inputs: Tensor, targets: Tensor, loss: Loss, optimizer: Optimizer,
                          clipGradientNorm maxNorm: Float? = nil) throws -> (loss: Float, outputs: Tensor) {
        var outputs = inputs
        let value = try optimizer.step {
            optimizer.zeroGrad()
            outputs = try self(inputs)
            let value = try loss(outputs, targets)
            try value.backward()
            if let maxNorm { try clipGradientNorm(optimizer.parameters, maxNorm: maxNorm, errorIfNonFinite: true) }
            return value
        }
        return (value, outputs.detached())
    }

    /// Trains for `epochs` passes over `data`, Keras style, and returns the per-epoch history.
    ///
    /// Each epoch shuffles `data` (seeded by `seed` and the epoch), runs
    /// ``trainStep(inputs:targets:loss:optimizer:clipGradientNorm:)`` per batch, then evaluates
    /// `validation` in eval mode without recording gradients. Callbacks see every batch and epoch
    /// and may stop training (``EarlyStopping``).
    ///
    /// - Parameters:
    ///   - resuming: the history of an interrupted run; training continues at the next epoch
    ///     (with the same shuffles, so a resumed run matches an uninterrupted one).
    ///   - clipGradientNorm: scale gradients to at most this joint norm each step.
    /// - Throws: ``DendriteError/nonFiniteLoss(epoch:batch:value:)`` when a batch loss is NaN or
    ///   infinite, and any shape error naming the layer.
    @discardableResult
    public func fit(_ data: Dataset, validation: Dataset? = nil, epochs: Int, batchSize: Int = 32, loss: Loss,
                    optimizer: Optimizer, metrics: [Metric] = [.accuracy], callbacks: [TrainingCallback] = [],
                    seed: UInt64 = 0, clipGradientNorm maxNorm: Float? = nil, resuming previous: History? = nil,
                    verbosity: TrainingVerbosity = .silent) throws -> History {
        guard epochs >= 0 else {
            throw DendriteError.invalidArgument(operation: "fit", argument: "epochs \(epochs)", reason: "must be ≥ 0")
        }
        let loader = try DataLoader(data, batchSize: batchSize, shuffle: true, seed: seed)
        let context = TrainingContext(model: self, optimizer: optimizer, epochs: epochs, batchCount: loader.batchCount)
        if let previous {
            context.history = previous
            context.initialLearningRate = previous.initialLearningRate
        }
        context.history.initialLearningRate = context.history.initialLearningRate ?? optimizer.learningRate
        for callback in callbacks { try callback.trainingWillBegin(context) }
        for epoch in context.history.records.count..<Swift.max(epochs, context.history.records.count) {
            train()
            for callback in callbacks { try callback.epochWillBegin(epoch, context: context) }
            let learningRate = optimizer.learningRate
            let start = ContinuousClock.now
            var totalLoss: Double = 0, seen = 0
            var correct = [Int](repeating: 0, count: metrics.count)
            try loader.forEachBatch(epoch: epoch) { batch, inputs, targets in
                let (value, outputs) = try trainStep(inputs: inputs, targets: targets, loss: loss, optimizer: optimizer,
                                                     clipGradientNorm: maxNorm)
                guard value.isFinite else { throw DendriteError.nonFiniteLoss(epoch: epoch + 1, batch: batch + 1, value: value) }
                let n = inputs.shape.first ?? 1
                totalLoss += Double(value) * Double(n)
                seen += n
                for (index, metric) in metrics.enumerated() {
                    correct[index] += try metric.correctCount(outputs: outputs, targets: targets)
                }
                for callback in callbacks { try callback.batchDidEnd(batch, loss: value, context: context) }
            }
            let trainingSeconds = seconds(since: start)
            var record = EpochRecord(epoch: epoch + 1, loss: Float(totalLoss / Double(Swift.max(seen, 1))),
                                     metrics: Dictionary(uniqueKeysWithValues: zip(metrics.map(\.name),
                                                                                   correct.map { Float($0) / Float(Swift.max(seen, 1)) })),
                                     validationLoss: nil, validationMetrics: [:], learningRate: learningRate,
                                     seconds: 0, samplesPerSecond: Double(seen) / Swift.max(trainingSeconds, 1e-9))
            if let validation {
                let results = try evaluate(validation, batchSize: Swift.max(batchSize, 256), loss: loss, metrics: metrics)
                record.validationLoss = results["loss"]
                record.validationMetrics = results.filter { $0.key != "loss" }
            }
            record.seconds = seconds(since: start)
            context.history.records.append(record)
            if verbosity == .epochLines { print(Self.describe(record, of: epochs)) }
            for callback in callbacks { try callback.epochDidEnd(record, context: context) }
            if context.stopTraining { context.history.stoppedEarly = epoch + 1 < epochs; break }
        }
        for callback in callbacks { try callback.trainingDidEnd(context) }
        context.history.restoredEpoch = context.restoredEpoch
        return context.history
    }

    /// Loss and metrics over `data` in eval mode, without recording gradients.
    /// The module's training mode is restored afterwards.
    ///
    /// - Returns: `"loss"` and each metric's name mapped to its mean over all examples.
    public func evaluate(_ data: Dataset, batchSize: Int = 256, loss: Loss, metrics: [Metric] = [.accuracy]) throws -> [String: Float] {
        let wasTraining = isTraining
        eval()
        defer { if wasTraining { train() } }
        let loader = try DataLoader(data, batchSize: batchSize, shuffle: false)
        var totalLoss: Double = 0, seen = 0
        var correct = [Int](repeating: 0, count: metrics.count)
        try noGrad {
            try loader.forEachBatch(epoch: 0) { _, inputs, targets in
                let outputs = try self(inputs)
                let n = inputs.shape.first ?? 1
                totalLoss += Double(try loss(outputs, targets).scalar ?? .nan) * Double(n)
                seen += n
                for (index, metric) in metrics.enumerated() {
                    correct[index] += try metric.correctCount(outputs: outputs, targets: targets)
                }
            }
        }
        var results = ["loss": Float(totalLoss / Double(Swift.max(seen, 1)))]
        for (metric, count) in zip(metrics, correct) { results[metric.name] = Float(count) / Float(Swift.max(seen, 1)) }
        return results
    }

    /// Outputs for `inputs` (`[N, …]`) in eval mode, batch by batch, without recording gradients.
    public func predict(_ inputs: Tensor, batchSize: Int = 256) throws -> Tensor {
        let wasTraining = isTraining
        eval()
        defer { if wasTraining { train() } }
        let count = inputs.shape.first ?? 0
        guard count > 0 else { return try noGrad { try self(inputs) } }
        let step = Swift.max(batchSize, 1)
        let parts = try noGrad {
            try stride(from: 0, to: count, by: step).map { start in try self(inputs.slice(start..<Swift.min(start + step, count))) }
        }
        return try Tensor.concat(parts)
    }

    static func describe(_ record: EpochRecord, of epochs: Int) -> String {
        func format(_ value: Float) -> String {
            let scaled = (value * 10_000).rounded() / 10_000
            return "\(scaled)"
        }
        var parts = ["epoch \(record.epoch)/\(epochs)", "loss \(format(record.loss))"]
        parts += record.metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(format($0.value))" }
        if let validationLoss = record.validationLoss { parts.append("val_loss \(format(validationLoss))") }
        parts += record.validationMetrics.sorted { $0.key < $1.key }.map { "val_\($0.key) \(format($0.value))" }
        parts.append("lr \(record.learningRate)")
        parts.append("\(Int(record.seconds.rounded()))s")
        parts.append("\(Int(record.samplesPerSecond)) samples/s")
        return parts.joined(separator: " · ")
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}
