/// A quality measure computed from model outputs and targets during `fit` and `evaluate`.
public enum Metric: Hashable, Codable, Sendable {
    /// Fraction of examples whose highest output is the target class (for `[N, 1]` outputs:
    /// probability ≥ 0.5 against a 0/1 target).
    case accuracy
    /// Fraction of examples whose target class is among the `k` highest outputs.
    case topK(Int)

    /// The key in logs and history (`"accuracy"`, `"top5_accuracy"`).
    public var name: String {
        switch self {
        case .accuracy: return "accuracy"
        case .topK(let k): return "top\(k)_accuracy"
        }
    }

    /// How many of the batch's examples are correct (divide by the example count for the rate).
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` unless outputs are
    ///   `[N, C]` and targets `[N]` class indices.
    public func correctCount(outputs: Tensor, targets: Tensor) throws -> Int {
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
            let k: Int
            switch self {
            case .accuracy: k = 1
            case .topK(let value): k = value
            }
            // Rank of the label's score: how many classes score strictly higher.
            let target = scores[scores.startIndex + label]
            let higher = scores.reduce(0) { $0 + ($1 > target ? 1 : 0) }
            if higher < k { correct += 1 }
        }
        return correct
    }
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
