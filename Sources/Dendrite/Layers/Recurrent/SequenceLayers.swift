/// The last time step of a batch-first sequence: `[N, T, F]` → `[N, F]` — the summary a
/// classifier reads from a recurrent layer's output (`last` in a model spec).
///
/// With a bidirectional layer the reverse half of the last step has seen one step only; read the
/// final states (`h_n`) instead when that matters.
public final class LastStep: Module, UnaryLayer {
    /// Creates the layer.
    public override init() { super.init() }

    public func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank == 3, input.shape[1] >= 1 else {
            throw DendriteError.shapeMismatch(operation: "LastStep", expected: "a sequence [N, T, F]", got: "\(input.shape)")
        }
        return try input.slice(alongAxis: 1, (input.shape[1] - 1)..<input.shape[1]).reshaped(to: [input.shape[0], input.shape[2]])
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 2, shape[0] >= 1 else {
            throw DendriteError.shapeMismatch(operation: "LastStep", expected: "a sequence [T, F] per sample", got: "\(shape)")
        }
        return [shape[1]]
    }
}

/// Gives each sample a new shape with the same element count (Keras' `Reshape`): `[N, …]` →
/// `[N] + shape`. A model spec puts one before a recurrent layer to read `[1, 28, 28]` images
/// as 28 steps of 28 features.
public final class Reshape: Module, UnaryLayer {
    /// The per-sample output shape.
    public let shape: [Int]

    /// Creates the layer.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a size below 1.
    public init(_ shape: [Int]) throws {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }), Tensor.checkedElementCount(of: shape) != nil else {
            throw DendriteError.invalidArgument(operation: "Reshape", argument: "shape \(shape)", reason: "needs sizes ≥ 1")
        }
        self.shape = shape
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        guard input.rank >= 1 else {
            throw DendriteError.shapeMismatch(operation: "Reshape(\(shape))", expected: "[N, …]", got: "\(input.shape)")
        }
        return try input.reshaped(to: [input.shape[0]] + shape)
    }

    public func outputShape(forInput input: [Int]) throws -> [Int] {
        guard Tensor.checkedElementCount(of: input) == Tensor.checkedElementCount(of: shape) else {
            throw DendriteError.shapeMismatch(operation: "Reshape(\(shape))", expected: "\(Tensor.elementCount(of: shape)) elements per sample",
                                              got: "\(input)")
        }
        return shape
    }
}
