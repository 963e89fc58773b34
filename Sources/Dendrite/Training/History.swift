/// What one epoch of `fit` measured.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean training loss over the epoch's examples.
    public var loss: Float
    /// Training metrics by name (`"accuracy"`).
    public var metrics: [String: Float]
    /// Validation loss, when validation data was given.
    public var validationLoss: Float?
    /// Validation metrics by name.
    public var validationMetrics: [String: Float]
    /// Learning rate used during the epoch.
    public var learningRate: Float
    /// Wall time of the epoch (training and validation), in seconds.
    public var seconds: Double
    /// Training examples processed per second.
    public var samplesPerSecond: Double

    /// Keras-style log keys: `loss`, `accuracy`, `val_loss`, `val_accuracy`, `lr`.
    public var logs: [String: Float] {
        var result = metrics
        result["loss"] = loss
        if let validationLoss { result["val_loss"] = validationLoss }
        for (key, value) in validationMetrics { result["val_\(key)"] = value }
        result["lr"] = learningRate
        return result
    }
}

/// The per-epoch records of a `fit` run.
public struct History: Codable, Equatable, Sendable {
    /// One record per completed epoch.
    public var records: [EpochRecord] = []
    /// Whether a callback (e.g. early stopping) ended training before the last epoch.
    public var stoppedEarly = false
    /// The epoch whose weights the model holds after early stopping restored the best, if any.
    public var restoredEpoch: Int?
    /// The learning rate training started with (schedules on resume continue from it).
    public var initialLearningRate: Float?

    /// Creates an empty history.
    public init() {}

    /// The values of one log key (`"val_loss"`) per epoch; `nil` where absent.
    public func values(_ key: String) -> [Float?] { records.map { $0.logs[key] } }

    /// CSV with a header: epoch, loss, metrics, validation loss and metrics, lr, seconds, samples/s.
    public var csv: String {
        let metricNames = Set(records.flatMap { $0.metrics.keys }).sorted()
        let validationNames = Set(records.flatMap { $0.validationMetrics.keys }).sorted()
        var lines = [(["epoch", "loss"] + metricNames + ["val_loss"] + validationNames.map { "val_\($0)" }
            + ["lr", "seconds", "samples_per_second"]).joined(separator: ",")]
        for record in records {
            var cells = ["\(record.epoch)", "\(record.loss)"]
            cells += metricNames.map { record.metrics[$0].map { "\($0)" } ?? "" }
            cells.append(record.validationLoss.map { "\($0)" } ?? "")
            cells += validationNames.map { record.validationMetrics[$0].map { "\($0)" } ?? "" }
            cells += ["\(record.learningRate)", "\(record.seconds)", "\(record.samplesPerSecond)"]
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
