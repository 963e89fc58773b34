/// Iterates a ``Dataset`` in batches, reshuffling with a seeded generator each epoch.
///
/// ```swift
/// var loader = DataLoader(dataset, batchSize: 128, shuffle: true, seed: 0)
/// try loader.forEachBatch(epoch: 0) { index, inputs, targets in … }
/// ```
public struct DataLoader {
    /// The data.
    public let dataset: Dataset
    /// Examples per batch (the last batch may be smaller unless `dropLast`).
    public let batchSize: Int
    /// Whether to visit the examples in a new random order each epoch.
    public let shuffle: Bool
    /// Whether to drop a final batch smaller than `batchSize`.
    public let dropLast: Bool
    /// Seed of the shuffling; epoch `e` uses a generator derived from `seed` and `e`.
    public let seed: UInt64
    /// This loader's shard: `(rank, count)` after ``shard(rank:count:)``, `(0, 1)` otherwise.
    public private(set) var shardPosition = (rank: 0, count: 1)

    /// Creates a loader.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a batch size below 1.
    public init(_ dataset: Dataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, seed: UInt64 = 0) throws {
        guard batchSize >= 1 else {
            throw DendriteError.invalidArgument(operation: "DataLoader", argument: "batchSize \(batchSize)", reason: "must be ≥ 1")
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
    }

    /// The loader of one of `count` data-parallel processes: every rank draws the same per-epoch
    /// permutation (same seed) and takes every `count`-th example of it from position `rank`, so
    /// the shards are disjoint and equally long; the last `dataset.count % count` examples of each
    /// epoch's permutation are left out (PyTorch's `DistributedSampler(drop_last=True)`).
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` unless
    ///   `0 ≤ rank < count` and the dataset has at least `count` examples.
    public func shard(rank: Int, count: Int) throws -> DataLoader {
        guard count >= 1, (0..<count).contains(rank) else {
            throw DendriteError.invalidArgument(operation: "DataLoader.shard", argument: "rank \(rank) of \(count)",
                                                reason: "needs count ≥ 1 and 0 ≤ rank < count")
        }
        guard dataset.count >= count else {
            throw DendriteError.invalidArgument(operation: "DataLoader.shard", argument: "count \(count)",
                                                reason: "the dataset has only \(dataset.count) examples")
        }
        var sharded = self
        sharded.shardPosition = (rank, count)
        return sharded
    }

    /// Examples this loader visits per epoch.
    public var exampleCount: Int { dataset.count / shardPosition.count }

    /// Number of batches per epoch.
    public var batchCount: Int {
        dropLast ? exampleCount / batchSize : (exampleCount + batchSize - 1) / batchSize
    }

    /// The example order of `epoch` (this shard's part of it): a seeded Fisher–Yates shuffle, or `0..<count`.
    public func order(epoch: Int) -> [Int] {
        let full = fullOrder(epoch: epoch)
        guard shardPosition.count > 1 else { return full }
        return Array(stride(from: shardPosition.rank, to: exampleCount * shardPosition.count, by: shardPosition.count).map { full[$0] })
    }

    private func fullOrder(epoch: Int) -> [Int] {
        var indices = Array(0..<dataset.count)
        if shuffle {
            var generator = RandomGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
            generator.shuffle(&indices)
        }
        return indices
    }

    /// The example indices of each batch of `epoch`.
    public func batchIndices(epoch: Int) -> [[Int]] {
        let order = self.order(epoch: epoch)
        return (0..<batchCount).map { index in
            Array(order[(index * batchSize)..<Swift.min((index + 1) * batchSize, order.count)])
        }
    }

    /// Reads each batch of `epoch` in turn and passes it to `body` with its 0-based index.
    public func forEachBatch(epoch: Int, _ body: (_ index: Int, _ inputs: Tensor, _ targets: Tensor) throws -> Void) throws {
        for (index, indices) in batchIndices(epoch: epoch).enumerated() {
            let (inputs, targets) = try dataset.batch(at: indices)
            try body(index, inputs, targets)
        }
    }
}
