// Reshaping (shares storage), permutation (copies), slicing, concatenation and stacking.

extension Tensor {
    /// The same scalars under a new shape; one size may be `-1` and is inferred.
    ///
    /// Shares storage with `self` (no copy) until either is mutated.
    /// - Throws: ``DendriteError/countMismatch(shape:expectedCount:got:)`` or
    ///   ``DendriteError/invalidArgument(operation:argument:reason:)``.
    public func reshaped(to newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        guard inferred.count <= 1, !newShape.contains(where: { $0 < -1 }) else {
            throw DendriteError.invalidArgument(operation: "reshaped(to:)", argument: "shape \(newShape)",
                                                reason: "at most one size may be -1 and none may be below it")
        }
        if let index = inferred.first {
            let known = Tensor.checkedElementCount(of: newShape.filter { $0 != -1 }) ?? 0
            guard known > 0, count % known == 0 else {
                throw DendriteError.countMismatch(shape: newShape, expectedCount: known, got: count)
            }
            resolved[index] = count / known
        }
        guard Tensor.checkedElementCount(of: resolved) == count else {
            throw DendriteError.countMismatch(shape: resolved, expectedCount: Tensor.elementCount(of: resolved), got: count)
        }
        return viewed(as: resolved)
    }

    /// The same storage under `newShape` (same count), differentiable.
    func viewed(as newShape: [Int]) -> Tensor {
        let original = shape
        return Tensor(shape: newShape, storage: storage).recorded("reshape", [self]) { g in
            [Tensor(shape: original, storage: g.storage)]
        }
    }

    /// A 2-D view `[shape[0], rest]` (batch-first flatten, as `nn.Flatten`).
    public func flattenedBatch() -> Tensor {
        guard rank >= 1 else { return viewed(as: [1, 1]) }
        return viewed(as: [shape[0], shape.dropFirst().reduce(1, *)])
    }

    /// All scalars as a 1-D tensor (shares storage).
    public func flattened() -> Tensor { viewed(as: [count]) }

    /// Inserts a size-1 axis at `axis` (shares storage).
    public func expandingShape(at axis: Int) throws -> Tensor {
        let resolved = axis < 0 ? axis + rank + 1 : axis
        guard resolved >= 0 && resolved <= rank else {
            throw DendriteError.invalidArgument(operation: "expandingShape(at:)", argument: "axis \(axis)",
                                                reason: "tensor of shape \(shape) has rank \(rank)")
        }
        var newShape = shape
        newShape.insert(1, at: resolved)
        return viewed(as: newShape)
    }

    /// Removes every size-1 axis (shares storage).
    public func squeezed() -> Tensor { viewed(as: shape.filter { $0 != 1 }) }

    /// A copy with the axes reordered: output axis `i` is input axis `axes[i]`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` unless `axes` is a
    ///   permutation of `0..<rank`.
    public func permuted(_ axes: [Int]) throws -> Tensor {
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
        guard resolved.sorted() == Array(0..<rank) else {
            throw DendriteError.invalidArgument(operation: "permuted", argument: "axes \(axes)",
                                                reason: "must be a permutation of 0..<\(rank)")
        }
        if resolved == Array(0..<rank) { return self }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, axis) in resolved.enumerated() { inverse[axis] = i }
        return LayoutKernels.permute(self, axes: resolved).recorded("permute", [self]) { g in
            [LayoutKernels.permute(g, axes: inverse)]
        }
    }

    /// A copy with two axes swapped.
    public func transposed(_ first: Int, _ second: Int) throws -> Tensor {
        var axes = Array(0..<rank)
        let a = try normalizedAxis(first, "transposed"), b = try normalizedAxis(second, "transposed")
        axes.swapAt(a, b)
        return try permuted(axes)
    }

    /// A copy with the last two axes swapped (a matrix transpose; a no-op below rank 2).
    public func transposed() -> Tensor {
        guard rank >= 2 else { return self }
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return LayoutKernels.permute(self, axes: axes).recorded("transpose", [self]) { g in
            [LayoutKernels.permute(g, axes: axes)]
        }
    }

    /// The entries `range` along the first axis (a batch slice), as a copy.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a range outside
    ///   `0..<shape[0]`.
    public func slice(_ range: Range<Int>) throws -> Tensor {
        try slice(alongAxis: 0, range)
    }

    /// The entries `range` along `axis`, as a copy.
    public func slice(alongAxis axis: Int, _ range: Range<Int>) throws -> Tensor {
        let a = try normalizedAxis(axis, "slice")
        guard range.lowerBound >= 0 && range.upperBound <= shape[a] else {
            throw DendriteError.invalidArgument(operation: "slice", argument: "range \(range)",
                                                reason: "axis \(a) has size \(shape[a])")
        }
        var newShape = shape
        newShape[a] = range.count
        let v = axisView(a), fullShape = shape
        return LayoutKernels.slice(self, outer: v.outer, length: v.length, inner: v.inner,
                                   start: range.lowerBound, count: range.count, shape: newShape)
            .recorded("slice", [self]) { g in
                [LayoutKernels.embed(g, outer: v.outer, length: v.length, inner: v.inner,
                                     start: range.lowerBound, count: range.count, shape: fullShape)]
            }
    }

    /// Entry `index` along the first axis (rank drops by one), as a copy.
    public subscript(index: Int) -> Tensor {
        get throws {
            guard rank >= 1, index >= 0, index < shape[0] else {
                throw DendriteError.invalidArgument(operation: "subscript", argument: "index \(index)",
                                                    reason: "first axis of \(shape) is out of range")
            }
            return try slice(index..<(index + 1)).viewed(as: Array(shape.dropFirst()))
        }
    }

    /// Joins tensors along an existing axis; all other sizes must agree.
    public static func concat(_ tensors: [Tensor], alongAxis axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw DendriteError.invalidArgument(operation: "concat", argument: "tensors", reason: "the list is empty")
        }
        let a = try first.normalizedAxis(axis, "concat")
        for (index, tensor) in tensors.enumerated() {
            var expected = first.shape, got = tensor.shape
            guard got.count == expected.count else {
                throw DendriteError.shapeMismatch(operation: "concat tensor \(index)", expected: "rank \(first.rank)", got: "\(tensor.shape)")
            }
            expected[a] = 0
            got[a] = 0
            guard got == expected else {
                throw DendriteError.shapeMismatch(operation: "concat tensor \(index)", expected: "\(first.shape) except axis \(a)",
                                                  got: "\(tensor.shape)")
            }
        }
        var shape = first.shape
        let (length, overflow) = tensors.reduce((0, false)) { total, tensor in
            let (sum, carry) = total.0.addingReportingOverflow(tensor.shape[a])
            return (sum, total.1 || carry)
        }
        guard !overflow else {
            throw DendriteError.invalidArgument(operation: "concat", argument: "\(tensors.count) tensors", reason: "their lengths along axis \(a) overflow")
        }
        shape[a] = length
        try Tensor.validate(shape: shape, operation: "concat")
        let v = first.axisView(a)
        let lengths = tensors.map { $0.shape[a] }
        return LayoutKernels.concat(tensors, outer: v.outer, lengths: lengths, inner: v.inner, shape: shape)
            .recorded("concat", tensors) { g in
                var start = 0
                return zip(tensors, lengths).map { tensor, length in
                    defer { start += length }
                    guard tensor.requiresGradient else { return nil }
                    return LayoutKernels.slice(g, outer: v.outer, length: shape[a], inner: v.inner, start: start,
                                               count: length, shape: tensor.shape)
                }
            }
    }

    /// Stacks equally shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw DendriteError.invalidArgument(operation: "stack", argument: "tensors", reason: "the list is empty")
        }
        for (index, tensor) in tensors.enumerated() where tensor.shape != first.shape {
            throw DendriteError.shapeMismatch(operation: "stack tensor \(index)", expected: "\(first.shape)", got: "\(tensor.shape)")
        }
        let expanded = try tensors.map { try $0.expandingShape(at: axis) }
        return try concat(expanded, alongAxis: axis < 0 ? axis + first.rank + 1 : axis)
    }
}
