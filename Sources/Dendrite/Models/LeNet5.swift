/// LeNet-5 in its classic form: 6 and 16 filters of 5×5 with tanh and average pooling, then
/// 120, 84 and 10 units — 61,706 parameters on `1×32×32`.
public final class LeNet5: Module, UnaryLayer {
    /// 1 → 6, 5×5.
    @Child public var conv1: any UnaryLayer
    /// 6 → 16, 5×5.
    @Child public var conv2: any UnaryLayer
    /// 400 → 120.
    @Child public var fc1: any UnaryLayer
    /// 120 → 84.
    @Child public var fc2: any UnaryLayer
    /// 84 → classes.
    @Child public var fc3: any UnaryLayer
    let pool = AvgPool2D(kernelSize: 2)

    /// Creates the network.
    public init(classCount: Int = 10, generator: inout RandomGenerator) throws {
        conv1 = try Conv2D(1, 6, kernelSize: 5, generator: &generator)
        conv2 = try Conv2D(6, 16, kernelSize: 5, generator: &generator)
        fc1 = try Linear(400, 120, generator: &generator)
        fc2 = try Linear(120, 84, generator: &generator)
        fc3 = try Linear(84, classCount, generator: &generator)
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let features = try pool(try conv2(try pool(try conv1(input).tanh())).tanh())
        return try fc3(try fc2(try fc1(features.flattenedBatch()).tanh()).tanh())
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        let features = try pool.outputShape(forInput: try conv2.outputShape(forInput: try pool.outputShape(forInput: try conv1.outputShape(forInput: shape))))
        return try fc3.outputShape(forInput: try fc2.outputShape(forInput: try fc1.outputShape(forInput: [features.reduce(1, *)])))
    }
}
