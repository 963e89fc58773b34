import Dendrite

/// The settings of a training run, saved as `model.json` so evaluate, predict and resume can
/// rebuild the same model.
struct RunConfiguration: Codable {
    var spec: String
    var dataFolder: String
    var limit: Int?
    var epochs: Int
    var batchSize: Int
    var optimizer: String
    var learningRate: Float?
    var schedule: String
    var weightDecay: Float
    var dropout: Float?
    var patience: Int?
    var validationSplit: Double
    var seed: UInt64
    /// Filled in once the data is known.
    var inputShape: [Int]?
    var classCount: Int?

    init(options: Train) {
        spec = options.model
        dataFolder = options.data
        limit = options.limit
        epochs = options.epochs
        batchSize = options.batchSize
        optimizer = options.optimizer
        learningRate = options.learningRate
        schedule = options.schedule
        weightDecay = options.weightDecay
        dropout = options.dropout
        patience = options.patience
        validationSplit = options.validationSplit
        seed = options.seed
    }

    /// The layer list: a preset expanded, its last layer sized to the classes, dropout inserted
    /// before the last dense layer when asked.
    func resolvedSpec(classCount: Int) -> String {
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

    func makeOptimizer(_ parameters: [Parameter]) throws -> Optimizer {
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

    func makeSchedule() throws -> LearningRateSchedule? {
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
