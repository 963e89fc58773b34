/// A lookup table of learned vectors (`nn.Embedding`): indices `[...]` → `[..., dimension]`.
/// `weight` is `[count, dimension]`, initialized `N(0, 1)` as PyTorch; the row at `paddingIndex`
/// is zero and gets no gradient.
public final class Embedding: Module, UnaryLayer {
    /// `[count, dimension]`.
    public let weight: Parameter
    /// Number of vectors (vocabulary size).
    public let count: Int
    /// Vector size.
    public let dimension: Int
    /// A row kept at zero, with no gradient.
    public let paddingIndex: Int?

    /// Creates the table.
    public init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil, generator: inout RandomGenerator) {
        self.count = count
        self.dimension = dimension
        self.paddingIndex = paddingIndex
        var table = Tensor.normal([count, dimension], generator: &generator)
        if let paddingIndex, paddingIndex >= 0 && paddingIndex < count {
            var values = table.scalars
            for c in 0..<dimension { values[paddingIndex * dimension + c] = 0 }
            table = (try? Tensor(shape: [count, dimension], scalars: values)) ?? table
        }
        weight = Parameter(table)
        super.init()
    }

    /// `input` holds indices as `Float` (any shape); the output appends the vector axis.
    public func forward(_ input: Tensor) throws -> Tensor {
        try embedding(input, weight: weight.tensor, paddingIndex: paddingIndex, operation: "Embedding(\(count), \(dimension))")
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape + [dimension] }
}

/// Embedding lookup as a function: rows of `weight` at the indices in `indices`.
///
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for an index outside the table.
public func embedding(_ indices: Tensor, weight: Tensor, paddingIndex: Int? = nil, operation: String = "embedding") throws -> Tensor {
    guard weight.rank == 2 else {
        throw DendriteError.shapeMismatch(operation: operation, expected: "weight [count, dimension]", got: "\(weight.shape)")
    }
    let (rows, width) = (weight.shape[0], weight.shape[1])
    let positions = try indices.scalars.enumerated().map { position, value -> Int in
        guard value.isFinite, value == value.rounded(), value >= 0, value < Float(rows) else {
            throw DendriteError.invalidArgument(operation: operation, argument: "index \(value) at position \(position)",
                                                reason: "must be an integer in 0..<\(rows)")
        }
        return Int(value)
    }
    let output = LayerNormKernels.gather(weight, indices: positions, width: width, shape: indices.shape + [width])
    return output.recorded(operation, [weight]) { g in
        [LayerNormKernels.scatterAdd(g, indices: positions, rows: rows, width: width, skip: paddingIndex)]
    }
}
