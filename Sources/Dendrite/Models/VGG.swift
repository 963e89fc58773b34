/// AlexNet and VGG (torchvision's `features` / `avgpool` / `classifier` layout and names, e.g.
/// `features.0.weight`, `classifier.6.bias`), so torchvision weights load strictly.
public final class ConvolutionalClassifier: Module, UnaryLayer {
    /// Convolutions, activations and pooling (`features.N`).
    public let features: Sequential
    /// Adaptive average pooling to a fixed grid.
    @Child public var avgpool: any UnaryLayer
    /// The dense head (`classifier.N`).
    public let classifier: Sequential
    let name: String

    init(name: String, features: [any UnaryLayer], pooledSize: Int, classifier: [any UnaryLayer]) {
        self.name = name
        self.features = Sequential(features)
        avgpool = AdaptiveAvgPool2D(outputSize: Size2D(pooledSize, pooledSize))
        self.classifier = Sequential(classifier)
        super.init()
    }

    public override var typeName: String { name }

    public func forward(_ input: Tensor) throws -> Tensor {
        try classifier(try avgpool(try features(input)).flattenedBatch())
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        let pooled = try avgpool.outputShape(forInput: try features.outputShape(forInput: shape))
        return try classifier.outputShape(forInput: [pooled.reduce(1, *)])
    }

    /// AlexNet as in torchvision (61,100,840 parameters for 1000 classes).
    static func alexNet(classCount: Int, initializer: Initializer?, generator: inout RandomGenerator) throws -> ConvolutionalClassifier {
        func conv(_ input: Int, _ output: Int, _ kernel: Int, stride: Int = 1, padding: Int) throws -> Conv2D {
            try Conv2D(input, output, kernelSize: Size2D(kernel, kernel), stride: Size2D(stride, stride), padding: .explicit(height: padding, width: padding),
                       weightInitializer: initializer, generator: &generator)
        }
        let features: [any UnaryLayer] = [
            try conv(3, 64, 11, stride: 4, padding: 2), ReLU(), MaxPool2D(kernelSize: 3, stride: 2),
            try conv(64, 192, 5, padding: 2), ReLU(), MaxPool2D(kernelSize: 3, stride: 2),
            try conv(192, 384, 3, padding: 1), ReLU(), try conv(384, 256, 3, padding: 1), ReLU(),
            try conv(256, 256, 3, padding: 1), ReLU(), MaxPool2D(kernelSize: 3, stride: 2),
        ]
        let head: [any UnaryLayer] = [
            try Dropout(0.5), try Linear(256 * 36, 4096, weightInitializer: initializer, generator: &generator), ReLU(),
            try Dropout(0.5), try Linear(4096, 4096, weightInitializer: initializer, generator: &generator), ReLU(),
            try Linear(4096, classCount, weightInitializer: initializer, generator: &generator),
        ]
        return ConvolutionalClassifier(name: "AlexNet", features: features, pooledSize: 6, classifier: head)
    }

    /// VGG-11/13/16/19, with or without batch normalization, as in torchvision.
    static func vgg(depth: Int, batchNorm: Bool, classCount: Int, initializer: Initializer?,
                    generator: inout RandomGenerator) throws -> ConvolutionalClassifier {
        let perStage: [Int: [Int]] = [11: [1, 1, 2, 2, 2], 13: [2, 2, 2, 2, 2], 16: [2, 2, 3, 3, 3], 19: [2, 2, 4, 4, 4]]
        guard let counts = perStage[depth] else {
            throw DendriteError.invalidArgument(operation: "VGG", argument: "depth \(depth)", reason: "choose 11, 13, 16 or 19")
        }
        var features: [any UnaryLayer] = []
        var channels = 3
        for (stage, count) in counts.enumerated() {
            let width = [64, 128, 256, 512, 512][stage]
            for _ in 0..<count {
                features.append(try Conv2D(channels, width, kernelSize: 3, padding: 1, weightInitializer: initializer ?? .kaimingNormal(),
                                           generator: &generator))
                if batchNorm { features.append(BatchNorm2D(width)) }
                features.append(ReLU())
                channels = width
            }
            features.append(MaxPool2D(kernelSize: 2))
        }
        let dense = initializer ?? .normal(mean: 0, standardDeviation: 0.01)
        let head: [any UnaryLayer] = [
            try Linear(512 * 49, 4096, weightInitializer: dense, generator: &generator), ReLU(), try Dropout(0.5),
            try Linear(4096, 4096, weightInitializer: dense, generator: &generator), ReLU(), try Dropout(0.5),
            try Linear(4096, classCount, weightInitializer: dense, generator: &generator),
        ]
        return ConvolutionalClassifier(name: "VGG-\(depth)\(batchNorm ? "-BN" : "")", features: features, pooledSize: 7, classifier: head)
    }
}
