import XCTest
@testable import Dendrite

/// Group metrics against values counted by hand; reweighing makes group and label independent.
final class FairnessTests: XCTestCase {
    func testGroupMetricsAndGapsAsCountedByHand() throws {
        // Group 0: labels 1 1 0 0, predictions 1 0 0 0; group 1: labels 1 0 0, predictions 1 1 0.
        let report = try Fairness.report(predictions: [1, 0, 0, 0, 1, 1, 0], labels: [1, 1, 0, 0, 1, 0, 0], groups: [0, 0, 0, 0, 1, 1, 1])
        XCTAssertEqual(report.groups.map(\.count), [4, 3])
        XCTAssertEqual(report.groups[0].accuracy, 0.75)
        XCTAssertEqual(report.groups[0].positiveRate, 0.25)
        XCTAssertEqual(report.groups[0].truePositiveRate, 0.5)
        XCTAssertEqual(report.groups[0].falsePositiveRate, 0)
        XCTAssertEqual(report.groups[1].positiveRate, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(report.groups[1].truePositiveRate, 1)
        XCTAssertEqual(report.groups[1].falsePositiveRate, 0.5)
        XCTAssertEqual(report.demographicParityDifference, 2.0 / 3.0 - 0.25, accuracy: 1e-12)
        XCTAssertEqual(report.equalizedOddsDifference, 0.5, accuracy: 1e-12, "max(TPR gap 0.5, FPR gap 0.5)")
        XCTAssertThrowsError(try Fairness.report(predictions: [2], labels: [1], groups: [0]))
        XCTAssertThrowsError(try Fairness.report(predictions: [1, 0], labels: [1], groups: [0]))
    }

    func testReweighingMakesGroupAndLabelIndependent() throws {
        // Group 1 is positive far more often (6 of 8) than group 0 (1 of 4).
        let labels: [Float] = [1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0], groups: [Float] = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
        let weights = Fairness.reweighingWeights(labels: labels, groups: groups)
        func weightedPositiveRate(_ group: Float) -> Double {
            let members = groups.indices.filter { groups[$0] == group }
            return members.filter { labels[$0] == 1 }.reduce(0) { $0 + weights[$1] } / members.reduce(0) { $0 + weights[$1] }
        }
        XCTAssertEqual(weightedPositiveRate(0), weightedPositiveRate(1), accuracy: 1e-12)
        XCTAssertEqual(weightedPositiveRate(0), 7.0 / 12.0, accuracy: 1e-12, "the overall positive rate")
        XCTAssertEqual(weights.reduce(0, +), 12, accuracy: 1e-9, "the total mass is kept")
        var generator = RandomGenerator(seed: 1)
        let sample = Fairness.reweighedSample(labels: labels, groups: groups, count: 60_000, generator: &generator)
        let groupZero = sample.filter { groups[$0] == 0 }
        XCTAssertEqual(Double(groupZero.filter { labels[$0] == 1 }.count) / Double(groupZero.count), 7.0 / 12.0, accuracy: 0.01)
    }
}
