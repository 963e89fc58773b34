/// Why an MPI operation failed.
public enum MPIError: Error, CustomStringConvertible, Equatable {
    /// Open MPI's library could not be opened; `reason` says what to install.
    case unavailable(reason: String)
    /// An MPI call returned an error.
    case failed(call: String, code: Int, message: String)
    /// An argument no MPI call can take (a root outside the world, counts that differ).
    case invalidArgument(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .unavailable(reason): return "MPI is unavailable: \(reason)"
        case let .failed(call, code, message): return "\(call) failed (error \(code)): \(message)"
        case let .invalidArgument(operation, reason): return "\(operation): \(reason)"
        }
    }
}
