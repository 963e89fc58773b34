/// Every failure Dendrite reports: each case names what is at fault.
///
/// Dendrite never traps on bad input from a user or a file; it throws one of these.
/// ``description`` is a sentence meant for a person.
public enum DendriteError: Error, Equatable, CustomStringConvertible {
    /// Two shapes that had to agree do not. `operation` names the op or layer.
    case shapeMismatch(operation: String, expected: String, got: String)
    /// An argument is out of its domain (`argument` names it, `reason` says why).
    case invalidArgument(operation: String, argument: String, reason: String)
    /// A scalar count does not match the product of a shape.
    case countMismatch(shape: [Int], expectedCount: Int, got: Int)
    /// LAPACK found an exactly singular matrix: `U[pivot, pivot]` is zero (1-based, as LAPACK).
    case singularMatrix(operation: String, pivot: Int)
    /// Cholesky failed: the leading minor of order `order` is not positive definite.
    case notPositiveDefinite(operation: String, order: Int)
    /// An iterative LAPACK routine did not converge.
    case noConvergence(operation: String, info: Int)
    /// LAPACK rejected an argument (`info` < 0 names its position).
    case lapackArgument(operation: String, info: Int)
    /// A file is missing, unreadable or malformed. `offset` is the byte at fault, when known.
    case invalidFile(path: String, offset: Int?, reason: String)
    /// Training produced a NaN or infinite loss (1-based epoch and batch).
    case nonFiniteLoss(epoch: Int, batch: Int, value: Float)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, expected, got):
            return "\(operation): shape mismatch, expected \(expected) but got \(got)"
        case let .invalidArgument(operation, argument, reason):
            return "\(operation): invalid \(argument): \(reason)"
        case let .countMismatch(shape, expectedCount, got):
            return "shape \(shape) holds \(expectedCount) scalars but \(got) were given"
        case let .singularMatrix(operation, pivot):
            return "\(operation): the matrix is singular (U[\(pivot),\(pivot)] is exactly zero)"
        case let .notPositiveDefinite(operation, order):
            return "\(operation): the matrix is not positive definite (leading minor of order \(order))"
        case let .noConvergence(operation, info):
            return "\(operation): the algorithm did not converge (LAPACK info \(info))"
        case let .lapackArgument(operation, info):
            return "\(operation): LAPACK rejected argument \(-info)"
        case let .invalidFile(path, offset, reason):
            return "\(path)\(offset.map { " at byte \($0)" } ?? ""): \(reason)"
        case let .nonFiniteLoss(epoch, batch, value):
            return "training stopped: the loss became \(value) at epoch \(epoch), batch \(batch) (try a lower learning rate or gradient clipping)"
        }
    }
}
