/// Shared state of a `fit` run that callbacks read and steer.
public final class TrainingContext {
    /// The model being trained.
    public let model: Module
    /// Its optimizer (callbacks may change ``Optimizer/learningRate``).
    public let optimizer: Optimizer
    /// Total epochs requested.
    public let epochs: Int
    /// Batches per epoch.
    public let batchCount: Int
    /// Set to `true` to end training after the current epoch.
    public var stopTraining = false
    /// Set by a callback that restored earlier weights (its 1-based epoch).
    public var restoredEpoch: Int?
    /// Records so far (including those of a resumed run).
    public internal(set) var history = History()
    /// The learning rate the run started with (set when resuming, so schedules continue).
    public internal(set) var initialLearningRate: Float?

    /// The 0-based epoch being trained.
    public internal(set) var epoch = 0
    /// The 0-based batch being trained in the epoch.
    public internal(set) var batch = 0
    /// The processes of a data-parallel run (`nil` in one process): callbacks that write files
    /// should do so on rank 0 only.
    public internal(set) var distributed: DataParallelGroup?
    /// The optimizer's parameters by their graph node, for the data-parallel gradient hook.
    var parametersByNode: [ObjectIdentifier: Parameter] = [:]
    /// The callbacks of this `fit`.
    let callbacks: [TrainingCallback]

    init(model: Module, optimizer: Optimizer, epochs: Int, batchCount: Int, callbacks: [TrainingCallback] = []) {
        self.model = model
        self.optimizer = optimizer
        self.epochs = epochs
        self.batchCount = batchCount
        self.callbacks = callbacks
    }
}

/// Hooks into `fit`. Every method has an empty default; implement what you need.
public protocol TrainingCallback: AnyObject {
    /// Before the first epoch.
    func trainingWillBegin(_ context: TrainingContext) throws
    /// Before each epoch (0-based `epoch`).
    func epochWillBegin(_ epoch: Int, context: TrainingContext) throws
    /// After a batch's `backward()`, before clipping and the step: transform the gradients here
    /// (a weight penalty, an allreduce across processes). ``TrainingContext/batch`` is the batch.
    func gradientsDidCompute(_ context: TrainingContext) throws
    /// Just before the optimizer's step (after clipping).
    func optimizerWillStep(_ context: TrainingContext) throws
    /// Just after the optimizer's step (e.g. to average or broadcast the new parameters).
    func optimizerDidStep(_ context: TrainingContext) throws
    /// After each training batch (0-based `batch`) with its loss.
    func batchDidEnd(_ batch: Int, loss: Float, context: TrainingContext) throws
    /// After each epoch, with its record; set `context.stopTraining` to stop.
    func epochDidEnd(_ record: EpochRecord, context: TrainingContext) throws
    /// After the last epoch.
    func trainingDidEnd(_ context: TrainingContext) throws
}

extension TrainingCallback {
    public func trainingWillBegin(_ context: TrainingContext) throws {}
    public func epochWillBegin(_ epoch: Int, context: TrainingContext) throws {}
    public func gradientsDidCompute(_ context: TrainingContext) throws {}
    public func optimizerWillStep(_ context: TrainingContext) throws {}
    public func optimizerDidStep(_ context: TrainingContext) throws {}
    public func batchDidEnd(_ batch: Int, loss: Float, context: TrainingContext) throws {}
    public func epochDidEnd(_ record: EpochRecord, context: TrainingContext) throws {}
    public func trainingDidEnd(_ context: TrainingContext) throws {}
}

/// A callback made of closures (Keras' `LambdaCallback`).
public final class LambdaCallback: TrainingCallback {
    let onBatchEnd: ((Int, Float, TrainingContext) throws -> Void)?
    let onEpochEnd: ((EpochRecord, TrainingContext) throws -> Void)?

    /// Calls `onBatchEnd` after each batch and `onEpochEnd` after each epoch.
    public init(onBatchEnd: ((Int, Float, TrainingContext) throws -> Void)? = nil,
                onEpochEnd: ((EpochRecord, TrainingContext) throws -> Void)? = nil) {
        self.onBatchEnd = onBatchEnd
        self.onEpochEnd = onEpochEnd
    }

    public func batchDidEnd(_ batch: Int, loss: Float, context: TrainingContext) throws { try onBatchEnd?(batch, loss, context) }
    public func epochDidEnd(_ record: EpochRecord, context: TrainingContext) throws { try onEpochEnd?(record, context) }
}

/// Collects the learning rate of every epoch (and, optionally, every batch).
public final class LearningRateLogger: TrainingCallback {
    /// Learning rate per epoch, in order.
    public private(set) var epochRates: [Float] = []
    /// Learning rate per batch, when `perBatch`.
    public private(set) var batchRates: [Float] = []
    let perBatch: Bool

    /// Creates the logger.
    public init(perBatch: Bool = false) { self.perBatch = perBatch }

    public func batchDidEnd(_ batch: Int, loss: Float, context: TrainingContext) throws {
        if perBatch { batchRates.append(context.optimizer.learningRate) }
    }
    public func epochDidEnd(_ record: EpochRecord, context: TrainingContext) throws { epochRates.append(record.learningRate) }
}

/// Saves the model after an epoch through `save` — every epoch, or only when the monitored value
/// improves (`saveBestOnly`). In a data-parallel run only rank 0 saves (the replicas are equal).
public final class ModelCheckpoint: TrainingCallback {
    let monitor: String
    let mode: MonitorMode
    let saveBestOnly: Bool
    let save: (Module, EpochRecord) throws -> Void
    private var best: Float?

    /// Creates the callback; `save` receives the model and the epoch's record.
    public init(monitor: String = "val_loss", mode: MonitorMode = .automatic, saveBestOnly: Bool = false,
                save: @escaping (Module, EpochRecord) throws -> Void) {
        self.monitor = monitor
        self.mode = mode
        self.saveBestOnly = saveBestOnly
        self.save = save
    }

    public func epochDidEnd(_ record: EpochRecord, context: TrainingContext) throws {
        let writes = (context.distributed?.rank ?? 0) == 0
        guard saveBestOnly else { return writes ? try save(context.model, record) : () }
        guard let value = record.logs[monitor] else {
            throw DendriteError.invalidArgument(operation: "ModelCheckpoint", argument: "monitor \"\(monitor)\"",
                                                reason: "not in the epoch's logs \(record.logs.keys.sorted())")
        }
        if best == nil || mode.isImprovement(value, over: best!, key: monitor, minDelta: 0) {
            best = value
            if writes { try save(context.model, record) }
        }
    }
}
