/// A trainable tensor owned by a ``Module``: its value, its accumulated gradient, and whether it
/// is trainable (frozen parameters get no gradient and are skipped by optimizers).
public final class Parameter {
    /// The current value (plain, untracked).
    public var value: Tensor {
        get { stored }
        set { stored = newValue.detached() }
    }
    private var stored: Tensor
    /// Whether gradients flow to this parameter. `false` freezes it.
    public var requiresGradient: Bool
    let node: GradientNode

    /// Wraps `value` as a trainable parameter.
    public init(_ value: Tensor, requiresGradient: Bool = true) {
        stored = value.detached()
        self.requiresGradient = requiresGradient
        node = GradientNode(leafNamed: "parameter \(value.shape)")
    }

    /// ∂loss/∂value accumulated by `backward()` since the last ``zeroGradient()``.
    public var gradient: Tensor? {
        get { node.gradient }
        set { node.gradient = newValue }
    }

    /// The value as the autograd graph sees it: tracked when trainable and recording.
    public var tensor: Tensor {
        guard requiresGradient && GradientMode.isEnabled else { return value }
        var tracked = value
        tracked.node = node
        return tracked
    }

    /// The shape of ``value``.
    public var shape: [Int] { value.shape }

    /// Mutates the value in place (no copy when nothing else shares its storage).
    func updateValue(_ body: (inout Tensor) throws -> Void) rethrows { try body(&stored) }

    /// Clears the accumulated gradient.
    public func zeroGradient() { node.gradient = nil }
}

/// A non-trainable tensor a ``Module`` keeps in its state (e.g. batch norm's running mean).
public final class Buffer {
    /// The current value.
    public var value: Tensor
    /// Wraps `value`.
    public init(_ value: Tensor) { self.value = value.detached() }
}
