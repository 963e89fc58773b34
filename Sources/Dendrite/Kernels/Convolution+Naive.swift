import CDendrite

// Direct-loop twins of the im2col + GEMM convolution, for tests and benchmarks.

/// Reference twin of ``conv2dForward(input:weight:bias:scale:geometry:relu:)``: a direct 7-loop convolution.
public func conv2dNaive(input: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2DGeometry) throws -> Tensor {
    try g.check(input, g.inputShape, "input", "conv2dNaive")
    try g.check(weight, g.weightShape, "weight", "conv2dNaive")
    if let bias { try g.check(bias, [g.outputChannels], "bias", "conv2dNaive") }
    let output = TensorStorage(count: Tensor.elementCount(of: g.outputShape))
    var cg = g.cGeometry
    dd_conv2d_forward_naive(output.base, input.storage.base, weight.storage.base, bias?.storage.base, &cg)
    return Tensor(shape: g.outputShape, storage: output)
}

/// Reference twin of ``conv2dBackwardInput(gradOutput:weight:geometry:)``.
public func conv2dBackwardInputNaive(gradOutput: Tensor, weight: Tensor, geometry g: Conv2DGeometry) throws -> Tensor {
    try g.check(gradOutput, g.outputShape, "gradOutput", "conv2dBackwardInputNaive")
    try g.check(weight, g.weightShape, "weight", "conv2dBackwardInputNaive")
    let dInput = TensorStorage(count: Tensor.elementCount(of: g.inputShape))
    var cg = g.cGeometry
    dd_conv2d_backward_input_naive(dInput.base, gradOutput.storage.base, weight.storage.base, &cg)
    return Tensor(shape: g.inputShape, storage: dInput)
}

/// Reference twin of ``conv2dBackwardWeight(gradOutput:input:geometry:accumulatingInto:)``.
public func conv2dBackwardWeightNaive(gradOutput: Tensor, input: Tensor, geometry g: Conv2DGeometry,
                                      accumulatingInto dWeight: inout Tensor) throws {
    try g.check(gradOutput, g.outputShape, "gradOutput", "conv2dBackwardWeightNaive")
    try g.check(input, g.inputShape, "input", "conv2dBackwardWeightNaive")
    try g.check(dWeight, g.weightShape, "dWeight", "conv2dBackwardWeightNaive")
    dWeight.makeUnique()
    var cg = g.cGeometry
    dd_conv2d_backward_weight_naive(dWeight.storage.base, gradOutput.storage.base, input.storage.base, &cg)
}

/// Reference twin of ``conv2dBackwardBias(gradOutput:geometry:accumulatingInto:)``.
public func conv2dBackwardBiasNaive(gradOutput: Tensor, geometry g: Conv2DGeometry,
                                    accumulatingInto dBias: inout Tensor) throws {
    try g.check(gradOutput, g.outputShape, "gradOutput", "conv2dBackwardBiasNaive")
    try g.check(dBias, [g.outputChannels], "dBias", "conv2dBackwardBiasNaive")
    dBias.makeUnique()
    var cg = g.cGeometry
    dd_conv2d_backward_bias_naive(dBias.storage.base, gradOutput.storage.base, &cg)
}
