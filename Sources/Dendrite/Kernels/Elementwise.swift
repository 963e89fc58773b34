// Elementwise loops over contiguous storage. Each public-facing op passes a literal closure;
// `@inline(__always)` lets the optimizer specialize and vectorize the loop per op. Arrays of
// 2¹⁶ elements or more are split over the cores (`inParallel`).

enum ElementwiseKernels {
    /// `y[i] = f(x[i])`.
    @inline(__always)
    static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let out = TensorStorage(uninitializedCount: x.count)
        let src = x.storage.base, dst = out.base
        inParallel(x.count) { start, count in
            for i in start..<(start + count) { dst[i] = f(src[i]) }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    /// In place: `x[i] = f(x[i])`.
    @inline(__always)
    static func mapInPlace(_ x: inout Tensor, _ f: (Float) -> Float) {
        x.makeUnique()
        let p = x.storage.base
        for i in 0..<x.count { p[i] = f(p[i]) }
    }

    /// `out[i] = f(a[i'], b[i''])` with NumPy broadcasting to `shape`.
    @inline(__always)
    static func zip(_ a: Tensor, _ b: Tensor, shape: [Int], _ f: (Float, Float) -> Float) -> Tensor {
        let total = Tensor.elementCount(of: shape)
        let out = TensorStorage(uninitializedCount: total)
        let pa = a.storage.base, pb = b.storage.base, po = out.base
        if a.shape == shape && b.shape == shape {
            inParallel(total) { start, count in
                for i in start..<(start + count) { po[i] = f(pa[i], pb[i]) }
            }
        } else if b.count == 1 && a.shape == shape {
            let s = pb[0]
            inParallel(total) { start, count in
                for i in start..<(start + count) { po[i] = f(pa[i], s) }
            }
        } else if a.count == 1 && b.shape == shape {
            let s = pa[0]
            inParallel(total) { start, count in
                for i in start..<(start + count) { po[i] = f(s, pb[i]) }
            }
        } else if total > 0 {
            let sa = Broadcasting.strides(of: a.shape, in: shape)
            let sb = Broadcasting.strides(of: b.shape, in: shape)
            let rank = shape.count
            let inner = shape[rank - 1]
            let ia = sa[rank - 1], ib = sb[rank - 1]
            var counter = [Int](repeating: 0, count: rank)
            var offsetA = 0, offsetB = 0, o = 0
            while o < total {
                if ia == 1 && ib == 1 {
                    for i in 0..<inner { po[o + i] = f(pa[offsetA + i], pb[offsetB + i]) }
                } else if ia == 1 && ib == 0 {
                    let s = pb[offsetB]
                    for i in 0..<inner { po[o + i] = f(pa[offsetA + i], s) }
                } else if ia == 0 && ib == 1 {
                    let s = pa[offsetA]
                    for i in 0..<inner { po[o + i] = f(s, pb[offsetB + i]) }
                } else {
                    for i in 0..<inner { po[o + i] = f(pa[offsetA + i * ia], pb[offsetB + i * ib]) }
                }
                o += inner
                // Advance the outer counter (axes rank-2 … 0).
                var axis = rank - 2
                while axis >= 0 {
                    counter[axis] += 1
                    offsetA += sa[axis]
                    offsetB += sb[axis]
                    if counter[axis] < shape[axis] { break }
                    offsetA -= sa[axis] * shape[axis]
                    offsetB -= sb[axis] * shape[axis]
                    counter[axis] = 0
                    axis -= 1
                }
            }
        }
        return Tensor(shape: shape, storage: out)
    }

    /// Three-operand `out[i] = f(c[i], a[i], b[i])` for same-shaped tensors.
    @inline(__always)
    static func zip3(_ c: Tensor, _ a: Tensor, _ b: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
        let out = TensorStorage(uninitializedCount: c.count)
        let pc = c.storage.base, pa = a.storage.base, pb = b.storage.base, po = out.base
        inParallel(c.count) { start, count in
            for i in start..<(start + count) { po[i] = f(pc[i], pa[i], pb[i]) }
        }
        return Tensor(shape: c.shape, storage: out)
    }

    /// `y += alpha * x` over contiguous storage of equal count.
    static func axpy(_ alpha: Float, _ x: Tensor, into y: inout Tensor) {
        precondition(x.count == y.count, "axpy: count mismatch")
        y.makeUnique()
        let px = x.storage.base, py = y.storage.base
        for i in 0..<x.count { py[i] += alpha * px[i] }
    }
}
