/// Where `fit` reports progress.
public enum TrainingVerbosity: Sendable {
    /// Prints nothing.
    case silent
    /// Prints one line per epoch.
    case epochLines
    /// On a terminal, a bar during each epoch (batches, samples per second, time left, running
    /// loss) replaced by the epoch's line; elsewhere (CI, pipes) the epoch's line only.
    case progressBar
}

/// How `fit` turns a batch into a loss: the default runs the model and the loss; replace it to
/// compute the loss another way (distillation also runs a teacher). Returns the differentiable
/// loss and the outputs the metrics see.
public typealias TrainingStep = (_ inputs: Tensor, _ targets: Tensor) throws -> (loss: Tensor, outputs: Tensor)

extension UnaryLayer {
    /// One optimization step on a batch: zero the gradients, forward, loss, backward, the
    /// callbacks' gradient hooks, optional clipping, the optimizer step.
    ///
    /// - Parameters:
    ///   - inputs: the batch's inputs `[N, …]`.
    ///   - targets: the batch's targets, as `loss` takes them.
    ///   - loss: the loss to minimize.
    ///   - optimizer: the optimizer that steps the parameters.
    ///   - maxNorm: when set, gradients are scaled to this joint norm before the step; a NaN or
    ///     infinite norm throws (``clipGradientNorm(_:maxNorm:normType:errorIfNonFinite:)``).
    /// - Returns: the batch loss and the (detached) outputs.
    @discardableResult
    public func trainStep(inputs: Tensor, targets: Tensor, loss: some Loss, optimizer: Optimizer,
                          clipGradientNorm maxNorm: Float? = nil) throws -> (loss: Float, outputs: Tensor) {
        try runStep(inputs: inputs, targets: targets, optimizer: optimizer, clipGradientNorm: maxNorm, context: nil) { inputs, targets in
            let outputs = try self(inputs)
            return (try loss(outputs, targets), outputs)
        }
    }

    /// The step `fit` runs per batch, in this order: ``Optimizer/zeroGrad()``, `step` (forward and
    /// loss), `backward()`, the data-parallel gradient average (with a ``DataParallelGroup``),
    /// every callback's ``TrainingCallback/gradientsDidCompute(_:)``, clipping,
    /// ``TrainingCallback/optimizerWillStep(_:)``, the optimizer's step (L-BFGS re-evaluates the
    /// closure), ``TrainingCallback/optimizerDidStep(_:)``.
    func runStep(inputs: Tensor, targets: Tensor, optimizer: Optimizer, clipGradientNorm maxNorm: Float?,
                 context: TrainingContext?, _ step: TrainingStep) throws -> (loss: Float, outputs: Tensor) {
        let callbacks = context?.callbacks ?? []
        var outputs = inputs
        let value = try optimizer.step {
            optimizer.zeroGrad()
            let result = try step(inputs, targets)
            outputs = result.outputs
            if let group = context?.distributed {
                let parameters = context!.parametersByNode
                // Seeded with 1/size, the processes' gradients sum to their mean.
                let seed = Tensor.filled(result.loss.shape, 1 / Float(group.size))
                try result.loss.backward(seed: seed) { leaf in
                    if let parameter = parameters[ObjectIdentifier(leaf)] { try group.gradientIsFinal(parameter, of: optimizer) }
                }
                try group.sumGradients(of: optimizer)
            } else {
                try result.loss.backward()
            }
            for callback in callbacks { try callback.gradientsDidCompute(context!) }
            if let maxNorm { try clipGradientNorm(optimizer.parameters, maxNorm: maxNorm, errorIfNonFinite: true) }
            for callback in callbacks { try callback.optimizerWillStep(context!) }
            return result.loss
        }
        for callback in callbacks { try callback.optimizerDidStep(context!) }
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
    ///   - data: the training examples.
    ///   - validation: examples evaluated after every epoch (`val_loss` and `val_` metrics), or `nil`.
    ///   - epochs: the number of passes over `data` (0 trains nothing).
    ///   - batchSize: examples per batch (the last batch of an epoch may be smaller).
    ///   - loss: the loss to minimize and report.
    ///   - optimizer: the optimizer that steps the parameters.
    ///   - metrics: what is measured besides the loss, on training and validation data.
    ///   - callbacks: hooks around every batch and epoch (schedules, early stopping, checkpoints).
    ///   - seed: the seed of the per-epoch shuffles.
    ///   - maxNorm: scale gradients to at most this joint norm each step.
    ///   - previous: the history of an interrupted run; training continues at the next epoch
    ///     (with the same shuffles, so a resumed run matches an uninterrupted one).
    ///   - verbosity: what is printed: nothing, a line per epoch, or a progress bar (``TrainingVerbosity``).
    ///   - step: how a batch becomes a loss (default: `loss(model(inputs), targets)`); `loss` is
    ///     still what validation reports.
    ///   - distributed: the processes of a data-parallel run (`DendriteDistributed`'s
    ///     `DistributedDataParallel`): rank 0's weights are broadcast first, each process trains on
    ///     its shard of every epoch with `batchSize` examples per batch (the global batch is
    ///     `batchSize × size`), gradients are averaged before each step, and the history's losses,
    ///     metrics and throughput are over all processes. An error on one process ends them all.
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for empty training
    ///   or validation data; ``DendriteError/nonFiniteLoss(epoch:batch:value:)`` when a batch loss is NaN or
    ///   infinite, and any shape error naming the layer.
    @discardableResult
    public func fit(_ data: Dataset, validation: Dataset? = nil, epochs: Int, batchSize: Int = 32, loss: any Loss,
                    optimizer: Optimizer, metrics: [any Metric] = [.accuracy], callbacks: [TrainingCallback] = [],
                    seed: UInt64 = 0, clipGradientNorm maxNorm: Float? = nil, resuming previous: History? = nil,
                    verbosity: TrainingVerbosity = .silent, step: TrainingStep? = nil,
                    distributed: DataParallelGroup? = nil) throws -> History {
        guard let distributed, distributed.size > 1 else {
            return try fitLocally(data, validation: validation, epochs: epochs, batchSize: batchSize, loss: loss, optimizer: optimizer,
                                  metrics: metrics, callbacks: callbacks, seed: seed, clipGradientNorm: maxNorm, resuming: previous,
                                  verbosity: verbosity, step: step, distributed: distributed)
        }
        do {
            try distributed.broadcastState(of: self as Module)
            if previous == nil { distributed.seedDropoutPerRank(in: self as Module) }
            return try fitLocally(data, validation: validation, epochs: epochs, batchSize: batchSize, loss: loss, optimizer: optimizer,
                                  metrics: metrics, callbacks: callbacks, seed: seed, clipGradientNorm: maxNorm, resuming: previous,
                                  verbosity: distributed.rank == 0 ? verbosity : .silent, step: step, distributed: distributed)
        } catch {
            distributed.abort(after: error)
        }
    }

    private func fitLocally(_ data: Dataset, validation: Dataset?, epochs: Int, batchSize: Int, loss: any Loss,
                            optimizer: Optimizer, metrics: [any Metric], callbacks: [TrainingCallback], seed: UInt64,
                            clipGradientNorm maxNorm: Float?, resuming previous: History?, verbosity: TrainingVerbosity,
                            step: TrainingStep?, distributed: DataParallelGroup?) throws -> History {
        guard epochs >= 0 else {
            throw DendriteError.invalidArgument(operation: "fit", argument: "epochs \(epochs)", reason: "must be ≥ 0")
        }
        guard data.count > 0 else {
            throw DendriteError.invalidArgument(operation: "fit", argument: "data", reason: "has no examples")
        }
        if let validation, validation.count == 0 {
            throw DendriteError.invalidArgument(operation: "fit", argument: "validation", reason: "has no examples")
        }
        let group = distributed.flatMap { $0.size > 1 ? $0 : nil }
        let loader = try DataLoader(data, batchSize: batchSize, shuffle: true, seed: seed)
            .shard(rank: group?.rank ?? 0, count: group?.size ?? 1)
        let callbacks = verbosity == .progressBar
            ? callbacks + [ProgressCallback(batchSize: batchSize, sampleCount: group == nil ? data.count : nil)] : callbacks
        let context = TrainingContext(model: self, optimizer: optimizer, epochs: epochs, batchCount: loader.batchCount,
                                      callbacks: callbacks)
        context.distributed = group
        if group != nil {
            context.parametersByNode = Dictionary(optimizer.parameters.map { (ObjectIdentifier($0.node), $0) }) { first, _ in first }
        }
        let step = step ?? { inputs, targets in
            let outputs = try self(inputs)
            return (try loss(outputs, targets), outputs)
        }
        if let previous {
            context.history = previous
            context.initialLearningRate = previous.initialLearningRate
        }
        context.history.initialLearningRate = context.history.initialLearningRate ?? optimizer.learningRate
        for callback in callbacks { try callback.trainingWillBegin(context) }
        for epoch in context.history.records.count..<Swift.max(epochs, context.history.records.count) {
            train()
            context.epoch = epoch
            for callback in callbacks { try callback.epochWillBegin(epoch, context: context) }
            let learningRate = optimizer.learningRate
            let start = ContinuousClock.now
            var totalLoss: Double = 0, seen = 0
            var sums = MetricSums(metrics)
            try loader.forEachBatch(epoch: epoch) { batch, inputs, targets in
                context.batch = batch
                let (value, outputs) = try runStep(inputs: inputs, targets: targets, optimizer: optimizer,
                                                   clipGradientNorm: maxNorm, context: context, step)
                guard value.isFinite else { throw DendriteError.nonFiniteLoss(epoch: epoch + 1, batch: batch + 1, value: value) }
                let n = inputs.shape.first ?? 1
                totalLoss += Double(value) * Double(n)
                seen += n
                try sums.add(outputs: outputs, targets: targets)
                for callback in callbacks { try callback.batchDidEnd(batch, loss: value, context: context) }
            }
            if let group { try group.reduce(loss: &totalLoss, seen: &seen, metrics: &sums) }
            let trainingSeconds = seconds(since: start)
            var record = EpochRecord(epoch: epoch + 1, loss: Float(totalLoss / Double(Swift.max(seen, 1))),
                                     metrics: sums.values,
                                     validationLoss: nil, validationMetrics: [:], learningRate: learningRate,
                                     seconds: 0, samplesPerSecond: Double(seen) / Swift.max(trainingSeconds, 1e-9))
            if let validation {
                let results = try evaluate(validation, batchSize: Swift.max(batchSize, 256), loss: loss, metrics: metrics,
                                           distributed: group)
                record.validationLoss = results["loss"]
                record.validationMetrics = results.filter { $0.key != "loss" }
            }
            record.seconds = seconds(since: start)
            context.history.records.append(record)
            if verbosity == .epochLines { print(record.summary(epochs: epochs)) }
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
    /// - Parameters:
    ///   - data: the examples to evaluate.
    ///   - batchSize: examples per forward pass.
    ///   - loss: the loss reported as `"loss"`.
    ///   - metrics: the metrics reported under their names.
    ///   - distributed: with several processes, each evaluates every `size`-th example
    ///     from its rank and the means are over all of them, on every process.
    /// - Returns: `"loss"` and each metric's name mapped to its mean over all examples.
    public func evaluate(_ data: Dataset, batchSize: Int = 256, loss: any Loss, metrics: [any Metric] = [.accuracy],
                         distributed: DataParallelGroup? = nil) throws -> [String: Float] {
        let restoreModes = enterEvaluationMode()
        defer { restoreModes() }
        let group = distributed.flatMap { $0.size > 1 ? $0 : nil }
        let part: Dataset = group.map { DatasetStride(data, start: $0.rank, step: $0.size) } ?? data
        var totalLoss: Double = 0, seen = 0
        var sums = MetricSums(metrics)
        if part.count > 0 {
            let loader = try DataLoader(part, batchSize: batchSize, shuffle: false)
            try noGrad {
                try loader.forEachBatch(epoch: 0) { _, inputs, targets in
                    let outputs = try self(inputs)
                    let n = inputs.shape.first ?? 1
                    totalLoss += Double(try loss(outputs, targets).scalar ?? .nan) * Double(n)
                    seen += n
                    try sums.add(outputs: outputs, targets: targets)
                }
            }
        }
        if let group { try group.reduce(loss: &totalLoss, seen: &seen, metrics: &sums) }
        return sums.values.merging(["loss": Float(totalLoss / Double(Swift.max(seen, 1)))]) { $1 }
    }

    /// Outputs for `inputs` (`[N, …]`) in eval mode, batch by batch, without recording gradients.
    public func predict(_ inputs: Tensor, batchSize: Int = 256) throws -> Tensor {
        let restoreModes = enterEvaluationMode()
        defer { restoreModes() }
        let count = inputs.shape.first ?? 0
        guard count > 0 else { return try noGrad { try self(inputs) } }
        let step = Swift.max(batchSize, 1)
        let parts = try noGrad {
            try stride(from: 0, to: count, by: step).map { start in try self(inputs.slice(start..<Swift.min(start + step, count))) }
        }
        return try Tensor.concat(parts)
    }
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// Running `Σ total` and `Σ count` per metric over a pass.
struct MetricSums {
    let metrics: [any Metric]
    private var totals: [Double], counts: [Int]

    init(_ metrics: [any Metric]) {
        self.metrics = metrics
        totals = metrics.map { _ in 0 }
        counts = metrics.map { _ in 0 }
    }

    mutating func add(outputs: Tensor, targets: Tensor) throws {
        for (index, metric) in metrics.enumerated() {
            let contribution = try metric.contribution(outputs: outputs, targets: targets)
            totals[index] += contribution.total
            counts[index] += contribution.count
        }
    }

    /// Totals then counts, as one vector (for a sum over processes), and back.
    var vector: [Double] {
        get { totals + counts.map(Double.init) }
        set {
            totals = Array(newValue[0..<metrics.count])
            counts = newValue[metrics.count...].map { Int($0) }
        }
    }

    /// Each metric's mean by name (`NaN` for a metric that saw nothing).
    var values: [String: Float] {
        Dictionary(zip(metrics.map(\.name), zip(totals, counts).map { counts in
            counts.1 > 0 ? Float(counts.0 / Double(counts.1)) : .nan
        }), uniquingKeysWith: { $1 })
    }
}
