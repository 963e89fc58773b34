/// Predefined architectures with torchvision's parameter names.
public enum Models {
    /// LeNet-5 (61,706 parameters for 10 classes).
    public static func lenet5(classCount: Int = 10, seed: UInt64 = 0) throws -> LeNet5 {
        var generator = RandomGenerator(seed: seed)
        return try LeNet5(classCount: classCount, generator: &generator)
    }

    /// ResNet-18 (11,689,512 parameters for 1000 classes).
    public static func resnet18(classCount: Int = 1000, seed: UInt64 = 0) throws -> ResNet {
        var generator = RandomGenerator(seed: seed)
        return try ResNet(bottleneck: false, depths: [2, 2, 2, 2], classCount: classCount, generator: &generator)
    }

    /// ResNet-34 (21,797,672 parameters for 1000 classes).
    public static func resnet34(classCount: Int = 1000, seed: UInt64 = 0) throws -> ResNet {
        var generator = RandomGenerator(seed: seed)
        return try ResNet(bottleneck: false, depths: [3, 4, 6, 3], classCount: classCount, generator: &generator)
    }

    /// ResNet-50 (25,557,032 parameters for 1000 classes).
    public static func resnet50(classCount: Int = 1000, seed: UInt64 = 0) throws -> ResNet {
        var generator = RandomGenerator(seed: seed)
        return try ResNet(bottleneck: true, depths: [3, 4, 6, 3], classCount: classCount, generator: &generator)
    }
}
