import Dendrite
import Foundation

extension RunConfiguration {
    /// The largest batch accepted (2²⁴ examples): larger values are typing mistakes, not batches.
    package static let maximumBatchSize = 1 << 24
    /// The most classes a run folder may declare (as many as the largest batch).
    package static let maximumClassCount = 1 << 24

    /// Decodes and validates a `model.json` read from `path`: a file that is not JSON, lacks a
    /// setting or holds a value no run could use is an ``DendriteError/invalidFile(path:offset:reason:)``
    /// naming the setting.
    package static func decode(_ data: Data, path: String) throws -> RunConfiguration {
        let configuration: RunConfiguration
        do { configuration = try JSONDecoder().decode(RunConfiguration.self, from: data) } catch {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "is not valid (\(error))")
        }
        try configuration.validate(path: path)
        return configuration
    }

    /// Checks every setting against the range the CLI accepts for its option.
    package func validate(path: String) throws {
        func check(_ condition: Bool, _ setting: String, _ value: Any, _ rule: String) throws {
            guard condition else {
                throw DendriteError.invalidFile(path: path, offset: nil, reason: "\(setting) \(value) must be \(rule)")
            }
        }
        try check(!spec.isEmpty, "spec", "\"\"", "a layer list or a preset name")
        try check(epochs >= 0, "epochs", epochs, "at least 0")
        try check((1...Self.maximumBatchSize).contains(batchSize), "batchSize", batchSize, "in 1…\(Self.maximumBatchSize)")
        if let limit { try check(limit >= 1, "limit", limit, "at least 1") }
        if let learningRate { try check(learningRate.isFinite && learningRate >= 0, "learningRate", learningRate, "a finite number ≥ 0") }
        try check(weightDecay.isFinite && weightDecay >= 0, "weightDecay", weightDecay, "a finite number ≥ 0")
        if let dropout { try check(dropout.isFinite && dropout >= 0 && dropout < 1, "dropout", dropout, "a number in [0, 1)") }
        if let patience { try check(patience >= 0, "patience", patience, "at least 0") }
        try check(validationSplit.isFinite && validationSplit >= 0 && validationSplit < 1, "validationSplit", validationSplit,
                  "a number in [0, 1)")
        if let inputShape {
            try check(!inputShape.isEmpty && inputShape.count <= 8 && inputShape.allSatisfy { $0 >= 1 }, "inputShape", inputShape,
                      "one to eight sizes, each at least 1")
        }
        if let classCount {
            try check((1...Self.maximumClassCount).contains(classCount), "classCount", classCount, "in 1…\(Self.maximumClassCount)")
        }
        // The names are checked where they are used; checking them here reports a bad file at once.
        do { _ = try makeOptimizer([]) } catch {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "optimizer \"\(optimizer)\" is unknown (\(error))")
        }
        do { _ = try makeSchedule() } catch {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "schedule \"\(schedule)\" is unknown (\(error))")
        }
    }

    /// The trained model's architecture, rebuilt from the settings (its weights are loaded separately).
    package func buildModel(path: String) throws -> Sequential {
        guard let inputShape, let classCount else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "has no input shape or class count")
        }
        var generator = RandomGenerator(seed: seed)
        return try ModelSpec(resolvedSpec(classCount: classCount), inputShape: inputShape).build(generator: &generator)
    }
}
