import Dendrite
import Foundation

/// An end-to-end workload: built once, then called repeatedly; each call processes
/// `itemsPerCall` samples, tokens or images.
struct EndToEndWorkload {
    /// The `--filter` key (`mlp`, `cnn`, `transformer`, `lstm`, `gru`, `resnet`, `epoch`).
    let filter: String
    /// The PyTorch twin's key (`Benchmarks/pytorch_twin.py`).
    let peerKey: String
    let name: String
    let unit: String
    let itemsPerCall: Double
    /// Untimed calls before timing, and timed runs (quick, full).
    let warmup: Int
    let runs: (quick: Int, full: Int)
    /// Seconds one timed run should last (calls are repeated to reach it).
    let target: Double
    let prepare: () throws -> () throws -> Void
}

/// The end-to-end workloads, in the order they run; `--filter training` selects them all.
func trainingWorkloads(quick: Bool) -> [EndToEndWorkload] {
    var workloads = [
        presetStep(spec: "mlp", batch: 128, filter: "mlp", name: "MLP 784-512-10 train step, batch 128 (RMSprop)"),
        presetStep(spec: "cnn", batch: 64, filter: "cnn", name: "CNN preset train step, batch 64 (RMSprop)"),
        transformerBlockStep(),
        recurrentLayerStep(lstm: true),
        recurrentLayerStep(lstm: false),
    ]
    workloads += (quick ? [1] : [1, 8]).map { resnetInference(batch: $0) }
    workloads += (quick ? [1] : [1, 8]).map { resnetInference(batch: $0, folded: true) }
    workloads.append(vggInference(batch: quick ? 1 : 4))
    workloads.append(mlpEpoch())
    return workloads
}

/// A train step of a `ModelSpec` preset with RMSprop (Keras defaults) on a fixed batch.
func presetStep(spec: String, batch: Int, filter: String, name: String) -> EndToEndWorkload {
    EndToEndWorkload(filter: filter, peerKey: filter, name: name, unit: "samples/s", itemsPerCall: Double(batch), warmup: 3,
                     runs: (5, 9), target: 0.2) {
        var generator = RandomGenerator(seed: 3)
        let model = try ModelSpec(spec, inputShape: [1, 28, 28]).build(generator: &generator)
        let optimizer = try RMSprop.keras(model.parameters)
        let inputs = Tensor.uniform([batch, 1, 28, 28], generator: &generator)
        let targets = Tensor((0..<batch).map { Float($0 % 10) })
        return { _ = try model.trainStep(inputs: inputs, targets: targets, loss: .crossEntropy, optimizer: optimizer) }
    }
}

/// One pre-norm causal transformer block, d 128, 4 heads, FF 512, T 64, B 32: forward, backward
/// and an Adam step, in tokens per second.
func transformerBlockStep() -> EndToEndWorkload {
    EndToEndWorkload(filter: "transformer", peerKey: "transformer", name: "transformer block d128 h4 FF512 T64 B32 (Adam)",
                     unit: "tokens/s", itemsPerCall: 2048, warmup: 3, runs: (5, 9), target: 0.2) {
        var generator = RandomGenerator(seed: 5)
        let block = try TransformerEncoderBlock(embedDimension: 128, headCount: 4, feedForward: 512, gelu: true, normFirst: true,
                                                causal: true, generator: &generator)
        let optimizer = try Adam(block.parameters, learningRate: 1e-3)
        let sequences = Tensor.normal([32, 64, 128], generator: &generator)
        return {
            optimizer.zeroGrad()
            try block(sequences).squared().mean().backward()
            try optimizer.step()
        }
    }
}

/// One LSTM or GRU layer, input 128, hidden 256, T 64, B 32 (time-major): forward, backward and
/// an Adam step, in tokens per second.
func recurrentLayerStep(lstm: Bool) -> EndToEndWorkload {
    let kind = lstm ? "lstm" : "gru"
    return EndToEndWorkload(filter: kind, peerKey: kind, name: "\(lstm ? "LSTM" : "GRU") layer 128→256 T64 B32 (Adam)",
                            unit: "tokens/s", itemsPerCall: 2048, warmup: 3, runs: (5, 9), target: 0.2) {
        var generator = RandomGenerator(seed: 8)
        let layer: RecurrentNetwork = lstm ? try LSTM(inputSize: 128, hiddenSize: 256, generator: &generator)
            : try GRU(inputSize: 128, hiddenSize: 256, generator: &generator)
        let optimizer = try Adam(layer.parameters, learningRate: 1e-3)
        let sequences = Tensor.normal([64, 32, 128], generator: &generator)
        return {
            optimizer.zeroGrad()
            try layer(sequences).squared().mean().backward()
            try optimizer.step()
        }
    }
}

/// VGG-11 inference (eval mode, no graph) on `batch` 224×224 images.
func vggInference(batch: Int) -> EndToEndWorkload {
    EndToEndWorkload(filter: "vgg", peerKey: "vgg11-\(batch)", name: "VGG-11 inference, batch \(batch), 3×224×224",
                     unit: "images/s", itemsPerCall: Double(batch), warmup: 1, runs: (3, 5), target: 0.2) {
        var generator = RandomGenerator(seed: 7)
        let vgg = try Models.vgg(11)
        vgg.eval()
        let images = Tensor.normal([batch, 3, 224, 224], generator: &generator)
        return { _ = try noGrad { try vgg(images) } }
    }
}

/// ResNet-18 inference (eval mode, no graph) on `batch` 224×224 images; `folded`: with its batch
/// norms folded into the convolutions and their ReLUs fused (`foldBatchNorm`, `fuseReLU`), against the same PyTorch (unfolded) twin.
func resnetInference(batch: Int, folded: Bool = false) -> EndToEndWorkload {
    EndToEndWorkload(filter: "resnet", peerKey: "resnet-\(batch)",
                     name: "ResNet-18 inference, batch \(batch), 3×224×224\(folded ? ", batch norm folded, ReLU fused" : "")",
                     unit: "images/s", itemsPerCall: Double(batch), warmup: 1, runs: (3, 5), target: 0.2) {
        var generator = RandomGenerator(seed: 6)
        let resnet = try Models.resnet18()
        resnet.eval()
        if folded { try resnet.foldBatchNorm(); resnet.fuseReLU() }
        let images = Tensor.normal([batch, 3, 224, 224], generator: &generator)
        return { _ = try noGrad { try resnet(images) } }
    }
}

/// A whole epoch as users run it: `fit` over Fashion-MNIST's first 54,000 training images
/// (shuffled batches gathered from memory, metrics computed), as `dendrite train` reports it.
func mlpEpoch() -> EndToEndWorkload {
    EndToEndWorkload(filter: "epoch", peerKey: "epoch", name: "MLP epoch, fit on 54,000 Fashion-MNIST images", unit: "samples/s",
                     itemsPerCall: 54_000, warmup: 1, runs: (2, 4), target: 0) {
        let data = try FashionMNIST.dataset().load(.train, limit: 54_000)
        var generator = RandomGenerator(seed: 7)
        let model = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        let optimizer = try RMSprop.keras(model.parameters)
        var epoch: UInt64 = 0
        return {
            epoch += 1
            _ = try model.fit(data, epochs: 1, batchSize: 128, loss: .crossEntropy, optimizer: optimizer, seed: epoch)
        }
    }
}

/// Times one workload. Alone: the median of its timed runs. With a PyTorch `peer`: each round
/// times one Dendrite run, then one PyTorch run of the same length, with a pause between them
/// (so neither side's idle BLAS threads spin on the other's time) and, for the calibrated
/// workloads, one untimed call on each side after it (the other side's run has evicted its
/// weights from the caches); the ratio is the median of the per-round ratios, which cancels the
/// machine's drift between rounds.
func runEndToEnd(_ workload: EndToEndWorkload, quick: Bool, peer: PyTorchPeer?) throws -> Row? {
    let call: () throws -> Void
    do {
        call = try workload.prepare()
    } catch let error as DendriteError {
        print("skipped \(workload.name): \(error)")
        return nil
    }
    resetPeakMemory()
    for _ in 0..<workload.warmup { try call() }
    let inner = workload.target > 0 ? try calibrate(target: workload.target, call) : 1
    let runs = quick ? workload.runs.quick : workload.runs.full
    var ours: [Double] = [], theirs: [Double] = [], ratios: [Double] = []
    var peerPeak: Double?
    if let peer { try peer.prepare(workload.peerKey) }
    let warmup = peer != nil && workload.target > 0 ? 1 : 0
    for _ in 0..<runs {
        let seconds = try measure(warmup: warmup, runs: 1, inner: inner, call).median
        ours.append(seconds)
        if let peer {
            Thread.sleep(forTimeInterval: 0.25)
            let answer = try peer.time(workload.peerKey, inner: inner, warmup: warmup)
            theirs.append(answer.secondsPerCall)
            ratios.append(answer.secondsPerCall / seconds)
            peerPeak = answer.peakMiB
            Thread.sleep(forTimeInterval: 0.25)
        }
    }
    let time = Measurement(samples: ours)
    let peerTime = theirs.isEmpty ? nil : Measurement(samples: theirs)
    let ratio = ratios.isEmpty ? nil : Measurement(samples: ratios)
    var row = Row(suite: "training", workload: workload.name, unit: workload.unit, value: workload.itemsPerCall / time.median,
                  medianSeconds: time.median, minSeconds: time.minimum, maxSeconds: time.maximum, noisy: time.isNoisy,
                  baseline: peer == nil ? nil : "PyTorch", baselineValue: peerTime.map { workload.itemsPerCall / $0.median },
                  ratio: ratio?.median, peakMemoryMiB: peakMemoryMiB())
    row.ratioRange = ratio.map { ($0.minimum, $0.maximum) }
    row.baselinePeakMemoryMiB = peerPeak
    return row
}
