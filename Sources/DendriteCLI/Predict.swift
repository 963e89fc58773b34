import ArgumentParser
import Dendrite
import Foundation

/// `dendrite predict --checkpoint DIR (--data DIR --index N | --input FILE.safetensors)`, or
/// `dendrite predict --arch NAME --weights W.safetensors --input X.safetensors --output Y.safetensors`.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify one test image (or a stored tensor) with a trained run and print the top classes.",
        discussion: """
        With --arch and --weights (a torchvision state_dict saved with safetensors), runs the architecture \
        in eval mode on the tensor named 'input' of --input and stores the result as 'output' in --output: \
        the way to check parity with PyTorch on your own weights.
        """)

    @Option(help: "A run folder written by 'dendrite train'.")
    var checkpoint: String?

    @Option(help: "A predefined architecture (resnet18, vgg16, alexnet, lenet5, …) instead of a run folder.")
    var arch: String?

    @Option(help: "Weights for --arch (safetensors, torchvision names).")
    var weights: String?

    @Option(help: "With --arch: where to store the result (a tensor named 'output').")
    var output: String?

    @Option(help: "MNIST-format folder whose test split holds the image (default: the run's).")
    var data: String?

    @Option(help: "Index of the image in the test split.")
    var index: Int?

    @Option(help: "A safetensors file holding a tensor named 'input' ([C, H, W] or [N, C, H, W]).")
    var input: String?

    @Option(help: "How many classes to show.")
    var top = 3

    func run() throws {
        if let arch { return try runArchitecture(arch) }
        guard let checkpoint else { throw ValidationError("give --checkpoint DIR, or --arch NAME with --weights and --input") }
        guard (index == nil) != (input == nil) else { throw ValidationError("give either --index N or --input FILE.safetensors") }
        do {
            let (model, configuration) = try RunFolder(path: checkpoint).loadModel()
            let root = data ?? configuration.dataFolder
            var batch: Tensor
            var label: Int?
            if let index {
                let test = try MNIST(root: root).load(.test)
                guard index >= 0 && index < test.count else {
                    throw ValidationError("--index \(index) is outside the \(test.count) test images")
                }
                let (inputs, targets) = try test.batch(at: [index])
                batch = inputs
                label = Int(targets.scalars[0])
            } else {
                let file = try SafeTensors.read(input!)
                guard let tensor = file.tensors["input"] else {
                    throw ValidationError("\(input!) has no tensor named 'input' (it has: \(file.names.joined(separator: ", ")))")
                }
                batch = tensor.rank == (configuration.inputShape?.count ?? 3) ? try tensor.expandingShape(at: 0) : tensor
            }
            let probabilities = try softmax(model.predict(batch))
            let names = root == FashionMNIST.defaultRoot ? FashionMNIST.classNames : nil
            for row in 0..<batch.shape[0] {
                let scores = try probabilities[row].scalars
                let ranked = scores.enumerated().sorted { $0.element > $1.element }.prefix(top)
                if let label { print("true class: \(label)\(names.map { " (\($0[label]))" } ?? "")") }
                for (rank, entry) in ranked.enumerated() {
                    let name = names.map { " \($0[entry.offset])" } ?? ""
                    print("\(rank + 1). class \(entry.offset)\(name): \(String(format: "%.4f", entry.element))")
                }
            }
        } catch let error as DendriteError {
            throw ValidationError(error.description)
        }
    }

    /// `--arch`: forward pass of a predefined architecture on a stored tensor.
    private func runArchitecture(_ arch: String) throws {
        guard let input else { throw ValidationError("--arch needs --input FILE.safetensors holding a tensor named 'input'") }
        do {
            let model = try Models.named(arch, weights: weights)
            model.eval()
            let file = try SafeTensors.read(input)
            guard let tensor = file.tensors["input"] else {
                throw ValidationError("\(input) has no tensor named 'input' (it has: \(file.names.joined(separator: ", ")))")
            }
            let result = try noGrad { try model(tensor) }
            if let output {
                try SafeTensors.write([("output", result)], to: output)
                print("wrote \(output): output \(result.shape)")
            } else {
                print(result)
            }
        } catch let error as DendriteError {
            throw ValidationError(error.description)
        }
    }
}
