import Dendrite
import Foundation

/// scikit-learn-style estimators against scikit-learn itself (Benchmarks/sklearn_twin.py, run by
/// the `--pytorch` Python when it has scikit-learn): `MLPClassifier((100,), adam, max_iter=10)` on
/// Fashion-MNIST (60,000 × 784) and lbfgs on digits; one timed fit each (they take seconds), the
/// test accuracy in the workload name.
func runEstimatorSuite(quick: Bool, python: String?) throws -> [Row] {
    var rows: [Row] = []
    let twin = python.map { runScikitLearnTwin(python: $0) } ?? [:]
    if FileManager.default.fileExists(atPath: FashionMNIST.defaultRoot) {
        let train = try FashionMNIST.dataset().load(.train, limit: quick ? 10_000 : nil)
        let test = try FashionMNIST.dataset().load(.test)
        let x = try train.inputs.reshaped(to: [train.count, 784]), xt = try test.inputs.reshaped(to: [test.count, 784])
        var settings = MLPHyperparameters()
        settings.maxIterations = 10
        settings.randomState = 0
        let classifier = MLPClassifier(settings)
        let seconds = try timeOnce { try classifier.fit(x, train.targets) }
        let accuracy = try classifier.score(xt, test.targets)
        rows.append(estimatorRow("MLPClassifier (100,) adam 10 epochs, Fashion-MNIST · test acc \(String(format: "%.4f", accuracy))",
                                 seconds: seconds, baseline: twin["fashion-adam-10"]))
    }
    let digitsPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Datasets/digits.csv").path
    if FileManager.default.fileExists(atPath: digitsPath) {
        let digits = try CSV.read(digitsPath)
        let x = digits.inputs / 16
        var generator = RandomGenerator(seed: 0)
        let split = try trainTestSplit(count: digits.count, testFraction: 0.2, generator: &generator)
        var settings = MLPHyperparameters()
        settings.solver = .lbfgs
        settings.randomState = 0
        let classifier = MLPClassifier(settings)
        let seconds = try timeOnce { try classifier.fit(x.gatheringRows(split.train), digits.targets.gatheringRows(split.train)) }
        let accuracy = try classifier.score(x.gatheringRows(split.test), digits.targets.gatheringRows(split.test))
        rows.append(estimatorRow("MLPClassifier (100,) lbfgs, digits · test acc \(String(format: "%.4f", accuracy))",
                                 seconds: seconds, baseline: twin["digits-lbfgs"]))
    }
    return rows
}

private func timeOnce(_ body: () throws -> Void) throws -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

private func estimatorRow(_ name: String, seconds: Double, baseline: (seconds: Double, accuracy: Double)?) -> Row {
    Row(suite: "estimators", workload: name + (baseline.map { " (scikit-learn \(String(format: "%.4f", $0.accuracy)))" } ?? ""),
        unit: "fits/s", value: 1 / seconds, medianSeconds: seconds, minSeconds: seconds, maxSeconds: seconds, noisy: false,
        baseline: baseline == nil ? nil : "scikit-learn", baselineValue: baseline.map { 1 / $0.seconds },
        ratio: baseline.map { $0.seconds / seconds })
}

/// Each workload's scikit-learn time and accuracy, by key; empty when the script cannot run.
private func runScikitLearnTwin(python: String) -> [String: (seconds: Double, accuracy: Double)] {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sklearn_twin.py").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [script, "--threads", "\(Dendrite.threadCount)"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return [:] }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var result: [String: (Double, Double)] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let key = object["workload"] as? String, let seconds = object["seconds"] as? Double,
              let accuracy = object["accuracy"] as? Double else { continue }
        result[key] = (seconds, accuracy)
    }
    return result
}
