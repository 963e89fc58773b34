/// Predefined architectures with torchvision's parameter names and layer order.
///
/// Every constructor takes an optional safetensors file of weights (for example written by
/// `safetensors.torch.save_file(torchvision.models.resnet18(weights=…).state_dict(), path)`),
/// loaded strictly; when weights are given, the random initialization is skipped.
public enum Models {
    /// The architecture names accepted by ``Models/named(_:classCount:weights:seed:)`` (and the CLI).
    public static let names = ["lenet5", "alexnet", "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn",
                               "vgg19_bn", "googlenet", "resnet18", "resnet34", "resnet50"]

    /// Builds an architecture by name (`"resnet18"`, `"vgg16_bn"`…), optionally loading weights.
    public static func named(_ name: String, classCount: Int? = nil, weights: String? = nil, seed: UInt64 = 0) throws -> any UnaryLayer {
        var generator = RandomGenerator(seed: seed)
        let initializer: Initializer? = weights == nil ? nil : .zeros
        let classes = classCount ?? (name == "lenet5" ? 10 : 1000)
        let model: any UnaryLayer
        switch name.lowercased() {
        case "lenet5": model = try LeNet5(classCount: classes, generator: &generator)
        case "alexnet": model = try ConvolutionalClassifier.alexNet(classCount: classes, initializer: initializer, generator: &generator)
        case "googlenet": model = try GoogLeNet(classCount: classes, generator: &generator)
        case let resnet where resNetStages[resnet] != nil:
            let (bottleneck, depths) = resNetStages[resnet]!
            model = try ResNet(bottleneck: bottleneck, depths: depths, classCount: classes, generator: &generator)
        case let vgg where vgg.hasPrefix("vgg"):
            let batchNorm = vgg.hasSuffix("_bn")
            guard let depth = Int(vgg.dropFirst(3).prefix(while: \.isNumber)) else { fallthrough }
            model = try ConvolutionalClassifier.vgg(depth: depth, batchNorm: batchNorm, classCount: classes, initializer: initializer,
                                                    generator: &generator)
        default:
            throw DendriteError.invalidArgument(operation: "Models", argument: "architecture \"\(name)\"",
                                                reason: "known: \(names.joined(separator: ", "))")
        }
        if let weights { try model.load(from: weights) }
        return model
    }

    /// LeNet-5 (61,706 parameters for 10 classes).
    public static func lenet5(classCount: Int = 10, seed: UInt64 = 0) throws -> LeNet5 {
        var generator = RandomGenerator(seed: seed)
        return try LeNet5(classCount: classCount, generator: &generator)
    }

    /// AlexNet (61,100,840 parameters for 1000 classes).
    public static func alexnet(classCount: Int = 1000, weights: String? = nil) throws -> any UnaryLayer {
        try named("alexnet", classCount: classCount, weights: weights)
    }

    /// VGG-11/13/16/19 (VGG-16: 138,357,544 parameters for 1000 classes), optionally with batch norm.
    public static func vgg(_ depth: Int, batchNorm: Bool = false, classCount: Int = 1000, weights: String? = nil) throws -> any UnaryLayer {
        try named("vgg\(depth)\(batchNorm ? "_bn" : "")", classCount: classCount, weights: weights)
    }

    /// GoogLeNet (Inception v1 without auxiliary heads: 6,624,904 parameters for 1000 classes).
    ///
    /// torchvision's pretrained GoogLeNet re-normalizes its input (`transform_input=True`); pass
    /// `transformInput: true` with those weights.
    public static func googlenet(classCount: Int = 1000, weights: String? = nil, transformInput: Bool = false,
                                 seed: UInt64 = 0) throws -> GoogLeNet {
        var generator = RandomGenerator(seed: seed)
        let model = try GoogLeNet(classCount: classCount, transformInput: transformInput, generator: &generator)
        if let weights { try model.load(from: weights) }
        return model
    }

    /// ResNet-18 (11,689,512 parameters for 1000 classes).
    public static func resnet18(classCount: Int = 1000, weights: String? = nil, seed: UInt64 = 0) throws -> ResNet {
        try resnet("resnet18", classCount: classCount, weights: weights, seed: seed)
    }

    /// ResNet-34 (21,797,672 parameters for 1000 classes).
    public static func resnet34(classCount: Int = 1000, weights: String? = nil, seed: UInt64 = 0) throws -> ResNet {
        try resnet("resnet34", classCount: classCount, weights: weights, seed: seed)
    }

    /// ResNet-50 (25,557,032 parameters for 1000 classes).
    public static func resnet50(classCount: Int = 1000, weights: String? = nil, seed: UInt64 = 0) throws -> ResNet {
        try resnet("resnet50", classCount: classCount, weights: weights, seed: seed)
    }

    /// The ResNets' stage depths (torchvision's table): whether blocks are bottlenecks, and how
    /// many blocks each of the four stages has.
    static let resNetStages: [String: (bottleneck: Bool, depths: [Int])] = [
        "resnet18": (false, [2, 2, 2, 2]), "resnet34": (false, [3, 4, 6, 3]), "resnet50": (true, [3, 4, 6, 3]),
    ]

    private static func resnet(_ name: String, classCount: Int, weights: String?, seed: UInt64) throws -> ResNet {
        var generator = RandomGenerator(seed: seed)
        let (bottleneck, depths) = resNetStages[name]!
        let model = try ResNet(bottleneck: bottleneck, depths: depths, classCount: classCount, generator: &generator)
        if let weights { try model.load(from: weights) }
        return model
    }
}
