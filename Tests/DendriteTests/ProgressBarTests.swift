@testable import Dendrite
import Foundation
import XCTest

/// The progress bar in its three styles, its text, and `fit`'s use of it.
final class ProgressBarTests: XCTestCase {
    func testRenderShowsStepsRateAndTimeLeft() {
        let line = ProgressBar.render(label: "epoch 2/5", done: 25, total: 100, items: 3_200, elapsed: 2, note: "loss 0.5000", width: 10)
        XCTAssertEqual(line, "epoch 2/5 [==>       ] 25/100 · 1600 samples/s · 0:06 left · loss 0.5000")
        let done = ProgressBar.render(label: "x", done: 4, total: 4, items: 40, elapsed: 3_700, unit: "rows", width: 4)
        XCTAssertEqual(done, "x [====] 4/4 · 0 rows/s · 0:00 left")
        let long = ProgressBar.render(label: "x", done: 1, total: 3, items: 1, elapsed: 1_850, width: 3)
        XCTAssertTrue(long.hasSuffix("1:01:40 left"), long)
        // Nothing done yet, or more reported than the total: no division by zero, the count clamped.
        XCTAssertEqual(ProgressBar.render(label: "x", done: 0, total: 0, items: 0, elapsed: 0, width: 2), "x [==] 0/0")
        XCTAssertTrue(ProgressBar.render(label: "x", done: 9, total: 3, items: 9, elapsed: 1, width: 3).contains("[===] 3/3"))
        // Nonsense inputs are clamped, never a trap: a negative width, a rate or time beyond Int's range.
        XCTAssertEqual(ProgressBar.render(label: "x", done: 1, total: 2, items: 1, elapsed: 0, width: -5), "x [] 1/2")
        XCTAssertTrue(ProgressBar.render(label: "x", done: 1, total: .max, items: .max, elapsed: 1e-300).contains("\(Int.max) samples/s"))
    }

    func testTerminalStyleRedrawsInPlaceAndEndsWithTheSummary() {
        var written: [String] = []
        let bar = ProgressBar(style: .terminal, minimumInterval: .zero) { written.append($0) }
        bar.width = 4
        bar.begin("epoch 1/1", total: 2)
        bar.update(done: 1, items: 8, note: "loss 1.0000")
        bar.update(done: 2, items: 16, note: "loss 0.5000")
        bar.finish("epoch 1/1 · loss 0.5000")
        XCTAssertEqual(written.count, 4)
        XCTAssertTrue(written[0].hasPrefix("\r\u{1B}[Kepoch 1/1 [==> ] 1/2 · "), written[0])
        XCTAssertTrue(written[0].hasSuffix("left · loss 1.0000"), written[0])
        XCTAssertTrue(written[1].hasPrefix("\r\u{1B}[Kepoch 1/1 [====] 2/2 · "), written[1])
        XCTAssertEqual(written[2], "\r\u{1B}[K")
        XCTAssertEqual(written[3], "epoch 1/1 · loss 0.5000\n")
    }

    func testTerminalStyleDrawsAtMostOncePerIntervalButAlwaysTheLastStep() {
        var written: [String] = []
        let bar = ProgressBar(style: .terminal, minimumInterval: .seconds(60)) { written.append($0) }
        bar.begin("x", total: 5)
        for done in 1...5 { bar.update(done: done, items: done) }
        XCTAssertEqual(written.count, 2, "\(written)")
        XCTAssertTrue(written[0].contains("1/5") && written[1].contains("5/5"), "\(written)")
    }

    func testLinesStylePrintsOnlySummariesAndSilentNothing() {
        var lines: [String] = [], silent: [String] = []
        let plain = ProgressBar(style: .lines) { lines.append($0) }
        let quiet = ProgressBar(style: .silent) { silent.append($0) }
        for bar in [plain, quiet] {
            bar.begin("epoch 1/2", total: 3)
            for done in 1...3 { bar.update(done: done, items: done) }
            bar.finish("epoch 1/2 · loss 0.1")
            bar.finish(nil)
        }
        XCTAssertEqual(lines, ["epoch 1/2 · loss 0.1\n"])
        XCTAssertEqual(silent, [])
    }

    func testFitDrivesTheBarWithEveryBatchAndAnEpochSummary() throws {
        var generator = RandomGenerator(seed: 1)
        let x = Tensor.normal([10, 3], generator: &generator), y = Tensor.normal([10, 1], generator: &generator)
        let model = try Sequential { try Linear(3, 1, generator: &generator) }
        var written: [String] = []
        let bar = ProgressBar(style: .terminal, minimumInterval: .zero) { written.append($0) }
        try model.fit(try TensorDataset(inputs: x, targets: y), epochs: 2, batchSize: 4, loss: .meanSquaredError,
                      optimizer: try SGD(model.parameters, learningRate: 0.01), metrics: [],
                      callbacks: [ProgressCallback(batchSize: 4, sampleCount: 10, bar: bar)])
        let draws = written.filter { $0.hasPrefix("\r\u{1B}[Kepoch") }
        XCTAssertEqual(draws.count, 6, "3 batches in each of 2 epochs: \(written)")
        XCTAssertTrue(draws[2].contains("3/3") && draws[2].contains("loss "), draws[2])
        let summaries = written.filter { $0.hasSuffix("\n") }
        XCTAssertEqual(summaries.count, 2)
        XCTAssertTrue(summaries[1].hasPrefix("epoch 2/2 · loss "), summaries[1])
        XCTAssertTrue(summaries[1].contains("samples/s"), summaries[1])
    }

    func testEpochSummaryNamesEveryMetric() {
        let record = EpochRecord(epoch: 3, loss: 0.25, metrics: ["accuracy": 0.9, "top5": 0.99], validationLoss: 0.5,
                                 validationMetrics: ["accuracy": 0.8], learningRate: 0.001, seconds: 1.25, samplesPerSecond: 1000.7)
        XCTAssertEqual(record.summary(epochs: 5),
                       "epoch 3/5 · loss 0.2500 · acc 0.9000 · top5 0.9900 · val_loss 0.5000 · val_acc 0.8000 · lr 0.001 · 1.2s · 1000 samples/s")
    }
}
