// Tensors that are views into a parameter arena: exclusive access and copies into a slot.

extension Tensor {
    /// Makes this tensor the only holder of its arena view before an in-place write, keeping it
    /// in the arena: when others share the view object, they get a private copy of the current
    /// values (so what they hold does not change) and this tensor gets a fresh view of the same
    /// elements. A tensor that is not a view is left as it is (``makeUnique()`` copies those).
    mutating func makeExclusiveView() {
        guard storage.owner != nil, !isKnownUniquelyReferenced(&storage) else { return }
        let fresh = storage.siblingView()
        storage.detachFromOwner()
        storage = fresh
    }

    /// Whether this tensor's storage is the view of `owner` at element `offset`.
    func isView(of owner: TensorStorage, at offset: Int) -> Bool { storage.isView(of: owner, at: offset) }

    /// A tensor of `shape` viewing `owner`'s elements from `offset` (no copy).
    init(shape: [Int], viewing owner: TensorStorage, at offset: Int) {
        self.init(shape: shape, storage: TensorStorage(viewing: owner, offset: offset, count: Tensor.elementCount(of: shape)))
    }
}

enum ArenaKernels {
    /// Copies `source`'s elements over `destination`'s (equal counts), in place.
    static func copy(_ source: Tensor, into destination: inout Tensor) {
        precondition(source.count == destination.count, "ArenaKernels.copy: count mismatch")
        destination.makeExclusiveView()
        destination.makeUnique()
        guard source.storage !== destination.storage else { return }
        destination.storage.base.update(from: source.storage.base, count: source.count)
    }

    /// Sets every element of `storage` to zero.
    static func zero(_ storage: TensorStorage) {
        storage.base.update(repeating: 0, count: storage.count)
    }

    /// Sets `count` elements of `storage` from `offset` to zero.
    static func zero(_ storage: TensorStorage, from offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= storage.count, "ArenaKernels.zero: out of range")
        (storage.base + offset).update(repeating: 0, count: count)
    }
}

extension Tensor {
    /// The same values in storage of their own: a view into an arena is copied (so the result
    /// does not follow later writes to the arena); any other tensor is returned as it is.
    func ownedCopy() -> Tensor {
        guard storage.owner != nil else { return self }
        var copy = self
        copy.storage = storage.copy()
        return copy
    }
}
