import ArgumentParser
import Dendrite
import Foundation

/// `dendrite explain --checkpoint DIR --index I --method … --out heat.png`: which pixels a trained
/// run's decision on one test image rests on, drawn over the image.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw an attribution heatmap (saliency, integrated gradients, SmoothGrad, occlusion, Grad-CAM) over a test image.",
        discussion: """
        Explains the predicted class (or --target) of test image --index. Saliency, SmoothGrad and \
        integrated gradients (zero baseline, --steps, Gauss-Legendre) are summed over channels as \
        absolute values; occlusion slides a 3x3 window; Grad-CAM uses --layer (a tree path; default: the \
        last convolution) and is upsampled to the image. --out ending in .png or .svg picks the format.
        """)

    @Option(help: "A run folder written by 'dendrite train'.") var checkpoint: String
    @Option(help: "Index of the image in the test split.") var index: Int
    @Option(help: "saliency, integrated-gradients, smoothgrad, occlusion or gradcam.") var method = "integrated-gradients"
    @Option(help: "The class to explain (default: the predicted one).") var target: Int?
    @Option(help: "Grad-CAM's layer, a tree path such as 4 (default: the last Conv2D).") var layer: String?
    @Option(help: "Integration steps of integrated gradients.") var steps = 50
    @Option(help: "MNIST-format folder (default: the run's).") var data: String?
    @Option(help: "Output picture, .png or .svg.") var out = "explain.png"

    func run() throws {
        do { try execute() } catch let error as DendriteError { throw ValidationError(error.description) }
    }

    private func execute() throws {
        guard out.hasSuffix(".png") || out.hasSuffix(".svg") else { throw ValidationError("--out \(out): must end in .png or .svg") }
        let (model, configuration) = try RunFolder(path: checkpoint).loadModel()
        let root = data ?? configuration.dataFolder
        let test = try MNIST(root: root).load(.test)
        guard index >= 0 && index < test.count else { throw ValidationError("--index \(index) is outside the \(test.count) test images") }
        let (x, label) = try test.batch(at: [index])
        let logits = try noGrad { try model(x) }
        let probabilities = try softmax(logits).scalars
        let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }
        let names = root == FashionMNIST.defaultRoot ? FashionMNIST.classNames : (0..<probabilities.count).map(String.init)
        func name(_ c: Int) -> String { c < names.count ? names[c] : String(c) }
        let explained = target ?? ranked[0]
        guard probabilities.indices.contains(explained) else { throw ValidationError("--target \(explained): the model has \(probabilities.count) classes") }
        print("test image \(index), label \(name(Int(label.scalars[0])))")
        for c in ranked.prefix(3) { print("  \(name(c).padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%.4f", probabilities[c]))") }
        let spatial = Array(x.shape.suffix(2))
        var heat: Tensor
        switch method {
        case "saliency": heat = try Attribution.saliency(model, input: x, targets: [explained])
        case "smoothgrad":
            var generator = RandomGenerator(seed: UInt64(index))
            heat = try Attribution.smoothGrad(model, input: x, targets: [explained], generator: &generator)
        case "integrated-gradients":
            let result = try Attribution.integratedGradients(model, input: x, targets: [explained], steps: steps)
            print("integrated gradients, \(steps) steps: F(x) − F(0) = \(String(format: "%.4f", result.outputDifference[0])), "
                  + "completeness gap \(String(format: "%.2e", result.completenessGap[0]))")
            heat = result.attributions.abs()
        case "occlusion": heat = try Attribution.occlusion(model, input: x, targets: [explained], window: 3, stride: 1)
        case "gradcam":
            guard let path = layer ?? model.namedModules().last(where: { $0.1 is Conv2D })?.0 else {
                throw ValidationError("--method gradcam: the model has no Conv2D; give --layer")
            }
            let maps = try GradCAM.maps(model, input: x, targets: [explained], layer: path)
            heat = try GradCAM.upsample(maps, to: Size2D(spatial[0], spatial[1]))
            print("Grad-CAM at layer \(path) (\(maps.shape[1])×\(maps.shape[2]))")
        default: throw ValidationError("--method \(method): saliency, integrated-gradients, smoothgrad, occlusion or gradcam")
        }
        // One [H, W] map: channels (and the batch of one) summed.
        let values = heat.scalars, plane = spatial[0] * spatial[1]
        let map = (0..<plane).map { p in stride(from: p, to: values.count, by: plane).reduce(Float(0)) { $0 + values[$1] } }
        let overlay = try HeatmapOverlay(image: try x.reshaped(to: Array(x.shape.dropFirst())), heat: try Tensor(shape: spatial, scalars: map))
        let caption = "\(method) for \(name(explained)) (\(String(format: "%.1f", 100 * probabilities[explained])) %)"
        let bytes: Data = out.hasSuffix(".png") ? Data(try overlay.png()) : Data(overlay.svg(caption: caption).utf8)
        let directory = URL(fileURLWithPath: out).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: out), options: .atomic)
        print("wrote \(out) (\(method) for class \(name(explained)))")
    }
}
