/// Whether differentiable operations record onto the graph.
///
/// Recording is on by default; ``noGrad(_:)`` turns it off for a scope (inference, metrics,
/// optimizer updates), as `torch.no_grad()` does. The mode belongs to the thread that sets
/// it, so two models can train on two threads while either of them evaluates.
public enum GradientMode {
    /// `true` unless inside ``noGrad(_:)`` or a backward pass on this thread.
    public static var isEnabled: Bool { ThreadState.gradientDisabledDepth == 0 }

    static func withDisabled<T>(_ body: () throws -> T) rethrows -> T {
        ThreadState.gradientDisabledDepth += 1
        defer { ThreadState.gradientDisabledDepth -= 1 }
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
