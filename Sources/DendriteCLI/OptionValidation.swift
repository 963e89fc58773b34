import DendriteRun
import ArgumentParser

/// Checks of command-line values, each failing with a message that names the option.
enum OptionCheck {
    /// The most threads accepted: OpenBLAS here is built for at most 64.
    static let maximumThreads = 64
    /// The largest batch accepted (2²⁴ examples): larger values are typing mistakes, not batches.
    static let maximumBatchSize = RunConfiguration.maximumBatchSize

    static func count(_ value: Int?, _ option: String, minimum: Int = 1, maximum: Int = Int.max) throws {
        guard let value else { return }
        guard value >= minimum, value <= maximum else {
            let range = maximum == Int.max ? "at least \(minimum)" : "in \(minimum)…\(maximum)"
            throw ValidationError("--\(option) \(value) must be \(range)")
        }
    }

    static func fraction<F: BinaryFloatingPoint>(_ value: F?, _ option: String, allowsOne: Bool = false) throws {
        guard let value else { return }
        guard value.isFinite, value >= 0, allowsOne ? value <= 1 : value < 1 else {
            throw ValidationError("--\(option) \(value) must be a number in [0, 1\(allowsOne ? "]" : ")")")
        }
    }

    static func nonNegative(_ value: Float?, _ option: String) throws {
        guard let value else { return }
        guard value.isFinite, value >= 0 else { throw ValidationError("--\(option) \(value) must be a finite number ≥ 0") }
    }
}

extension Train {
    /// Rejects values no run could use, before anything is read or written.
    func validate() throws {
        try OptionCheck.count(epochs, "epochs", minimum: 0)
        try OptionCheck.count(batchSize, "batch-size", maximum: OptionCheck.maximumBatchSize)
        try OptionCheck.count(threads, "threads", maximum: OptionCheck.maximumThreads)
        try OptionCheck.count(patience, "patience", minimum: 0)
        try OptionCheck.count(limit, "limit")
        try OptionCheck.nonNegative(learningRate, "lr")
        try OptionCheck.nonNegative(weightDecay, "weight-decay")
        try OptionCheck.fraction(dropout, "dropout")
        try OptionCheck.fraction(validationSplit, "validation-split")
        if let limit, validationSplit > 0 {
            // As TensorDataset.split: at least one validation example, and one must remain to train on.
            let held = Swift.max(1, Int((Double(limit) * validationSplit).rounded()))
            guard limit - held >= 1 else {
                throw ValidationError("--validation-split \(validationSplit) of --limit \(limit) leaves no training examples "
                                      + "(use a larger --limit or --validation-split 0)")
            }
        }
    }
}

extension Predict {
    /// Rejects values no prediction could use.
    func validate() throws {
        try OptionCheck.count(top, "top")
        try OptionCheck.count(index, "index", minimum: 0)
    }
}
