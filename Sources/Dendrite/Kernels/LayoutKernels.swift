// Copies that change layout: permutation of axes, slicing and concatenation.

enum LayoutKernels {
    /// `[count, row.count]`: `row` repeated `count` times (a bias pre-filled into a GEMM's output),
    /// one block copy per row.
    static func tiledRows(_ row: Tensor, count: Int) -> Tensor {
        let width = row.count
        let out = TensorStorage(uninitializedCount: count * width)
        let source = row.storage.base
        inParallel(rows: count, rowLength: width) { start, rows in
            for r in start..<(start + rows) { (out.base + r * width).update(from: source, count: width) }
        }
        return Tensor(shape: [count, width], storage: out)
    }

    /// Materializes `x` with its axes reordered by `axes` (output axis i = input axis axes[i]).
    static func permute(_ x: Tensor, axes: [Int]) -> Tensor {
        let inputStrides = contiguousStrides(x.shape)
        let shape = axes.map { x.shape[$0] }
        let strides = axes.map { inputStrides[$0] }
        let out = TensorStorage(uninitializedCount: x.count)
        let src = x.storage.base, dst = out.base
        let rank = shape.count
        guard x.count > 0 else { return Tensor(shape: shape, storage: out) }
        if rank == 2 {
            // Blocked 2-D transpose for cache friendliness.
            let rows = shape[0], cols = shape[1], s0 = strides[0], s1 = strides[1]
            let block = 32
            for r0 in stride(from: 0, to: rows, by: block) {
                for c0 in stride(from: 0, to: cols, by: block) {
                    for r in r0..<min(r0 + block, rows) {
                        for c in c0..<min(c0 + block, cols) { dst[r * cols + c] = src[r * s0 + c * s1] }
                    }
                }
            }
            return Tensor(shape: shape, storage: out)
        }
        let inner = shape[rank - 1], innerStride = strides[rank - 1]
        var counter = [Int](repeating: 0, count: rank)
        var offset = 0, o = 0
        while o < x.count {
            if innerStride == 1 {
                (dst + o).update(from: src + offset, count: inner)
            } else {
                for i in 0..<inner { dst[o + i] = src[offset + i * innerStride] }
            }
            o += inner
            var axis = rank - 2
            while axis >= 0 {
                counter[axis] += 1
                offset += strides[axis]
                if counter[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: shape, storage: out)
    }

    /// Copies `count` scalars starting at `start` into a new tensor of `shape`.
    static func copyRange(_ x: Tensor, start: Int, count: Int, shape: [Int]) -> Tensor {
        let out = TensorStorage(uninitializedCount: count)
        out.base.update(from: x.storage.base + start, count: count)
        return Tensor(shape: shape, storage: out)
    }

    /// Copies entries `start..<start+count` of the middle axis of `x` viewed as [outer, length, inner].
    static func slice(_ x: Tensor, outer: Int, length: Int, inner: Int, start: Int, count: Int, shape: [Int]) -> Tensor {
        let block = count * inner
        let out = TensorStorage(uninitializedCount: outer * block)
        for o in 0..<outer {
            (out.base + o * block).update(from: x.storage.base + (o * length + start) * inner, count: block)
        }
        return Tensor(shape: shape, storage: out)
    }

    /// The adjoint of ``slice``: zeros of `shape` with `x` written at `start..<start+count` of the middle axis.
    static func embed(_ x: Tensor, outer: Int, length: Int, inner: Int, start: Int, count: Int, shape: [Int]) -> Tensor {
        let block = count * inner
        let out = TensorStorage(count: outer * length * inner)
        for o in 0..<outer {
            (out.base + (o * length + start) * inner).update(from: x.storage.base + o * block, count: block)
        }
        return Tensor(shape: shape, storage: out)
    }

    /// Concatenates tensors viewed as [outer, length_i, inner] along the middle axis.
    static func concat(_ parts: [Tensor], outer: Int, lengths: [Int], inner: Int, shape: [Int]) -> Tensor {
        let total = lengths.reduce(0, +)
        let out = TensorStorage(uninitializedCount: outer * total * inner)
        var dstOffset = 0
        for o in 0..<outer {
            for (part, length) in zip(parts, lengths) {
                let block = length * inner
                (out.base + dstOffset).update(from: part.storage.base + o * block, count: block)
                dstOffset += block
            }
        }
        return Tensor(shape: shape, storage: out)
    }

    /// Writes `source`'s scalars into `destination` starting at flat offset `start`.
    static func copyInto(_ destination: inout Tensor, at start: Int, from source: Tensor) {
        destination.makeUnique()
        (destination.storage.base + start).update(from: source.storage.base, count: source.count)
    }
}

extension LayoutKernels {
    /// Rows `indices` of `x` viewed as `[rows, rowSize]`, stacked in order.
    static func gatherRows(_ x: Tensor, indices: [Int], rowSize: Int, shape: [Int]) -> Tensor {
        let out = TensorStorage(uninitializedCount: indices.count * rowSize)
        for (position, index) in indices.enumerated() {
            (out.base + position * rowSize).update(from: x.storage.base + index * rowSize, count: rowSize)
        }
        return Tensor(shape: shape, storage: out)
    }
}
