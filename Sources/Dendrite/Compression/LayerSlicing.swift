/// Copies of layers restricted to some of their channels, for ``ChannelPruning``: the copies
/// keep every setting (stride, padding, momentum, trainability) and the kept slices' values.
enum LayerSlicing {
    /// `producer` (Conv2D or Linear) keeping the output channels `kept`, with their bias.
    static func outputs(of producer: Module, keeping kept: [Int]) throws -> any UnaryLayer {
        var generator = RandomGenerator(seed: 0)
        if let conv = producer as? Conv2D {
            let sliced = try convolution(like: conv, inputs: conv.inputChannels, outputs: kept.count)
            try copy(rows(conv.weight, kept), into: sliced.weight, like: conv.weight)
            if let bias = conv.bias, let target = sliced.bias { try copy(rows(bias, kept), into: target, like: bias) }
            return sliced
        }
        let linear = producer as! Linear
        let sliced = try Linear(linear.inputFeatures, kept.count, bias: linear.bias != nil, generator: &generator)
        try copy(rows(linear.weight, kept), into: sliced.weight, like: linear.weight)
        if let bias = linear.bias, let target = sliced.bias { try copy(rows(bias, kept), into: target, like: bias) }
        return sliced
    }

    /// `consumer` (Conv2D or Linear) reading only the input channels (features) `kept`.
    static func inputs(of consumer: Module, keeping kept: [Int]) throws -> any UnaryLayer {
        var generator = RandomGenerator(seed: 0)
        if let conv = consumer as? Conv2D {
            let sliced = try convolution(like: conv, inputs: kept.count, outputs: conv.outputChannels)
            try copy(columns(conv.weight, kept), into: sliced.weight, like: conv.weight)
            if let bias = conv.bias, let target = sliced.bias { try copy(bias.value, into: target, like: bias) }
            return sliced
        }
        let linear = consumer as! Linear
        let sliced = try Linear(kept.count, linear.outputFeatures, bias: linear.bias != nil, generator: &generator)
        try copy(columns(linear.weight, kept), into: sliced.weight, like: linear.weight)
        if let bias = linear.bias, let target = sliced.bias { try copy(bias.value, into: target, like: bias) }
        return sliced
    }

    /// A convolution with `conv`'s settings (kernel, stride, padding, dilation, groups, bias) and
    /// other channel counts; its weights are overwritten by the caller.
    private static func convolution(like conv: Conv2D, inputs: Int, outputs: Int) throws -> Conv2D {
        var generator = RandomGenerator(seed: 0)
        let made = try Conv2D(inputs, outputs, kernelSize: conv.kernelSize, stride: conv.stride,
                              padding: .explicit(height: conv.padding.height, width: conv.padding.width),
                              dilation: conv.dilation, groups: conv.groups, bias: conv.bias != nil, generator: &generator)
        made.fusedReLU = conv.fusedReLU
        return made
    }

    /// A batch norm of the same kind over the features `kept`, with their statistics and affine values.
    static func features(of norm: BatchNorm, keeping kept: [Int]) throws -> BatchNorm {
        let affine = norm.weight != nil
        let sliced: BatchNorm = norm is BatchNorm1D
            ? BatchNorm1D(kept.count, momentum: norm.momentum, epsilon: norm.epsilon, affine: affine)
            : BatchNorm2D(kept.count, momentum: norm.momentum, epsilon: norm.epsilon, affine: affine)
        if let weight = norm.weight, let target = sliced.weight { try copy(rows(weight, kept), into: target, like: weight) }
        if let bias = norm.bias, let target = sliced.bias { try copy(rows(bias, kept), into: target, like: bias) }
        let pick = { (buffer: Buffer) in try Tensor(shape: [kept.count], scalars: kept.map { buffer.value.scalars[$0] }) }
        sliced.runningMean.value = try pick(norm.runningMean)
        sliced.runningVar.value = try pick(norm.runningVar)
        sliced.numBatchesTracked.value = norm.numBatchesTracked.value
        sliced.synchronization = norm.synchronization
        return sliced
    }

    /// The slices `kept` along dimension 0.
    private static func rows(_ parameter: Parameter, _ kept: [Int]) throws -> Tensor {
        let shape = parameter.value.shape, inner = parameter.value.count / shape[0]
        let values = parameter.value.scalars
        var scalars: [Float] = []
        scalars.reserveCapacity(kept.count * inner)
        for row in kept { scalars.append(contentsOf: values[(row * inner)..<((row + 1) * inner)]) }
        return try Tensor(shape: [kept.count] + shape.dropFirst(), scalars: scalars)
    }

    /// The slices `kept` along dimension 1.
    private static func columns(_ parameter: Parameter, _ kept: [Int]) throws -> Tensor {
        let shape = parameter.value.shape, inner = shape.dropFirst(2).reduce(1, *), width = shape[1]
        let values = parameter.value.scalars
        var scalars: [Float] = []
        scalars.reserveCapacity(shape[0] * kept.count * inner)
        for row in 0..<shape[0] {
            for column in kept {
                let start = (row * width + column) * inner
                scalars.append(contentsOf: values[start..<(start + inner)])
            }
        }
        return try Tensor(shape: [shape[0], kept.count] + shape.dropFirst(2), scalars: scalars)
    }

    private static func copy(_ value: Tensor, into target: Parameter, like source: Parameter) throws {
        target.value = value
        target.requiresGradient = source.requiresGradient
    }
}
