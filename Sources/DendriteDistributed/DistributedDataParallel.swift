import Dendrite
import Foundation

/// Data-parallel training over MPI, PyTorch DistributedDataParallel's way: pass it to `fit`
/// (`distributed:`) and every rank starts from rank 0's weights, trains on its shard of each
/// epoch, averages every gradient over the ranks before each step — in buckets of the optimizer's
/// parameter arena, each a non-blocking allreduce — and reports loss and metrics over all ranks.
///
/// ```swift
/// let ddp = try DistributedDataParallel()            // under mpirun -np N
/// let history = try model.fit(data, epochs: 5, batchSize: 64, loss: .crossEntropy,
///                             optimizer: optimizer, distributed: ddp)   // global batch 64·N
/// ```
///
/// With 2 ranks and per-rank batch `b` the weights after each step are those of one process with
/// batch `2b` (the tests check this to 1e-5). A failure on one rank ends every rank with its
/// message (``abort(after:)``).
public final class DistributedDataParallel: DataParallelGroup {
    /// The job's processes.
    public let communicator: MPICommunicator
    /// The largest bucket of gradients sent as one allreduce (PyTorch's default, 25 MiB).
    public let bucketBytes: Int
    /// The first bucket's size (the last parameters' gradients, ready first in backward): small,
    /// as PyTorch's 1 MiB, so that the first reduction starts early.
    public let firstBucketBytes: Int
    /// Allreduce calls made so far (buckets), for tests and the benchmark.
    public private(set) var reductions = 0

    private var buckets: (arena: ObjectIdentifier, ranges: [Range<Int>])?

    /// Joins the MPI job (initializing MPI on first use).
    ///
    /// - Throws: ``MPIError`` when MPI is unavailable or cannot start, and for bucket sizes below 1 byte.
    public init(communicator: MPICommunicator? = nil, bucketBytes: Int = 25 << 20, firstBucketBytes: Int = 1 << 20) throws {
        guard bucketBytes >= 1, firstBucketBytes >= 1 else {
            throw MPIError.invalidArgument(operation: "DistributedDataParallel", reason: "bucket sizes must be at least 1 byte")
        }
        self.communicator = try communicator ?? MPICommunicator.world()
        self.bucketBytes = bucketBytes
        self.firstBucketBytes = firstBucketBytes
    }

    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }

    public func sum(_ values: [Double]) throws -> [Double] {
        var values = values
        try communicator.sum(&values)
        return values
    }

    public func broadcast(_ values: [Float], root: Int) throws -> [Float] {
        var values = values
        try communicator.broadcast(&values, root: root)
        return values
    }

    /// Averages the gradients over the ranks: over the arena's gradient buffer in place when the
    /// optimizer has an intact arena (one allreduce per bucket), else through one packed copy of
    /// every gradient. A parameter without a gradient on this rank contributes zeros and gets the
    /// mean, as on every other rank, so the replicas step alike.
    public func averageGradients(of optimizer: Optimizer) throws {
        guard size > 1 else { return }
        let scale = 1 / Float(size)
        if let arena = optimizer.arena, arena.isIntact {
            let ranges = scalarRanges(of: arena)
            try MPIRuntime.sumGradients(of: arena, ranges: ranges, scale: scale)
            reductions += ranges.count
            let missing = zip(arena.parameters, arena.entries).filter { $0.0.gradient == nil }
            if !missing.isEmpty {
                let reduced = arena.gradientBuffer
                for (parameter, entry) in missing {
                    parameter.gradient = try reduced.slice(entry.offset..<(entry.offset + entry.count)).reshaped(to: entry.shape)
                }
            }
            return
        }
        let parameters = optimizer.parameters
        var packed = parameters.flatMap { $0.gradient?.scalars ?? [Float](repeating: 0, count: $0.value.count) }
        try communicator.sum(&packed)
        reductions += 1
        var offset = 0
        for parameter in parameters {
            let count = parameter.value.count
            parameter.gradient = try Tensor(shape: parameter.value.shape, scalars: packed[offset..<(offset + count)].map { $0 * scale })
            offset += count
        }
    }

    /// Prints `error` with this rank's number on standard error and ends every rank (exit 1).
    public func abort(after error: Error) -> Never {
        FileHandle.standardError.write(Data("dendrite: rank \(rank) of \(size) failed: \(error)\n".utf8))
        communicator.abort(code: 1)
    }

    /// The arena's buckets as scalar ranges, last parameters first: a first bucket of
    /// `firstBucketBytes`, then `bucketBytes` each (computed once per arena).
    private func scalarRanges(of arena: ParameterArena) -> [Range<Int>] {
        if let buckets, buckets.arena == ObjectIdentifier(arena) { return buckets.ranges }
        let ranges = arena.buckets(maximumBytes: bucketBytes, firstBucketBytes: firstBucketBytes).flatMap { entries -> [Range<Int>] in
            let start = arena.entries[entries.lowerBound].offset
            let end = arena.entries[entries.upperBound - 1].offset + arena.entries[entries.upperBound - 1].count
            return stride(from: start, to: end, by: Int(Int32.max)).map { $0..<Swift.min($0 + Int(Int32.max), end) }
        }
        buckets = (ObjectIdentifier(arena), ranges)
        return ranges
    }
}
