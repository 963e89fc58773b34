/// One group's view of a binary classifier's test predictions.
public struct GroupMetrics: Sendable, Equatable {
    /// The sensitive attribute's value.
    public let group: Float
    /// Examples in the group.
    public let count: Int
    /// Share predicted right.
    public let accuracy: Double
    /// Share predicted positive (demographic parity compares these).
    public let positiveRate: Double
    /// True-positive rate (recall on the positives) and false-positive rate (equalized odds
    /// compares both); NaN when the group has no positive (negative) example.
    public let truePositiveRate: Double, falsePositiveRate: Double
}

/// Per-group metrics and the usual gaps between groups (fairlearn's definitions).
public struct FairnessReport: Sendable, Equatable {
    /// One entry per group, ordered by the attribute's value.
    public let groups: [GroupMetrics]
    /// Largest minus smallest positive rate across groups (0: demographic parity).
    public let demographicParityDifference: Double
    /// The larger of the true-positive-rate and false-positive-rate spreads (0: equalized odds).
    public let equalizedOddsDifference: Double
}

/// The course's bias line: measure how a classifier treats the groups of a sensitive attribute,
/// and reweigh the training data (Kamiran & Calders 2012) so that group and label are
/// independent in it.
public enum Fairness {
    /// Metrics of binary `predictions` (0/1) against `labels` per value of `groups`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for arrays of
    ///   different lengths or values that are not 0 or 1.
    public static func report(predictions: [Float], labels: [Float], groups: [Float]) throws -> FairnessReport {
        guard predictions.count == labels.count, labels.count == groups.count, !labels.isEmpty else {
            throw DendriteError.invalidArgument(operation: "Fairness.report", argument: "\(predictions.count) predictions, \(labels.count) labels, \(groups.count) groups",
                                                reason: "need as many of each, at least one")
        }
        guard (predictions + labels).allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw DendriteError.invalidArgument(operation: "Fairness.report", argument: "predictions and labels", reason: "must be 0 or 1 (a binary classifier)")
        }
        let metrics = Set(groups).sorted().map { group -> GroupMetrics in
            let members = groups.indices.filter { groups[$0] == group }
            let positives = members.filter { labels[$0] == 1 }, negatives = members.filter { labels[$0] == 0 }
            func share(_ rows: [Int], _ test: (Int) -> Bool) -> Double { rows.isEmpty ? .nan : Double(rows.filter(test).count) / Double(rows.count) }
            return GroupMetrics(group: group, count: members.count, accuracy: share(members) { predictions[$0] == labels[$0] },
                                positiveRate: share(members) { predictions[$0] == 1 },
                                truePositiveRate: share(positives) { predictions[$0] == 1 },
                                falsePositiveRate: share(negatives) { predictions[$0] == 1 })
        }
        func spread(_ values: [Double]) -> Double {
            let finite = values.filter(\.isFinite)
            return (finite.max() ?? 0) - (finite.min() ?? 0)
        }
        return FairnessReport(groups: metrics, demographicParityDifference: spread(metrics.map(\.positiveRate)),
                              equalizedOddsDifference: Swift.max(spread(metrics.map(\.truePositiveRate)), spread(metrics.map(\.falsePositiveRate))))
    }

    /// Kamiran & Calders' reweighing: example `i` weighs `P(g_i)·P(y_i) / P(g_i, y_i)`, the
    /// weight that makes group and label independent (each (group, label) cell then carries the
    /// mass it would have if they were).
    public static func reweighingWeights(labels: [Float], groups: [Float]) -> [Double] {
        let n = Double(labels.count)
        var byGroup: [Float: Double] = [:], byLabel: [Float: Double] = [:], byCell: [[Float]: Double] = [:]
        for (label, group) in zip(labels, groups) {
            byGroup[group, default: 0] += 1
            byLabel[label, default: 0] += 1
            byCell[[group, label], default: 0] += 1
        }
        return zip(labels, groups).map { label, group in
            (byGroup[group]! / n) * (byLabel[label]! / n) / (byCell[[group, label]]! / n)
        }
    }

    /// Indices of a training set drawn `count` times with replacement in proportion to
    /// ``reweighingWeights(labels:groups:)`` — reweighing for learners that take no example
    /// weights (Kamiran & Calders' resampling).
    public static func reweighedSample(labels: [Float], groups: [Float], count: Int, generator: inout RandomGenerator) -> [Int] {
        let weights = reweighingWeights(labels: labels, groups: groups)
        var cumulative: [Double] = []
        cumulative.reserveCapacity(weights.count)
        var total = 0.0
        for weight in weights { total += weight; cumulative.append(total) }
        return (0..<count).map { _ in
            let u = Double(generator.nextUniform()) * total
            var low = 0, high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] <= u { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }
}
