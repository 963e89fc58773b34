/// A ``Linear`` quantized for inference, as PyTorch's dynamic quantization does it: int8
/// weights with one symmetric scale per output channel, activations quantized per batch to 7
/// bits (affine, a zero point), products accumulated in 32-bit integers by the int8 GEMM, then
/// `y = s_x·s_w[j]·(C − z·Σ_k W_q[j, k]) + b`. Inference only (no gradients).
///
/// Its state is three buffers — `weight` (int8 values, saved as safetensors `I8`), `weight_scale`
/// and `bias` — so a quantized model saves and loads like any other (``Module/save(to:metadata:)``):
/// build the float model, ``Quantization/quantizeDynamic(_:)`` it, then load.
public final class QuantizedLinear: Module, UnaryLayer {
    /// `[out, in]` int8 weights (as integral floats).
    public let weight: Buffer
    /// `[out]`: each output channel's scale, `W ≈ scale·W_q`.
    public let weightScale: Buffer
    /// `[out]` float bias (zeros when the Linear had none).
    public let bias: Buffer
    public let inputFeatures: Int, outputFeatures: Int
    /// What the kernel reads, rebuilt from `weight` whenever it changes (a load replaces it).
    private var derived: (source: ObjectIdentifier, weights: [Int8], rowSums: [Int32], packed: Int8GEMM.PackedWeights)?

    /// Quantizes `linear`'s weights (`scale = max|W_j|/127` per output channel).
    public init(_ linear: Linear) {
        inputFeatures = linear.inputFeatures
        outputFeatures = linear.outputFeatures
        let (quantized, scales) = QuantizedLinear.quantize(linear.weight.value, rows: linear.outputFeatures)
        // Shapes are consistent by construction.
        weight = Buffer((try? Tensor(shape: [outputFeatures, inputFeatures], scalars: quantized.map(Float.init))) ?? Tensor(0))
        weight.storesInt8 = true
        weightScale = Buffer(Tensor(scales))
        bias = Buffer(linear.bias?.value ?? Tensor.filled([outputFeatures], 0))
        super.init()
    }

    /// Symmetric per-row int8 quantization of `[rows, columns]` values.
    static func quantize(_ weight: Tensor, rows: Int) -> ([Int8], [Float]) {
        let values = weight.scalars, columns = weight.count / Swift.max(rows, 1)
        var quantized = [Int8](repeating: 0, count: values.count), scales = [Float](repeating: 1, count: rows)
        for row in 0..<rows {
            let slice = values[(row * columns)..<((row + 1) * columns)]
            let largest = slice.map(Swift.abs).max() ?? 0
            let scale = largest > 0 ? largest / 127 : 1
            scales[row] = scale
            for (offset, value) in slice.enumerated() {
                quantized[row * columns + offset] = Int8(Swift.min(Swift.max((value / scale).rounded(), -127), 127))
            }
        }
        return (quantized, scales)
    }

    /// The weights dequantized, `[out, in]`.
    public var dequantizedWeight: Tensor {
        (try? weight.value * (try weightScale.value.reshaped(to: [outputFeatures, 1]))) ?? weight.value
    }

    private func kernelWeights() throws -> (weights: [Int8], rowSums: [Int32], packed: Int8GEMM.PackedWeights) {
        let source = weight.value.storageIdentity
        if let derived, derived.source == source { return (derived.weights, derived.rowSums, derived.packed) }
        guard weight.value.shape == [outputFeatures, inputFeatures], weightScale.value.shape == [outputFeatures],
              bias.value.shape == [outputFeatures],
              weight.value.scalars.allSatisfy({ $0 == $0.rounded() && $0 >= -127 && $0 <= 127 }) else {
            throw DendriteError.invalidArgument(operation: "QuantizedLinear(\(inputFeatures), \(outputFeatures))", argument: "buffers",
                                                reason: "weight must hold [\(outputFeatures), \(inputFeatures)] integers in −127…127")
        }
        let weights = weight.value.scalars.map { Int8($0) }
        let (inputs, outputs) = (inputFeatures, outputFeatures)
        let rowSums = (0..<outputs).map { row in (0..<inputs).reduce(Int32(0)) { $0 + Int32(weights[row * inputs + $1]) } }
        let packed = Int8GEMM.PackedWeights(weights, n: outputs, k: inputs)
        derived = (source, weights, rowSums, packed)
        return (weights, rowSums, packed)
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank >= 1, input.shape.last == inputFeatures else {
            throw DendriteError.shapeMismatch(operation: "QuantizedLinear(\(inputFeatures), \(outputFeatures))",
                                              expected: "[…, \(inputFeatures)]", got: "\(input.shape)")
        }
        let (weights, rowSums, packed) = try kernelWeights()
        let rows = input.count / inputFeatures
        let (q, scale, zero) = Int8GEMM.quantizeActivations(input, rows: rows, k: inputFeatures, stride: packed.paddedK)
        let c = Int8GEMM.fastest == .naive
            ? (try Int8GEMM.multiply(m: rows, n: outputFeatures, k: inputFeatures,
                                     a: (0..<rows).flatMap { q[($0 * packed.paddedK)..<($0 * packed.paddedK + inputFeatures)] }, b: weights))
            : Int8GEMM.multiplyPacked(m: rows, a: q, weights: packed)
        return Int8GEMM.dequantize(c, rows: rows, columns: outputFeatures, scale: scale, zero: zero, channelScales: weightScale.value.scalars,
                                   rowSums: rowSums, bias: bias.value, shape: Array(input.shape.dropLast()) + [outputFeatures])
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.last == inputFeatures else {
            throw DendriteError.shapeMismatch(operation: "QuantizedLinear", expected: "[…, \(inputFeatures)]", got: "\(shape)")
        }
        return Array(shape.dropLast()) + [outputFeatures]
    }
}

/// Post-training quantization.
public enum Quantization {
    /// Replaces every ``Linear`` under `model` by a ``QuantizedLinear`` (PyTorch's
    /// `quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)`), in place.
    ///
    /// - Returns: the number of layers quantized.
    @discardableResult
    public static func quantizeDynamic(_ model: Module) throws -> Int {
        var count = 0
        for (name, child) in model.namedChildren {
            if let linear = child as? Linear {
                try model.replaceChild(named: name, with: QuantizedLinear(linear))
                count += 1
            } else {
                count += try quantizeDynamic(child)
            }
        }
        return count
    }
}
