/// A ``Linear`` quantized for inference, as PyTorch's quantization does it: int8 weights with one
/// symmetric scale per output channel, activations quantized to 7 bits (affine, a zero point) —
/// per batch (dynamic, ``Quantization/quantizeDynamic(_:)``) or with a scale calibrated
/// beforehand (static, ``Quantization/quantizeStatic(_:calibration:observer:)``) — products
/// accumulated in 32-bit integers by the int8 GEMM, then `y = s_x·s_w[j]·(C − z·Σ_k W_q[j, k]) + b`.
/// Inference only (no gradients).
///
/// Its state is buffers — `weight` (int8 values, saved as safetensors `I8`), `weight_scale`,
/// `bias`, and for static layers `input_scale` and `input_zero_point` — so a quantized model
/// saves and loads like any other (``Module/save(to:metadata:)``): build the float model,
/// quantize it the same way, then load.
public final class QuantizedLinear: Module, UnaryLayer {
    /// `[out, in]` int8 weights (as integral floats).
    public let weight: Buffer
    /// `[out]`: each output channel's scale, `W ≈ scale·W_q`.
    public let weightScale: Buffer
    /// `[out]` float bias (zeros when the Linear had none).
    public let bias: Buffer
    /// The calibrated input scale `[]` (static layers; `nil`: quantized per batch).
    public let inputScale: Buffer?
    /// The calibrated input zero point `[]` (static layers).
    public let inputZeroPoint: Buffer?
    /// Feature counts.
    public let inputFeatures: Int, outputFeatures: Int
    /// What the kernel reads, rebuilt from `weight` whenever it changes (a load replaces it).
    private var derived: (source: ObjectIdentifier, weights: Int8Weights)?

    /// Quantizes `linear`'s weights (`scale = max|W_j|/127` per output channel); with
    /// `input`, the layer is static and quantizes its input with that scale and zero point.
    public init(_ linear: Linear, input: ActivationQuantization? = nil) {
        inputFeatures = linear.inputFeatures
        outputFeatures = linear.outputFeatures
        let (quantized, scales) = QuantizedLinear.quantize(linear.weight.value, rows: linear.outputFeatures)
        // Shapes are consistent by construction.
        weight = Buffer((try? Tensor(shape: [outputFeatures, inputFeatures], scalars: quantized.map(Float.init))) ?? Tensor(0))
        weight.storesInt8 = true
        weightScale = Buffer(Tensor(scales))
        bias = Buffer(linear.bias?.value ?? Tensor.filled([outputFeatures], 0))
        inputScale = input.map { Buffer(Tensor($0.scale)) }
        inputZeroPoint = input.map { Buffer(Tensor(Float($0.zeroPoint))) }
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

    var name: String { "QuantizedLinear(\(inputFeatures), \(outputFeatures))" }

    private func kernelWeights() throws -> Int8Weights {
        let source = weight.value.storageIdentity
        if let derived, derived.source == source { return derived.weights }
        try QuantizedLinear.checkInt8(weight, shape: [outputFeatures, inputFeatures], scale: weightScale, bias: bias, layer: name)
        let weights = Int8Weights(weight.value.scalars.map { Int8($0) }, n: outputFeatures, k: inputFeatures)
        derived = (source, weights)
        return weights
    }

    /// Checks loaded int8 buffers before the kernel reads them.
    static func checkInt8(_ weight: Buffer, shape: [Int], scale: Buffer, bias: Buffer, layer: String) throws {
        guard weight.value.shape == shape, scale.value.shape == [shape[0]], bias.value.shape == [shape[0]],
              weight.value.scalars.allSatisfy({ $0 == $0.rounded() && $0 >= -127 && $0 <= 127 }),
              scale.value.scalars.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DendriteError.invalidArgument(operation: layer, argument: "buffers",
                                                reason: "weight must hold \(shape) integers in −127…127 with \(shape[0]) positive scales and biases")
        }
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank >= 1, input.shape.last == inputFeatures else {
            throw DendriteError.shapeMismatch(operation: name, expected: "[…, \(inputFeatures)]", got: "\(input.shape)")
        }
        let weights = try kernelWeights()
        let rows = input.count / inputFeatures, stride = weights.packed.paddedK
        let q: [UInt8], scale: Float, zero: Int32
        if let fixed = try ActivationQuantization(scale: inputScale, zeroPoint: inputZeroPoint, layer: name) {
            (scale, zero) = (fixed.scale, fixed.zeroPoint)
            q = Int8GEMM.quantizeActivations(input, rows: rows, k: inputFeatures, stride: stride, scale: scale, zeroPoint: zero)
        } else {
            (q, scale, zero) = Int8GEMM.quantizeActivations(input, rows: rows, k: inputFeatures, stride: stride)
        }
        let c = try weights.multiply(m: rows, a: q)
        return Int8GEMM.dequantize(c, rows: rows, columns: outputFeatures, scale: scale, zero: zero, channelScales: weightScale.value.scalars,
                                   rowSums: weights.rowSums, bias: bias.value, shape: Array(input.shape.dropLast()) + [outputFeatures])
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.last == inputFeatures else {
            throw DendriteError.shapeMismatch(operation: name, expected: "[…, \(inputFeatures)]", got: "\(shape)")
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
