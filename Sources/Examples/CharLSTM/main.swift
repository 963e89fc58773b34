// A character-level 2-layer LSTM trained on Debian's license texts (or any text file), then
// sampled with its state carried from character to character: the recurrent twin of CharGPT, on
// the same corpus, split, batches and step count, with about the same number of parameters.
// Run: swift run -c release CharLSTM [--steps 1000] [--text FILE] [--hidden 160] [--out DIR]
import ArgumentParser
import Dendrite
import Foundation

struct CharLSTM: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an embedding → 2-layer LSTM → linear model on characters and sample from it.")

    @Option(help: "Optimizer steps.") var steps = 1000
    @Option(help: "Training text (default: every file in /usr/share/common-licenses).") var text: String?
    @Option(help: "Sequences per batch.") var batchSize = 32
    @Option(help: "Characters per sequence (steps of backpropagation through time).") var length = 64
    @Option(help: "Embedding width.") var embedding = 128
    @Option(help: "LSTM hidden size.") var hidden = 160
    @Option(help: "LSTM layers.") var layers = 2
    @Option(help: "Dropout between the LSTM layers (0 disables).") var dropout: Float = 0
    @Option(help: "Adam learning rate.") var learningRate: Float = 2e-3
    @Option(help: "Report losses every N steps.") var every = 250
    @Option(help: "Checkpoint folder.") var out = "runs/charlstm"
    @Option(help: "Characters to sample at the end.") var sample = 400
    @Option(help: "Sampling temperature.") var temperature: Float = 0.8
    @Option(help: "Sample among the k most likely characters.") var topK = 10
    @Option(help: "Seed.") var seed: UInt64 = 0

    func run() throws {
        let corpus = try text.map { try CharacterCorpus(contentsOf: $0) } ?? CharacterCorpus()
        print("text: \(corpus.source) · \(corpus.ids.count) characters, vocabulary \(corpus.vocabulary.count) · \(Dendrite.backendDescription)")
        var generator = RandomGenerator(seed: seed)
        let model = try CharacterLSTM(vocabulary: corpus.vocabulary.count, embedding: embedding, hidden: hidden, layers: layers,
                                      dropout: dropout, generator: &generator)
        let optimizer = try Adam(model.parameters, learningRate: learningRate)
        print("parameters: \(model.parameterCount)")
        let clock = ContinuousClock(), began = clock.now
        let progress = ProgressBar(unit: "tokens")
        var stretchStart = 0
        progress.begin("steps", total: min(every, steps))
        for step in 0..<steps {
            let (inputs, targets) = try corpus.batch(split: .training, size: batchSize, length: length, generator: &generator)
            optimizer.zeroGrad()
            let loss = try model.loss(inputs: inputs, targets: targets)
            try loss.backward()
            try clipGradientNorm(model.parameters, maxNorm: 1, errorIfNonFinite: true)
            try optimizer.step()
            progress.update(done: step + 1 - stretchStart, items: (step + 1 - stretchStart) * batchSize * length,
                            note: "train \(String(format: "%.3f", loss.scalar!))")
            if (step + 1) % every == 0 || step + 1 == steps {
                let validation = try meanLoss(model, corpus)
                let seconds = Double((clock.now - began).components.seconds)
                progress.finish("step \(step + 1)/\(steps) · train \(String(format: "%.3f", loss.scalar!)) · validation \(String(format: "%.3f", validation)) nats/char · \(Int(seconds))s")
                stretchStart = step + 1
                progress.begin("steps", total: min(every, steps - stretchStart))
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try model.save(to: "\(out)/model.safetensors")
            }
        }
        let prompt = corpus.encode("The ")
        let continuation = try model.generate(prompt: prompt, count: sample, temperature: temperature, topK: topK, generator: &generator)
        print("\n--- sample (temperature \(temperature), top-\(topK)) ---\nThe " + corpus.decode(continuation))
    }

    /// The mean loss over the whole validation split, in back-to-back 64-character windows (the
    /// same windows every time, so the figure moves only with the model).
    func meanLoss(_ model: CharacterLSTM, _ corpus: CharacterCorpus) throws -> Float {
        model.eval()
        defer { model.train() }
        let (inputs, targets) = try corpus.windows(split: .validation, length: 64)
        var total: Float = 0
        let count = inputs.shape[0]
        for start in stride(from: 0, to: count, by: 64) {
            let rows = start..<min(start + 64, count)
            let loss = try noGrad { try model.loss(inputs: try inputs.slice(rows), targets: try targets.slice(rows)).scalar! }
            total += loss * Float(rows.count)
        }
        return total / Float(count)
    }
}

/// Characters → embedding → LSTM (batch-first) → a linear layer to the next character's logits.
final class CharacterLSTM: Module {
    let embedding: Embedding
    let lstm: LSTM
    let head: Linear
    let vocabulary: Int

    init(vocabulary: Int, embedding width: Int, hidden: Int, layers: Int, dropout: Float, generator: inout RandomGenerator) throws {
        self.vocabulary = vocabulary
        embedding = Embedding(vocabulary, width, generator: &generator)
        lstm = try LSTM(inputSize: width, hiddenSize: hidden, layers: layers, batchFirst: true, dropout: dropout, generator: &generator)
        head = try Linear(hidden, vocabulary, generator: &generator)
        super.init()
    }

    /// Logits `[B, T, V]` for ids `[B, T]`, and the state after the last character.
    func logits(_ ids: Tensor, state: LSTMState?) throws -> (Tensor, LSTMState) {
        let (output, next) = try lstm(try embedding(ids), initialState: state)
        return (try head(output), next)
    }

    /// Mean cross-entropy of the next characters, in nats.
    func loss(inputs: Tensor, targets: Tensor) throws -> Tensor {
        let (logits, _) = try logits(inputs, state: nil)
        return try crossEntropy(logits: logits.reshaped(to: [-1, vocabulary]), labels: targets.reshaped(to: [-1]))
    }

    /// `count` characters after `prompt`, one step at a time with the state carried.
    func generate(prompt: [Int], count: Int, temperature: Float, topK: Int, generator: inout RandomGenerator) throws -> [Int] {
        eval()
        defer { train() }
        return try noGrad {
            var (logits, state) = try self.logits(try Tensor(shape: [1, max(prompt.count, 1)], scalars: (prompt.isEmpty ? [0] : prompt).map(Float.init)),
                                                  state: nil)
            var produced: [Int] = []
            for _ in 0..<count {
                let last = Array(logits.scalars.suffix(vocabulary))
                let next = try sampleIndex(logits: last, temperature: temperature, topK: topK, generator: &generator)
                produced.append(next)
                (logits, state) = try self.logits(try Tensor(shape: [1, 1], scalars: [Float(next)]), state: state)
            }
            return produced
        }
    }
}

CharLSTM.main()
