/// A collection of labelled examples that can be read in batches.
public protocol Dataset {
    /// Number of examples.
    var count: Int { get }
    /// Per-example input shape (no batch axis), e.g. `[1, 28, 28]`.
    var inputShape: [Int] { get }
    /// The examples at `indices`, stacked along a new leading batch axis:
    /// inputs `[indices.count] + inputShape`, targets `[indices.count] + targetShape`.
    func batch(at indices: [Int]) throws -> (inputs: Tensor, targets: Tensor)
}

/// A dataset held in memory as two tensors whose first axes are the examples.
///
/// Targets are class indices stored as `Float` (`[N]`) for classification, or any `[N, …]`
/// tensor for regression.
public struct TensorDataset: Dataset {
    /// `[N, …]` inputs.
    public let inputs: Tensor
    /// `[N]` or `[N, …]` targets.
    public let targets: Tensor

    /// Pairs inputs and targets.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` when their first axes differ.
    public init(inputs: Tensor, targets: Tensor) throws {
        guard inputs.rank >= 1, targets.rank >= 1, inputs.shape[0] == targets.shape[0] else {
            throw DendriteError.shapeMismatch(operation: "TensorDataset", expected: "targets with \(inputs.shape.first ?? 0) rows",
                                              got: "inputs \(inputs.shape), targets \(targets.shape)")
        }
        self.inputs = inputs.detached()
        self.targets = targets.detached()
    }

    public var count: Int { inputs.shape[0] }

    public var inputShape: [Int] { Array(inputs.shape.dropFirst()) }

    public func batch(at indices: [Int]) throws -> (inputs: Tensor, targets: Tensor) {
        guard indices.allSatisfy({ $0 >= 0 && $0 < count }) else {
            throw DendriteError.invalidArgument(operation: "TensorDataset.batch", argument: "indices",
                                                reason: "must be in 0..<\(count)")
        }
        return (inputs.gatheringRows(indices), targets.gatheringRows(indices))
    }

    /// The examples in `range`, as a new dataset (e.g. a validation split).
    public func subset(_ range: Range<Int>) throws -> TensorDataset {
        try TensorDataset(inputs: inputs.slice(range), targets: targets.slice(range))
    }

    /// The examples at `indices`, as a new dataset.
    public func subset(_ indices: [Int]) throws -> TensorDataset {
        let (x, y) = try batch(at: indices)
        return try TensorDataset(inputs: x, targets: y)
    }

    /// Splits off the last `fraction` of the examples (at least one): `(training, validation)`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a fraction
    ///   outside (0, 1) or one that leaves no training example.
    public func split(validationFraction fraction: Double) throws -> (training: TensorDataset, validation: TensorDataset) {
        guard fraction > 0 && fraction < 1 else {
            throw DendriteError.invalidArgument(operation: "split", argument: "validationFraction \(fraction)", reason: "must be in (0, 1)")
        }
        let validationCount = Swift.max(1, Int((Double(count) * fraction).rounded()))
        guard validationCount < count else {
            throw DendriteError.invalidArgument(operation: "split", argument: "validationFraction \(fraction)",
                                                reason: "of \(count) examples leaves none for training")
        }
        return (try subset(0..<(count - validationCount)), try subset((count - validationCount)..<count))
    }
}

extension Tensor {
    /// Rows `indices` along the first axis, stacked in order (a copy, untracked).
    public func gatheringRows(_ indices: [Int]) -> Tensor {
        let rowSize = count / Swift.max(shape.first ?? 1, 1)
        return LayoutKernels.gatherRows(self, indices: indices, rowSize: rowSize, shape: [indices.count] + shape.dropFirst())
    }
}
