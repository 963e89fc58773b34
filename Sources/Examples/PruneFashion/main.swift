// Magnitude pruning (the course's "poda de parámetros") on the course's MLP: train 784-512-10 on
// Fashion-MNIST, prune 90 % of its weights globally by magnitude, fine-tune with the masks on,
// and report accuracy and sparsity at each stage. With --gradual the fine-tuning instead prunes
// step by step (Zhu & Gupta's cubic schedule, GradualPruning) from 0 to the amount over its
// first two thirds, starting from the same trained weights.
// Run: swift run -c release PruneFashion [--amount 0.9] [--epochs 5] [--finetune-epochs 3] [--gradual]
import ArgumentParser
import Dendrite
import Foundation

struct PruneFashion: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train, prune and fine-tune the course's MLP on Fashion-MNIST.")

    @Option(help: "Share of the weights to prune (global L1 over both layers).") var amount = 0.9
    @Option(help: "Training epochs before pruning.") var epochs = 5
    @Option(name: .customLong("finetune-epochs"), help: "Epochs of fine-tuning with the masks on.") var finetuneEpochs = 3
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "Also prune gradually during the fine-tuning epochs (from the same trained weights) and compare.") var gradual = false

    func run() throws {
        let data = try FashionMNIST.dataset()
        let train = try data.load(.train), test = try data.load(.test)
        var generator = RandomGenerator(seed: seed)
        let model = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        func accuracy() throws -> Float { try model.evaluate(test, loss: .crossEntropy)["accuracy"] ?? .nan }
        try model.fit(train, epochs: epochs, batchSize: 128, loss: .crossEntropy, optimizer: try RMSprop(model.parameters, learningRate: 1e-3),
                      seed: seed)
        let trained = try accuracy()
        let trainedState = Dictionary(uniqueKeysWithValues: model.stateDict())
        let linears = model.namedModules().compactMap { $0.1 as? Linear }
        try Pruning.globalUnstructured(linears.map { ($0, "weight") }, amount: .fraction(amount))
        let pruned = try accuracy()
        try model.fit(train, epochs: finetuneEpochs, batchSize: 128, loss: .crossEntropy,
                      optimizer: try RMSprop(model.parameters, learningRate: 1e-4), seed: seed + 1)
        let finetuned = try accuracy()
        for linear in linears { try Pruning.remove(linear) }
        print("Fashion-MNIST MLP 784-512-10 · \(Dendrite.backendDescription)")
        print("trained \(epochs) epochs: test accuracy \(String(format: "%.4f", trained))")
        print("pruned \(Int(amount * 100)) % (global L1): \(String(format: "%.4f", pruned))")
        print("fine-tuned \(finetuneEpochs) epochs with the masks: \(String(format: "%.4f", finetuned)) "
              + "(\(String(format: "%+.2f", 100 * (finetuned - trained))) points)")
        report(model)
        guard gradual else { return }
        // The same trained weights, pruned along the schedule while fine-tuning.
        let again = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        try again.load(stateDict: trainedState)
        let layers = again.namedModules().compactMap { $0.1 as? Linear }
        let steps = finetuneEpochs * ((train.count + 127) / 128)
        let schedule = try GradualPruning(layers.map { ($0, "weight") }, finalSparsity: amount, endStep: Swift.max(1, 2 * steps / 3),
                                          frequency: 100)
        try again.fit(train, epochs: finetuneEpochs, batchSize: 128, loss: .crossEntropy,
                      optimizer: try RMSprop(again.parameters, learningRate: 1e-4), callbacks: [schedule], seed: seed + 1)
        let gradually = try again.evaluate(test, loss: .crossEntropy)["accuracy"] ?? .nan
        for linear in layers { try Pruning.remove(linear) }
        print("pruned gradually to \(Int(amount * 100)) % over \(schedule.log.count) steps while fine-tuning \(finetuneEpochs) epochs: "
              + "\(String(format: "%.4f", gradually)) (\(String(format: "%+.2f", 100 * (gradually - trained))) points)")
        report(again)
    }

    private func report(_ model: Module) {
        for entry in Pruning.sparsity(of: model) where entry.name.hasSuffix("weight") {
            print("  \(entry.name): \(entry.zeros) of \(entry.count) zero (\(String(format: "%.1f", 100 * Double(entry.zeros) / Double(entry.count))) %)")
        }
    }
}

PruneFashion.main()
