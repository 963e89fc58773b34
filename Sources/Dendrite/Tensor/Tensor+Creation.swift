extension Tensor {
    /// A tensor of `shape` filled with zeros.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a negative size.
    public static func zeros(_ shape: [Int]) throws -> Tensor { try full(shape, 0) }

    /// A tensor of `shape` filled with ones.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a negative size.
    public static func ones(_ shape: [Int]) throws -> Tensor { try full(shape, 1) }

    /// A tensor of `shape` filled with `value`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a negative size.
    public static func full(_ shape: [Int], _ value: Float) throws -> Tensor {
        try validate(shape: shape, operation: "Tensor.full")
        return filled(shape, value)
    }

    /// A tensor of a shape known to be valid (derived from existing tensors or checked sizes),
    /// filled with `value`: the library's own constructor.
    static func filled(_ shape: [Int], _ value: Float) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor.filled: negative size in \(shape)")
        return Tensor(shape: shape, storage: TensorStorage(count: elementCount(of: shape), repeating: value))
    }

    /// A tensor of zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { filled(other.shape, 0) }

    /// Values `start, start + step, …` up to but excluding `end`, like `numpy.arange`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when `step` is 0
    ///   or not finite.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw DendriteError.invalidArgument(operation: "arange", argument: "step",
                                                reason: "must be finite and non-zero, got \(step)")
        }
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<n).map { start + Float($0) * step })
    }

    /// The `n × n` identity matrix.
    public static func identity(_ n: Int) -> Tensor {
        let size = Swift.max(n, 0), result = filled([size, size], 0)
        for i in 0..<size { result.storage[i * size + i] = 1 }
        return result
    }

    /// Uniform samples in `[low, high)` from `generator`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               generator: inout RandomGenerator) -> Tensor {
        let n = elementCount(of: shape.map { Swift.max($0, 0) })
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = low + (high - low) * generator.nextUniform() }
        return Tensor(shape: shape.map { Swift.max($0, 0) }, storage: TensorStorage(values))
    }

    /// Normal samples with `mean` and standard deviation `standardDeviation` from `generator`.
    public static func normal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                              generator: inout RandomGenerator) -> Tensor {
        let n = elementCount(of: shape.map { Swift.max($0, 0) })
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = mean + standardDeviation * generator.nextNormal() }
        return Tensor(shape: shape.map { Swift.max($0, 0) }, storage: TensorStorage(values))
    }
}
