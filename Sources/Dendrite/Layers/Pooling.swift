/// 2-D max pooling (PyTorch's `nn.MaxPool2d`): the maximum of each window; stride defaults to
/// the kernel size.
public final class MaxPool2D: Module {
    /// Window size.
    public let kernelSize: Size2D
    /// Step between windows.
    public let stride: Size2D
    /// Padding (with −∞) on each side.
    public let padding: Size2D

    /// Creates the layer.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        super.init()
    }

    public override var typeName: String { "MaxPool2D" }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try maxPool2d(input, kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair,
                      operation: "MaxPool2D(\(kernelSize))")
    }

    public override func outputShape(forInput shape: [Int]) throws -> [Int] {
        try poolingOutputShape(shape, kernel: kernelSize, stride: stride, padding: padding, name: "MaxPool2D(\(kernelSize))")
    }
}

/// 2-D average pooling (PyTorch's `nn.AvgPool2d`, padding counted in the average).
public final class AvgPool2D: Module {
    /// Window size.
    public let kernelSize: Size2D
    /// Step between windows.
    public let stride: Size2D
    /// Zero padding on each side.
    public let padding: Size2D

    /// Creates the layer.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        super.init()
    }

    public override var typeName: String { "AvgPool2D" }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try avgPool2d(input, kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair,
                      operation: "AvgPool2D(\(kernelSize))")
    }

    public override func outputShape(forInput shape: [Int]) throws -> [Int] {
        try poolingOutputShape(shape, kernel: kernelSize, stride: stride, padding: padding, name: "AvgPool2D(\(kernelSize))")
    }
}

/// Average pooling to a fixed output size whatever the input size (`nn.AdaptiveAvgPool2d`).
public final class AdaptiveAvgPool2D: Module {
    /// Output height and width.
    public let outputSize: Size2D

    /// Creates the layer.
    public init(outputSize: Size2D) {
        self.outputSize = outputSize
        super.init()
    }

    public override var typeName: String { "AdaptiveAvgPool2D" }

    public override func forward(_ input: Tensor) throws -> Tensor {
        try adaptiveAvgPool2d(input, outputSize: outputSize.pair, operation: "AdaptiveAvgPool2D(\(outputSize))")
    }

    public override func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 3 else {
            throw DendriteError.shapeMismatch(operation: "AdaptiveAvgPool2D(\(outputSize))", expected: "[C, H, W]", got: "\(shape)")
        }
        return [shape[0], outputSize.height, outputSize.width]
    }
}

func poolingOutputShape(_ shape: [Int], kernel: Size2D, stride: Size2D, padding: Size2D, name: String) throws -> [Int] {
    guard shape.count == 3 else { throw DendriteError.shapeMismatch(operation: name, expected: "[C, H, W]", got: "\(shape)") }
    let g = try PoolingGeometry(operation: name, inputShape: [1] + shape, kernel: kernel.pair, stride: stride.pair,
                                padding: padding.pair)
    return [shape[0], g.outputHeight, g.outputWidth]
}
