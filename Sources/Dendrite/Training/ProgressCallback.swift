import Foundation

/// A ``ProgressBar`` for ``UnaryLayer/fit(_:validation:epochs:batchSize:loss:optimizer:metrics:callbacks:seed:clipGradientNorm:resuming:verbosity:step:distributed:)``:
/// during each epoch the bar (batches done, samples per second, time left, running loss) on a
/// terminal; after it the epoch's summary line (``EpochRecord/summary(epochs:)``), on a terminal or not.
///
/// ```swift
/// try model.fit(train, epochs: 5, batchSize: 128, loss: .crossEntropy, optimizer: optimizer,
///               callbacks: [ProgressCallback(batchSize: 128, sampleCount: train.count)])
/// ```
public final class ProgressCallback: TrainingCallback {
    /// Where the progress is shown.
    public let bar: ProgressBar
    private let batchSize: Int
    private let sampleCount: Int?
    private var runningLoss = 0.0

    /// Progress for batches of `batchSize` samples (the last may be smaller: give `sampleCount`, the
    /// samples per epoch, to count it exactly), shown on `bar`.
    public init(batchSize: Int, sampleCount: Int? = nil, bar: ProgressBar = ProgressBar()) {
        self.bar = bar
        self.batchSize = Swift.max(batchSize, 1)
        self.sampleCount = sampleCount
    }

    /// Restarts the bar for the epoch.
    public func epochWillBegin(_ epoch: Int, context: TrainingContext) throws {
        runningLoss = 0
        bar.begin("epoch \(epoch + 1)/\(context.epochs)", total: context.batchCount)
    }

    /// Redraws the bar with the running mean loss.
    public func batchDidEnd(_ batch: Int, loss: Float, context: TrainingContext) throws {
        runningLoss += Double(loss)
        let done = batch + 1
        let (product, overflow) = done.multipliedReportingOverflow(by: batchSize)
        let items = Swift.min(overflow ? Int.max : product, sampleCount ?? Int.max)
        bar.update(done: done, items: items, note: "loss " + String(format: "%.4f", runningLoss / Double(done)))
    }

    /// Replaces the bar with the epoch's summary line.
    public func epochDidEnd(_ record: EpochRecord, context: TrainingContext) throws {
        bar.finish(record.summary(epochs: context.epochs))
    }
}

extension EpochRecord {
    /// One line for the epoch, metrics by name (accuracy as `acc`), validation ones with `val_`:
    /// `epoch 2/5 · loss 0.4127 · acc 0.8511 · val_loss 0.3948 · val_acc 0.8550 · lr 0.001 · 3.1s · 17305 samples/s`.
    public func summary(epochs: Int) -> String {
        func number(_ value: Float) -> String { String(format: "%.4f", value) }
        func short(_ name: String) -> String { name == "accuracy" ? "acc" : name }
        var parts = ["epoch \(epoch)/\(epochs)", "loss \(number(loss))"]
        parts += metrics.sorted { $0.key < $1.key }.map { "\(short($0.key)) \(number($0.value))" }
        if let validationLoss { parts.append("val_loss \(number(validationLoss))") }
        parts += validationMetrics.sorted { $0.key < $1.key }.map { "val_\(short($0.key)) \(number($0.value))" }
        parts.append("lr \(learningRate)")
        parts.append(String(format: "%.1fs", seconds))
        parts.append("\(Int(samplesPerSecond)) samples/s")
        return parts.joined(separator: " · ")
    }
}
