import Dispatch

// Elementwise loops over contiguous storage. Each public-facing op passes a literal closure;
// `@inline(__always)` lets the optimizer specialize and vectorize the loop per op. Arrays of
// `parallelElementThreshold` elements or more are split over the cores (`inParallel`).
//
// The chunk bodies take their pointers as an argument (`ElementwiseOperands`) instead of
// capturing them: the op's closure is then the body's only capture, a constant after inlining,
// and the optimizer specializes the body for it (capture propagation). A body that also captured
// the pointers kept an indirect call per element — a ReLU was ten times slower than its loop.

/// The pointers (and scalar) one chunk of an elementwise loop reads and writes.
struct ElementwiseOperands {
    var a: UnsafeMutablePointer<Float>
    var b: UnsafeMutablePointer<Float>
    var c: UnsafeMutablePointer<Float>
    var out: UnsafeMutablePointer<Float>
    var scalar: Float
    /// For a broadcast operand that repeats: element `i` of the result reads its element `i % period`.
    var period: Int

    init(a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>? = nil, c: UnsafeMutablePointer<Float>? = nil,
         out: UnsafeMutablePointer<Float>, scalar: Float = 0, period: Int = 1) {
        (self.a, self.b, self.c, self.out, self.scalar, self.period) = (a, b ?? a, c ?? a, out, scalar, period)
    }
}

/// Loops over this many elements or more are split over the cores: waking a halted second vCPU
/// costs more than it saves below about 2¹⁸ elements (Docs/Benchmarks.md has the measurements,
/// under "Waking a core").
let parallelElementThreshold = 1 << 18

/// Runs `body(start, count, operands)` over `0..<count` in one chunk per core when there are
/// ``parallelElementThreshold`` elements or more, passing `operands` through rather than letting
/// `body` capture them.
func inParallel(_ count: Int, _ operands: ElementwiseOperands,
                _ body: (_ start: Int, _ count: Int, _ operands: ElementwiseOperands) -> Void) {
    let chunks = count >= parallelElementThreshold ? Swift.min(max(threadCount, 1), (count + (1 << 15) - 1) >> 15) : 1
    guard chunks > 1 else { return body(0, count, operands) }
    let size = (count + chunks - 1) / chunks
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        let start = chunk * size
        if start < count { body(start, Swift.min(size, count - start), operands) }
    }
}

enum ElementwiseKernels {
    /// `y[i] = f(x[i])`.
    @inline(__always)
    static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let out = TensorStorage(uninitializedCount: x.count)
        inParallel(x.count, ElementwiseOperands(a: x.storage.base, out: out.base)) { start, count, o in
            for i in start..<(start + count) { o.out[i] = f(o.a[i]) }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    /// `y[i] = f(x[i], parameter)`: the parameter (a slope, an exponent) travels with the
    /// operands, so a closure literal that reads it instead of capturing it is still specialized.
    @inline(__always)
    static func map(_ x: Tensor, parameter: Float, _ f: (_ x: Float, _ parameter: Float) -> Float) -> Tensor {
        let out = TensorStorage(uninitializedCount: x.count)
        inParallel(x.count, ElementwiseOperands(a: x.storage.base, out: out.base, scalar: parameter)) { start, count, o in
            for i in start..<(start + count) { o.out[i] = f(o.a[i], o.scalar) }
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
            inParallel(total, ElementwiseOperands(a: pa, b: pb, out: po)) { start, count, o in
                for i in start..<(start + count) { o.out[i] = f(o.a[i], o.b[i]) }
            }
        } else if b.count == 1 && a.shape == shape {
            inParallel(total, ElementwiseOperands(a: pa, out: po, scalar: pb[0])) { start, count, o in
                for i in start..<(start + count) { o.out[i] = f(o.a[i], o.scalar) }
            }
        } else if a.count == 1 && b.shape == shape {
            inParallel(total, ElementwiseOperands(a: pb, out: po, scalar: pa[0])) { start, count, o in
                for i in start..<(start + count) { o.out[i] = f(o.scalar, o.a[i]) }
            }
        } else if a.shape == shape, let period = Broadcasting.repeatingPeriod(of: b.shape, in: shape) {
            zipRepeating(full: pa, repeating: pb, period: period, out: po, count: total, f)
        } else if b.shape == shape, let period = Broadcasting.repeatingPeriod(of: a.shape, in: shape) {
            zipRepeating(full: pb, repeating: pa, period: period, out: po, count: total) { f($1, $0) }
        } else if total > 0 {
            let sa = Broadcasting.strides(of: a.shape, in: shape)
            let sb = Broadcasting.strides(of: b.shape, in: shape)
            let rank = shape.count
            let inner = shape[rank - 1]
            let ia = sa[rank - 1], ib = sb[rank - 1]
            var counter = [Int](repeating: 0, count: rank)
            var offsetA = 0, offsetB = 0, o = 0
            while o < total {
                // Offset pointers, so that the inner loops index with 0..<inner (no overflow checks) and vectorize.
                let (out, x, y) = (po + o, pa + offsetA, pb + offsetB)
                if ia == 1 && ib == 1 {
                    for i in 0..<inner { out[i] = f(x[i], y[i]) }
                } else if ia == 1 && ib == 0 {
                    let s = y[0]
                    for i in 0..<inner { out[i] = f(x[i], s) }
                } else if ia == 0 && ib == 1 {
                    let s = x[0]
                    for i in 0..<inner { out[i] = f(s, y[i]) }
                } else {
                    for i in 0..<inner { out[i] = f(x[i &* ia], y[i &* ib]) }
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

    /// `out[i] = f(full[i], repeating[i % period])`: a broadcast operand that repeats along the
    /// leading axes (a bias, a mask), as contiguous runs of both on offset pointers, so the loop
    /// vectorizes.
    @inline(__always)
    private static func zipRepeating(full: UnsafeMutablePointer<Float>, repeating: UnsafeMutablePointer<Float>, period: Int,
                                     out: UnsafeMutablePointer<Float>, count total: Int,
                                     _ f: (_ full: Float, _ repeating: Float) -> Float) {
        inParallel(total, ElementwiseOperands(a: full, b: repeating, out: out, period: period)) { start, count, o in
            var i = start
            while i < start + count {
                let j = i % o.period, run = Swift.min(o.period - j, start + count - i)
                let (result, x, y) = (o.out + i, o.a + i, o.b + j)
                for k in 0..<run { result[k] = f(x[k], y[k]) }
                i += run
            }
        }
    }

    /// Three-operand `out[i] = f(c[i], a[i], b[i])` for same-shaped tensors.
    @inline(__always)
    static func zip3(_ c: Tensor, _ a: Tensor, _ b: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
        let out = TensorStorage(uninitializedCount: c.count)
        let operands = ElementwiseOperands(a: a.storage.base, b: b.storage.base, c: c.storage.base, out: out.base)
        inParallel(c.count, operands) { start, count, o in
            for i in start..<(start + count) { o.out[i] = f(o.c[i], o.a[i], o.b[i]) }
        }
        return Tensor(shape: c.shape, storage: out)
    }

    /// `out[i] = f(c[i], a[i], b[i], parameter)` for same-shaped tensors (see `map(_:parameter:_:)`).
    @inline(__always)
    static func zip3(_ c: Tensor, _ a: Tensor, _ b: Tensor, parameter: Float,
                     _ f: (Float, Float, Float, _ parameter: Float) -> Float) -> Tensor {
        let out = TensorStorage(uninitializedCount: c.count)
        let operands = ElementwiseOperands(a: a.storage.base, b: b.storage.base, c: c.storage.base, out: out.base,
                                           scalar: parameter)
        inParallel(c.count, operands) { start, count, o in
            for i in start..<(start + count) { o.out[i] = f(o.c[i], o.a[i], o.b[i], o.scalar) }
        }
        return Tensor(shape: c.shape, storage: out)
    }

    /// `total += x` for same-shaped tensors, in place when `total` holds the only reference to
    /// its buffer (gradient accumulation: no new buffer, one pass fewer), into a new one otherwise.
    static func accumulate(_ x: Tensor, into total: inout Tensor) {
        guard isKnownUniquelyReferenced(&total.storage) else {
            total = zip(total, x, shape: total.shape) { $0 + $1 }
            return
        }
        inParallel(total.count, ElementwiseOperands(a: x.storage.base, out: total.storage.base)) { start, count, o in
            for i in start..<(start + count) { o.out[i] += o.a[i] }
        }
    }
}
