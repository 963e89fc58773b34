/// 2-D convolution over `NCHW` input (PyTorch's `nn.Conv2d`), im2col + GEMM underneath.
///
/// - `weight`: `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`,
///   initialized `U(±1/√fanIn)` with `fanIn = inputChannels / groups · kh · kw`
/// - `bias`: `[outputChannels]`
///
/// Per-sample input `[C, H, W]`, output `[OC, OH, OW]` with
/// `OH = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1`.
public final class Conv2D: Module, UnaryLayer {
    /// `[OC, C / groups, KH, KW]`.
    public let weight: Parameter
    /// `[OC]`, or `nil`.
    public let bias: Parameter?
    /// Input channels.
    public let inputChannels: Int
    /// Output channels (filters).
    public let outputChannels: Int
    /// Kernel size.
    public let kernelSize: Size2D
    /// Stride.
    public let stride: Size2D
    /// Concrete zero padding per axis.
    public let padding: Size2D
    /// Dilation.
    public let dilation: Size2D
    /// Channel groups.
    public let groups: Int
    /// Whether a ReLU follows inside this layer (``Module/fuseReLU()`` moves the ReLU after a
    /// convolution here): in inference one kernel computes convolution, bias and ReLU; while
    /// gradients are recorded it is the convolution, then `relu()`.
    public var fusedReLU = false

    /// Creates the layer. `padding` is an integer, `.explicit(height:width:)` or `.same`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for channels not
    ///   divisible by `groups`, non-positive sizes, or `.same` with an even kernel.
    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Size2D, stride: Size2D = 1,
                padding: Padding = 0, dilation: Size2D = 1, groups: Int = 1, bias: Bool = true,
                weightInitializer: Initializer? = nil, generator: inout RandomGenerator) throws {
        let name = "Conv2D(\(inputChannels), \(outputChannels), kernelSize: \(kernelSize))"
        guard inputChannels > 0, outputChannels > 0, groups > 0, inputChannels % groups == 0, outputChannels % groups == 0,
              kernelSize.height > 0, kernelSize.width > 0, stride.height > 0, stride.width > 0,
              dilation.height > 0, dilation.width > 0 else {
            throw DendriteError.invalidArgument(operation: name, argument: "configuration",
                                                reason: "sizes must be positive and groups \(groups) must divide both channel counts")
        }
        let resolved = try padding.resolve(kernel: kernelSize, dilation: dilation, operation: name)
        guard resolved.0 >= 0, resolved.1 >= 0 else {
            throw DendriteError.invalidArgument(operation: name, argument: "padding", reason: "must be ≥ 0")
        }
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = Size2D(resolved.0, resolved.1)
        self.dilation = dilation
        self.groups = groups
        let shape = [outputChannels, inputChannels / groups, kernelSize.height, kernelSize.width]
        let fanIn = shape[1] * kernelSize.height * kernelSize.width
        weight = Parameter(try (weightInitializer ?? .pytorchDefault(fanIn: fanIn)).make(shape, generator: &generator))
        self.bias = bias ? Parameter(try Initializer.pytorchDefault(fanIn: fanIn).make([outputChannels], generator: &generator)) : nil
        super.init()
    }

    /// Creates the layer drawing from ``RandomGenerator/global``.
    public convenience init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Size2D, stride: Size2D = 1,
                            padding: Padding = 0, dilation: Size2D = 1, groups: Int = 1, bias: Bool = true) throws {
        try self.init(inputChannels, outputChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                      dilation: dilation, groups: groups, bias: bias, generator: &RandomGenerator.global)
    }

    var name: String { "Conv2D(\(inputChannels), \(outputChannels), kernelSize: \(kernelSize))" }

    public func forward(_ input: Tensor) throws -> Tensor {
        try conv2d(input, weight: weight.tensor, bias: bias?.tensor, stride: stride.pair, padding: padding.pair,
                   dilation: dilation.pair, groups: groups, relu: fusedReLU, operation: name)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 3, shape[0] == inputChannels else {
            throw DendriteError.shapeMismatch(operation: name, expected: "input [\(inputChannels), H, W]", got: "\(shape)")
        }
        let geometry: Conv2DGeometry
        do {
            geometry = try Conv2DGeometry(batch: 1, inputChannels: inputChannels, inputHeight: shape[1], inputWidth: shape[2],
                                          outputChannels: outputChannels, kernelSize: kernelSize.pair, stride: stride.pair,
                                          padding: padding.pair, dilation: dilation.pair, groups: groups)
        } catch {
            throw DendriteError.shapeMismatch(operation: name, expected: "an input large enough for the kernel", got: "\(shape)")
        }
        return Array(geometry.outputShape.dropFirst())
    }
}
