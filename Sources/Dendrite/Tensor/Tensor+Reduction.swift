// Reductions over all elements or along axes (negative axes count from the end, as in NumPy).

extension Tensor {
    /// Normalizes a possibly negative axis, or throws naming the operation.
    func normalizedAxis(_ axis: Int, _ operation: String) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < Swift.max(rank, 1) && rank > 0 else {
            throw DendriteError.invalidArgument(operation: operation, argument: "axis \(axis)",
                                                reason: "tensor of shape \(shape) has rank \(rank)")
        }
        return resolved
    }

    /// `[outer, length, inner]` view sizes around `axis`.
    func axisView(_ axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    private func reducedShape(_ axis: Int, _ keep: Bool) -> [Int] {
        var result = shape
        if keep { result[axis] = 1 } else { result.remove(at: axis) }
        return result
    }

    /// Applies a single-axis reduction over several axes, highest first.
    private func reduceAxes(_ axes: [Int], keepingDimensions keep: Bool, _ operation: String,
                            _ single: (Tensor, Int) -> Tensor) throws -> Tensor {
        let resolved = Set(try axes.map { try normalizedAxis($0, operation) }).sorted(by: >)
        var result = self
        for axis in resolved {
            let reduced = single(result, axis)
            result = Tensor(shape: result.reducedShape(axis, true), storage: reduced.storage)
        }
        if !keep {
            result = Tensor(shape: result.shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element),
                            storage: result.storage)
        }
        return result
    }

    /// The sum of all elements, as a rank-0 tensor.
    public func sum() -> Tensor {
        let shape = self.shape
        return Tensor(shape: [], storage: ReductionKernels.sum(self, outer: 1, length: count, inner: 1))
            .recorded("sum", [self]) { g in [Tensor.filled(shape, g.storage[0])] }
    }

    /// Sums along `axes`, dropping them unless `keepingDimensions`.
    public func sum(alongAxes axes: Int..., keepingDimensions keep: Bool = false) throws -> Tensor {
        try sum(alongAxes: axes, keepingDimensions: keep)
    }

    /// Sums along `axes`, dropping them unless `keepingDimensions`.
    public func sum(alongAxes axes: [Int], keepingDimensions keep: Bool = false) throws -> Tensor {
        let shape = self.shape
        let kept = try reduceAxes(axes, keepingDimensions: true, "sum") { x, axis in
            let v = x.axisView(axis)
            return Tensor(shape: [v.outer * v.inner], storage: ReductionKernels.sum(x, outer: v.outer, length: v.length, inner: v.inner))
        }
        let result = keep ? kept : try kept.droppingAxes(axes)
        let keptShape = kept.shape
        return result.detached().recorded("sum(alongAxes:)", [self]) { g in
            [try g.detached().reshaped(to: keptShape).expanded(to: shape)]
        }
    }

    /// Removes the (size-1) `axes` from the shape, sharing storage.
    private func droppingAxes(_ axes: [Int]) throws -> Tensor {
        let resolved = Set(try axes.map { try normalizedAxis($0, "reduce") })
        return Tensor(shape: shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element), storage: storage)
    }

    /// Broadcasts `self` to `target` as a new tensor (no graph node).
    func expanded(to target: [Int]) -> Tensor {
        if shape == target { return detached() }
        return ElementwiseKernels.zip(self, Tensor(0), shape: target) { value, _ in value }
    }

    /// The mean of all elements (NaN for an empty tensor).
    public func mean() -> Tensor { sum() / Float(count) }

    /// Means along `axes`.
    public func mean(alongAxes axes: Int..., keepingDimensions keep: Bool = false) throws -> Tensor {
        try mean(alongAxes: axes, keepingDimensions: keep)
    }

    /// Means along `axes`.
    public func mean(alongAxes axes: [Int], keepingDimensions keep: Bool = false) throws -> Tensor {
        let summed = try sum(alongAxes: axes, keepingDimensions: keep)
        return summed / Float(count / Swift.max(summed.count, 1))
    }

    /// The largest element (NaN if any element is NaN), as a rank-0 tensor.
    public func max() -> Tensor {
        if requiresGradient && GradientMode.isEnabled && rank > 0 {
            if let result = try? flattened().max(alongAxes: [0]) { return result }
        }
        return Tensor(shape: [], storage: ReductionKernels.reduce(self, outer: 1, length: count, inner: 1, initial: -.infinity) {
            $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1)
        })
    }

    /// Maxima along `axes`.
    public func max(alongAxes axes: Int..., keepingDimensions keep: Bool = false) throws -> Tensor {
        try self.max(alongAxes: axes, keepingDimensions: keep)
    }

    /// The smallest element (NaN if any element is NaN), as a rank-0 tensor.
    public func min() -> Tensor { -((-self).max()) }

    /// Minima along `axes`.
    public func min(alongAxes axes: Int..., keepingDimensions keep: Bool = false) throws -> Tensor {
        -(try (-self).max(alongAxes: axes, keepingDimensions: keep))
    }

    /// Maxima along `axes`.
    public func max(alongAxes axes: [Int], keepingDimensions keep: Bool = false) throws -> Tensor {
        let kept = try reduceAxes(axes, keepingDimensions: true, "max") { x, axis in
            let v = x.axisView(axis)
            return Tensor(shape: [v.outer * v.inner],
                          storage: ReductionKernels.reduce(x, outer: v.outer, length: v.length, inner: v.inner,
                                                           initial: -.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) })
        }
        let result = keep ? kept : try kept.droppingAxes(axes)
        guard requiresGradient && GradientMode.isEnabled else { return result }
        // The gradient flows to the maxima, split evenly between ties.
        let input = detached(), shape = self.shape, keptShape = kept.shape
        return result.recorded("max(alongAxes:)", [self]) { g in
            let maxima = kept.expanded(to: shape)
            let mask = try input.equal(maxima)
            let ties = try mask.sum(alongAxes: axes, keepingDimensions: true).expanded(to: shape)
            return [try mask * g.reshaped(to: keptShape).expanded(to: shape) / ties]
        }
    }

    /// Indices of the maxima along `axis` (first one on ties), as integers.
    public func argmax(alongAxis axis: Int) throws -> [Int] {
        let a = try normalizedAxis(axis, "argmax")
        let v = axisView(a)
        guard v.length > 0 else {
            throw DendriteError.invalidArgument(operation: "argmax", argument: "axis \(axis)", reason: "it is empty")
        }
        return ReductionKernels.argExtreme(self, outer: v.outer, length: v.length, inner: v.inner, maximum: true)
    }

    /// Indices of the minima along `axis` (first one on ties), as integers.
    public func argmin(alongAxis axis: Int) throws -> [Int] {
        let a = try normalizedAxis(axis, "argmin")
        let v = axisView(a)
        guard v.length > 0 else {
            throw DendriteError.invalidArgument(operation: "argmin", argument: "axis \(axis)", reason: "it is empty")
        }
        return ReductionKernels.argExtreme(self, outer: v.outer, length: v.length, inner: v.inner, maximum: false)
    }

    /// Variance of all elements; `unbiased` divides by `n − 1` (PyTorch's default) instead of `n`.
    public func variance(unbiased: Bool = false) -> Tensor {
        let centered = (try? self - mean()) ?? self
        return centered.squared().sum() / Float(Swift.max(count - (unbiased ? 1 : 0), 0))
    }

    /// Variance along `axes`; `unbiased` divides by `n − 1` instead of `n`.
    public func variance(alongAxes axes: [Int], unbiased: Bool = false, keepingDimensions keep: Bool = false) throws -> Tensor {
        let mu = try mean(alongAxes: axes, keepingDimensions: true)
        let squares = try (self - mu).squared().sum(alongAxes: axes, keepingDimensions: keep)
        let n = count / Swift.max(mu.count, 1)
        return squares / Float(Swift.max(n - (unbiased ? 1 : 0), 0))
    }
}
