/// A module that maps one tensor to one tensor: the contract ``Sequential`` holds, `fit` trains
/// and the CLI runs.
///
/// Conformers implement ``forward(_:)`` and ``outputShape(forInput:)`` — there is no default
/// shape, so a layer cannot silently claim to keep its input's shape; `LayerShapeTests` checks
/// every layer's declared shape against its forward output. Call the layer as a function:
/// `try layer(x)`.
public protocol UnaryLayer: Module {
    /// The computation, `[N, …] → [N, …]`.
    func forward(_ input: Tensor) throws -> Tensor

    /// The per-sample output shape for a per-sample input shape (batch axis excluded), computed
    /// without touching data.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` naming the layer.
    func outputShape(forInput shape: [Int]) throws -> [Int]
}

extension UnaryLayer {
    /// Runs ``forward(_:)`` (observed by ``UnaryLayer/summary(input:)`` when it traces a model).
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard let tracer = ModuleCallTracer.current else { return try forward(input) }
        return try tracer.trace(self, input: input) { try forward(input) }
    }
}
