import Dendrite
import Foundation

/// ResNet-18's convolution shapes one by one (forward with bias, no graph, the algorithm
/// ``ConvolutionAlgorithm/automatic`` picks shown in brackets), in effective GFLOP/s
/// (2·N·OC·OH·OW·C·KH·KW per second), against PyTorch's `F.conv2d` on the same shapes and
/// threads when a peer runs (`--pytorch`), interleaved with pauses as the other peer rows.
func runConvolutionLayerSuite(quick: Bool, peer: PyTorchPeer?) throws -> [Row] {
    // (name, C, OC, input side, kernel, stride, padding): the stem, each stage's 3×3 layers,
    // the strided first layers and the 1×1 projections.
    let shapes: [(String, Int, Int, Int, Int, Int, Int)] = [
        ("conv1 3→64 7×7/2 224", 3, 64, 224, 7, 2, 3),
        ("layer1 64→64 3×3 56", 64, 64, 56, 3, 1, 1),
        ("layer2 64→128 3×3/2 56", 64, 128, 56, 3, 2, 1),
        ("layer2 proj 64→128 1×1/2 56", 64, 128, 56, 1, 2, 0),
        ("layer2 128→128 3×3 28", 128, 128, 28, 3, 1, 1),
        ("layer3 128→256 3×3/2 28", 128, 256, 28, 3, 2, 1),
        ("layer3 256→256 3×3 14", 256, 256, 14, 3, 1, 1),
        ("layer4 256→512 3×3/2 14", 256, 512, 14, 3, 2, 1),
        ("layer4 512→512 3×3 7", 512, 512, 7, 3, 1, 1),
    ]
    var generator = RandomGenerator(seed: 11)
    var rows: [Row] = []
    for batch in quick ? [1] : [1, 8] {
        for (name, c, oc, side, k, stride, padding) in shapes {
            let g = try Conv2DGeometry(batch: batch, inputChannels: c, inputHeight: side, inputWidth: side, outputChannels: oc,
                                       kernelSize: (k, k), stride: (stride, stride), padding: (padding, padding))
            let x = Tensor.normal(g.inputShape, generator: &generator), w = Tensor.normal(g.weightShape, generator: &generator)
            let bias = Tensor.normal([oc], generator: &generator)
            let flops = 2.0 * Double(batch * oc * g.outputHeight * g.outputWidth * c * k * k)
            let run = { _ = try conv2dForward(input: x, weight: w, bias: bias, geometry: g) }
            let inner = try calibrate(target: 0.05, run)
            let key = "conv:\(c):\(oc):\(side):\(k):\(stride):\(padding):\(batch)"
            if let peer { try peer.prepare(key) }
            var mine: [Double] = [], theirs: [Double] = []
            for _ in 0..<(quick ? 3 : 7) {
                mine += try measure(warmup: 2, runs: 1, inner: inner, run).samples
                if let peer {
                    Thread.sleep(forTimeInterval: 0.05)
                    _ = try peer.time(key, inner: 2)
                    theirs.append(try peer.time(key, inner: inner).secondsPerCall)
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            let time = Measurement(samples: mine), baseline = theirs.isEmpty ? nil : Measurement(samples: theirs)
            let ratios = zip(theirs, mine).map { $0 / $1 }
            let algorithm = (ConvolutionAlgorithm.usesWinograd(g) ? "winograd" : "im2col")
                + " · " + ConvolutionGEMM.kernelName
            var row = Row(suite: "conv-layers", workload: "\(name) b\(batch) [\(algorithm)]", unit: "GFLOP/s", value: flops / time.median / 1e9,
                          medianSeconds: time.median, minSeconds: time.minimum, maxSeconds: time.maximum, noisy: time.isNoisy,
                          baseline: peer == nil ? nil : "PyTorch conv2d", baselineValue: baseline.map { flops / $0.median / 1e9 },
                          ratio: ratios.isEmpty ? nil : Measurement(samples: ratios).median)
            if !ratios.isEmpty { row.ratioRange = (ratios.min()!, ratios.max()!) }
            rows.append(row)
        }
    }
    // The whole network: the automatic choices against im2col on OpenBLAS everywhere, in alternating rounds.
    let resnet = try Models.resnet18()
    resnet.eval()
    let (chosenAlgorithm, chosenGEMM) = (ConvolutionAlgorithm.current, ConvolutionGEMM.current)
    defer { (ConvolutionAlgorithm.current, ConvolutionGEMM.current) = (chosenAlgorithm, chosenGEMM) }
    for batch in quick ? [1] : [1, 8] {
        let images = Tensor.normal([batch, 3, 224, 224], generator: &generator)
        let run = { _ = try noGrad { try resnet(images) } }
        var automatic: [Double] = [], im2col: [Double] = []
        for _ in 0..<(quick ? 3 : 7) {
            (ConvolutionAlgorithm.current, ConvolutionGEMM.current) = (chosenAlgorithm, chosenGEMM)
            automatic += try measure(warmup: 1, runs: 1, run).samples
            (ConvolutionAlgorithm.current, ConvolutionGEMM.current) = (.im2col, .openBLAS)
            im2col += try measure(warmup: 1, runs: 1, run).samples
        }
        let time = Measurement(samples: automatic), baseline = Measurement(samples: im2col)
        let ratios = Measurement(samples: zip(im2col, automatic).map { $0 / $1 })
        var row = Row(suite: "conv-layers", workload: "ResNet-18 b\(batch), \(chosenAlgorithm == .automatic && chosenGEMM == .automatic ? "automatic choice" : "forced choice")", unit: "images/s",
                      value: Double(batch) / time.median, medianSeconds: time.median, minSeconds: time.minimum, maxSeconds: time.maximum,
                      noisy: time.isNoisy, baseline: "im2col on OpenBLAS everywhere", baselineValue: Double(batch) / baseline.median, ratio: ratios.median)
        row.ratioRange = (ratios.minimum, ratios.maximum)
        rows.append(row)
    }
    return rows
}
