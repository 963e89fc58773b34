/// A ``Conv2D`` (groups 1) quantized statically for inference, as PyTorch's `quantized.Conv2d`
/// computes it: int8 weights with one symmetric scale per output channel, the input quantized to
/// 7 bits with a scale and zero point calibrated beforehand
/// (``Quantization/quantizeStatic(_:calibration:observer:)``), products in 32-bit integers by the
/// int8 GEMM over the unrolled input, then per output channel `y = s_x·s_w[o]·(C − z·Σ W_q[o]) + b[o]`
/// — with a ReLU in the same pass when one followed the convolution (PyTorch's `ConvReLU2d`).
///
/// State: buffers `weight` (`[OC, C, KH, KW]` int8, saved as `I8`), `weight_scale`, `bias`,
/// `input_scale` and `input_zero_point`. Inference only.
public final class QuantizedConv2D: Module, UnaryLayer {
    /// `[OC, C, KH, KW]` int8 weights (as integral floats).
    public let weight: Buffer
    /// `[OC]` per-channel weight scales.
    public let weightScale: Buffer
    /// `[OC]` float bias (zeros when the convolution had none).
    public let bias: Buffer
    /// The calibrated input scale `[]`.
    public let inputScale: Buffer
    /// The calibrated input zero point `[]`.
    public let inputZeroPoint: Buffer
    /// Channels, kernel, stride, padding and dilation of the convolution quantized.
    public let inputChannels: Int, outputChannels: Int
    public let kernelSize: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D
    /// Whether a ReLU is applied in the rescaling pass (the ReLU after the convolution, fused).
    public internal(set) var fusedReLU = false
    private var derived: (source: ObjectIdentifier, weights: Int8Weights)?

    /// Quantizes `conv`'s weights per output channel (keeping its ``Conv2D/fusedReLU``); `input`
    /// is the calibrated input quantization.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a grouped convolution.
    public init(_ conv: Conv2D, input: ActivationQuantization) throws {
        guard conv.groups == 1 else {
            throw DendriteError.invalidArgument(operation: "QuantizedConv2D", argument: conv.name, reason: "groups \(conv.groups): only groups 1 is quantized")
        }
        (inputChannels, outputChannels) = (conv.inputChannels, conv.outputChannels)
        (kernelSize, stride, padding, dilation) = (conv.kernelSize, conv.stride, conv.padding, conv.dilation)
        let (quantized, scales) = QuantizedLinear.quantize(conv.weight.value, rows: conv.outputChannels)
        weight = Buffer((try? Tensor(shape: conv.weight.value.shape, scalars: quantized.map(Float.init))) ?? Tensor(0))
        weight.storesInt8 = true
        weightScale = Buffer(Tensor(scales))
        bias = Buffer(conv.bias?.value ?? Tensor.filled([conv.outputChannels], 0))
        inputScale = Buffer(Tensor(input.scale))
        inputZeroPoint = Buffer(Tensor(Float(input.zeroPoint)))
        fusedReLU = conv.fusedReLU
        super.init()
    }

    var name: String { "QuantizedConv2D(\(inputChannels), \(outputChannels), kernelSize: \(kernelSize))" }
    private var reduction: Int { inputChannels * kernelSize.height * kernelSize.width }

    /// The weights dequantized, `[OC, C, KH, KW]`.
    public var dequantizedWeight: Tensor {
        (try? weight.value * (try weightScale.value.reshaped(to: [outputChannels, 1, 1, 1]))) ?? weight.value
    }

    private func kernelWeights() throws -> Int8Weights {
        let source = weight.value.storageIdentity
        if let derived, derived.source == source { return derived.weights }
        try QuantizedLinear.checkInt8(weight, shape: [outputChannels, inputChannels, kernelSize.height, kernelSize.width],
                                      scale: weightScale, bias: bias, layer: name)
        let taps = kernelSize.height * kernelSize.width
        let weights = Int8Weights(Int8GEMM.channelsLast(weight.value.scalars.map { Int8($0) }, outputChannels: outputChannels,
                                                         inputChannels: inputChannels, taps: taps), n: outputChannels, k: reduction)
        derived = (source, weights)
        return weights
    }

    private func geometry(_ shape: [Int], batch: Int) throws -> Conv2DGeometry {
        do {
            return try Conv2DGeometry(batch: batch, inputChannels: inputChannels, inputHeight: shape[shape.count - 2],
                                      inputWidth: shape[shape.count - 1], outputChannels: outputChannels, kernelSize: kernelSize.pair,
                                      stride: stride.pair, padding: padding.pair, dilation: dilation.pair)
        } catch {
            throw DendriteError.shapeMismatch(operation: name, expected: "an input large enough for the kernel", got: "\(shape)")
        }
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4, input.shape[1] == inputChannels else {
            throw DendriteError.shapeMismatch(operation: name, expected: "[N, \(inputChannels), H, W]", got: "\(input.shape)")
        }
        guard let quantization = try ActivationQuantization(scale: inputScale, zeroPoint: inputZeroPoint, layer: name) else {
            throw DendriteError.invalidArgument(operation: name, argument: "input quantization", reason: "is missing")
        }
        return try Int8GEMM.convolution(input, geometry: try geometry(input.shape, batch: input.shape[0]),
                                        weights: try kernelWeights(), channelScales: weightScale.value.scalars, bias: bias.value,
                                        scale: quantization.scale, zeroPoint: quantization.zeroPoint, relu: fusedReLU)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 3, shape[0] == inputChannels else {
            throw DendriteError.shapeMismatch(operation: name, expected: "input [\(inputChannels), H, W]", got: "\(shape)")
        }
        return Array(try geometry(shape, batch: 1).outputShape.dropFirst())
    }
}
