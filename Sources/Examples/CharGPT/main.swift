// A character-level GPT trained on Debian's license texts (or any text file), then sampled.
// Run: swift run -c release CharGPT [--steps 1000] [--text FILE] [--out DIR] [--resume DIR]
import ArgumentParser
import Dendrite
import Foundation

struct CharGPT: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a 2-block, width-128, 4-head, context-64 causal transformer on characters and sample from it.")

    @Option(help: "Optimizer steps.") var steps = 1000
    @Option(help: "Training text (default: every file in /usr/share/common-licenses).") var text: String?
    @Option(help: "Sequences per batch.") var batchSize = 32
    @Option(help: "AdamW (peak) learning rate.") var learningRate: Float = 1e-3
    @Option(help: "Learning-rate schedule over the steps: cosine (to a tenth of the rate) or constant.")
    var schedule: Schedule = .constant
    @Option(help: "Dropout after attention, feed-forward and embeddings (0 disables).") var dropout: Float = 0
    @Option(help: "AdamW's decoupled weight decay (GPT-2's 0.1; PyTorch's default is 0.01).") var weightDecay: Float = 0.1
    @Option(help: "Report losses every N steps.") var every = 250
    @Option(help: "Checkpoint folder.") var out = "runs/chargpt"
    @Option(help: "Continue from a checkpoint folder.") var resume: String?
    @Option(help: "Characters to sample at the end.") var sample = 400
    @Option(help: "Sampling temperature.") var temperature: Float = 0.8
    @Option(help: "Sample among the k most likely characters.") var topK = 10
    @Option(help: "Seed.") var seed: UInt64 = 0

    func run() throws {
        let corpus = try CharacterCorpus.load(text)
        print("text: \(corpus.source) · \(corpus.ids.count) characters, vocabulary \(corpus.vocabulary.count) · \(Dendrite.backendDescription)")
        var generator = RandomGenerator(seed: seed)
        let configuration = GPTConfiguration(vocabularySize: corpus.vocabulary.count, contextLength: 64, embedDimension: 128,
                                             headCount: 4, layerCount: 2, dropout: dropout)
        let model = try GPT(configuration, generator: &generator)
        let optimizer = try AdamW(model.parameters, learningRate: learningRate, weightDecay: weightDecay)
        var start = 0
        if let resume {
            try model.load(from: "\(resume)/model.safetensors")
            let state = try SafeTensors.read("\(resume)/optimizer.safetensors")
            try optimizer.load(stateDict: state.tensors)
            start = Int(state.metadata["step"] ?? "0") ?? 0
            generator = try RandomGenerator(state: (state.metadata["rng"] ?? "").split(separator: ",").compactMap { UInt64($0) })
            print("resumed \(resume) at step \(start)")
        }
        print("parameters: \(model.parameterCount)")
        let clock = ContinuousClock(), began = clock.now
        let decay = try CosineDecay(total: steps, minimum: learningRate / 10)
        let progress = ProgressBar(unit: "tokens")
        var stretchStart = start
        progress.begin("steps", total: min(every, steps - start))
        for step in start..<steps {
            optimizer.learningRate = schedule == .cosine ? decay.learningRate(at: step, initial: learningRate) : learningRate
            let (inputs, targets) = try corpus.batch(split: .training, size: batchSize, length: 64, generator: &generator)
            optimizer.zeroGrad()
            let loss = try model.loss(inputs: inputs, targets: targets)
            try loss.backward()
            try clipGradientNorm(model.parameters, maxNorm: 1, errorIfNonFinite: true)
            try optimizer.step()
            progress.update(done: step + 1 - stretchStart, items: (step + 1 - stretchStart) * batchSize * 64,
                            note: "train \(String(format: "%.3f", loss.scalar!))")
            if (step + 1) % every == 0 || step + 1 == steps {
                let validation = try corpus.meanLoss(model, split: .validation, batches: 8, generator: &generator)
                let seconds = Double((clock.now - began).components.seconds)
                progress.finish("step \(step + 1)/\(steps) · train \(String(format: "%.3f", loss.scalar!)) · validation \(String(format: "%.3f", validation)) nats/char · \(Int(seconds))s")
                stretchStart = step + 1
                progress.begin("steps", total: min(every, steps - stretchStart))
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try model.save(to: "\(out)/model.safetensors")
                try SafeTensors.write(optimizer.stateDict(), metadata: ["step": "\(step + 1)",
                                                                         "rng": generator.state.map(String.init).joined(separator: ",")],
                                      to: "\(out)/optimizer.safetensors")
            }
        }
        let prompt = corpus.encode("The ")
        let continuation = try model.generate(prompt: prompt, count: sample, temperature: temperature, topK: topK, generator: &generator)
        print("\n--- sample (temperature \(temperature), top-\(topK)) ---\nThe " + corpus.decode(continuation))
    }
}

/// How the learning rate moves over the steps.
enum Schedule: String, ExpressibleByArgument, CaseIterable {
    case cosine, constant
}

extension CharacterCorpus {
    /// Debian's license texts, or the file at `path`.
    static func load(_ path: String?) throws -> CharacterCorpus {
        try path.map { try CharacterCorpus(contentsOf: $0) } ?? CharacterCorpus()
    }

    /// Mean loss over `batches` random batches, without recording gradients.
    func meanLoss(_ model: GPT, split: Split, batches: Int, generator: inout RandomGenerator) throws -> Float {
        model.eval()
        defer { model.train() }
        var total: Float = 0
        for _ in 0..<batches {
            let (inputs, targets) = try batch(split: split, size: 32, length: 64, generator: &generator)
            total += try noGrad { try model.loss(inputs: inputs, targets: targets).scalar! }
        }
        return total / Float(batches)
    }
}

CharGPT.main()
