import ArgumentParser
import Dendrite
import Foundation

/// `dendrite summary SPEC --input CxHxW [--json]`: the per-layer parameter table.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the per-layer output shapes and parameter counts of a model.",
        discussion: "Example (the course's exercise 5): dendrite summary conv:16:3x3:p1,relu,maxpool:2,conv:32:3x3:p1,relu,maxpool:2,flatten,dense:128,relu,dense:10 --input 3x32x32"
    )

    @Argument(help: "A preset (mlp, cnn), an architecture (resnet18, vgg16, alexnet, lenet5, …) or a comma-separated layer SPEC.")
    var spec: String

    @Option(name: .long, help: "Per-sample input shape, e.g. 784 or 3x32x32.")
    var input: String

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        var generator = RandomGenerator(seed: 0)
        let shape = try parseShape(input)
        do {
            let model: any UnaryLayer = Models.names.contains(spec.lowercased())
                ? try Models.named(spec)
                : try ModelSpec(spec, inputShape: shape).build(generator: &generator)
            let summary = try model.summary(input: shape)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(data: try encoder.encode(summary), encoding: .utf8)!)
            } else {
                print(summary)
            }
        } catch let error as DendriteError {
            throw ValidationError(error.description)
        }
    }
}
