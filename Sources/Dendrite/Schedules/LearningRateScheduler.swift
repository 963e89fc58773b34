/// Applies a ``LearningRateSchedule`` during `fit`: before every epoch (default) or before every
/// batch (`perBatch`, with the global step as the index). The initial rate is the optimizer's
/// rate when training begins.
public final class LearningRateScheduler: TrainingCallback {
    let schedule: LearningRateSchedule
    let perBatch: Bool
    private var initial: Float = 0
    private var epoch = 0

    /// Creates the callback.
    public init(_ schedule: LearningRateSchedule, perBatch: Bool = false) {
        self.schedule = schedule
        self.perBatch = perBatch
    }

    public func trainingWillBegin(_ context: TrainingContext) throws {
        // On resume, the run continues from the recorded epochs with the original initial rate.
        initial = context.initialLearningRate ?? context.optimizer.learningRate
    }

    public func epochWillBegin(_ epoch: Int, context: TrainingContext) throws {
        self.epoch = epoch
        context.optimizer.learningRate = schedule.learningRate(at: perBatch ? epoch * context.batchCount : epoch, initial: initial)
    }

    public func batchDidEnd(_ batch: Int, loss: Float, context: TrainingContext) throws {
        guard perBatch else { return }
        context.optimizer.learningRate = schedule.learningRate(at: epoch * context.batchCount + batch + 1, initial: initial)
    }
}

/// Multiplies the learning rate by `factor` when the monitored value has not improved for
/// `patience` epochs (PyTorch's `ReduceLROnPlateau`, relative threshold), then waits `cooldown`
/// epochs; never below `minimum`.
public final class ReduceLearningRateOnPlateau: TrainingCallback {
    let monitor: String
    let mode: MonitorMode
    let factor: Float
    let patience: Int
    let threshold: Float
    let cooldown: Int
    let minimum: Float
    private var best: Float?
    private var badEpochs = 0
    private var cooldownLeft = 0

    /// Creates the callback with PyTorch's defaults.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` unless
    ///   `0 < factor < 1` (PyTorch's rule), `patience` and `cooldown` are ≥ 0, and `threshold` and
    ///   `minimum` are finite and ≥ 0.
    public init(monitor: String = "val_loss", mode: MonitorMode = .automatic, factor: Float = 0.1, patience: Int = 10,
                threshold: Float = 1e-4, cooldown: Int = 0, minimum: Float = 0) throws {
        func check(_ condition: Bool, _ argument: String, _ reason: String) throws {
            guard condition else {
                throw DendriteError.invalidArgument(operation: "ReduceLearningRateOnPlateau", argument: argument, reason: reason)
            }
        }
        try check(factor > 0 && factor < 1, "factor \(factor)", "must be in (0, 1)")
        try check(patience >= 0, "patience \(patience)", "must be ≥ 0")
        try check(cooldown >= 0, "cooldown \(cooldown)", "must be ≥ 0")
        try check(threshold.isFinite && threshold >= 0, "threshold \(threshold)", "must be finite and ≥ 0")
        try check(minimum.isFinite && minimum >= 0, "minimum \(minimum)", "must be finite and ≥ 0")
        self.monitor = monitor
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimum = minimum
    }

    /// Feeds one epoch's value; returns the new learning rate if it was reduced.
    @discardableResult
    public func observe(_ value: Float, optimizer: Optimizer) -> Float? {
        let higherIsBetter: Bool
        switch mode {
        case .maximum: higherIsBetter = true
        case .minimum: higherIsBetter = false
        case .automatic: higherIsBetter = monitor.contains("acc")
        }
        let improved: Bool
        if let best {
            improved = higherIsBetter ? value > best * (1 + threshold) : value < best * (1 - threshold)
        } else {
            improved = true
        }
        if improved { best = value; badEpochs = 0 } else { badEpochs += 1 }
        if cooldownLeft > 0 { cooldownLeft -= 1; badEpochs = 0 }
        guard badEpochs > patience else { return nil }
        let reduced = Swift.max(optimizer.learningRate * factor, minimum)
        badEpochs = 0
        cooldownLeft = cooldown
        guard reduced < optimizer.learningRate else { return nil }
        optimizer.learningRate = reduced
        return reduced
    }

    public func epochDidEnd(_ record: EpochRecord, context: TrainingContext) throws {
        guard let value = record.logs[monitor] else {
            throw DendriteError.invalidArgument(operation: "ReduceLearningRateOnPlateau", argument: "monitor \"\(monitor)\"",
                                                reason: "not in the epoch's logs \(record.logs.keys.sorted())")
        }
        observe(value, optimizer: context.optimizer)
    }
}
