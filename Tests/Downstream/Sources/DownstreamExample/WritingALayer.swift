// Docs/WritingALayer.md: the custom layer and its gradient check, compiled and run here.
import Dendrite

/// `y = value(x) ⊙ σ(gate(x)) ⊙ scale`: a gated linear unit with a learnable output scale.
final class GatedLinear: Module, UnaryLayer {
    let value: Linear          // state dict: value.weight, value.bias
    let gate: Linear           // gate.weight, gate.bias
    let scale: Parameter       // scale

    init(_ inputs: Int, _ outputs: Int, generator: inout RandomGenerator) throws {
        value = try Linear(inputs, outputs, generator: &generator)
        gate = try Linear(inputs, outputs, generator: &generator)
        scale = Parameter(try Tensor.ones([outputs]))
        super.init()
    }

    func forward(_ x: Tensor) throws -> Tensor {
        try value(x) * gate(x).sigmoid() * scale.tensor
    }

    func outputShape(forInput shape: [Int]) throws -> [Int] { try value.outputShape(forInput: shape) }
}

/// The worst relative difference between backward's gradients and central differences of
/// `sum(layer(x) ⊙ r)`, over the input and every parameter.
func worstGradientError(of layer: any UnaryLayer, input: Tensor, step: Float = 1e-2) throws -> Float {
    var generator = RandomGenerator(seed: 1)
    let x = input.requiringGradient()
    let output = try layer(x)
    let r = Tensor.normal(output.shape, generator: &generator)
    layer.zeroGrad()
    try (output * r).sum().backward()
    func loss(_ input: Tensor) throws -> Float { try noGrad { try (layer(input) * r).sum().scalar! } }
    func nudged(_ t: Tensor, _ i: Int, _ delta: Float) throws -> Tensor {
        var values = t.scalars
        values[i] += delta
        return try Tensor(shape: t.shape, scalars: values)
    }
    var worst: Float = 0
    func compare(_ analytic: Float, _ up: Float, _ down: Float) {
        let numeric = (up - down) / (2 * step)
        worst = max(worst, abs(analytic - numeric) / max(abs(analytic), abs(numeric), 1))
    }
    for i in 0..<input.count {
        compare(x.gradient!.scalars[i], try loss(nudged(input, i, step)), try loss(nudged(input, i, -step)))
    }
    for parameter in layer.parameters {
        let original = parameter.value, analytic = parameter.gradient!.scalars
        for i in 0..<original.count {
            parameter.value = try nudged(original, i, step); let up = try loss(input)
            parameter.value = try nudged(original, i, -step); let down = try loss(input)
            parameter.value = original
            compare(analytic[i], up, down)
        }
    }
    return worst
}

/// Runs the guide's check: names, shapes and gradients.
func writingALayerGuide() throws {
    var generator = RandomGenerator(seed: 0)
    let layer = try GatedLinear(4, 3, generator: &generator)
    let x = Tensor.normal([5, 4], generator: &generator)
    print("GatedLinear parameters:", layer.namedParameters().map(\.0))
    print("summary output shape:", try layer.summary(input: [4]).outputShape)
    let error = try worstGradientError(of: layer, input: x)
    print("GatedLinear worst gradient error:", error)
    guard error < 1e-3 else {
        throw DendriteError.invalidArgument(operation: "WritingALayer", argument: "gradients", reason: "error \(error) ≥ 1e-3")
    }
}

/// Docs/WritingALayer.md, section 3 (compiled; it needs the files PyTorch writes).
func checkAgainstPyTorch() throws -> Float {
    var generator = RandomGenerator(seed: 0)
    let layer = try GatedLinear(4, 3, generator: &generator)
    try layer.load(from: "glu_weights.safetensors")      // strict: every name and shape must match
    let io = try SafeTensors.read("glu_io.safetensors")
    guard let input = io.tensors["input"], let expected = io.tensors["output"] else {
        throw DendriteError.invalidFile(path: "glu_io.safetensors", offset: nil, reason: "needs input and output")
    }
    let output = try layer(input)
    // The largest element-wise excess over |a − b| ≤ 1e-5 + 1e-4·|b|: ≤ 0 means every element agrees.
    return zip(output.scalars, expected.scalars).map { abs($0 - $1) - (1e-5 + 1e-4 * abs($1)) }.max() ?? 0
}

/// Docs/WritingALayer.md, section 4 (compiled, not run: it trains).
func useTheLayer(train: TensorDataset) throws {
    var generator = RandomGenerator(seed: 0)
    let model = try Sequential {
        Flatten()
        try GatedLinear(784, 256, generator: &generator)
        try Linear(256, 10, generator: &generator)
    }
    print(try model.summary(input: [1, 28, 28]))
    try model.fit(train, epochs: 5, batchSize: 128, loss: .crossEntropy, optimizer: try Adam(model.parameters))
}
