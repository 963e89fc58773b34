/// A module whose forward pass applies some of its children one after the other — a convolution
/// or linear layer straight into a batch norm — so ``Module/foldBatchNorm()`` may fold them.
/// ``Sequential`` finds its pairs itself (adjacent layers); the zoo's blocks list theirs.
public protocol BatchNormFoldable: Module {
    /// Child names `(producer, batch norm)` whose batch norm reads only the producer's output.
    var batchNormPairs: [(producer: String, norm: String)] { get }
}

extension BasicBlock: BatchNormFoldable {
    public var batchNormPairs: [(producer: String, norm: String)] { [("conv1", "bn1"), ("conv2", "bn2")] }
}

extension Bottleneck: BatchNormFoldable {
    public var batchNormPairs: [(producer: String, norm: String)] { [("conv1", "bn1"), ("conv2", "bn2"), ("conv3", "bn3")] }
}

extension ResNet: BatchNormFoldable {
    public var batchNormPairs: [(producer: String, norm: String)] { [("conv1", "bn1")] }
}

extension BasicConv2d: BatchNormFoldable {
    public var batchNormPairs: [(producer: String, norm: String)] { [("conv", "bn")] }
}

extension Module {
    /// Folds every batch norm that directly follows a convolution or linear layer into it, for
    /// inference (PyTorch's `fuse_conv_bn_eval`): with `s = γ / √(σ² + ε)` per channel the layer
    /// becomes `W′ = W·s`, `b′ = (b − μ)·s + β` (a bias is added where there was none) and the
    /// batch norm an ``Identity``. The running statistics are used, so the model computes what it
    /// computed in eval mode; put it in eval mode (``Module/eval()``) first.
    ///
    /// Pairs come from ``Sequential`` (a layer followed by a batch norm) and from
    /// ``BatchNormFoldable`` modules (ResNet's blocks, GoogLeNet's `BasicConv2d`).
    ///
    /// - Returns: the number of batch norms folded.
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` in training mode.
    @discardableResult
    public func foldBatchNorm() throws -> Int {
        guard !isTraining else {
            throw DendriteError.invalidArgument(operation: "foldBatchNorm", argument: typeName,
                                                reason: "is in training mode; call eval() first (folding uses the running statistics)")
        }
        var folded = 0
        for (_, child) in namedChildren { folded += try child.foldBatchNorm() }
        var pairs: [(String, String)] = []
        if let sequential = self as? Sequential {
            for index in sequential.layers.indices.dropLast() where sequential.layers[index + 1] is BatchNorm {
                pairs.append(("\(index)", "\(index + 1)"))
            }
        } else if let foldable = self as? BatchNormFoldable {
            pairs = foldable.batchNormPairs.map { ($0.producer, $0.norm) }
        }
        let children = Dictionary(namedChildren, uniquingKeysWith: { first, _ in first })
        for (producerName, normName) in pairs {
            guard let norm = children[normName] as? BatchNorm, let producer = children[producerName],
                  let fused = try Self.folded(producer, norm) else { continue }
            try replaceChild(named: producerName, with: fused)
            try replaceChild(named: normName, with: Identity())
            folded += 1
        }
        return folded
    }

    /// The producer with `norm` folded in, or `nil` when it is not a Conv2D or Linear whose
    /// output channels are the norm's features.
    private static func folded(_ producer: Module, _ norm: BatchNorm) throws -> Module? {
        let channels = norm.featureCount
        let variance = norm.runningVar.value.scalars, mean = norm.runningMean.value.scalars
        let gamma = norm.weight?.value.scalars ?? [Float](repeating: 1, count: channels)
        let beta = norm.bias?.value.scalars ?? [Float](repeating: 0, count: channels)
        let scale = (0..<channels).map { gamma[$0] / (variance[$0] + norm.epsilon).squareRoot() }
        func foldedBias(_ bias: Parameter?) -> [Float] {
            let b = bias?.value.scalars ?? [Float](repeating: 0, count: channels)
            return (0..<channels).map { (b[$0] - mean[$0]) * scale[$0] + beta[$0] }
        }
        func scaledRows(_ weight: Tensor) throws -> Tensor {
            let perRow = weight.count / channels
            let w = weight.scalars
            return try Tensor(shape: weight.shape, scalars: (0..<weight.count).map { w[$0] * scale[$0 / perRow] })
        }
        var generator = RandomGenerator(seed: 0)
        if let conv = producer as? Conv2D, conv.outputChannels == channels {
            let fused = try Conv2D(conv.inputChannels, conv.outputChannels, kernelSize: conv.kernelSize, stride: conv.stride,
                                   padding: .explicit(height: conv.padding.height, width: conv.padding.width), dilation: conv.dilation,
                                   groups: conv.groups, bias: true, generator: &generator)
            fused.weight.value = try scaledRows(conv.weight.value)
            fused.bias!.value = try Tensor(foldedBias(conv.bias))
            fused.eval()
            return fused
        }
        if let linear = producer as? Linear, linear.outputFeatures == channels {
            let fused = try Linear(linear.inputFeatures, linear.outputFeatures, bias: true, generator: &generator)
            fused.weight.value = try scaledRows(linear.weight.value)
            fused.bias!.value = try Tensor(foldedBias(linear.bias))
            fused.eval()
            return fused
        }
        return nil
    }
}
