// Bulk random draws straight into tensor storage.

enum RandomKernels {
    /// An inverted-dropout mask: each element is `scale` with probability `keep`, else 0.
    ///
    /// Each 64-bit draw gives two elements (its top and its next 24 bits as uniforms in [0, 1)),
    /// written straight into the buffer from a local copy of the generator: the per-element
    /// closure and class-property access the mask was built with cost more than the whole
    /// layer's arithmetic.
    static func dropoutMask(shape: [Int], keep: Float, scale: Float, generator: inout RandomGenerator) -> Tensor {
        let count = Tensor.elementCount(of: shape)
        let storage = TensorStorage(uninitializedCount: count)
        let mask = storage.base
        var local = generator
        let unit: Float = 1.0 / 16_777_216.0
        var i = 0
        while i + 1 < count {
            let bits = local.next()
            mask[i] = Float(bits >> 40) * unit < keep ? scale : 0
            mask[i + 1] = Float((bits >> 16) & 0xFF_FFFF) * unit < keep ? scale : 0
            i += 2
        }
        if i < count { mask[i] = local.nextUniform() < keep ? scale : 0 }
        generator = local
        return Tensor(shape: shape, storage: storage)
    }
}
