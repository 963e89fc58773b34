import Dendrite

/// The settings of a training run, saved as `model.json` so evaluate, predict and resume can
/// rebuild the same model. Shared by the CLI and the fuzz harness, which parses untrusted
/// `model.json` files through ``decode(_:path:)``.
package struct RunConfiguration: Codable {
    package var spec: String
    package var dataFolder: String
    package var limit: Int?
    package var epochs: Int
    package var batchSize: Int
    package var optimizer: String
    package var learningRate: Float?
    package var schedule: String
    package var weightDecay: Float
    package var dropout: Float?
    package var patience: Int?
    package var validationSplit: Double
    package var seed: UInt64
    /// Filled in once the data is known.
    package var inputShape: [Int]?
    package var classCount: Int?
    /// What `dendrite compress` applied, in order ("fuse", "quantize:dynamic"; pruning needs no
    /// rebuilding): the structure to recreate before the weights load. `nil` for a trained run.
    package var compression: [String]?

    /// A configuration from its settings (`inputShape` and `classCount` are filled in once the data is known).
    package init(spec: String, dataFolder: String, limit: Int?, epochs: Int, batchSize: Int, optimizer: String,
                 learningRate: Float?, schedule: String, weightDecay: Float, dropout: Float?, patience: Int?,
                 validationSplit: Double, seed: UInt64) {
        self.spec = spec
        self.dataFolder = dataFolder
        self.limit = limit
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.schedule = schedule
        self.weightDecay = weightDecay
        self.dropout = dropout
        self.patience = patience
        self.validationSplit = validationSplit
        self.seed = seed
    }

    /// The layer list: a preset expanded, its last layer sized to the classes, dropout inserted
    /// before the last dense layer when asked.
    package func resolvedSpec(classCount: Int) -> String {
        var text = spec
        if let preset = ModelSpec.presets[spec] {
            text = preset
            if let last = text.range(of: ",dense:", options: .backwards) {
                text = String(text[..<last.lowerBound]) + ",dense:\(classCount)"
            }
        }
        if let dropout, let last = text.range(of: ",dense:", options: .backwards) {
            text.insert(contentsOf: ",dropout:\(dropout)", at: last.lowerBound)
        }
        return text
    }

    package func makeOptimizer(_ parameters: [Parameter]) throws -> Optimizer {
        switch optimizer.lowercased() {
        case "sgd": return try SGD(parameters, learningRate: learningRate ?? 0.01, weightDecay: weightDecay)
        case "momentum": return try SGD(parameters, learningRate: learningRate ?? 0.01, momentum: 0.9, weightDecay: weightDecay)
        case "rmsprop":
            return try RMSprop(parameters, learningRate: learningRate ?? 0.001, alpha: 0.9, epsilon: 1e-7, weightDecay: weightDecay)
        case "adam": return try Adam(parameters, learningRate: learningRate ?? 0.001, weightDecay: weightDecay)
        case "adamw": return try AdamW(parameters, learningRate: learningRate ?? 0.001, weightDecay: weightDecay == 0 ? 0.01 : weightDecay)
        case "lbfgs": return try LBFGS(parameters, learningRate: learningRate ?? 1, maxIterations: 5)
        default:
            throw DendriteError.invalidArgument(operation: "dendrite train", argument: "--optimizer \(optimizer)",
                                                reason: "choose sgd, momentum, rmsprop, adam, adamw or lbfgs")
        }
    }

    package func makeSchedule() throws -> LearningRateSchedule? {
        switch schedule.lowercased() {
        case "none": return nil
        case "step": return try StepDecay(stepSize: max(1, epochs / 3), gamma: 0.1)
        case "cosine": return try CosineDecay(total: epochs)
        default:
            throw DendriteError.invalidArgument(operation: "dendrite train", argument: "--schedule \(schedule)",
                                                reason: "choose none, step or cosine")
        }
    }
}
