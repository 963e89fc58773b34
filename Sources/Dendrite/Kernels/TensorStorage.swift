/// A 64-byte aligned, reference-counted buffer of `Float`: the storage behind ``Tensor``.
///
/// `Tensor` wraps it copy-on-write; kernels read and write it through the `withUnsafe…`
/// accessors, which are the only way in.
import CDendrite

/// Shortens how long OpenBLAS's idle workers spin (`sched_yield`) after a call, from its
/// default 2²⁸ cycles (a worker kept a core busy through all the non-GEMM work of a training
/// step) to 2²²: long enough to be awake for the next GEMM of a step, short enough to let the
/// cores go soon after (Docs/Benchmarks.md has the A/B runs of both settings and of 2¹⁰). Every
/// BLAS call needs tensors, so this runs before the first one.
private let blasThreadTuning: Void = {
    _ = dd_tune_blas_threads(22)
}()

/// Storage comes from `dd_buffer_acquire` (CDendrite/buffers.c): buffers of 64 KiB and more are
/// mmap'd and, once released, kept in per-size free lists for the next tensor of that size. A
/// training step frees and requests the same sizes every step, so they are reused without page
/// faults; and they stay out of the malloc heap, which fragmented under that pattern (the CNN
/// step's peak memory before and after is in Docs/Benchmarks.md).
///
/// A storage is either an owner of its buffer or a *view* of `count` elements of another storage
/// (a parameter or gradient inside a ``ParameterArena``). A view keeps its owner alive; the arena
/// writes through its own pointer, and ``detachFromOwner()`` turns a view that others still
/// share into an owner of a private copy, so what they hold keeps its value.
final class TensorStorage: @unchecked Sendable {
    /// Number of `Float` elements.
    let count: Int
    /// The first element. Only ``detachFromOwner()`` changes it (unchecked: kernels read it in hot
    /// loops, and a view is detached only between ops, on the thread that owns the arena).
    @exclusivity(unchecked) private(set) var base: UnsafeMutablePointer<Float>
    /// The storage this one is a view into, or `nil` when it owns its buffer.
    private(set) var owner: TensorStorage?
    /// The element offset of a view in its owner.
    private(set) var offset = 0

    /// Allocates `count` elements, zero-filled.
    convenience init(count: Int) {
        self.init(uninitializedCount: count)
        base.initialize(repeating: 0, count: max(count, 1))
    }

    /// Allocates `count` elements without initializing them: only for kernels that write every
    /// element before anything reads it.
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative count")
        _ = blasThreadTuning
        self.count = count
        guard let raw = dd_buffer_acquire(TensorStorage.byteCount(count)) else {
            fatalError("Dendrite: out of memory allocating a tensor of \(count) elements")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Large-buffer bookkeeping of `dd_buffer_acquire`: bytes in use, the most ever in use at
    /// once, and bytes kept for reuse.
    static var bufferStatistics: (live: Int, peakLive: Int, cached: Int) {
        var live = 0, peak = 0, cached = 0
        dd_buffer_statistics(&live, &peak, &cached)
        return (live, peak, cached)
    }

    /// Bytes backing `count` elements (at least one element, so every storage has an address).
    private static func byteCount(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Float>.stride }

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

    /// A view of `count` elements of `owner` from element `offset` (no copy).
    init(viewing owner: TensorStorage, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= owner.count, "TensorStorage: view out of range")
        self.count = count
        self.owner = owner
        self.offset = offset
        base = owner.base + offset
    }

    deinit { if owner == nil { dd_buffer_release(base, TensorStorage.byteCount(count)) } }

    /// Whether this storage is the view of `owner` at `offset`.
    func isView(of owner: TensorStorage, at offset: Int) -> Bool { self.owner === owner && self.offset == offset }

    /// A second view of the same elements.
    func siblingView() -> TensorStorage {
        guard let owner else { preconditionFailure("siblingView of a storage that is not a view") }
        return TensorStorage(viewing: owner, offset: offset, count: count)
    }

    /// Gives a view its own buffer holding the elements' current values (nothing for an owner).
    func detachFromOwner() {
        guard owner != nil else { return }
        guard let raw = dd_buffer_acquire(TensorStorage.byteCount(count)) else {
            fatalError("Dendrite: out of memory detaching a tensor of \(count) elements")
        }
        let copy = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        copy.initialize(from: base, count: count)
        base = copy
        owner = nil
        offset = 0
    }

    /// A new storage holding the same elements.
    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.base.initialize(from: base, count: count)
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
