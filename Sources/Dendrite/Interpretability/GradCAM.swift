/// Holds on to the output of the layer it wraps as a leaf of the graph, so that a backward pass
/// leaves ∂F/∂(that output) in it (the graph below is cut: Grad-CAM needs nothing from there).
final class ActivationCapture: Module, UnaryLayer {
    let wrapped: any UnaryLayer
    private(set) var captured: Tensor?

    init(_ wrapped: any UnaryLayer) {
        self.wrapped = wrapped
        super.init()
    }

    func forward(_ input: Tensor) throws -> Tensor {
        let leaf = try wrapped(input).detached().requiringGradient()
        captured = leaf
        return leaf
    }

    func outputShape(forInput shape: [Int]) throws -> [Int] { try wrapped.outputShape(forInput: shape) }
}

/// Grad-CAM (Selvaraju et al. 2017; Captum's `LayerGradCam` with `relu_attributions=True`): at a
/// convolutional layer named by its tree path, each channel's weight is the spatial mean of
/// `∂F_target/∂A_k`, and the map is `ReLU(Σ_k α_k A_k)` — where in the image the evidence for
/// the class lies, at the layer's resolution.
public enum GradCAM {
    /// The `[N, h, w]` maps for `input` at the layer at `path` (`"4"` in a `Sequential`,
    /// `"layer4.1.conv2"` in a ResNet).
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for an unknown path
    ///   (naming the children that exist) or a layer whose output is not `[N, C, h, w]`.
    public static func maps(_ model: Module & UnaryLayer, input: Tensor, targets: [Int], layer path: String) throws -> Tensor {
        let original = try model.module(at: path)
        guard let layer = original as? any UnaryLayer, !path.isEmpty else {
            throw DendriteError.invalidArgument(operation: "GradCAM", argument: "layer \"\(path)\"", reason: "is not a layer inside the model")
        }
        let capture = ActivationCapture(layer)
        try model.replaceModule(at: path, with: capture)
        defer { try? model.replaceModule(at: path, with: original) }
        let restore = Attribution.freeze(model)
        defer { restore() }
        let y = try model(input)
        try y.backward(seed: try Attribution.oneHot(targets, like: y))
        guard let activations = capture.captured, activations.rank == 4, let gradients = activations.gradient else {
            throw DendriteError.invalidArgument(operation: "GradCAM", argument: "layer \"\(path)\"",
                                                reason: "its output \(capture.captured?.shape ?? []) is not [N, C, h, w] on the way to the output")
        }
        let (n, c, h, w) = (activations.shape[0], activations.shape[1], activations.shape[2], activations.shape[3])
        let a = activations.scalars, g = gradients.scalars, plane = h * w
        var maps = [Float](repeating: 0, count: n * plane)
        for sample in 0..<n {
            for channel in 0..<c {
                let base = (sample * c + channel) * plane
                let weight = g[base..<(base + plane)].reduce(0, +) / Float(plane)
                for p in 0..<plane { maps[sample * plane + p] += weight * a[base + p] }
            }
        }
        return try Tensor(shape: [n, h, w], scalars: maps.map { Swift.max($0, 0) })
    }

    /// `maps` (`[N, h, w]`) resized to `size` by bilinear interpolation (corners aligned), to lay
    /// over the input.
    public static func upsample(_ maps: Tensor, to size: Size2D) throws -> Tensor {
        guard maps.rank == 3, size.height >= 1, size.width >= 1 else {
            throw DendriteError.shapeMismatch(operation: "GradCAM.upsample", expected: "[N, h, w] and a positive size", got: "\(maps.shape) → \(size)")
        }
        let (n, h, w) = (maps.shape[0], maps.shape[1], maps.shape[2]), values = maps.scalars
        var out = [Float](repeating: 0, count: n * size.height * size.width)
        for sample in 0..<n {
            for y in 0..<size.height {
                let fy = size.height > 1 ? Float(y) * Float(h - 1) / Float(size.height - 1) : 0
                let y0 = Int(fy), y1 = Swift.min(y0 + 1, h - 1), dy = fy - Float(y0)
                for x in 0..<size.width {
                    let fx = size.width > 1 ? Float(x) * Float(w - 1) / Float(size.width - 1) : 0
                    let x0 = Int(fx), x1 = Swift.min(x0 + 1, w - 1), dx = fx - Float(x0)
                    func at(_ yy: Int, _ xx: Int) -> Float { values[(sample * h + yy) * w + xx] }
                    let top = at(y0, x0) * (1 - dx) + at(y0, x1) * dx, bottom = at(y1, x0) * (1 - dx) + at(y1, x1) * dx
                    out[(sample * size.height + y) * size.width + x] = top * (1 - dy) + bottom * dy
                }
            }
        }
        return try Tensor(shape: [n, size.height, size.width], scalars: out)
    }
}
