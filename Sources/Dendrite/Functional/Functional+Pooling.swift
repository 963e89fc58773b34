/// 2-D max pooling over `[N, C, H, W]`; `stride` defaults to the kernel size, padding is −∞.
/// The gradient goes to each window's (first) maximum. `ceilMode` rounds the output size up
/// (PyTorch's `ceil_mode=True`, used by GoogLeNet).
public func maxPool2d(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                      padding: (Int, Int) = (0, 0), ceilMode: Bool = false, operation: String = "maxPool2d") throws -> Tensor {
    let g = try PoolingGeometry(operation: operation, inputShape: x.shape, kernel: kernelSize,
                                stride: stride ?? kernelSize, padding: padding, ceilMode: ceilMode)
    let outputShape = [x.shape[0], x.shape[1], g.outputHeight, g.outputWidth]
    let recording = x.requiresGradient && GradientMode.isEnabled
    let (y, indices) = PoolingKernels.maxForward(x, g, outputShape: outputShape, keepArgmax: recording)
    guard recording else { return y }
    let inputShape = x.shape
    return y.recorded(operation, [x]) { dy in [PoolingKernels.maxBackward(dy, indices: indices, g, inputShape: inputShape)] }
}

/// 2-D average pooling over `[N, C, H, W]`; padded zeros count in the average (PyTorch's default).
/// With `ceilMode`, a last window that runs past the padding averages over its part inside it, as PyTorch.
public func avgPool2d(_ x: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil,
                      padding: (Int, Int) = (0, 0), ceilMode: Bool = false, operation: String = "avgPool2d") throws -> Tensor {
    let g = try PoolingGeometry(operation: operation, inputShape: x.shape, kernel: kernelSize,
                                stride: stride ?? kernelSize, padding: padding, ceilMode: ceilMode)
    let outputShape = [x.shape[0], x.shape[1], g.outputHeight, g.outputWidth]
    let inputShape = x.shape
    return PoolingKernels.averageForward(x, g, outputShape: outputShape).recorded(operation, [x]) { dy in
        [PoolingKernels.averageBackward(dy, g, inputShape: inputShape)]
    }
}

/// Adaptive average pooling of `[N, C, H, W]` to `[N, C, outputSize.0, outputSize.1]` with
/// PyTorch's window boundaries (`AdaptiveAvgPool2d`).
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: (Int, Int), operation: String = "adaptiveAvgPool2d") throws -> Tensor {
    guard x.rank == 4 else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "[N, C, H, W]", got: "\(x.shape)")
    }
    guard outputSize.0 > 0, outputSize.1 > 0 else {
        throw DendriteError.invalidArgument(operation: operation, argument: "outputSize \(outputSize)", reason: "must be positive")
    }
    let (planes, height, width) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
    let outputShape = [x.shape[0], x.shape[1], outputSize.0, outputSize.1]
    let inputShape = x.shape
    return PoolingKernels.adaptiveAverage(x, planes: planes, inputHeight: height, inputWidth: width,
                                          outputHeight: outputSize.0, outputWidth: outputSize.1, backward: false,
                                          resultShape: outputShape).recorded(operation, [x]) { dy in
        [PoolingKernels.adaptiveAverage(dy, planes: planes, inputHeight: height, inputWidth: width,
                                        outputHeight: outputSize.0, outputWidth: outputSize.1, backward: true,
                                        resultShape: inputShape)]
    }
}
