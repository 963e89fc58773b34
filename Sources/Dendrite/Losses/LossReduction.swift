/// How per-example losses are combined, as PyTorch's `reduction` argument.
public enum LossReduction: String, Codable, Sendable {
    /// The mean over examples (PyTorch's default).
    case mean
    /// The sum over examples.
    case sum
    /// One loss per example (an unreduced tensor).
    case none

    /// Applies the reduction to per-element losses.
    func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        case .none: return losses
        }
    }
}
