import ArgumentParser
import Dendrite
import DendriteONNX
import Foundation

/// `dendrite export (--checkpoint DIR | --model NAME --input SHAPE [--weights FILE]) --onnx FILE`.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a trained run, a zoo architecture or a layer SPEC as an ONNX file (opset 17).",
        discussion: """
        The model is written as in evaluation mode (batch norm with its running statistics, dropout
        off), with a symbolic batch dimension N; weights keep their state_dict names.
        e.g. dendrite export --checkpoint runs/fashion-mlp --onnx fashion-mlp.onnx
             dendrite export --model resnet18 --input 3x224x224 --onnx resnet18.onnx
        """)

    @Option(help: "A run folder written by 'dendrite train' (its model, input shape and weights).")
    var checkpoint: String?

    @Option(help: "Instead of a run: a preset (mlp, cnn), an architecture (resnet18, vgg16, lenet5, …) or a layer SPEC.")
    var model: String?

    @Option(help: "Per-sample input shape (required with --model; a run knows its own), e.g. 1x28x28 or 3x224x224.")
    var input: String?

    @Option(help: "With --model: a safetensors file of weights to load first (state_dict names).")
    var weights: String?

    @Option(help: "The ONNX file to write.")
    var onnx: String

    func validate() throws {
        guard (checkpoint == nil) != (model == nil) else { throw ValidationError("give exactly one of --checkpoint and --model") }
        if model != nil && input == nil { throw ValidationError("--model needs --input, the per-sample shape (e.g. 3x224x224)") }
        if checkpoint != nil && weights != nil { throw ValidationError("--weights goes with --model; a run's weights are in its folder") }
    }

    func run() throws {
        do {
            let (layer, shape) = try loadModel()
            try layer.exportONNX(to: onnx, inputShape: shape)
            let size = (try? FileManager.default.attributesOfItem(atPath: onnx)[.size] as? Int) ?? 0
            print("wrote \(onnx) (\(layer.typeName), input [N, \(shape.map(String.init).joined(separator: ", "))], "
                  + "\(String(format: "%.1f", Double(size) / 1_048_576)) MiB, opset \(ONNXExport.opsetVersion))")
        } catch let error as DendriteError {
            throw ValidationError(error.description)
        }
    }

    private func loadModel() throws -> (any UnaryLayer, [Int]) {
        if let checkpoint {
            let (model, configuration) = try RunFolder(path: checkpoint).loadModel()
            let shape = try input.map(parseShape) ?? configuration.inputShape ?? [1, 28, 28]
            return (model, shape)
        }
        guard let spec = model, let input else { throw ValidationError("give --checkpoint, or --model with --input") }
        let shape = try parseShape(input)
        var generator = RandomGenerator(seed: 0)
        let layer: any UnaryLayer = Models.names.contains(spec.lowercased())
            ? try Models.named(spec)
            : try ModelSpec(spec, inputShape: shape).build(generator: &generator)
        if let weights { try layer.load(from: weights) }
        layer.eval()
        return (layer, shape)
    }
}
