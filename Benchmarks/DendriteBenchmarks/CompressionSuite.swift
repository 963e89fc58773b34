import Dendrite
import Foundation

/// Compressed models against their float originals, batch-128 inference on 28×28 images (eval
/// mode, no graph): the `cnn` preset with batch norm folded, statically quantized to int8, and
/// with half its channels removed; the course's MLP dynamically quantized. The two models of a
/// row run in alternating rounds, so both see the same machine; ratio = float time ÷ compressed.
func runCompressionSuite(quick: Bool) throws -> [Row] {
    var generator = RandomGenerator(seed: 5)
    let images = Tensor.uniform([128, 1, 28, 28], generator: &generator)
    let calibration = (0..<4).map { _ in Tensor.uniform([128, 1, 28, 28], generator: &generator) }
    func model(_ spec: String) throws -> Sequential {
        let built = try ModelSpec(spec, inputShape: [1, 28, 28]).build(generator: &generator)
        built.eval()
        return built
    }
    let variants: [(String, String, (Sequential) throws -> Void)] = [
        ("cnn", "batch norm folded", { try $0.foldBatchNorm() }),
        ("cnn", "static int8 (folded, histogram)", { try $0.foldBatchNorm(); try Quantization.quantizeStatic($0, calibration: calibration) }),
        ("cnn", "50 % of channels removed", { try ChannelPruning.prune($0, inputShape: [1, 28, 28], amount: .fraction(0.5)) }),
        ("mlp", "dynamic int8", { try Quantization.quantizeDynamic($0) }),
    ]
    let rounds = quick ? 5 : 15
    return try variants.map { spec, name, compress in
        let float = try model(spec), small = try model(spec)
        try compress(small)
        let runFloat = { _ = try noGrad { try float(images) } }, runSmall = { _ = try noGrad { try small(images) } }
        let inner = try calibrate(target: 0.02, runFloat)
        var floatSamples: [Double] = [], smallSamples: [Double] = []
        for round in 0..<(rounds + 2) {
            let a = try measure(warmup: 0, runs: 1, inner: inner, runFloat), b = try measure(warmup: 0, runs: 1, inner: inner, runSmall)
            if round >= 2 { floatSamples += a.samples; smallSamples += b.samples }   // two rounds of warm-up
        }
        let floatTime = Measurement(samples: floatSamples), smallTime = Measurement(samples: smallSamples)
        let ratios = zip(floatSamples, smallSamples).map { $0 / $1 }
        var row = Row(suite: "compression", workload: "\(spec) batch 128, \(name)", unit: "ms", value: smallTime.median * 1e3,
                      medianSeconds: smallTime.median, minSeconds: smallTime.minimum, maxSeconds: smallTime.maximum,
                      noisy: smallTime.isNoisy, baseline: "\(spec) float", baselineValue: floatTime.median * 1e3,
                      ratio: floatTime.median / smallTime.median)
        row.ratioRange = (ratios.min() ?? 0, ratios.max() ?? 0)
        return row
    }
}
