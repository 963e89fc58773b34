/// Flattens every axis after the batch axis: `[N, C, H, W]` → `[N, C·H·W]` (`nn.Flatten`).
public final class Flatten: Module, UnaryLayer {
    /// Creates the layer.
    public override init() { super.init() }

    public func forward(_ input: Tensor) throws -> Tensor { input.flattenedBatch() }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard let count = Tensor.checkedElementCount(of: shape) else {
            throw DendriteError.shapeMismatch(operation: "Flatten", expected: "a shape whose element count fits in an Int", got: "\(shape)")
        }
        return [count]
    }
}

/// Returns its input unchanged (`nn.Identity`).
public final class Identity: Module, UnaryLayer {
    /// Creates the layer.
    public override init() { super.init() }

    public func forward(_ input: Tensor) throws -> Tensor { input }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}
