/// A convolution without bias, batch norm (ε = 0.001) and ReLU: torchvision's `BasicConv2d`
/// (parameters `conv.weight`, `bn.weight`, `bn.bias`, buffers `bn.running_mean`…).
public final class BasicConv2d: Module, UnaryLayer {
    /// The convolution (no bias: the batch norm's shift replaces it).
    @Child public var conv: any UnaryLayer
    /// Batch norm with torchvision's ε = 0.001.
    @Child public var bn: any UnaryLayer

    /// Creates the unit. Weights start as torchvision's: normal with σ = 0.01 (its truncation at ±2
    /// lies 200σ out, so it never applies).
    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                generator: inout RandomGenerator) throws {
        conv = try Conv2D(inputChannels, outputChannels, kernelSize: Size2D(kernelSize, kernelSize), stride: Size2D(stride, stride),
                          padding: .explicit(height: padding, width: padding), bias: false,
                          weightInitializer: .normal(mean: 0, standardDeviation: 0.01), generator: &generator)
        bn = BatchNorm2D(outputChannels, epsilon: 0.001)
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        if let conv = conv as? Conv2D, let bn = bn as? BatchNorm2D, let fused = try conv.normalizedInference(input, by: bn, relu: true) {
            return fused
        }
        let y = try bn(conv(input))
        return (conv as? ReLUFusingLayer)?.fusedReLU == true ? y : y.relu()
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try conv.outputShape(forInput: shape)
    }
}

/// GoogLeNet's Inception module (torchvision's `Inception`): four parallel branches — 1×1; 1×1 then
/// 3×3; 1×1 then a second 3×3 (torchvision's choice where the paper has 5×5, kept for its weights);
/// 3×3 max pooling then 1×1 — concatenated along the channels.
public final class Inception: Module, UnaryLayer {
    /// 1×1 convolution.
    @Child public var branch1: any UnaryLayer
    /// 1×1 reduction, then 3×3.
    public let branch2: Sequential
    /// 1×1 reduction, then 3×3.
    public let branch3: Sequential
    /// 3×3 max pooling (stride 1, ceil mode), then a 1×1 projection.
    public let branch4: Sequential
    /// Output channels: the four branches' widths added.
    public let outputChannels: Int

    /// Creates the module with torchvision's argument order
    /// (`in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj`).
    public init(_ inputChannels: Int, _ ch1x1: Int, _ ch3x3Reduce: Int, _ ch3x3: Int, _ ch5x5Reduce: Int, _ ch5x5: Int,
                _ poolProjection: Int, generator: inout RandomGenerator) throws {
        branch1 = try BasicConv2d(inputChannels, ch1x1, kernelSize: 1, generator: &generator)
        branch2 = Sequential([try BasicConv2d(inputChannels, ch3x3Reduce, kernelSize: 1, generator: &generator),
                              try BasicConv2d(ch3x3Reduce, ch3x3, kernelSize: 3, padding: 1, generator: &generator)])
        branch3 = Sequential([try BasicConv2d(inputChannels, ch5x5Reduce, kernelSize: 1, generator: &generator),
                              try BasicConv2d(ch5x5Reduce, ch5x5, kernelSize: 3, padding: 1, generator: &generator)])
        branch4 = Sequential([MaxPool2D(kernelSize: 3, stride: 1, padding: 1, ceilMode: true),
                              try BasicConv2d(inputChannels, poolProjection, kernelSize: 1, generator: &generator)])
        outputChannels = ch1x1 + ch3x3 + ch5x5 + poolProjection
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try Tensor.concat([try branch1(input), try branch2(input), try branch3(input), try branch4(input)], alongAxis: 1)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        let spatial = try branch1.outputShape(forInput: shape)
        for branch in [branch2, branch3, branch4] where try branch.outputShape(forInput: shape).dropFirst() != spatial.dropFirst() {
            throw DendriteError.shapeMismatch(operation: "Inception", expected: "branches of one spatial size", got: "\(shape)")
        }
        return [outputChannels] + spatial.dropFirst()
    }
}

/// GoogLeNet (Inception v1, Szegedy et al. 2014) as torchvision builds it without the auxiliary
/// heads: parameter names `conv1.conv.weight`, `inception3a.branch2.1.bn.running_mean`, `fc.bias`…
/// 6,624,904 parameters for 1000 classes. Input `[N, 3, H, W]` (224×224 in the paper); output logits.
public final class GoogLeNet: Module, UnaryLayer {
    /// Whether the input is re-normalized from ImageNet statistics to `[-1, 1]` first, as torchvision's
    /// `transform_input` (its pretrained weights expect `true`).
    public let transformInput: Bool
    /// 7×7, stride 2, 64 filters.
    @Child public var conv1: any UnaryLayer
    /// 3×3, stride 2, ceil mode.
    @Child public var maxpool1: any UnaryLayer
    /// 1×1, 64 filters.
    @Child public var conv2: any UnaryLayer
    /// 3×3, 192 filters.
    @Child public var conv3: any UnaryLayer
    /// 3×3, stride 2, ceil mode.
    @Child public var maxpool2: any UnaryLayer
    /// Inception modules of stage 3 (256 and 480 channels out).
    @Child public var inception3a: any UnaryLayer
    @Child public var inception3b: any UnaryLayer
    /// 3×3, stride 2, ceil mode.
    @Child public var maxpool3: any UnaryLayer
    /// Inception modules of stage 4 (512, 512, 512, 528, 832 channels out).
    @Child public var inception4a: any UnaryLayer
    @Child public var inception4b: any UnaryLayer
    @Child public var inception4c: any UnaryLayer
    @Child public var inception4d: any UnaryLayer
    @Child public var inception4e: any UnaryLayer
    /// 2×2, stride 2, ceil mode.
    @Child public var maxpool4: any UnaryLayer
    /// Inception modules of stage 5 (832 and 1024 channels out).
    @Child public var inception5a: any UnaryLayer
    @Child public var inception5b: any UnaryLayer
    /// Global average pooling.
    @Child public var avgpool: any UnaryLayer
    /// Dropout 0.2 before the classifier.
    @Child public var dropout: any UnaryLayer
    /// 1024 → classes. Assign a new `Linear` to replace the head (transfer learning).
    @Child public var fc: any UnaryLayer

    /// Creates the network.
    public init(classCount: Int = 1000, transformInput: Bool = false, generator: inout RandomGenerator) throws {
        guard classCount > 0 else {
            throw DendriteError.invalidArgument(operation: "GoogLeNet", argument: "classCount \(classCount)", reason: "must be positive")
        }
        self.transformInput = transformInput
        conv1 = try BasicConv2d(3, 64, kernelSize: 7, stride: 2, padding: 3, generator: &generator)
        maxpool1 = MaxPool2D(kernelSize: 3, stride: 2, ceilMode: true)
        conv2 = try BasicConv2d(64, 64, kernelSize: 1, generator: &generator)
        conv3 = try BasicConv2d(64, 192, kernelSize: 3, padding: 1, generator: &generator)
        maxpool2 = MaxPool2D(kernelSize: 3, stride: 2, ceilMode: true)
        inception3a = try Inception(192, 64, 96, 128, 16, 32, 32, generator: &generator)
        inception3b = try Inception(256, 128, 128, 192, 32, 96, 64, generator: &generator)
        maxpool3 = MaxPool2D(kernelSize: 3, stride: 2, ceilMode: true)
        inception4a = try Inception(480, 192, 96, 208, 16, 48, 64, generator: &generator)
        inception4b = try Inception(512, 160, 112, 224, 24, 64, 64, generator: &generator)
        inception4c = try Inception(512, 128, 128, 256, 24, 64, 64, generator: &generator)
        inception4d = try Inception(512, 112, 144, 288, 32, 64, 64, generator: &generator)
        inception4e = try Inception(528, 256, 160, 320, 32, 128, 128, generator: &generator)
        maxpool4 = MaxPool2D(kernelSize: 2, stride: 2, ceilMode: true)
        inception5a = try Inception(832, 256, 160, 320, 32, 128, 128, generator: &generator)
        inception5b = try Inception(832, 384, 192, 384, 48, 128, 128, generator: &generator)
        avgpool = AdaptiveAvgPool2D(outputSize: 1)
        dropout = try Dropout(0.2)
        fc = try Linear(1024, classCount, weightInitializer: .normal(mean: 0, standardDeviation: 0.01), generator: &generator)
        super.init()
    }

    var layers: [any UnaryLayer] {
        [conv1, maxpool1, conv2, conv3, maxpool2, inception3a, inception3b, maxpool3, inception4a, inception4b, inception4c,
         inception4d, inception4e, maxpool4, inception5a, inception5b, avgpool]
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        var x = transformInput ? try Self.imageNetToUnitRange(input) : input
        for layer in layers { x = try layer(x) }
        return try fc(try dropout(x.flattenedBatch()))
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        var x = shape
        for layer in layers { x = try layer.outputShape(forInput: x) }
        return try fc.outputShape(forInput: [x.reduce(1, *)])
    }

    /// torchvision's `_transform_input`: channel `c` becomes `x·σ_c/0.5 + (μ_c − 0.5)/0.5` with
    /// ImageNet's μ = (0.485, 0.456, 0.406), σ = (0.229, 0.224, 0.225).
    static func imageNetToUnitRange(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4, input.shape[1] == 3 else {
            throw DendriteError.shapeMismatch(operation: "GoogLeNet transformInput", expected: "[N, 3, H, W]", got: "\(input.shape)")
        }
        let scale = try Tensor(shape: [1, 3, 1, 1], scalars: [0.229 / 0.5, 0.224 / 0.5, 0.225 / 0.5])
        let shift = try Tensor(shape: [1, 3, 1, 1], scalars: [(0.485 - 0.5) / 0.5, (0.456 - 0.5) / 0.5, (0.406 - 0.5) / 0.5])
        return try input * scale + shift
    }
}
