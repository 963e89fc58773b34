/// Applies an affine map `y = x·Wᵀ + b` (PyTorch's `nn.Linear`, Keras' `Dense`).
///
/// - `weight`: `[outputFeatures, inputFeatures]`, initialized `U(±1/√inputFeatures)`
/// - `bias`: `[outputFeatures]`, same distribution
///
/// Input `[N, inputFeatures]` (or `[N, …, inputFeatures]`), output `[N, outputFeatures]`.
public final class Linear: Module, UnaryLayer {
    /// `[outputFeatures, inputFeatures]`.
    public let weight: Parameter
    /// `[outputFeatures]`, or `nil` without bias.
    public let bias: Parameter?
    /// Input size.
    public let inputFeatures: Int
    /// Output size.
    public let outputFeatures: Int

    /// Creates the layer with PyTorch's default initialization, or `weightInitializer`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` naming the layer
    ///   when a size is below 1 or the initializer cannot fill the weight.
    public init(_ inputFeatures: Int, _ outputFeatures: Int, bias: Bool = true,
                weightInitializer: Initializer? = nil, generator: inout RandomGenerator) throws {
        guard inputFeatures >= 1, outputFeatures >= 1 else {
            throw DendriteError.invalidArgument(operation: "Linear(\(inputFeatures), \(outputFeatures))",
                                                argument: "features", reason: "input and output sizes must be ≥ 1")
        }
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        let initializer = weightInitializer ?? .pytorchDefault(fanIn: inputFeatures)
        weight = Parameter(try initializer.make([outputFeatures, inputFeatures], generator: &generator))
        self.bias = bias ? Parameter(try Initializer.pytorchDefault(fanIn: inputFeatures).make([outputFeatures], generator: &generator)) : nil
        super.init()
    }

    /// Creates the layer drawing from ``RandomGenerator/global``.
    ///
    /// - Throws: as ``init(_:_:bias:weightInitializer:generator:)``.
    public convenience init(_ inputFeatures: Int, _ outputFeatures: Int, bias: Bool = true) throws {
        try self.init(inputFeatures, outputFeatures, bias: bias, generator: &RandomGenerator.global)
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        try linear(input, weight: weight.tensor, bias: bias?.tensor, operation: "Linear(\(inputFeatures), \(outputFeatures))")
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard let last = shape.last, last == inputFeatures else {
            throw DendriteError.shapeMismatch(operation: "Linear(\(inputFeatures), \(outputFeatures))",
                                              expected: "input [..., \(inputFeatures)]", got: "\(shape)")
        }
        return shape.dropLast() + [outputFeatures]
    }
}
