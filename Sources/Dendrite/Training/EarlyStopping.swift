/// Whether a monitored value improves by going down (`loss`) or up (`accuracy`).
public enum MonitorMode: Sendable {
    /// Lower is better.
    case minimum
    /// Higher is better.
    case maximum
    /// `maximum` for keys containing "acc", `minimum` otherwise (as Keras).
    case automatic

    func isImprovement(_ value: Float, over best: Float, key: String, minDelta: Float) -> Bool {
        let higherIsBetter: Bool
        switch self {
        case .minimum: higherIsBetter = false
        case .maximum: higherIsBetter = true
        case .automatic: higherIsBetter = key.contains("acc")
        }
        return higherIsBetter ? value > best + minDelta : value < best - minDelta
    }
}

/// Stops training when the monitored value has not improved for `patience` epochs, and can put
/// back the weights of the best epoch — the course's recipe against overfitting.
///
/// An epoch improves when its value beats the best so far by more than `minDelta`. After
/// `patience` epochs without improvement training stops; with `restoreBestWeights` the model then
/// gets the parameters and buffers it had at the end of the best epoch.
public final class EarlyStopping: TrainingCallback {
    /// The log key watched (`"val_loss"`, `"val_accuracy"`, `"loss"`).
    public let monitor: String
    /// Epochs without improvement tolerated.
    public let patience: Int
    /// Smallest change that counts as an improvement.
    public let minDelta: Float
    /// Whether to restore the best epoch's weights when training stops.
    public let restoreBestWeights: Bool
    let mode: MonitorMode

    /// The best value seen and its 1-based epoch.
    public private(set) var best: (value: Float, epoch: Int)?
    /// The epoch at which training was stopped, if it was.
    public private(set) var stoppedEpoch: Int?
    private var wait = 0
    private var bestState: [(String, Tensor)]?

    /// Creates the callback.
    public init(monitor: String = "val_loss", patience: Int = 0, minDelta: Float = 0, mode: MonitorMode = .automatic,
                restoreBestWeights: Bool = false) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = Swift.abs(minDelta)
        self.mode = mode
        self.restoreBestWeights = restoreBestWeights
    }

    public func trainingWillBegin(_ context: TrainingContext) throws {
        best = nil
        stoppedEpoch = nil
        wait = 0
        bestState = nil
    }

    public func epochDidEnd(_ record: EpochRecord, context: TrainingContext) throws {
        guard let value = record.logs[monitor] else {
            throw DendriteError.invalidArgument(operation: "EarlyStopping", argument: "monitor \"\(monitor)\"",
                                                reason: "not in the epoch's logs \(record.logs.keys.sorted())")
        }
        if let current = best, !mode.isImprovement(value, over: current.value, key: monitor, minDelta: minDelta) {
            wait += 1
            if wait >= patience {
                stoppedEpoch = record.epoch
                context.stopTraining = true
                try restoreIfNeeded(context)
            }
        } else {
            best = (value, record.epoch)
            wait = 0
            if restoreBestWeights { bestState = context.model.stateDict() }
        }
    }

    public func trainingDidEnd(_ context: TrainingContext) throws {
        if stoppedEpoch == nil { try restoreIfNeeded(context) }
    }

    private func restoreIfNeeded(_ context: TrainingContext) throws {
        guard restoreBestWeights, let state = bestState, let best, best.epoch != context.history.records.last?.epoch else { return }
        try context.model.load(stateDict: Dictionary(uniqueKeysWithValues: state))
        context.restoredEpoch = best.epoch
    }
}
