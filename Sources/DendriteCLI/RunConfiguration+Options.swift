import DendriteRun

extension RunConfiguration {
    /// The settings of a new run, from `dendrite train`'s options.
    init(options: Train) {
        self.init(spec: options.model, dataFolder: options.data, limit: options.limit, epochs: options.epochs,
                  batchSize: options.batchSize, optimizer: options.optimizer, learningRate: options.learningRate,
                  schedule: options.schedule, weightDecay: options.weightDecay, dropout: options.dropout,
                  patience: options.patience, validationSplit: options.validationSplit, seed: options.seed)
    }
}
