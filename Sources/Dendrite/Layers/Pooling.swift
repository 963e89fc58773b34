/// The window configuration shared by ``MaxPool2D`` and ``AvgPool2D``.
public class Pool2D: Module {
    /// Window size.
    public let kernelSize: Size2D
    /// Step between windows (defaults to the kernel size).
    public let stride: Size2D
    /// Padding on each side.
    public let padding: Size2D
    /// Whether the output size rounds up (PyTorch's `ceil_mode`).
    public let ceilMode: Bool

    init(kernelSize: Size2D, stride: Size2D?, padding: Size2D, ceilMode: Bool) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        super.init()
    }

    var name: String { "\(typeName)(\(kernelSize))" }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 3 else { throw DendriteError.shapeMismatch(operation: name, expected: "[C, H, W]", got: "\(shape)") }
        let g = try PoolingGeometry(operation: name, inputShape: [1] + shape, kernel: kernelSize.pair, stride: stride.pair,
                                    padding: padding.pair, ceilMode: ceilMode)
        return [shape[0], g.outputHeight, g.outputWidth]
    }
}

/// 2-D max pooling (PyTorch's `nn.MaxPool2d`): the maximum of each window, padding with −∞.
public final class MaxPool2D: Pool2D, UnaryLayer {
    /// Creates the layer; `stride` defaults to the kernel size; `ceilMode` rounds the output size up.
    public override init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, ceilMode: Bool = false) {
        super.init(kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try maxPool2d(input, kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair, ceilMode: ceilMode, operation: name)
    }
}

/// 2-D average pooling (PyTorch's `nn.AvgPool2d`, padding counted in the average).
public final class AvgPool2D: Pool2D, UnaryLayer {
    /// Creates the layer; `stride` defaults to the kernel size; `ceilMode` rounds the output size up.
    public override init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, ceilMode: Bool = false) {
        super.init(kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try avgPool2d(input, kernelSize: kernelSize.pair, stride: stride.pair, padding: padding.pair, ceilMode: ceilMode, operation: name)
    }
}

/// Average pooling to a fixed output size whatever the input size (`nn.AdaptiveAvgPool2d`).
public final class AdaptiveAvgPool2D: Module, UnaryLayer {
    /// Output height and width.
    public let outputSize: Size2D

    /// Creates the layer.
    public init(outputSize: Size2D) {
        self.outputSize = outputSize
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try adaptiveAvgPool2d(input, outputSize: outputSize.pair, operation: "AdaptiveAvgPool2D(\(outputSize))")
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 3 else {
            throw DendriteError.shapeMismatch(operation: "AdaptiveAvgPool2D(\(outputSize))", expected: "[C, H, W]", got: "\(shape)")
        }
        return [shape[0], outputSize.height, outputSize.width]
    }
}
