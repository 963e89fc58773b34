/// A batch's contribution to a metric: the metric over a pass is `Σ total / Σ count`.
public struct MetricContribution: Equatable, Sendable {
    /// The sum of the batch's per-example values (correct predictions, absolute errors, …).
    public var total: Double
    /// How many examples (or elements) `total` sums over.
    public var count: Int

    /// Creates a contribution.
    public init(total: Double, count: Int) {
        self.total = total
        self.count = count
    }
}

/// A quality measure computed from model outputs and targets during `fit` and `evaluate`, and
/// logged in the history under ``name`` (validation values as `val_<name>`). A metric is a mean
/// over examples, so that batches (and data-parallel ranks) combine by adding contributions.
/// The built-ins are ``StandardMetric``s (`metrics: [.accuracy, .topK(5)]`); conform your own type
/// for any other.
public protocol Metric {
    /// The key in logs and history.
    var name: String { get }
    /// This batch's contribution.
    func contribution(outputs: Tensor, targets: Tensor) throws -> MetricContribution
}

/// A built-in metric: `.accuracy`, `.topK(5)`, `.meanAbsoluteError`.
public struct StandardMetric: Metric, Hashable, Codable, Sendable {
    enum Kind: Hashable, Codable, Sendable {
        case topK(Int)
        case meanAbsoluteError
    }
    let kind: Kind

    /// `"accuracy"`, `"top5_accuracy"`, `"mae"`.
    public var name: String {
        switch kind {
        case .topK(1): return "accuracy"
        case .topK(let k): return "top\(k)_accuracy"
        case .meanAbsoluteError: return "mae"
        }
    }

    /// Accuracies: correct examples over examples; mean absolute error: `Σ|output − target|` over elements.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` unless outputs are
    ///   `[N, C]` and targets `[N]` class indices (accuracies), or counts agree (mean absolute error).
    public func contribution(outputs: Tensor, targets: Tensor) throws -> MetricContribution {
        switch kind {
        case .topK(let k): return MetricContribution(total: Double(try correctCount(outputs: outputs, targets: targets, k: k)),
                                                     count: outputs.shape.first ?? 0)
        case .meanAbsoluteError:
            guard outputs.count == targets.count else {
                throw DendriteError.shapeMismatch(operation: "metric mae", expected: "targets with \(outputs.count) elements",
                                                  got: "\(targets.shape)")
            }
            let total = zip(outputs.scalars, targets.scalars).reduce(0.0) { $0 + Double(Swift.abs($1.0 - $1.1)) }
            return MetricContribution(total: total, count: outputs.count)
        }
    }

    /// How many of the batch's examples are correct: the target class is among the `k` highest
    /// outputs (for `[N, 1]` outputs: probability ≥ 0.5 against a 0/1 target).
    public func correctCount(outputs: Tensor, targets: Tensor) throws -> Int {
        guard case let .topK(k) = kind else {
            throw DendriteError.invalidArgument(operation: "metric \(name)", argument: "correctCount", reason: "is for accuracies")
        }
        return try correctCount(outputs: outputs, targets: targets, k: k)
    }

    private func correctCount(outputs: Tensor, targets: Tensor, k: Int) throws -> Int {
        guard outputs.rank == 2, targets.count == outputs.shape[0] else {
            throw DendriteError.shapeMismatch(operation: "metric \(name)", expected: "outputs [N, C] and targets [N]",
                                              got: "outputs \(outputs.shape), targets \(targets.shape)")
        }
        let classes = outputs.shape[1], values = outputs.scalars, labels = targets.scalars
        var correct = 0
        for row in 0..<outputs.shape[0] {
            let scores = values[(row * classes)..<((row + 1) * classes)]
            let label = Int(labels[row])
            if classes == 1 {
                if (scores.first! >= 0.5 ? 1 : 0) == label { correct += 1 }
                continue
            }
            guard label >= 0 && label < classes else { continue }
            // Rank of the label's score: how many classes score strictly higher. NaN ranks above
            // every number (as PyTorch's argmax and topk treat it), and a NaN label score is
            // never right: a model producing NaN must not look accurate.
            let target = scores[scores.startIndex + label]
            guard !target.isNaN else { continue }
            let higher = scores.reduce(0) { $0 + ($1 > target || $1.isNaN ? 1 : 0) }
            if higher < k { correct += 1 }
        }
        return correct
    }
}

extension Metric where Self == StandardMetric {
    /// Fraction of examples whose highest output is the target class.
    public static var accuracy: StandardMetric { StandardMetric(kind: .topK(1)) }
    /// Fraction of examples whose target class is among the `k` highest outputs.
    public static func topK(_ k: Int) -> StandardMetric { StandardMetric(kind: .topK(k)) }
    /// Mean absolute difference between outputs and targets.
    public static var meanAbsoluteError: StandardMetric { StandardMetric(kind: .meanAbsoluteError) }
}

/// The confusion matrix: `matrix[true][predicted]` counts.
///
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a class out of range.
public func confusionMatrix(predictions: [Int], labels: [Int], classCount: Int) throws -> [[Int]] {
    guard predictions.count == labels.count else {
        throw DendriteError.shapeMismatch(operation: "confusionMatrix", expected: "\(labels.count) predictions",
                                          got: "\(predictions.count)")
    }
    var matrix = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
    for (predicted, label) in zip(predictions, labels) {
        guard (0..<classCount).contains(predicted), (0..<classCount).contains(label) else {
            throw DendriteError.invalidArgument(operation: "confusionMatrix", argument: "class \(Swift.max(predicted, label))",
                                                reason: "outside 0..<\(classCount)")
        }
        matrix[label][predicted] += 1
    }
    return matrix
}
