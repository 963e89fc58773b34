/// A 64-byte aligned, reference-counted buffer of `Float`: the storage behind ``Tensor``.
///
/// `Tensor` wraps it copy-on-write; kernels read and write it through the `withUnsafe…`
/// accessors, which are the only way in.
import CDendrite

/// Keeps freed tensor buffers in the process heap instead of returning each one to the kernel:
/// without it glibc serves every buffer above 128 KiB with its own mmap/munmap, and a training
/// step pays page faults for every activation and gradient.
///
/// Also shortens how long OpenBLAS's idle workers spin (`sched_yield`) after a call, from its
/// default 2²⁸ cycles (a tenth of a second: a worker kept a core busy through all the non-GEMM
/// work of a training step) to 2²² (about a millisecond and a half): long enough to be awake for
/// the next GEMM of a step — waking a sleeping worker costs tens of microseconds on a VM — and
/// short enough to let the cores go soon after. Docs/Benchmarks.md has the A/B runs (2¹⁰ was
/// 10–12 % slower on the MLP and transformer steps).
/// Every BLAS call needs tensors, so this runs before the first one.
private let heapTuning: Void = {
    dd_tune_heap()
    _ = dd_tune_blas_threads(22)
}()

final class TensorStorage: @unchecked Sendable {
    /// Number of `Float` elements.
    let count: Int
    let base: UnsafeMutablePointer<Float>

    /// Allocates `count` elements, zero-filled.
    init(count: Int) {
        precondition(count >= 0, "TensorStorage: negative count")
        _ = heapTuning
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    /// Allocates `count` elements without initializing them: only for kernels that write every
    /// element before anything reads it.
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative count")
        _ = heapTuning
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Allocates `count` elements filled with `value`.
    convenience init(count: Int, repeating value: Float) {
        self.init(count: count)
        if value != 0 { base.update(repeating: value, count: count) }
    }

    /// Allocates and copies `scalars`.
    convenience init(_ scalars: [Float]) {
        self.init(count: scalars.count)
        scalars.withUnsafeBufferPointer { source in
            if let address = source.baseAddress { base.update(from: address, count: scalars.count) }
        }
    }

    deinit { base.deallocate() }

    /// A new storage holding the same elements.
    func copy() -> TensorStorage {
        let result = TensorStorage(count: count)
        result.base.update(from: base, count: count)
        return result
    }

    /// The elements as an array.
    var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Reads the elements.
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Writes the elements.
    func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: base, count: count))
    }

    subscript(index: Int) -> Float {
        get { base[index] }
        set { base[index] = newValue }
    }
}
