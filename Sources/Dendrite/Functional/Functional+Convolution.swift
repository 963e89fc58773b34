/// 2-D convolution over `NCHW` input, as `torch.nn.functional.conv2d`: one fused op
/// (im2col + GEMM forward, hand-written backward through the same kernels).
///
/// - Parameters:
///   - x: `[N, C, H, W]`.
///   - weight: `[OC, C / groups, KH, KW]`.
///   - bias: `[OC]` or `nil`.
///   - stride: the step between windows, (height, width).
///   - padding: zeros added on each side, (height, width).
///   - dilation: the spacing between kernel taps, (height, width).
///   - groups: input and output channels are split into this many independent groups.
///   - relu: follow with `max(·, 0)`; where no gradient is recorded, in the same kernel.
///   - operation: the name errors report.
/// - Returns: `[N, OC, OH, OW]`.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1),
                   padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
                   relu: Bool = false, operation: String = "conv2d") throws -> Tensor {
    guard x.rank == 4 else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "input [N, C, H, W]", got: "\(x.shape)")
    }
    guard weight.rank == 4, weight.shape[1] * groups == x.shape[1] else {
        throw DendriteError.shapeMismatch(operation: operation,
                                          expected: "input with \(weight.rank == 4 ? weight.shape[1] * groups : 0) channels for weight \(weight.shape)",
                                          got: "\(x.shape)")
    }
    let geometry: Conv2DGeometry
    do {
        geometry = try Conv2DGeometry(batch: x.shape[0], inputChannels: x.shape[1], inputHeight: x.shape[2],
                                      inputWidth: x.shape[3], outputChannels: weight.shape[0],
                                      kernelSize: (weight.shape[2], weight.shape[3]), stride: stride,
                                      padding: padding, dilation: dilation, groups: groups)
    } catch DendriteError.invalidArgument(_, let argument, let reason) {
        throw DendriteError.invalidArgument(operation: "\(operation) on input \(x.shape)", argument: argument, reason: reason)
    }
    let inputs = [x, weight] + (bias.map { [$0] } ?? [])
    let recording = GradientMode.isEnabled && inputs.contains(where: \.requiresGradient)
    if relu && !recording { return try conv2dForward(input: x, weight: weight, bias: bias, geometry: geometry, relu: true) }
    if relu {
        return try conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
                          operation: operation).relu()
    }
    let y = try conv2dForward(input: x, weight: weight, bias: bias, geometry: geometry)
    return y.recorded(operation, inputs) { g in
        var dInput: Tensor?, dWeight: Tensor?, dBias: Tensor?
        if x.requiresGradient {
            dInput = try conv2dBackwardInput(gradOutput: g, weight: weight, geometry: geometry)
        }
        if weight.requiresGradient {
            // A parameter in an arena accumulates dW straight into its slot (cleared first if empty).
            let written = try weight.writeGradientInPlace { slot, accumulate in
                if !accumulate { ArenaKernels.zero(slot.storage) }
                try conv2dBackwardWeight(gradOutput: g, input: x, geometry: geometry, accumulatingInto: &slot)
            }
            if !written {
                var grad = Tensor.filled(geometry.weightShape, 0)
                try conv2dBackwardWeight(gradOutput: g, input: x, geometry: geometry, accumulatingInto: &grad)
                dWeight = grad
            }
        }
        if let bias, bias.requiresGradient {
            var grad = Tensor.filled([geometry.outputChannels], 0)
            try conv2dBackwardBias(gradOutput: g, geometry: geometry, accumulatingInto: &grad)
            dBias = grad
        }
        return [dInput, dWeight, dBias]
    }
}
