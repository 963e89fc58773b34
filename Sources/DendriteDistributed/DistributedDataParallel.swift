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
    /// Those of ``reductions`` started during a backward pass (the rest started after it).
    public private(set) var reductionsStartedInBackward = 0

    private var buckets: BucketLayout?
    private var step: StepState?

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

    /// Counts the parameter off its bucket; each bucket whose gradients are all final starts its
    /// allreduce — in bucket order, which is the same on every rank — while backward goes on.
    public func gradientIsFinal(_ parameter: Parameter, of optimizer: Optimizer) throws {
        guard size > 1, let arena = optimizer.arena, arena.isIntact else { return }
        let layout = self.layout(of: arena)
        guard let entry = layout.entryOf[ObjectIdentifier(parameter)] else { return }
        if step == nil { step = StepState(pending: layout.entryCounts) }
        step!.pending[layout.bucketOf[entry]] -= 1
        let before = reductions
        try launchReadyBuckets(arena, layout)
        reductionsStartedInBackward += reductions - before
        try MPIRuntime.progress(&step!.requests)
    }

    /// Averages the gradients over the ranks, for a training loop of your own: ``sumGradients(of:)``
    /// of the gradients divided by `size`. (`fit` seeds backward with `1/size` and calls
    /// ``sumGradients(of:)`` instead, saving the division.)
    public func averageGradients(of optimizer: Optimizer) throws {
        try reduceGradients(of: optimizer, scale: 1 / Float(size))
    }

    /// Sums the gradients over the ranks: over the arena's gradient buffer in place when the
    /// optimizer has an intact arena — the buckets not started during backward go as one
    /// blocking allreduce (they are contiguous), then the started ones are waited for — else
    /// through one packed copy of every gradient. A parameter without a gradient on this rank
    /// contributes zeros and gets the sum, as on every other rank, so the replicas step alike.
    public func sumGradients(of optimizer: Optimizer) throws {
        try reduceGradients(of: optimizer, scale: nil)
    }

    private func reduceGradients(of optimizer: Optimizer, scale: Float?) throws {
        guard size > 1 else { return }
        if let arena = optimizer.arena, arena.isIntact {
            let layout = self.layout(of: arena)
            if step == nil { step = StepState(pending: layout.entryCounts) }
            defer { step = nil }
            if step!.launched < layout.ranges.count {
                // Buckets run from the arena's end backwards: the unstarted ones are its start.
                let end = layout.ranges[step!.launched].last!.upperBound
                try MPIRuntime.sumGradients(of: arena, range: 0..<end)
                reductions += 1
            }
            try MPIRuntime.wait(&step!.requests)
            if let scale { MPIRuntime.scaleGradients(of: arena, by: scale) }
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
            let values = packed[offset..<(offset + count)]
            parameter.gradient = try Tensor(shape: parameter.value.shape, scalars: scale.map { s in values.map { $0 * s } } ?? Array(values))
            offset += count
        }
    }

    /// Starts, in order, every bucket from the next unstarted one whose gradients are all final.
    private func launchReadyBuckets(_ arena: ParameterArena, _ layout: BucketLayout) throws {
        while step!.launched < layout.ranges.count && step!.pending[step!.launched] <= 0 {
            for range in layout.ranges[step!.launched] {
                step!.requests.append(try MPIRuntime.startSum(of: arena, range: range))
                reductions += 1
            }
            step!.launched += 1
        }
    }

    /// Prints `error` with this rank's number on standard error and ends every rank (exit 1).
    public func abort(after error: Error) -> Never {
        FileHandle.standardError.write(Data("dendrite: rank \(rank) of \(size) failed: \(error)\n".utf8))
        communicator.abort(code: 1)
    }

    /// The arena's buckets, last parameters first (a first bucket of `firstBucketBytes`, then
    /// `bucketBytes` each), as scalar ranges of at most `Int32.max` (MPI's count), with each
    /// entry's bucket; computed once per arena.
    private func layout(of arena: ParameterArena) -> BucketLayout {
        if let cached = buckets, cached.arena == ObjectIdentifier(arena) { return cached }
        let groups = arena.buckets(maximumBytes: bucketBytes, firstBucketBytes: firstBucketBytes)
        var bucketOf = [Int](repeating: 0, count: arena.entries.count)
        for (bucket, entries) in groups.enumerated() { for entry in entries { bucketOf[entry] = bucket } }
        let ranges = groups.map { entries -> [Range<Int>] in
            let start = arena.entries[entries.lowerBound].offset
            let end = arena.entries[entries.upperBound - 1].offset + arena.entries[entries.upperBound - 1].count
            return stride(from: start, to: end, by: Int(Int32.max)).map { $0..<Swift.min($0 + Int(Int32.max), end) }
        }
        let entryOf = Dictionary(uniqueKeysWithValues: arena.parameters.enumerated().map { (ObjectIdentifier($1), $0) })
        let layout = BucketLayout(arena: ObjectIdentifier(arena), ranges: ranges, bucketOf: bucketOf,
                                  entryCounts: groups.map(\.count), entryOf: entryOf)
        buckets = layout
        return layout
    }
}

/// How an arena's gradients split into buckets.
struct BucketLayout {
    let arena: ObjectIdentifier
    /// Each bucket's scalar ranges.
    let ranges: [[Range<Int>]]
    /// Each arena entry's bucket.
    let bucketOf: [Int]
    /// Entries per bucket.
    let entryCounts: [Int]
    /// Each parameter's entry index.
    let entryOf: [ObjectIdentifier: Int]
}

/// One backward pass's reductions: gradients still to come per bucket, buckets started, requests.
struct StepState {
    var pending: [Int]
    var launched = 0
    var requests: [MPIRuntime.Request] = []
}
