import CDendrite

/// The sizes of one 2-D convolution over `NCHW` tensors, validated once.
///
/// Output size per axis: `⌊(in + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1`, as in
/// PyTorch. Weights are `[outputChannels, inputChannels / groups, kernelHeight, kernelWidth]`.
public struct Conv2DGeometry: Equatable, Sendable {
    /// Images in the batch (N).
    public let batch: Int
    /// Input channels (C).
    public let inputChannels: Int
    /// Input height and width.
    public let inputHeight: Int, inputWidth: Int
    /// Output channels (OC).
    public let outputChannels: Int
    /// Kernel height and width.
    public let kernelHeight: Int, kernelWidth: Int
    /// Stride per axis.
    public let strideHeight: Int, strideWidth: Int
    /// Zero padding per axis, applied on both sides.
    public let paddingHeight: Int, paddingWidth: Int
    /// Dilation per axis.
    public let dilationHeight: Int, dilationWidth: Int
    /// Channel groups; `groups == inputChannels` is a depthwise convolution.
    public let groups: Int
    /// Output height and width.
    public let outputHeight: Int, outputWidth: Int

    /// Validates and computes the output size.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for
    ///   non-positive sizes, channels not divisible by `groups`, or a kernel that does not fit.
    public init(batch: Int, inputChannels: Int, inputHeight: Int, inputWidth: Int, outputChannels: Int,
                kernelSize: (height: Int, width: Int), stride: (height: Int, width: Int) = (1, 1),
                padding: (height: Int, width: Int) = (0, 0), dilation: (height: Int, width: Int) = (1, 1),
                groups: Int = 1) throws {
        func fail(_ argument: String, _ reason: String) -> DendriteError {
            .invalidArgument(operation: "Conv2DGeometry", argument: argument, reason: reason)
        }
        guard batch >= 0, inputChannels > 0, outputChannels > 0, inputHeight > 0, inputWidth > 0 else {
            throw fail("sizes", "batch \(batch), channels \(inputChannels)→\(outputChannels), input \(inputHeight)×\(inputWidth) must be positive")
        }
        guard kernelSize.height > 0, kernelSize.width > 0 else { throw fail("kernelSize", "\(kernelSize) must be positive") }
        guard stride.height > 0, stride.width > 0 else { throw fail("stride", "\(stride) must be positive") }
        let limit = Int(Int32.max)
        guard padding.height >= 0, padding.width >= 0, padding.height <= limit, padding.width <= limit else {
            throw fail("padding", "\(padding) must be in 0…\(limit)")
        }
        guard dilation.height > 0, dilation.width > 0, dilation.height <= limit, dilation.width <= limit,
              kernelSize.height <= limit, kernelSize.width <= limit, inputHeight <= limit, inputWidth <= limit else {
            throw fail("sizes", "dilation \(dilation), kernel \(kernelSize) and input \(inputHeight)×\(inputWidth) must be positive and "
                       + "within the 32-bit range of the kernels")
        }
        guard groups > 0, inputChannels % groups == 0, outputChannels % groups == 0 else {
            throw fail("groups", "\(groups) must divide input channels \(inputChannels) and output channels \(outputChannels)")
        }
        let effectiveH = dilation.height * (kernelSize.height - 1) + 1
        let effectiveW = dilation.width * (kernelSize.width - 1) + 1
        let outH = (inputHeight + 2 * padding.height - effectiveH) / stride.height + 1
        let outW = (inputWidth + 2 * padding.width - effectiveW) / stride.width + 1
        guard inputHeight + 2 * padding.height >= effectiveH, inputWidth + 2 * padding.width >= effectiveW,
              outH > 0, outW > 0 else {
            throw fail("kernelSize", "a \(effectiveH)×\(effectiveW) (dilated) kernel does not fit the padded input \(inputHeight + 2 * padding.height)×\(inputWidth + 2 * padding.width)")
        }
        let largest = [batch, inputChannels, outputChannels, inputHeight, inputWidth, outH * outW,
                       inputChannels / groups * kernelSize.height * kernelSize.width].max() ?? 0
        guard largest <= Int(Int32.max) else { throw fail("sizes", "exceed the 32-bit range of the kernels") }
        // The output and one image's im2col columns must fit in memory (a typed error, not a failed allocation).
        try Tensor.validate(shape: [batch, outputChannels, outH, outW], operation: "Conv2DGeometry output")
        try Tensor.validate(shape: [inputChannels / groups * kernelSize.height * kernelSize.width, outH * outW],
                            operation: "Conv2DGeometry im2col columns")
        self.batch = batch
        self.inputChannels = inputChannels
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.outputChannels = outputChannels
        self.kernelHeight = kernelSize.height
        self.kernelWidth = kernelSize.width
        self.strideHeight = stride.height
        self.strideWidth = stride.width
        self.paddingHeight = padding.height
        self.paddingWidth = padding.width
        self.dilationHeight = dilation.height
        self.dilationWidth = dilation.width
        self.groups = groups
        self.outputHeight = outH
        self.outputWidth = outW
    }

    /// `[N, C, H, W]`.
    public var inputShape: [Int] { [batch, inputChannels, inputHeight, inputWidth] }
    /// `[N, OC, OH, OW]`.
    public var outputShape: [Int] { [batch, outputChannels, outputHeight, outputWidth] }
    /// `[OC, C / groups, KH, KW]`.
    public var weightShape: [Int] { [outputChannels, inputChannels / groups, kernelHeight, kernelWidth] }

    /// The same geometry for another batch size.
    public func with(batch newBatch: Int) throws -> Conv2DGeometry {
        try Conv2DGeometry(batch: newBatch, inputChannels: inputChannels, inputHeight: inputHeight,
                           inputWidth: inputWidth, outputChannels: outputChannels,
                           kernelSize: (kernelHeight, kernelWidth), stride: (strideHeight, strideWidth),
                           padding: (paddingHeight, paddingWidth), dilation: (dilationHeight, dilationWidth),
                           groups: groups)
    }

    /// Whether im2col is the identity (1×1 kernel, stride 1, no padding).
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && paddingHeight == 0 && paddingWidth == 0
    }

    var cGeometry: dd_conv_geometry {
        dd_conv_geometry(batch: Int32(batch), in_channels: Int32(inputChannels), in_h: Int32(inputHeight),
                         in_w: Int32(inputWidth), out_channels: Int32(outputChannels), out_h: Int32(outputHeight),
                         out_w: Int32(outputWidth), kernel_h: Int32(kernelHeight), kernel_w: Int32(kernelWidth),
                         stride_h: Int32(strideHeight), stride_w: Int32(strideWidth), pad_h: Int32(paddingHeight),
                         pad_w: Int32(paddingWidth), dilation_h: Int32(dilationHeight),
                         dilation_w: Int32(dilationWidth), groups: Int32(groups))
    }

    func check(_ tensor: Tensor, _ expected: [Int], _ name: String, _ operation: String) throws {
        guard tensor.shape == expected else {
            throw DendriteError.shapeMismatch(operation: "\(operation) \(name)", expected: "\(expected)",
                                              got: "\(tensor.shape)")
        }
    }
}
