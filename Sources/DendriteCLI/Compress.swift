import ArgumentParser
import Dendrite
import DendriteRun
import Foundation

/// `dendrite compress`: prunes (and fine-tunes), folds batch norm and quantizes a trained run,
/// printing size, accuracy and inference speed before and after; `dendrite evaluate` reads the result.
struct Compress: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prune, fuse and quantize a trained run; report size, accuracy and speed before and after.",
        discussion: """
        Steps run in this order: --prune AMOUNT (global L1 over every Linear and Conv2D weight, or \
        --structured: that share of each hidden layer's channels removed, ranked by their batch \
        norm's |gamma| or else their L2 norm, so the layers and their consumers shrink), fine-tuning \
        (--finetune-epochs N, RMSprop 1e-4, masks on), --fuse (batch norm folded into the layer before, then each convolution's ReLU run inside it), \
        --quantize dynamic (int8 Linear layers, activations scaled per batch) or static (int8 Conv2D and \
        Linear layers, input scales calibrated on --calibration-batches training batches with the \
        --observer; batch norms are folded first). The result is a run folder for 'dendrite evaluate'.
        """
    )

    @Option(help: "A run folder written by 'dendrite train'.") var checkpoint: String
    @Option(help: "Output run folder.") var out: String
    @Option(help: "Share of weights (or channels, --structured) to prune, 0…1.") var prune: Double?
    @Flag(help: "Remove whole channels per layer (a smaller model) instead of zeroing single weights.") var structured = false
    @Option(name: .customLong("finetune-epochs"), help: "Fine-tuning epochs after pruning.") var finetuneEpochs = 0
    @Flag(help: "Fold batch norms into the convolutions and linear layers before them; fuse the convolutions' ReLUs.") var fuse = false
    @Option(help: "dynamic (int8 Linear layers, per-batch activation scales) or static (int8 Conv2D and Linear, calibrated scales).")
    var quantize: String?
    @Option(help: "Static quantization's observer: histogram (error-minimizing range) or minmax.") var observer = "histogram"
    @Option(name: .customLong("calibration-batches"), help: "Training batches that calibrate static quantization.")
    var calibrationBatches = 8

    func run() throws {
        do { try execute() } catch let error as DendriteError { throw ValidationError(error.description) }
    }

    private func execute() throws {
        guard prune != nil || fuse || quantize != nil else { throw ValidationError("nothing to do: give --prune, --fuse or --quantize") }
        if let quantize, quantize != "dynamic", quantize != "static" {
            throw ValidationError("--quantize \(quantize): must be dynamic or static")
        }
        guard ["histogram", "minmax"].contains(observer) else { throw ValidationError("--observer \(observer): must be histogram or minmax") }
        guard calibrationBatches >= 1 else { throw ValidationError("--calibration-batches \(calibrationBatches): must be at least 1") }
        let source = try RunFolder(path: checkpoint)
        var (model, configuration) = try source.loadModel()
        let folder = MNIST(root: configuration.dataFolder)
        let test = try folder.load(.test, limit: configuration.limit)
        let before = try measure(model, test)
        var steps: [String] = []
        if let prune {
            if structured {
                guard let inputShape = configuration.inputShape else { throw ValidationError("\(checkpoint): model.json has no inputShape") }
                let changes = try ChannelPruning.prune(model, inputShape: inputShape, amount: .fraction(prune),
                                                       importance: .batchNormScale)
                guard !changes.isEmpty else { throw ValidationError("--structured: no layer of this model has channels to remove") }
                for change in changes { print("layer \(change.layer): \(change.before) → \(change.after) channels") }
                steps.append("channels:" + changes.map { "\($0.layer)=\($0.after)" }.joined(separator: ","))
            } else {
                let layers = model.namedModules().map(\.1).filter { $0 is Linear || $0 is Conv2D }
                try Pruning.globalUnstructured(layers.map { ($0, "weight") }, amount: .fraction(prune))
            }
            if finetuneEpochs > 0 {
                let train = try folder.load(.train, limit: configuration.limit)
                model.train()
                try model.fit(train, epochs: finetuneEpochs, batchSize: configuration.batchSize, loss: .crossEntropy,
                              optimizer: try RMSprop(model.parameters, learningRate: 1e-4), seed: configuration.seed &+ 1,
                              verbosity: .progressBar)
                model.eval()
            }
            for layer in model.modules() where layer.localParameters.contains(where: { $0.1.pruningMask != nil }) {
                try Pruning.remove(layer)
            }
        }
        if fuse || quantize == "static" {
            let folded = try model.foldBatchNorm(), fused = model.fuseReLU()
            print("folded \(folded) batch norm\(folded == 1 ? "" : "s"), fused \(fused) ReLU\(fused == 1 ? "" : "s") into the convolutions")
            steps.append("fuse")
        }
        if quantize == "dynamic" {
            let count = try Quantization.quantizeDynamic(model)
            print("quantized \(count) Linear layer\(count == 1 ? "" : "s") to int8")
            steps.append("quantize:dynamic")
        } else if quantize == "static" {
            let train = try folder.load(.train, limit: Swift.min(configuration.limit ?? Int.max, calibrationBatches * configuration.batchSize))
            let batches = try stride(from: 0, to: train.count, by: configuration.batchSize).map {
                try train.inputs.slice($0..<Swift.min($0 + configuration.batchSize, train.count))
            }
            let count = try Quantization.quantizeStatic(model, calibration: batches, observer: observer == "minmax" ? .minMax : .histogram)
            print("quantized \(count) Conv2D and Linear layers to int8 (\(observer) observer, \(train.count) calibration images)")
            steps.append("quantize:static")
        }
        let after = try measure(model, test)
        configuration.compression = (configuration.compression ?? []) + steps
        let target = try RunFolder(path: out, creating: true)
        try model.save(to: target.file("model.safetensors"), metadata: ["format": "pt", "spec": configuration.spec])
        try target.write(json: configuration, to: "model.json")
        print("              size          test accuracy   batch-128 inference")
        for (label, m) in [("before", before), ("after", after)] {
            print("\(label.padding(toLength: 8, withPad: " ", startingAt: 0))  \(String(m.bytes).leftPadded(10)) bytes  "
                  + "\(String(format: "%.4f", m.accuracy))          \(String(format: "%.3f", m.milliseconds)) ms")
        }
        print("size ÷ \(String(format: "%.2f", Double(before.bytes) / Double(after.bytes))), accuracy "
              + "\(String(format: "%+.2f", 100 * (after.accuracy - before.accuracy))) points, speed × "
              + "\(String(format: "%.2f", before.milliseconds / after.milliseconds)) · saved \(out)/model.safetensors, model.json")
    }

    /// The weights' bytes as saved, test accuracy, and the median batch-128 inference time.
    private func measure(_ model: Sequential, _ test: TensorDataset) throws -> (bytes: Int, accuracy: Float, milliseconds: Double) {
        let bytes = model.namedParameters().reduce(0) { $0 + 4 * $1.1.value.count }
            + model.namedBuffers().reduce(0) { $0 + ($1.1.storesInt8 ? 1 : 4) * $1.1.value.count }
        let accuracy = try model.evaluate(test, loss: .crossEntropy)["accuracy"] ?? .nan
        let batch = try test.inputs.slice(0..<Swift.min(128, test.count))
        for _ in 0..<5 { _ = try noGrad { try model(batch) } }
        var samples: [Double] = []
        for _ in 0..<30 {
            let start = ContinuousClock.now
            _ = try noGrad { try model(batch) }
            let elapsed = ContinuousClock.now - start
            samples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15)
        }
        return (bytes, accuracy, samples.sorted()[samples.count / 2])
    }
}
