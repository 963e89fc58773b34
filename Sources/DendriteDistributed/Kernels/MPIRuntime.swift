import CMPIShim
import Dendrite

/// The C calls behind ``MPICommunicator`` (CMPIShim, which opens Open MPI at run time); each
/// turns an MPI error code into an ``MPIError``.
enum MPIRuntime {
    static func load() throws {
        var message = [CChar](repeating: 0, count: 512)
        guard dd_mpi_load(&message, Int32(message.count)) == 0 else {
            throw MPIError.unavailable(reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    static func initialize() throws -> (rank: Int, size: Int) {
        var rank: Int32 = 0, size: Int32 = 0
        try check(dd_mpi_init(&rank, &size), "MPI_Init_thread")
        return (Int(rank), Int(size))
    }

    static var isActive: Bool { dd_mpi_is_active() != 0 }

    static func finalize() throws { try check(dd_mpi_finalize(), "MPI_Finalize") }

    static func sum(_ values: inout [Float]) throws {
        let count = Int64(values.count)
        try values.withUnsafeMutableBufferPointer { try check(dd_mpi_allreduce_sum_float($0.baseAddress, count), "MPI_Allreduce") }
    }

    static func sum(_ values: inout [Double]) throws {
        let count = Int64(values.count)
        try values.withUnsafeMutableBufferPointer { try check(dd_mpi_allreduce_sum_double($0.baseAddress, count), "MPI_Allreduce") }
    }

    static func broadcast(_ values: inout [Float], root: Int) throws {
        let bytes = Int64(values.count * MemoryLayout<Float>.stride)
        try values.withUnsafeMutableBytes { try check(dd_mpi_broadcast($0.baseAddress, bytes, Int32(root)), "MPI_Bcast") }
    }

    static func barrier() throws { try check(dd_mpi_barrier(), "MPI_Barrier") }

    static func abort(code: Int32) -> Never {
        dd_mpi_abort(code)
        fatalError("MPI_Abort returned")   // dd_mpi_abort exits when MPI cannot abort
    }

    static var wallTime: Double { dd_mpi_wtime() }

    /// An allreduce in flight (MPI_Request).
    typealias Request = UnsafeMutableRawPointer?

    /// Starts summing `range` of `arena`'s gradient buffer over the processes, in place.
    static func startSum(of arena: ParameterArena, range: Range<Int>) throws -> Request {
        var request: Request = nil
        try arena.withUnsafeMutableGradients { buffer in
            try check(dd_mpi_iallreduce_sum_float(buffer.baseAddress! + range.lowerBound, Int32(range.count), &request), "MPI_Iallreduce")
        }
        return request
    }

    /// Sums `range` of `arena`'s gradient buffer over the processes, in place, blocking.
    static func sumGradients(of arena: ParameterArena, range: Range<Int>) throws {
        try arena.withUnsafeMutableGradients { buffer in
            try check(dd_mpi_allreduce_sum_float(buffer.baseAddress! + range.lowerBound, Int64(range.count)), "MPI_Allreduce")
        }
    }

    /// Lets MPI move the requests along (it progresses non-blocking collectives inside MPI calls).
    static func progress(_ requests: inout [Request]) throws {
        for index in requests.indices where requests[index] != nil {
            var done: Int32 = 0
            try check(dd_mpi_test(&requests[index], &done), "MPI_Test")
        }
    }

    /// Waits for every request (each exactly once), reporting the first failure.
    static func wait(_ requests: inout [Request]) throws {
        var failure: Error?
        for index in requests.indices where requests[index] != nil {
            let status = dd_mpi_wait(&requests[index])
            if status != 0 { failure = failure ?? error(status, "MPI_Wait") }
        }
        if let failure { throw failure }
    }

    /// Multiplies the arena's whole gradient buffer by `scale` (1/size: the mean).
    static func scaleGradients(of arena: ParameterArena, by scale: Float) {
        arena.withUnsafeMutableGradients { buffer in
            for index in buffer.indices { buffer[index] *= scale }
        }
    }

    static func check(_ status: Int32, _ call: String) throws {
        if status != 0 { throw error(status, call) }
    }

    private static func error(_ status: Int32, _ call: String) -> MPIError {
        var message = [CChar](repeating: 0, count: 1024)
        dd_mpi_error_string(status, &message, Int32(message.count))
        return .failed(call: call, code: Int(status),
                       message: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
