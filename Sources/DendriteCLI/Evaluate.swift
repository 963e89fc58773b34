import ArgumentParser
import Dendrite
import Foundation

/// `dendrite evaluate --checkpoint DIR [--data DIR] [--limit N]`.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained run on the test split: loss, accuracy, per-class accuracy, confusion matrix.")

    @Option(help: "A run folder written by 'dendrite train'.")
    var checkpoint: String

    @Option(help: "MNIST-format folder (default: the one the run was trained on).")
    var data: String?

    @Option(help: "Evaluate on the first N test examples only.")
    var limit: Int?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        do {
            let folder = try RunFolder(path: checkpoint)
            let (model, configuration) = try folder.loadModel()
            let root = data ?? configuration.dataFolder
            if let limit, limit < 1 { throw ValidationError("--limit \(limit): must be at least 1") }
            let test = try MNIST(root: root).load(.test, limit: limit)
            let result = try Evaluation.run(model: model, data: test, classCount: configuration.classCount ?? 10)
            if json {
                Output(quiet: false, jsonLines: true).json(result)
                return
            }
            let names = root == FashionMNIST.defaultRoot ? FashionMNIST.classNames : (0..<result.perClassAccuracy.count).map(String.init)
            print("\(checkpoint) on \(root) (\(result.count) test examples)")
            print("loss \(String(format: "%.4f", result.loss)) · accuracy \(String(format: "%.4f", result.accuracy))")
            print("\nper-class accuracy:")
            for (name, accuracy) in zip(names, result.perClassAccuracy) {
                print("  \(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%.4f", accuracy))")
            }
            print("\nconfusion matrix (rows: true class, columns: predicted):")
            let width = max(5, String(result.confusionMatrix.flatMap { $0 }.max() ?? 0).count + 1)
            print("      " + (0..<result.confusionMatrix.count).map { String($0).leftPadded(width) }.joined())
            for (index, row) in result.confusionMatrix.enumerated() {
                print(String(index).leftPadded(5) + " " + row.map { String($0).leftPadded(width) }.joined())
            }
        } catch let error as DendriteError {
            throw ValidationError(error.description)
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
