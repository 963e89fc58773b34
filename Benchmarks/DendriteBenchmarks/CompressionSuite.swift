import Dendrite
import Foundation

/// Compressed models against their float originals, inference in eval mode with no graph: on
/// batches of 128 28×28 images the `cnn` preset with batch norm folded (and its ReLUs fused),
/// statically quantized to int8, and with half its channels removed, and the course's MLP
/// dynamically quantized; ResNet-18 folded and fused on 8 224×224 images (1 with `--quick`). The two models of a
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
    let resnetImages = Tensor.normal([quick ? 1 : 8, 3, 224, 224], generator: &generator)
    let variants: [(String, String, Tensor, () throws -> Module & UnaryLayer, (Module & UnaryLayer) throws -> Void)] = [
        ("cnn", "batch norm folded", images, { try model("cnn") }, { try $0.foldBatchNorm() }),
        ("cnn", "batch norm folded, ReLU fused", images, { try model("cnn") }, { try $0.foldBatchNorm(); $0.fuseReLU() }),
        ("cnn", "static int8 (folded, histogram)", images, { try model("cnn") }, {
            try $0.foldBatchNorm(); try Quantization.quantizeStatic($0, calibration: calibration)
        }),
        ("cnn", "50 % of channels removed", images, { try model("cnn") }, {
            try ChannelPruning.prune($0 as! Sequential, inputShape: [1, 28, 28], amount: .fraction(0.5))
        }),
        ("mlp", "dynamic int8", images, { try model("mlp") }, { try Quantization.quantizeDynamic($0) }),
        ("ResNet-18", "batch norm folded, ReLU fused", resnetImages, {
            let resnet = try Models.resnet18()
            resnet.eval()
            return resnet
        }, { try $0.foldBatchNorm(); $0.fuseReLU() }),
    ]
    let rounds = quick ? 5 : 15
    return try variants.map { spec, name, input, build, compress in
        let float = try build(), small = try build()
        try compress(small)
        let runFloat = { _ = try noGrad { try float(input) } }, runSmall = { _ = try noGrad { try small(input) } }
        let inner = try calibrate(target: 0.02, runFloat)
        var floatSamples: [Double] = [], smallSamples: [Double] = []
        for round in 0..<(rounds + 2) {
            let a = try measure(warmup: 0, runs: 1, inner: inner, runFloat), b = try measure(warmup: 0, runs: 1, inner: inner, runSmall)
            if round >= 2 { floatSamples += a.samples; smallSamples += b.samples }   // two rounds of warm-up
        }
        let floatTime = Measurement(samples: floatSamples), smallTime = Measurement(samples: smallSamples)
        let ratios = zip(floatSamples, smallSamples).map { $0 / $1 }
        var row = Row(suite: "compression", workload: "\(spec) batch \(input.shape[0]), \(name)", unit: "ms", value: smallTime.median * 1e3,
                      medianSeconds: smallTime.median, minSeconds: smallTime.minimum, maxSeconds: smallTime.maximum,
                      noisy: smallTime.isNoisy, baseline: "\(spec) float", baselineValue: floatTime.median * 1e3,
                      ratio: floatTime.median / smallTime.median)
        row.ratioRange = (ratios.min() ?? 0, ratios.max() ?? 0)
        return row
    }
}
