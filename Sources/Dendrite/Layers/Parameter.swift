/// A trainable tensor owned by a ``Module``: its value, its accumulated gradient, and whether it
/// is trainable (frozen parameters get no gradient and are skipped by optimizers).
///
/// Inside a ``ParameterArena`` the value and the gradient are views into the arena's buffers;
/// reading and assigning them works the same either way.
public final class Parameter {
    /// The current value (plain, untracked). Assigning a value of the same shape writes it into
    /// the parameter's storage (its arena slot, if it has one); another shape replaces it.
    public var value: Tensor {
        get { stored }
        set {
            guard let arenaValues, stored.storage.owner === arenaValues, newValue.shape == stored.shape else {
                stored = newValue.detached()
                arenaValues = nil
                node.arenaSlot = nil
                return
            }
            ArenaKernels.copy(newValue, into: &stored)
        }
    }
    private var stored: Tensor
    /// The arena buffer holding the value, when in an arena.
    private var arenaValues: TensorStorage?
    /// Whether gradients flow to this parameter. `false` freezes it.
    public var requiresGradient: Bool
    let node: GradientNode

    /// Wraps `value` as a trainable parameter.
    public init(_ value: Tensor, requiresGradient: Bool = true) {
        stored = value.detached()
        self.requiresGradient = requiresGradient
        node = GradientNode(leafNamed: "parameter \(value.shape)")
    }

    /// ∂loss/∂value accumulated by `backward()` since the last ``zeroGradient()``. Assigning a
    /// gradient of the parameter's shape writes it into its arena slot, if it has one.
    public var gradient: Tensor? {
        get { node.gradient }
        set {
            guard let newValue else { return zeroGradient() }
            guard let slot = node.arenaSlot, newValue.shape == slot.shape else { node.gradient = newValue; return }
            node.writeGradient { target, _ in ArenaKernels.copy(newValue, into: &target) }
        }
    }

    /// The value as the autograd graph sees it: tracked when trainable and recording.
    public var tensor: Tensor {
        guard requiresGradient && GradientMode.isEnabled else { return pruningMask.map { (try? value * $0.value) ?? value } ?? value }
        var tracked = value
        tracked.node = node
        // Pruned: the layer sees value ⊙ mask, and the gradient reaching the value is masked.
        if let pruningMask, let masked = try? tracked * pruningMask.value { return masked }
        return tracked
    }

    /// The 0/1 mask of a pruned parameter (``Pruning``): layers compute with `value ⊙ mask`, and
    /// the state dict holds the value as `<name>_orig` and this as `<name>_mask` (PyTorch's names).
    /// `nil` when not pruned.
    public internal(set) var pruningMask: Buffer?

    /// The shape of ``value``.
    public var shape: [Int] { value.shape }

    /// Mutates the value in place (no copy when nothing else shares its storage; inside an arena
    /// the value stays in its slot and other holders keep the old value).
    func updateValue(_ body: (inout Tensor) throws -> Void) rethrows {
        prepareForArenaWrite()
        try body(&stored)
    }

    /// Clears the accumulated gradient.
    public func zeroGradient() {
        guard let gradient = node.gradient else { return }
        node.gradient = nil
        node.arenaSlot?.giveBack(gradient)
    }

    /// Moves the value (and any gradient) into an arena slot at `offset`.
    func bind(values: TensorStorage, gradients: TensorStorage, offset: Int) {
        var view = Tensor(shape: stored.shape, viewing: values, at: offset)
        ArenaKernels.copy(stored, into: &view)
        stored = view
        arenaValues = values
        let previous = node.gradient
        node.gradient = nil
        node.arenaSlot = ArenaGradientSlot(gradients: gradients, offset: offset, shape: stored.shape)
        if let previous, previous.shape == stored.shape {
            node.writeGradient { target, _ in ArenaKernels.copy(previous, into: &target) }
        } else {
            node.gradient = previous
        }
    }

    /// Whether the value is the view of `values` at `offset`.
    func isBound(to values: TensorStorage, at offset: Int) -> Bool { stored.isView(of: values, at: offset) }

    /// Makes the value's arena view exclusive before the arena is written directly — only when
    /// the view is this parameter's own slot (a value assigned from another parameter's view is
    /// copied by the write instead, as any shared value is).
    func prepareForArenaWrite() {
        if let arenaValues, stored.storage.owner === arenaValues { stored.makeExclusiveView() }
    }

    /// Detaches a cleared gradient's view that something outside still holds (before a fill).
    func releaseSharedGradientView() { node.arenaSlot?.releaseShared() }
}

/// A non-trainable tensor a ``Module`` keeps in its state (e.g. batch norm's running mean).
public final class Buffer {
    /// The current value.
    public var value: Tensor
    /// Whether the values are int8 integers (quantized weights), saved as safetensors `I8`.
    public internal(set) var storesInt8 = false
    /// Wraps `value`.
    public init(_ value: Tensor) { self.value = value.detached() }
}
