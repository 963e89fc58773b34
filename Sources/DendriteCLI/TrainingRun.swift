import Dendrite
import DendriteDistributed
import DendriteRun
import Foundation

/// One `dendrite train` run: data, model, optimizer, `fit`, the run folder, the test result.
/// Started by an MPI launcher (`mpirun -np N dendrite train …`), it trains data-parallel: each
/// rank its shard, rank 0 prints and writes the run folder, and a failure on any rank ends all.
struct TrainingRun {
    let options: Train

    func execute() throws {
        let group = MPICommunicator.isLaunchedByMPI ? try DistributedDataParallel() : nil
        let distributed = (group?.size ?? 1) > 1 ? group : nil
        do {
            try execute(distributed: distributed)
        } catch {
            guard let distributed else { throw error }
            distributed.abort(after: error)
        }
    }

    private func execute(distributed: DistributedDataParallel?) throws {
        let isLead = (distributed?.rank ?? 0) == 0
        if let threads = options.threads {
            Dendrite.threadCount = threads
        } else if distributed != nil {
            // The ranks on this host share its cores.
            let local = Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? "") ?? 1
            Dendrite.threadCount = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount / Swift.max(local, 1))
        }
        let output = Output(quiet: options.quiet || !isLead, jsonLines: options.jsonLines && isLead)
        // A resumed run takes its configuration from the run folder.
        let resumed = try options.resume.map { try RunFolder(path: $0).readCheckpoint() }
        var configuration = resumed?.configuration ?? RunConfiguration(options: options)
        configuration.epochs = options.epochs
        let folder = MNIST(root: configuration.dataFolder, package: configuration.dataFolder == FashionMNIST.defaultRoot ? "dataset-fashion-mnist" : nil)
        let full = try folder.load(.train, limit: configuration.limit)
        let test = try folder.load(.test, limit: configuration.limit)
        let classCount = Int(full.targets.max().scalar ?? 0) + 1
        let (training, validation): (TensorDataset, TensorDataset?) = configuration.validationSplit > 0
            ? try full.split(validationFraction: configuration.validationSplit) : (full, nil)

        RandomGenerator.seedGlobal(configuration.seed)
        var generator = RandomGenerator(seed: configuration.seed)
        let spec = configuration.resolvedSpec(classCount: classCount)
        let model = try ModelSpec(spec, inputShape: full.inputShape).build(generator: &generator)
        configuration.inputShape = full.inputShape
        configuration.classCount = classCount
        let summary = try model.summary(input: full.inputShape)
        guard summary.outputShape == [classCount] else {
            throw DendriteError.shapeMismatch(operation: "model \"\(spec)\"", expected: "output [\(classCount)] for \(classCount) classes",
                                              got: "\(summary.outputShape)")
        }
        if options.syncBatchNorm { model.synchronizeBatchNorm(over: distributed) }
        let optimizer = try configuration.makeOptimizer(model.parameters)
        var callbacks: [TrainingCallback] = []
        if let schedule = try configuration.makeSchedule() { callbacks.append(LearningRateScheduler(schedule)) }
        if let patience = configuration.patience, validation != nil {
            callbacks.append(EarlyStopping(monitor: "val_loss", patience: patience, restoreBestWeights: true))
        }
        let runFolder = isLead ? try RunFolder(path: options.resume ?? options.out, creating: true) : nil
        if let resumed {
            try model.load(stateDict: resumed.weights)
            try optimizer.load(stateDict: resumed.optimizerState)
            for (path, dropout) in model.namedDropouts() { if let state = resumed.randomStates[path] { dropout.generatorState = state } }
        }
        let ranks = distributed?.size ?? 1
        let shard = try DataLoader(training, batchSize: configuration.batchSize).shard(rank: distributed?.rank ?? 0, count: ranks)
        callbacks.append(output.progressCallback(batchSize: configuration.batchSize,
                                                 sampleCount: ranks == 1 ? training.count : shard.batchCount * configuration.batchSize))
        if let runFolder {
            callbacks.append(LambdaCallback(onEpochEnd: { _, context in
                try runFolder.writeCheckpoint(model: model, optimizer: optimizer, history: context.history, configuration: configuration)
            }))
        }

        output.say("Dendrite · \(Dendrite.backendDescription)")
        output.say("data: \(configuration.dataFolder) · \(training.count) training, \(validation?.count ?? 0) validation, \(test.count) test examples, \(classCount) classes")
        output.say(summary.description)
        if ranks > 1 {
            output.say("data-parallel over \(ranks) MPI ranks · \(Dendrite.threadCount) BLAS thread\(Dendrite.threadCount == 1 ? "" : "s") per rank · global batch "
                       + "\(configuration.batchSize) × \(ranks) = \(configuration.batchSize * ranks)")
        }
        if let resumed { output.say("resuming \(options.resume ?? "") after epoch \(resumed.history.records.count)") }
        let history = try model.fit(training, validation: validation, epochs: configuration.epochs, batchSize: configuration.batchSize,
                                    loss: .crossEntropy, optimizer: optimizer, callbacks: callbacks, seed: configuration.seed,
                                    resuming: resumed?.history, distributed: distributed)
        if let restored = history.restoredEpoch { output.say("early stopping restored the weights of epoch \(restored)") }
        guard let runFolder else { return }   // the other ranks are done; rank 0 tests and writes
        let result = try Evaluation.run(model: model, data: test, classCount: classCount)
        try runFolder.writeCheckpoint(model: model, optimizer: optimizer, history: history, configuration: configuration)
        try runFolder.write(json: result, to: "test.json")
        output.report(test: result, folder: runFolder.path)
    }
}

extension Module {
    /// Dropout layers with their `state_dict` paths (their generators are part of a checkpoint).
    func namedDropouts() -> [(String, Dropout)] {
        namedModules().compactMap { path, module in (module as? Dropout).map { (path, $0) } }
    }
}
