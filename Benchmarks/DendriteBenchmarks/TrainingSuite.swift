import Dendrite

/// End-to-end training steps (forward + backward + optimizer), in samples per second.
func runTrainingSuite(quick: Bool) throws -> [Row] {
    var rows: [Row] = []
    var generator = RandomGenerator(seed: 3)
    struct Workload { let name: String; let batch: Int; let inputShape: [Int]; let spec: String }
    let workloads = [
        Workload(name: "MLP 784-512-10 train step, batch 128 (RMSprop)", batch: 128, inputShape: [1, 28, 28], spec: "mlp"),
        Workload(name: "CNN preset train step, batch 64 (RMSprop)", batch: 64, inputShape: [1, 28, 28], spec: "cnn"),
    ]
    for workload in workloads {
        let model = try ModelSpec(workload.spec, inputShape: workload.inputShape).build(generator: &generator)
        let optimizer = try RMSprop.keras(model.parameters)
        let inputs = Tensor.uniform([workload.batch] + workload.inputShape, generator: &generator)
        let targets = Tensor((0..<workload.batch).map { Float($0 % 10) })
        let step = { _ = try model.trainStep(inputs: inputs, targets: targets, loss: .crossEntropy, optimizer: optimizer) }
        resetPeakMemory()
        let time = try measure(warmup: 3, runs: quick ? 5 : 9, inner: try calibrate(target: 0.2, step), step)
        let peak = peakMemoryMiB()
        let rate = Double(workload.batch) / time.median
        rows.append(Row(suite: "training", workload: workload.name, unit: "samples/s", value: rate, medianSeconds: time.median,
                        minSeconds: time.minimum, maxSeconds: time.maximum, noisy: time.isNoisy, baseline: nil,
                        baselineValue: nil, ratio: nil, peakMemoryMiB: peak))
    }
    // One pre-norm causal transformer block, d 128, 4 heads, FF 512, T 64, B 32: forward,
    // backward and an Adam step, in tokens per second.
    let block = try TransformerEncoderBlock(embedDimension: 128, headCount: 4, feedForward: 512, gelu: true, normFirst: true,
                                            causal: true, generator: &generator)
    let blockOptimizer = try Adam(block.parameters, learningRate: 1e-3)
    let sequences = Tensor.normal([32, 64, 128], generator: &generator)
    let blockStep = {
        blockOptimizer.zeroGrad()
        try block(sequences).squared().mean().backward()
        try blockOptimizer.step()
    }
    resetPeakMemory()
    let blockTime = try measure(warmup: 3, runs: quick ? 5 : 9, inner: try calibrate(target: 0.2, blockStep), blockStep)
    rows.append(Row(suite: "training", workload: "transformer block d128 h4 FF512 T64 B32 (Adam)", unit: "tokens/s",
                    value: 2048 / blockTime.median, medianSeconds: blockTime.median, minSeconds: blockTime.minimum,
                    maxSeconds: blockTime.maximum, noisy: blockTime.isNoisy, baseline: nil, baselineValue: nil, ratio: nil,
                    peakMemoryMiB: peakMemoryMiB()))

    // ResNet-18 inference (eval mode, no graph) on one 224×224 image and a batch of 8.
    let resnet = try Models.resnet18()
    resnet.eval()
    for batch in quick ? [1] : [1, 8] {
        let images = Tensor.normal([batch, 3, 224, 224], generator: &generator)
        let infer = { _ = try noGrad { try resnet(images) } }
        resetPeakMemory()
        let time = try measure(warmup: 1, runs: quick ? 3 : 5, infer)
        rows.append(Row(suite: "training", workload: "ResNet-18 inference, batch \(batch), 3×224×224", unit: "images/s",
                        value: Double(batch) / time.median, medianSeconds: time.median, minSeconds: time.minimum,
                        maxSeconds: time.maximum, noisy: time.isNoisy, baseline: nil, baselineValue: nil, ratio: nil,
                        peakMemoryMiB: peakMemoryMiB()))
    }

    // A whole epoch as users run it: fit over Fashion-MNIST's 54,000 training images (shuffled
    // batches gathered from memory, metrics computed), as `dendrite train` reports it.
    if let data = try? FashionMNIST.dataset().load(.train, limit: 54_000) {
        let model = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        let optimizer = try RMSprop.keras(model.parameters)
        var samples: [Double] = []
        resetPeakMemory()
        for epoch in 0..<(quick ? 3 : 5) {
            let history = try model.fit(data, epochs: 1, batchSize: 128, loss: .crossEntropy, optimizer: optimizer,
                                        seed: UInt64(epoch))
            samples.append(history.records[0].seconds)
        }
        let time = Measurement(samples: Array(samples.dropFirst()))
        rows.append(Row(suite: "training", workload: "MLP epoch, fit on 54,000 Fashion-MNIST images", unit: "samples/s",
                        value: 54_000 / time.median, medianSeconds: time.median, minSeconds: time.minimum,
                        maxSeconds: time.maximum, noisy: time.isNoisy, baseline: nil, baselineValue: nil, ratio: nil,
                        peakMemoryMiB: peakMemoryMiB()))
    }
    return rows
}
