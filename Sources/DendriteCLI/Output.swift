import Dendrite
import Foundation

/// Where the CLI prints: plain lines, nothing (`--quiet`), or JSON lines (`--json-lines`).
struct Output {
    let quiet: Bool
    let jsonLines: Bool
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

extension Output {
    /// How a training run shows its progress: one JSON line per epoch with `--json-lines`; otherwise
    /// the library's bar on a terminal and one summary line per epoch (both off with `--quiet`).
    func progressCallback(batchSize: Int, sampleCount: Int) -> TrainingCallback {
        if jsonLines { return LambdaCallback(onEpochEnd: { record, _ in json(record) }) }
        return ProgressCallback(batchSize: batchSize, sampleCount: sampleCount, bar: ProgressBar(style: quiet ? .silent : nil))
    }
}
