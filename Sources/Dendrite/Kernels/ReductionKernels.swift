// Reductions of a contiguous tensor viewed as [outer, length, inner] along its middle axis.

enum ReductionKernels {
    /// Folds the axis with `combine`, starting from `initial`. Result: [outer, inner].
    @inline(__always)
    static func reduce(_ x: Tensor, outer: Int, length: Int, inner: Int, initial: Float,
                       _ combine: (Float, Float) -> Float) -> TensorStorage {
        let out = TensorStorage(count: outer * inner, repeating: initial)
        let src = x.storage.base, dst = out.base
        for o in 0..<outer {
            let row = dst + o * inner
            for k in 0..<length {
                let slice = src + (o * length + k) * inner
                for i in 0..<inner { row[i] = combine(row[i], slice[i]) }
            }
        }
        return out
    }

    /// Sum along the axis, accumulated in `Double` for accuracy on long axes.
    static func sum(_ x: Tensor, outer: Int, length: Int, inner: Int) -> TensorStorage {
        let out = TensorStorage(count: outer * inner)
        let src = x.storage.base, dst = out.base
        if inner == 1 {
            for o in 0..<outer {
                var acc: Double = 0
                let row = src + o * length
                // Pairs of Float partial sums keep the loop vectorizable yet accurate.
                var k = 0
                while k + 8 <= length {
                    var block: Float = 0
                    for j in 0..<8 { block += row[k + j] }
                    acc += Double(block)
                    k += 8
                }
                while k < length { acc += Double(row[k]); k += 1 }
                dst[o] = Float(acc)
            }
            return out
        }
        // Rows are added in Float in blocks of 64 (a vectorized loop over `inner`), each block's sum
        // then into a Double total: accurate like a Double sum, at Float speed (an all-Double sum
        // showed in the transformer block's profile, Docs/Benchmarks.md).
        let block = UnsafeMutablePointer<Float>.allocate(capacity: inner)
        let total = UnsafeMutablePointer<Double>.allocate(capacity: inner)
        defer { block.deallocate(); total.deallocate() }
        for o in 0..<outer {
            total.initialize(repeating: 0, count: inner)
            var start = 0
            while start < length {
                let end = Swift.min(start + 64, length)
                block.initialize(repeating: 0, count: inner)
                for k in start..<end {
                    let row = src + (o * length + k) * inner
                    for i in 0..<inner { block[i] += row[i] }
                }
                for i in 0..<inner { total[i] += Double(block[i]) }
                start = end
            }
            let result = dst + o * inner
            for i in 0..<inner { result[i] = Float(total[i]) }
        }
        return out
    }

    /// Index of the first maximum (or minimum) along the axis; NaN counts as the maximum.
    static func argExtreme(_ x: Tensor, outer: Int, length: Int, inner: Int, maximum: Bool) -> [Int] {
        var result = [Int](repeating: 0, count: outer * inner)
        let src = x.storage.base
        for o in 0..<outer {
            for i in 0..<inner {
                var best = src[o * length * inner + i]
                var bestIndex = 0
                if best.isNaN { result[o * inner + i] = 0; continue }
                for k in 1..<max(length, 1) {
                    let v = src[(o * length + k) * inner + i]
                    if v.isNaN { bestIndex = k; break }
                    if maximum ? v > best : v < best { best = v; bestIndex = k }
                }
                result[o * inner + i] = bestIndex
            }
        }
        return result
    }
}

extension ReductionKernels {
    /// Whether every element is finite, read in place (no copy of the scalars).
    static func allFinite(_ x: Tensor) -> Bool {
        let base = x.storage.base
        for index in 0..<x.count where !base[index].isFinite { return false }
        return true
    }
}
