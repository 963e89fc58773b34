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
        let corpus = try Corpus(path: text)
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
        for step in start..<steps {
            optimizer.learningRate = schedule == .cosine ? decay.learningRate(at: step, initial: learningRate) : learningRate
            let (inputs, targets) = try corpus.batch(split: .training, size: batchSize, length: 64, generator: &generator)
            optimizer.zeroGrad()
            let loss = try model.loss(inputs: inputs, targets: targets)
            try loss.backward()
            try clipGradientNorm(model.parameters, maxNorm: 1, errorIfNonFinite: true)
            try optimizer.step()
            if (step + 1) % every == 0 || step + 1 == steps {
                let validation = try corpus.meanLoss(model, split: .validation, batches: 8, generator: &generator)
                let seconds = Double((clock.now - began).components.seconds)
                print("step \(step + 1)/\(steps) · train \(String(format: "%.3f", loss.scalar!)) · validation \(String(format: "%.3f", validation)) nats/char · \(Int(seconds))s")
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

/// Characters as token ids, split 90 % / 10 %.
struct Corpus {
    enum Split { case training, validation }
    let source: String
    let vocabulary: [Unicode.Scalar]
    let ids: [Float]
    private let index: [Unicode.Scalar: Int]

    init(path: String?) throws {
        var text = ""
        if let path {
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read \(path) as UTF-8 text")
            }
            text = contents
            source = path
        } else {
            let folder = "/usr/share/common-licenses"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            for name in names {
                if let contents = try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8) { text += contents + "\n" }
            }
            source = folder
        }
        guard text.unicodeScalars.count > 2_000 else { throw ValidationError("\(source): too little text to train on") }
        let scalars = Array(text.unicodeScalars)
        vocabulary = Array(Set(scalars)).sorted { $0.value < $1.value }
        index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
        let lookup = index
        ids = scalars.map { Float(lookup[$0]!) }
    }

    func encode(_ text: String) -> [Int] { text.unicodeScalars.compactMap { index[$0] } }
    func decode(_ tokens: [Int]) -> String { String(String.UnicodeScalarView(tokens.map { vocabulary[$0] })) }

    /// Random windows of `length` characters and the characters that follow each.
    func batch(split: Split, size: Int, length: Int, generator: inout RandomGenerator) throws -> (Tensor, Tensor) {
        let boundary = ids.count * 9 / 10
        let range = split == .training ? 0..<(boundary - length - 1) : boundary..<(ids.count - length - 1)
        var inputs: [Float] = [], targets: [Float] = []
        for _ in 0..<size {
            let start = range.lowerBound + generator.nextInt(below: range.count)
            inputs += ids[start..<(start + length)]
            targets += ids[(start + 1)..<(start + length + 1)]
        }
        return (try Tensor(shape: [size, length], scalars: inputs), try Tensor(shape: [size, length], scalars: targets))
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
