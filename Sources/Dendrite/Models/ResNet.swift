/// A residual block of ResNet-18/34 (torchvision's `BasicBlock`): two 3×3 convolutions with batch
/// norm, and a projection (`downsample`: 1×1 convolution + batch norm) when the shape changes.
public final class BasicBlock: Module, UnaryLayer {
    /// Output channels per input channel of the block's width.
    public static let expansion = 1
    /// 3×3, carries the stride.
    @Child public var conv1: any UnaryLayer
    /// Batch norm after `conv1`.
    @Child public var bn1: any UnaryLayer
    /// The ReLU after `bn1` (and after the sum, in a block), a child as in torchvision.
    @Child public var relu: any UnaryLayer = ReLU()
    /// 3×3.
    @Child public var conv2: any UnaryLayer
    /// Batch norm after `conv2`.
    @Child public var bn2: any UnaryLayer
    /// The shortcut's projection, when needed.
    @Child public var downsample: (any UnaryLayer)?

    /// Creates the block.
    public init(_ inputChannels: Int, _ width: Int, stride: Int, generator: inout RandomGenerator) throws {
        conv1 = try Conv2D(inputChannels, width, kernelSize: 3, stride: Size2D(stride, stride), padding: 1, bias: false,
                           weightInitializer: .kaimingNormal(), generator: &generator)
        bn1 = BatchNorm2D(width)
        conv2 = try Conv2D(width, width, kernelSize: 3, padding: 1, bias: false, weightInitializer: .kaimingNormal(), generator: &generator)
        bn2 = BatchNorm2D(width)
        downsample = stride != 1 || inputChannels != width
            ? Sequential([try Conv2D(inputChannels, width, kernelSize: 1, stride: Size2D(stride, stride), bias: false, generator: &generator),
                          BatchNorm2D(width)])
            : nil
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let hidden = try convolutionThenNorm(input, conv: conv1, norm: bn1, relu: relu)
        let main = try convolutionThenNorm(hidden, conv: conv2, norm: bn2, relu: nil)
        return try residualSum(main, try downsample?(input) ?? input, relu: relu)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try conv2.outputShape(forInput: try conv1.outputShape(forInput: shape))
    }
}

/// The bottleneck block of ResNet-50 (torchvision's `Bottleneck`, stride on the 3×3 convolution):
/// 1×1 reduce, 3×3, 1×1 expand by 4, with batch norm, and a projection when the shape changes.
public final class Bottleneck: Module, UnaryLayer {
    /// Output channels per unit of width.
    public static let expansion = 4
    /// 1×1 reduction.
    @Child public var conv1: any UnaryLayer
    /// Batch norm after `conv1`.
    @Child public var bn1: any UnaryLayer
    /// 3×3, carries the stride.
    @Child public var conv2: any UnaryLayer
    /// Batch norm after `conv2`.
    @Child public var bn2: any UnaryLayer
    /// 1×1 expansion.
    @Child public var conv3: any UnaryLayer
    /// Batch norm after `conv3`.
    @Child public var bn3: any UnaryLayer
    /// The ReLU after `bn1`, `bn2` and the sum, a child as in torchvision.
    @Child public var relu: any UnaryLayer = ReLU()
    /// The shortcut's projection, when needed.
    @Child public var downsample: (any UnaryLayer)?

    /// Creates the block.
    public init(_ inputChannels: Int, _ width: Int, stride: Int, generator: inout RandomGenerator) throws {
        let output = width * Bottleneck.expansion
        conv1 = try Conv2D(inputChannels, width, kernelSize: 1, bias: false, weightInitializer: .kaimingNormal(), generator: &generator)
        bn1 = BatchNorm2D(width)
        conv2 = try Conv2D(width, width, kernelSize: 3, stride: Size2D(stride, stride), padding: 1, bias: false,
                           weightInitializer: .kaimingNormal(), generator: &generator)
        bn2 = BatchNorm2D(width)
        conv3 = try Conv2D(width, output, kernelSize: 1, bias: false, weightInitializer: .kaimingNormal(), generator: &generator)
        bn3 = BatchNorm2D(output)
        downsample = stride != 1 || inputChannels != output
            ? Sequential([try Conv2D(inputChannels, output, kernelSize: 1, stride: Size2D(stride, stride), bias: false, generator: &generator),
                          BatchNorm2D(output)])
            : nil
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        var x = try convolutionThenNorm(input, conv: conv1, norm: bn1, relu: relu)
        x = try convolutionThenNorm(x, conv: conv2, norm: bn2, relu: relu)
        x = try convolutionThenNorm(x, conv: conv3, norm: bn3, relu: nil)
        return try residualSum(x, try downsample?(input) ?? input, relu: relu)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try conv3.outputShape(forInput: try conv2.outputShape(forInput: try conv1.outputShape(forInput: shape)))
    }
}

/// ResNet (He et al.) with torchvision's layer order and parameter names (`conv1`, `bn1`,
/// `layer1.0.conv1`, `layer2.0.downsample.0`, `fc`), so a torchvision `state_dict` loads strictly.
/// Input `[N, 3, H, W]`; output logits `[N, classCount]`.
public final class ResNet: Module, UnaryLayer {
    /// 7×7, stride 2, 64 filters.
    @Child public var conv1: any UnaryLayer
    /// Batch norm after the stem.
    @Child public var bn1: any UnaryLayer
    /// The ReLU after `bn1` (and after the sum, in a block), a child as in torchvision.
    @Child public var relu: any UnaryLayer = ReLU()
    /// 3×3, stride 2 max pooling.
    @Child public var maxpool: any UnaryLayer
    /// Stages of blocks at widths 64, 128, 256, 512.
    public let layer1: Sequential
    public let layer2: Sequential
    public let layer3: Sequential
    public let layer4: Sequential
    /// Global average pooling.
    @Child public var avgpool: any UnaryLayer
    /// The classifier. Assign a new `Linear` to replace the head (transfer learning).
    @Child public var fc: any UnaryLayer

    /// Builds a ResNet from its block type and stage depths (`[2, 2, 2, 2]` is ResNet-18).
    public init(bottleneck: Bool, depths: [Int], classCount: Int, generator: inout RandomGenerator) throws {
        guard depths.count == 4, depths.allSatisfy({ $0 > 0 }), classCount > 0 else {
            throw DendriteError.invalidArgument(operation: "ResNet", argument: "depths \(depths), classCount \(classCount)",
                                                reason: "needs four positive stage depths and at least one class")
        }
        conv1 = try Conv2D(3, 64, kernelSize: 7, stride: 2, padding: 3, bias: false, weightInitializer: .kaimingNormal(), generator: &generator)
        bn1 = BatchNorm2D(64)
        maxpool = MaxPool2D(kernelSize: 3, stride: 2, padding: 1)
        let expansion = bottleneck ? Bottleneck.expansion : BasicBlock.expansion
        var channels = 64
        var stages: [Sequential] = []
        for (index, (width, depth)) in zip([64, 128, 256, 512], depths).enumerated() {
            var blocks: [any UnaryLayer] = []
            for position in 0..<depth {
                let stride = position == 0 && index > 0 ? 2 : 1
                blocks.append(bottleneck ? try Bottleneck(channels, width, stride: stride, generator: &generator)
                                         : try BasicBlock(channels, width, stride: stride, generator: &generator))
                channels = width * expansion
            }
            stages.append(Sequential(blocks))
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3])
        avgpool = AdaptiveAvgPool2D(outputSize: 1)
        fc = try Linear(512 * expansion, classCount, generator: &generator)
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        var x = try maxpool(try convolutionThenNorm(input, conv: conv1, norm: bn1, relu: relu))
        for stage in [layer1, layer2, layer3, layer4] { x = try stage(x) }
        return try fc(try avgpool(x).flattenedBatch())
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        var x = try maxpool.outputShape(forInput: try conv1.outputShape(forInput: shape))
        for stage in [layer1, layer2, layer3, layer4] { x = try stage.outputShape(forInput: x) }
        return try fc.outputShape(forInput: [x[0]])
    }
}
