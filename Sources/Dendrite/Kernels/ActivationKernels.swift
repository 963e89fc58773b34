import CDendrite

// Activations whose libm calls kept them scalar, as vectorized C kernels.

enum ActivationKernels {
    /// The exact GELU `x·Φ(x)` of every element and, when `slope`, its derivative `Φ(x) + x·φ(x)`
    /// (kept for the backward pass, which is then one multiplication).
    static func gelu(_ x: Tensor, slope: Bool) -> (output: Tensor, slope: Tensor?) {
        let n = x.count
        let output = TensorStorage(uninitializedCount: n)
        guard slope else {
            inParallel(n) { start, count in dd_gelu(x.storage.base + start, output.base + start, count) }
            return (Tensor(shape: x.shape, storage: output), nil)
        }
        let derivative = TensorStorage(uninitializedCount: n)
        inParallel(n) { start, count in
            dd_gelu_with_slope(x.storage.base + start, output.base + start, derivative.base + start, count)
        }
        return (Tensor(shape: x.shape, storage: output), Tensor(shape: x.shape, storage: derivative))
    }
}
