import Dendrite

// The zoo's models and blocks: the same computation as their `forward`, as ONNX nodes.

extension ONNXGraph {
    /// `relu(x)` exported as the child `relu`, unless `producer` is a convolution that already applies it.
    func reluUnlessFused(_ x: ONNXValue, after producer: any UnaryLayer, relu: any UnaryLayer) throws -> ONNXValue {
        (producer as? Conv2D)?.fusedReLU == true ? x : try export(relu, named: "relu", x)
    }

    /// `Flatten` from axis 1: `[N, …] → [N, F]`.
    func flattened(_ x: ONNXValue) -> ONNXValue {
        ONNXValue(name: apply("Flatten", x.name, attributes: [.int("axis", 1)]), shape: [x.shape.reduce(1, *)])
    }

    /// conv → norm → ReLU (left out when the convolution applies it), the children named as in the block.
    func convNormReLU(_ x: ONNXValue, conv: (String, any UnaryLayer), norm: (String, any UnaryLayer),
                      relu: any UnaryLayer) throws -> ONNXValue {
        try reluUnlessFused(try export(norm.1, named: norm.0, try export(conv.1, named: conv.0, x)), after: conv.1, relu: relu)
    }

    /// A residual block's end: `relu(x + downsample(input))`, or `relu(x + input)` without a downsample.
    func residualReLU(_ x: ONNXValue, input: ONNXValue, downsample: (any UnaryLayer)?, relu: any UnaryLayer) throws -> ONNXValue {
        let skip = try downsample.map { try export($0, named: "downsample", input) } ?? input
        return try export(relu, named: "relu", sum(x, skip))
    }

    /// `a + b` for values of one shape.
    func sum(_ a: ONNXValue, _ b: ONNXValue) -> ONNXValue { ONNXValue(name: apply("Add", a.name, b.name), shape: a.shape) }
}

extension BasicBlock: ONNXExportable {
    /// conv–bn–relu–conv–bn, plus the (downsampled) input, then ReLU.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let x = try graph.convNormReLU(input, conv: ("conv1", conv1), norm: ("bn1", bn1), relu: relu)
        let main = try graph.export(bn2, named: "bn2", try graph.export(conv2, named: "conv2", x))
        return try graph.residualReLU(main, input: input, downsample: downsample, relu: relu).name
    }
}

extension Bottleneck: ONNXExportable {
    /// 1×1, 3×3, 1×1 convolutions with batch norms, plus the (downsampled) input, then ReLU.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        var x = try graph.convNormReLU(input, conv: ("conv1", conv1), norm: ("bn1", bn1), relu: relu)
        x = try graph.convNormReLU(x, conv: ("conv2", conv2), norm: ("bn2", bn2), relu: relu)
        x = try graph.export(bn3, named: "bn3", try graph.export(conv3, named: "conv3", x))
        return try graph.residualReLU(x, input: input, downsample: downsample, relu: relu).name
    }
}

extension ResNet: ONNXExportable {
    /// The stem, the four stages, global pooling and the classifier.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        var x = try graph.convNormReLU(input, conv: ("conv1", conv1), norm: ("bn1", bn1), relu: relu)
        x = try graph.export(maxpool, named: "maxpool", x)
        for (name, stage) in [("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("layer4", layer4)] {
            x = try graph.export(stage, named: name, x)
        }
        x = graph.flattened(try graph.export(avgpool, named: "avgpool", x))
        return try graph.export(fc, named: "fc", x).name
    }
}

extension LeNet5: ONNXExportable {
    /// conv–tanh–avgpool twice, then three dense layers with tanh between.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let pool: [ONNXAttribute] = [.ints("kernel_shape", [2, 2]), .ints("strides", [2, 2])]
        func tanhPool(_ x: ONNXValue) -> ONNXValue {
            ONNXValue(name: graph.apply("AveragePool", graph.apply("Tanh", x.name), attributes: pool),
                      shape: [x.shape[0], x.shape[1] / 2, x.shape[2] / 2])
        }
        var x = tanhPool(try graph.export(conv1, named: "conv1", input))
        x = graph.flattened(tanhPool(try graph.export(conv2, named: "conv2", x)))
        x = try graph.export(fc1, named: "fc1", x)
        x = try graph.export(fc2, named: "fc2", ONNXValue(name: graph.apply("Tanh", x.name), shape: x.shape))
        return try graph.export(fc3, named: "fc3", ONNXValue(name: graph.apply("Tanh", x.name), shape: x.shape)).name
    }
}

extension ConvolutionalClassifier: ONNXExportable {
    /// AlexNet and VGG: features, adaptive pooling, flatten, classifier.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let features = try graph.export(self.features, named: "features", input)
        let pooled = graph.flattened(try graph.export(avgpool, named: "avgpool", features))
        return try graph.export(classifier, named: "classifier", pooled).name
    }
}

extension BasicConv2d: ONNXExportable {
    /// conv–bn–ReLU (the ReLU left out when the convolution applies it).
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let normalized = try graph.export(bn, named: "bn", try graph.export(conv, named: "conv", input))
        return (conv as? Conv2D)?.fusedReLU == true ? normalized.name : graph.apply("Relu", normalized.name)
    }
}

extension Inception: ONNXExportable {
    /// The four branches concatenated along the channels.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let branches = [try graph.export(branch1, named: "branch1", input), try graph.export(branch2, named: "branch2", input),
                        try graph.export(branch3, named: "branch3", input), try graph.export(branch4, named: "branch4", input)]
        return graph.node("Concat", branches.map(\.name), attributes: [.int("axis", 1)])[0]
    }
}

extension GoogLeNet: ONNXExportable {
    /// The optional input transform, the stem, the inception stages, pooling and the classifier.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        var x = input
        if transformInput {
            let scale = graph.constant(floats: [0.229 / 0.5, 0.224 / 0.5, 0.225 / 0.5], shape: [1, 3, 1, 1], named: "input_scale")
            let shift = graph.constant(floats: [(0.485 - 0.5) / 0.5, (0.456 - 0.5) / 0.5, (0.406 - 0.5) / 0.5], shape: [1, 3, 1, 1],
                                       named: "input_shift")
            x = ONNXValue(name: graph.apply("Add", graph.apply("Mul", x.name, scale), shift), shape: x.shape)
        }
        let stages: [(String, any UnaryLayer)] = [
            ("conv1", conv1), ("maxpool1", maxpool1), ("conv2", conv2), ("conv3", conv3), ("maxpool2", maxpool2),
            ("inception3a", inception3a), ("inception3b", inception3b), ("maxpool3", maxpool3), ("inception4a", inception4a),
            ("inception4b", inception4b), ("inception4c", inception4c), ("inception4d", inception4d), ("inception4e", inception4e),
            ("maxpool4", maxpool4), ("inception5a", inception5a), ("inception5b", inception5b), ("avgpool", avgpool),
        ]
        for (name, layer) in stages { x = try graph.export(layer, named: name, x) }
        x = try graph.export(dropout, named: "dropout", graph.flattened(x))
        return try graph.export(fc, named: "fc", x).name
    }
}
