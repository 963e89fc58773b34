import Foundation

/// The processes of an MPI job (`MPI_COMM_WORLD`): rank, size and the collective operations
/// data-parallel training needs. Open MPI is opened at run time, so a program that links this
/// module runs without MPI installed until it asks for a communicator.
///
/// ```swift
/// let world = try MPICommunicator.world()          // under mpirun -np 4: rank 0…3, size 4
/// var values: [Float] = [Float(world.rank)]
/// try world.sum(&values)                           // [6] on every rank
/// ```
///
/// MPI is initialized once per process (thread level FUNNELED: call from one thread) and
/// finalized at exit. Collective calls must be made by every rank in the same order.
public final class MPICommunicator: @unchecked Sendable {
    /// This process's rank in `0..<size`.
    public let rank: Int
    /// The number of processes in the job.
    public let size: Int

    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared: MPICommunicator?

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// The job's communicator, initializing MPI on first use (and finalizing it at exit).
    ///
    /// - Throws: ``MPIError/unavailable(reason:)`` naming what to install when Open MPI's
    ///   library is missing; ``MPIError/failed(call:code:message:)`` when MPI cannot start.
    public static func world() throws -> MPICommunicator {
        lock.lock()
        defer { lock.unlock() }
        if let shared { return shared }
        try MPIRuntime.load()
        let (rank, size) = try MPIRuntime.initialize()
        let world = MPICommunicator(rank: rank, size: size)
        shared = world
        atexit { try? MPIRuntime.finalize() }
        return world
    }

    /// Whether this process was started by an MPI launcher (`mpirun`, `mpiexec`, `srun` with
    /// PMI or PMIx), read from the environment the launchers set.
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"].contains { environment[$0] != nil }
    }

    /// The element-wise sum over all ranks, written in place on every rank.
    public func sum(_ values: inout [Float]) throws { try MPIRuntime.sum(&values) }

    /// The element-wise sum over all ranks, written in place on every rank.
    public func sum(_ values: inout [Double]) throws { try MPIRuntime.sum(&values) }

    /// Rank `root`'s `values` on every rank; every rank passes the same count.
    ///
    /// - Throws: ``MPIError/invalidArgument(operation:reason:)`` for a root outside `0..<size`.
    public func broadcast(_ values: inout [Float], root: Int = 0) throws {
        guard (0..<size).contains(root) else {
            throw MPIError.invalidArgument(operation: "broadcast", reason: "root \(root) is not a rank of \(size)")
        }
        try MPIRuntime.broadcast(&values, root: root)
    }

    /// Waits until every rank has called it.
    public func barrier() throws { try MPIRuntime.barrier() }

    /// Seconds on MPI's wall clock (`MPI_Wtime`).
    public var wallTime: Double { MPIRuntime.wallTime }

    /// Ends every rank of the job with exit status `code` (`MPI_Abort`).
    public func abort(code: Int32 = 1) -> Never { MPIRuntime.abort(code: code) }
}
