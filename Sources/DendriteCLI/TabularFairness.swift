import ArgumentParser
import Dendrite
import Foundation

/// `dendrite tabular --sensitive COLUMN [--reweigh]`: how the fitted classifier treats each group
/// of a sensitive attribute, and the same with the training rows reweighed.
extension Tabular {
    /// The feature index of `column` (a header name) in `csv`, the target column left out.
    func featureIndex(of column: String) throws -> Int {
        guard let data = FileManager.default.contents(atPath: csv), let text = String(data: data, encoding: .utf8),
              let header = text.split(whereSeparator: \.isNewline).first else {
            throw ValidationError("\(csv): cannot read its header")
        }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
        let targetIndex = Int(target) ?? names.firstIndex(of: target)
        guard let index = names.firstIndex(of: column), index != targetIndex else {
            throw ValidationError("--sensitive \(column): no feature column of that name in \(csv) (columns: \(names.joined(separator: ", ")))")
        }
        return index - (targetIndex.map { $0 < index ? 1 : 0 } ?? 0)
    }

    /// Prints the per-group metrics of `model` on the test rows; with `reweigh`, fits a second
    /// model on training rows resampled by Kamiran–Calders weights and prints its metrics too.
    func reportFairness(column: String, index: Int, model: TabularModel, train: (x: Tensor, y: Tensor, groups: [Float]),
                        test: (x: Tensor, y: Tensor, groups: [Float]), reweigh: Bool) throws {
        guard Set(test.y.scalars).isSubset(of: [0, 1]) else { throw ValidationError("--sensitive: the target must be binary (0/1)") }
        func show(_ title: String, _ fitted: TabularModel) throws {
            let report = try Fairness.report(predictions: try fitted.predict(test.x).scalars, labels: test.y.scalars, groups: test.groups)
            print("\n\(title) — by \(column):")
            print("  group   count  accuracy  positive rate  TPR     FPR")
            for g in report.groups {
                print("  \(String(format: "%-6g", g.group))  \(String(g.count).leftPadded(5))  \(String(format: "%.4f", g.accuracy))    "
                      + "\(String(format: "%.4f", g.positiveRate))         \(String(format: "%.4f", g.truePositiveRate))  \(String(format: "%.4f", g.falsePositiveRate))")
            }
            print("  demographic parity difference \(String(format: "%.4f", report.demographicParityDifference)), "
                  + "equalized odds difference \(String(format: "%.4f", report.equalizedOddsDifference)), "
                  + "accuracy \(String(format: "%.4f", try fitted.score(test.x, test.y)))")
        }
        try show("as fitted", model)
        guard reweigh else { return }
        var generator = RandomGenerator(seed: seed &+ 1)
        let rows = Fairness.reweighedSample(labels: train.y.scalars, groups: train.groups, count: train.x.shape[0], generator: &generator)
        let reweighed = try TabularModel(estimator, parameters: try TabularParameters(parameters))
        try reweighed.fit(train.x.gatheringRows(rows), train.y.gatheringRows(rows))
        try show("reweighed training rows (Kamiran & Calders, resampled)", reweighed)
    }
}
