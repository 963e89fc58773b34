/// Flattens every axis after the batch axis: `[N, C, H, W]` → `[N, C·H·W]` (`nn.Flatten`).
public final class Flatten: Module {
    /// Creates the layer.
    public override init() { super.init() }

    public override var typeName: String { "Flatten" }

    public override func forward(_ input: Tensor) throws -> Tensor { input.flattenedBatch() }

    public override func outputShape(forInput shape: [Int]) throws -> [Int] { [shape.reduce(1, *)] }
}

/// Returns its input unchanged (`nn.Identity`).
public final class Identity: Module {
    /// Creates the layer.
    public override init() { super.init() }

    public override var typeName: String { "Identity" }

    public override func forward(_ input: Tensor) throws -> Tensor { input }
}
