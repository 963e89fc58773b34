import Dendrite
import Foundation

/// Where the CLI prints: plain lines, nothing (`--quiet`), or JSON lines (`--json-lines`).
struct Output {
    let quiet: Bool
    let jsonLines: Bool
    /// Whether standard output is a terminal (then progress bars redraw in place).
    let isTerminal = isatty(STDOUT_FILENO) != 0

    func say(_ text: String) { if !quiet && !jsonLines { print(text) } }

    func json<T: Encodable>(_ value: T) {
        guard jsonLines, let data = try? JSONEncoder().encode(value), let text = String(data: data, encoding: .utf8) else { return }
        print(text)
    }

    func report(test result: Evaluation, folder: String) {
        if jsonLines {
            json(result)
        } else {
            print("test: loss \(String(format: "%.4f", result.loss)) · accuracy \(String(format: "%.4f", result.accuracy)) (\(result.count) examples)")
            if !quiet { print("saved \(folder)/model.safetensors, history.csv, history.json, curves.svg, test.json") }
        }
    }
}

/// Shows a progress bar with ETA on a terminal, one line per epoch otherwise.
final class ProgressReporter: TrainingCallback {
    let output: Output
    let batchCount: Int
    private var epochStart = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var runningLoss: Double = 0
    private var epoch = 0

    init(output: Output, batchCount: Int) {
        self.output = output
        self.batchCount = batchCount
    }

    func epochWillBegin(_ epoch: Int, context: TrainingContext) throws {
        self.epoch = epoch
        epochStart = .now
        runningLoss = 0
    }

    func batchDidEnd(_ batch: Int, loss: Float, context: TrainingContext) throws {
        runningLoss += Double(loss)
        guard output.isTerminal, !output.quiet, !output.jsonLines, ContinuousClock.now - lastDraw > .milliseconds(100) || batch + 1 == batchCount
        else { return }
        lastDraw = .now
        let done = batch + 1, width = 30
        let filled = width * done / max(batchCount, 1)
        let elapsed = elapsedSeconds(since: epochStart)
        let eta = elapsed / Double(done) * Double(batchCount - done)
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        print("\r\u{1B}[Kepoch \(epoch + 1)/\(context.epochs) [\(bar)] \(done)/\(batchCount) loss \(String(format: "%.4f", runningLoss / Double(done))) ETA \(Int(eta.rounded()))s",
              terminator: "")
        fflush(stdout)
    }

    func epochDidEnd(_ record: EpochRecord, context: TrainingContext) throws {
        if output.jsonLines { output.json(record); return }
        guard !output.quiet else { return }
        if output.isTerminal { print("\r\u{1B}[K", terminator: "") }
        var parts = ["epoch \(record.epoch)/\(context.epochs)", "loss \(String(format: "%.4f", record.loss))",
                     "acc \(String(format: "%.4f", record.metrics["accuracy"] ?? .nan))"]
        if let validationLoss = record.validationLoss {
            parts.append("val_loss \(String(format: "%.4f", validationLoss))")
            parts.append("val_acc \(String(format: "%.4f", record.validationMetrics["accuracy"] ?? .nan))")
        }
        parts.append("lr \(record.learningRate)")
        parts.append(String(format: "%.1fs", record.seconds))
        parts.append("\(Int(record.samplesPerSecond)) samples/s")
        print(parts.joined(separator: " · "))
    }
}

func elapsedSeconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}
