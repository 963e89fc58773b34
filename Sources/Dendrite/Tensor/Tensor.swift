import Foundation

/// An n-dimensional array of `Float`, row-major, with value semantics.
///
/// A `Tensor` is a value: assigning it copies nothing until one of the copies is
/// mutated (copy-on-write over 64-byte aligned storage). Images are `NCHW`, as in PyTorch.
///
/// ```swift
/// let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let b = try a.matmul(a.transposed())      // [2, 2]
/// print(try (b + 1).sum())
/// ```
public struct Tensor {
    var storage: TensorStorage
    /// The size of each axis, outermost first. `[]` is a scalar.
    public private(set) var shape: [Int]
    /// The autograd graph node that produced this value (`nil` when untracked).
    var node: GradientNode?

    init(shape: [Int], storage: TensorStorage) {
        precondition(storage.count == Tensor.elementCount(of: shape), "Tensor: storage/shape mismatch")
        self.shape = shape
        self.storage = storage
    }

    /// Creates a tensor of `shape` from `scalars` in row-major order.
    ///
    /// - Throws: ``DendriteError/countMismatch(shape:expectedCount:got:)`` when
    ///   `scalars.count` is not the product of `shape`, or
    ///   ``DendriteError/invalidArgument(operation:argument:reason:)`` for a negative size.
    public init(shape: [Int], scalars: [Float]) throws {
        try Tensor.validate(shape: shape, operation: "Tensor(shape:scalars:)")
        let expected = Tensor.elementCount(of: shape)
        guard expected == scalars.count else {
            throw DendriteError.countMismatch(shape: shape, expectedCount: expected, got: scalars.count)
        }
        self.init(shape: shape, storage: TensorStorage(scalars))
    }

    /// A 1-D tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], storage: TensorStorage(scalars))
    }

    /// A rank-0 tensor holding `value`.
    public init(_ value: Float) {
        self.init(shape: [], storage: TensorStorage([value]))
    }

    /// A 2-D tensor from rows of equal length.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` for ragged rows.
    public init(rows: [[Float]]) throws {
        let width = rows.first?.count ?? 0
        for (index, row) in rows.enumerated() where row.count != width {
            throw DendriteError.shapeMismatch(operation: "Tensor(rows:)", expected: "row of \(width)",
                                              got: "row \(index) of \(row.count)")
        }
        self.init(shape: [rows.count, width], storage: TensorStorage(rows.flatMap { $0 }))
    }

    /// Number of axes.
    public var rank: Int { shape.count }

    /// Number of scalars (the product of ``shape``).
    public var count: Int { storage.count }

    /// All scalars in row-major order.
    public var scalars: [Float] { storage.array }

    /// The only scalar of a one-element tensor (any rank), else `nil`.
    public var scalar: Float? { count == 1 ? storage[0] : nil }

    /// The scalar at a multi-dimensional index.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when the index
    ///   has the wrong rank or is out of bounds.
    public func scalar(at index: [Int]) throws -> Float {
        storage[try flatIndex(index, operation: "scalar(at:)")]
    }

    /// Sets the scalar at a multi-dimensional index.
    public mutating func setScalar(_ value: Float, at index: [Int]) throws {
        let flat = try flatIndex(index, operation: "setScalar(_:at:)")
        makeUnique()
        storage[flat] = value
    }

    func flatIndex(_ index: [Int], operation: String) throws -> Int {
        guard index.count == rank else {
            throw DendriteError.invalidArgument(operation: operation, argument: "index \(index)",
                                                reason: "tensor has rank \(rank)")
        }
        var flat = 0
        for (axis, (i, size)) in zip(index, shape).enumerated() {
            guard i >= 0 && i < size else {
                throw DendriteError.invalidArgument(operation: operation, argument: "index \(index)",
                                                    reason: "axis \(axis) has size \(size)")
            }
            flat = flat * size + i
        }
        return flat
    }

    /// Ensures this value owns its storage before an in-place write.
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    static func elementCount(of shape: [Int]) -> Int { shape.reduce(1, *) }

    /// The element count of `shape` (the product of its sizes), or `nil` when it overflows `Int`:
    /// for sizes read from outside (file headers, arguments) before anything is allocated.
    public static func checkedElementCount(of shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Checks a shape from outside: no negative size, an element count that does not overflow,
    /// and storage that fits in this machine's memory (so a typo is an error, not a crash).
    static func validate(shape: [Int], operation: String) throws {
        if let bad = shape.first(where: { $0 < 0 }) {
            throw DendriteError.invalidArgument(operation: operation, argument: "shape \(shape)",
                                                reason: "size \(bad) is negative")
        }
        guard let count = checkedElementCount(of: shape) else {
            throw DendriteError.invalidArgument(operation: operation, argument: "shape \(shape)",
                                                reason: "its element count overflows a 64-bit integer")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
        guard !overflow, UInt64(bytes) <= ProcessInfo.processInfo.physicalMemory else {
            throw DendriteError.invalidArgument(operation: operation, argument: "shape \(shape)",
                                                reason: "needs \(overflow ? "more than 2⁶³" : "\(bytes)") bytes, more than this machine's memory")
        }
    }
}

extension Tensor: Equatable {
    /// Tensors are equal when shapes and every scalar are equal.
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && (lhs.storage === rhs.storage || lhs.scalars == rhs.scalars)
    }
}
