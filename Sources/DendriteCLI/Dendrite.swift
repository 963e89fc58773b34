import ArgumentParser
import Dendrite

@main
struct DendriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dendrite",
        abstract: "Train, evaluate and inspect neural networks on MNIST-style data, on the CPU with OpenBLAS.",
        discussion: """
        Models are given as a preset (mlp, cnn) or a SPEC of comma-separated layers:
          dense:N  conv:OUT:KxK[:sS][:pP|:same]  maxpool:K[:sS]  avgpool:K[:sS]  flatten
          relu  sigmoid  tanh  gelu  softmax  dropout:P  batchnorm
        e.g. conv:16:3x3:p1,relu,maxpool:2,conv:32:3x3:p1,relu,maxpool:2,flatten,dense:128,relu,dense:10
        """,
        subcommands: [Train.self, Evaluate.self, Predict.self, Summary.self, Export.self, Tabular.self, Compress.self, Explain.self, Faults.self,
                      Federated.self]
    )
}

/// Parses `C`, `CxHxW` or `HxW`-style shapes such as `3x32x32` or `784`.
func parseShape(_ text: String) throws -> [Int] {
    let sizes = text.lowercased().split(separator: "x").map { Int($0) }
    guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError("'\(text)' is not a shape like 784 or 1x28x28")
    }
    return sizes.map { $0! }
}
