extension ParameterArena {
    /// Calls `body` with the gradient buffer itself, for a reduction in place across processes
    /// (`DendriteDistributed`): parameters' arena gradients are views of it, so they see what
    /// `body` writes. `body` must not keep the pointer.
    package func withUnsafeMutableGradients<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: gradients.base, count: count))
    }
}
