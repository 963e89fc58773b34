import Dendrite
import Foundation

/// Compressed models against their float originals, inference in eval mode with no graph: on
/// batches of 128 28×28 images the `cnn` preset with batch norm folded (and its ReLUs fused),
/// statically quantized to int8, and with half its channels removed, and the course's MLP
/// dynamically quantized; ResNet-18 folded and fused on 8 224×224 images (1 with `--quick`).
/// With a PyTorch peer (`--pytorch`), the MLP and `cnn` float and int8 against PyTorch's float,
/// `quantize_dynamic` and FX static int8 of the same architectures, interleaved round by round
/// windows of about 0.1 s with pauses and warm-up calls between the sides (ratio = the median of the rounds' PyTorch time ÷ Dendrite time). The two models of a
/// row run in alternating rounds, so both see the same machine; ratio = float time ÷ compressed.
func runCompressionSuite(quick: Bool, peer: PyTorchPeer?) throws -> [Row] {
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
    // The peer imports torch and builds its models first, so that it is idle while these run.
    for key in ["mlp-infer", "mlp-int8", "cnn-infer", "cnn-int8"] { try peer?.prepare(key) }
    let rows = try variants.map { spec, name, input, build, compress in
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
    guard let peer else { return rows }
    // Against PyTorch's own float and int8 inference of the same models (pytorch_twin.py).
    let twins: [(key: String, spec: String, name: String, baseline: String, compress: (Sequential) throws -> Void)] = [
        ("mlp-infer", "mlp", "float", "PyTorch float", { _ in }),
        ("mlp-int8", "mlp", "dynamic int8", "PyTorch quantize_dynamic", { try Quantization.quantizeDynamic($0) }),
        ("cnn-infer", "cnn", "float", "PyTorch float", { _ in }),
        ("cnn-int8", "cnn", "static int8", "PyTorch FX static int8", {
            try $0.foldBatchNorm(); $0.fuseReLU(); try Quantization.quantizeStatic($0, calibration: calibration)
        }),
    ]
    return try rows + twins.map { twin in
        let ours = try model(twin.spec)
        try twin.compress(ours)
        let run = { _ = try noGrad { try ours(images) } }
        let inner = try calibrate(target: 0.1, run)
        var mine: [Double] = [], theirs: [Double] = []
        for round in 0..<(rounds + 2) {
            // A pause after each side (its idle threads must not spin on the other's time), then
            // a few untimed calls to wake the other side's threads before its timed window.
            let a = try measure(warmup: 3, runs: 1, inner: inner, run)
            Thread.sleep(forTimeInterval: 0.05)
            _ = try peer.time(twin.key, inner: 3)
            let b = try peer.time(twin.key, inner: inner)
            Thread.sleep(forTimeInterval: 0.05)
            if round >= 2 { mine += a.samples; theirs.append(b.secondsPerCall) }
        }
        let time = Measurement(samples: mine), baseline = Measurement(samples: theirs)
        let ratios = Measurement(samples: zip(theirs, mine).map { $0 / $1 })   // the median of the per-round ratios
        var row = Row(suite: "compression", workload: "\(twin.spec) batch 128, \(twin.name), against PyTorch", unit: "ms",
                      value: time.median * 1e3, medianSeconds: time.median, minSeconds: time.minimum, maxSeconds: time.maximum,
                      noisy: time.isNoisy, baseline: twin.baseline, baselineValue: baseline.median * 1e3, ratio: ratios.median)
        row.ratioRange = (ratios.minimum, ratios.maximum)
        return row
    }
}
