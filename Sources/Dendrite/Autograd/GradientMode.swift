/// Whether differentiable operations record onto the graph.
///
/// Recording is on by default; ``noGrad(_:)`` turns it off for a scope (inference, metrics,
/// optimizer updates), as `torch.no_grad()` does. The mode is process-wide, not per thread:
/// train one model per process, or do not record on one thread while another runs `noGrad`.
public enum GradientMode {
    nonisolated(unsafe) private static var disabledDepth = 0

    /// `true` unless inside ``noGrad(_:)`` or a backward pass.
    public static var isEnabled: Bool { disabledDepth == 0 }

    static func withDisabled<T>(_ body: () throws -> T) rethrows -> T {
        disabledDepth += 1
        defer { disabledDepth -= 1 }
        return try body()
    }
}

/// Runs `body` without recording any operation for automatic differentiation.
///
/// ```swift
/// let predictions = try noGrad { try model(images) }
/// ```
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradientMode.withDisabled(body)
}
