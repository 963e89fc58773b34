// Dynamic int8 quantization (the course's "cuantización") of the course's MLP: train 784-512-10 on
// Fashion-MNIST, quantize its Linear layers (int8 weights per output channel, activations per
// batch), and compare accuracy, weight size and inference speed at batch 128.
// Run: swift run -c release QuantizeFashion [--epochs 5] [--save runs/mlp.safetensors]
import ArgumentParser
import Dendrite
import Foundation

struct QuantizeFashion: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train the course's MLP, quantize it to int8 and measure it.")

    @Option(help: "Training epochs.") var epochs = 5
    @Option(help: "Timed inference batches (median reported).") var runs = 200
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Save the trained float weights here (safetensors, PyTorch's names) for Benchmarks/pytorch_quantized.py.")
    var save: String?

    func run() throws {
        let data = try FashionMNIST.dataset()
        let train = try data.load(.train), test = try data.load(.test)
        var generator = RandomGenerator(seed: seed)
        let model = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        try model.fit(train, epochs: epochs, batchSize: 128, loss: .crossEntropy, optimizer: try RMSprop(model.parameters, learningRate: 1e-3),
                      seed: seed)
        model.eval()
        if let save { try model.save(to: save) }
        let batch = try test.inputs.slice(0..<128)
        func accuracy() throws -> Float { try model.evaluate(test, loss: .crossEntropy)["accuracy"] ?? .nan }
        func medianMilliseconds() throws -> Double {
            for _ in 0..<20 { _ = try noGrad { try model(batch) } }
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                _ = try noGrad { try model(batch) }
                let elapsed = ContinuousClock.now - start
                samples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15)
            }
            return samples.sorted()[samples.count / 2]
        }
        let floatAccuracy = try accuracy(), floatTime = try medianMilliseconds()
        let floatBytes = model.namedModules().compactMap { $0.1 as? Linear }.reduce(0) { $0 + 4 * $1.weight.value.count }
        try Quantization.quantizeDynamic(model)
        let int8Accuracy = try accuracy(), int8Time = try medianMilliseconds()
        let quantized = model.namedModules().compactMap { $0.1 as? QuantizedLinear }
        let int8Bytes = quantized.reduce(0) { total, layer in total + layer.weight.value.count + 4 * layer.weightScale.value.count }
        print("Fashion-MNIST MLP 784-512-10 · int8 kernel \(Int8GEMM.fastest) · \(Dendrite.backendDescription)")
        print("float: test accuracy \(String(format: "%.4f", floatAccuracy)), weights \(floatBytes) bytes, "
              + "batch 128 in \(String(format: "%.3f", floatTime)) ms")
        print("int8:  test accuracy \(String(format: "%.4f", int8Accuracy)) (\(String(format: "%+.2f", 100 * (int8Accuracy - floatAccuracy))) points), "
              + "weights \(int8Bytes) bytes (\(String(format: "%.2f", Double(floatBytes) / Double(int8Bytes)))× smaller), "
              + "batch 128 in \(String(format: "%.3f", int8Time)) ms (\(String(format: "%.2f", floatTime / int8Time))× the float speed)")
    }
}

QuantizeFashion.main()
