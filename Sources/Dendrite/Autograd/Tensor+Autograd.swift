// Reverse-mode automatic differentiation on Tensor values.

extension Tensor {
    /// Whether this value is tracked by the autograd graph (it has a node).
    public var requiresGradient: Bool { node != nil }

    /// A copy of this value that is a leaf of the autograd graph: after `backward()` its
    /// ``gradient`` holds ∂output/∂self.
    public func requiringGradient() -> Tensor {
        var leaf = self
        leaf.node = GradientNode(leafNamed: "leaf \(shape)")
        return leaf
    }

    /// The same values, cut from the graph.
    public func detached() -> Tensor {
        var plain = self
        plain.node = nil
        return plain
    }

    /// The accumulated gradient of a leaf (``requiringGradient()`` or a ``Parameter``'s value).
    public var gradient: Tensor? { node?.gradient }

    /// Back-propagates from this value: every leaf it depends on accumulates its gradient.
    ///
    /// - Parameter seed: ∂loss/∂self; defaults to 1 for a one-element tensor (a loss).
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when `self` is not
    ///   part of a graph or is not a scalar and no seed is given.
    public func backward(seed: Tensor? = nil) throws {
        try backward(seed: seed, whenLeafIsFinal: nil)
    }

    /// `backward`, calling `whenLeafIsFinal` with each leaf as soon as no remaining node of the
    /// graph can add to its gradient — the moment a data-parallel reduction of that gradient can
    /// start, while the rest of the backward pass runs. Leaves come in the order the graph
    /// determines, the same on every process that built the same graph.
    func backward(seed: Tensor?, whenLeafIsFinal: ((GradientNode) throws -> Void)?) throws {
        guard let root = node else {
            throw DendriteError.invalidArgument(operation: "backward", argument: "tensor",
                                                reason: "it does not depend on any tensor that requires a gradient")
        }
        let start: Tensor
        if let seed {
            guard seed.shape == shape else {
                throw DendriteError.shapeMismatch(operation: "backward seed", expected: "\(shape)", got: "\(seed.shape)")
            }
            start = seed.detached()
        } else {
            guard count == 1 else {
                throw DendriteError.invalidArgument(operation: "backward", argument: "tensor of shape \(shape)",
                                                    reason: "needs a seed gradient unless it holds one element")
            }
            start = Tensor.filled(shape, 1)
        }
        try GradientMode.withDisabled {
            let order = root.topologicalOrder()
            if root.isLeaf {
                try root.accumulate(start)
                try whenLeafIsFinal?(root)
                return
            }
            let steps = Array(order.reversed().filter { !$0.isLeaf })
            let finalAfter = whenLeafIsFinal == nil ? [] : Self.leavesFinal(after: steps)
            root.gradient = start
            for (index, node) in steps.enumerated() {
                defer {
                    // Free the graph behind us: intermediate values and closures go now.
                    node.gradient = nil
                    node.pullback = nil
                    node.parents = []
                }
                if let gradient = node.gradient, let pullback = node.pullback {
                    let inputGradients = try pullback(gradient)
                    for (parent, inputGradient) in zip(node.parents, inputGradients) {
                        if let parent, let inputGradient { try parent.accumulate(inputGradient) }
                    }
                }
                if let whenLeafIsFinal { for leaf in finalAfter[index] { try whenLeafIsFinal(leaf) } }
            }
        }
    }

    /// For each step of the backward pass, the leaves whose last contribution it makes.
    private static func leavesFinal(after steps: [GradientNode]) -> [[GradientNode]] {
        var last: [ObjectIdentifier: (step: Int, leaf: GradientNode)] = [:]
        for (index, node) in steps.enumerated() {
            for case let parent? in node.parents where parent.isLeaf { last[ObjectIdentifier(parent)] = (index, parent) }
        }
        var result = [[GradientNode]](repeating: [], count: steps.count)
        // Within one step, in the order of first appearance among that step's parents (deterministic).
        for (index, node) in steps.enumerated() {
            for case let parent? in node.parents where parent.isLeaf {
                if let entry = last[ObjectIdentifier(parent)], entry.step == index {
                    result[index].append(parent)
                    last[ObjectIdentifier(parent)] = nil
                }
            }
        }
        return result
    }

    /// For a pullback: when this tensor is a parameter leaf with an arena slot, lets `body` write
    /// its gradient into the slot (`accumulate` says whether to add to what is there) and returns
    /// `true`; otherwise returns `false` and the pullback returns the gradient as usual.
    func writeGradientInPlace(_ body: (inout Tensor, _ accumulate: Bool) throws -> Void) rethrows -> Bool {
        guard let node, node.isLeaf else { return false }
        return try node.writeGradient(body)
    }

    /// Attaches a graph node to `self` when recording is on and any input is tracked.
    func recorded(_ operation: String, _ inputs: [Tensor], _ pullback: @escaping (Tensor) throws -> [Tensor?]) -> Tensor {
        guard GradientMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return self }
        var result = self
        result.node = GradientNode(parents: inputs.map(\.node), operation: operation, pullback: pullback)
        return result
    }

    /// Sums a broadcast gradient back to `shape`.
    func unbroadcast(to target: [Int]) throws -> Tensor {
        if shape == target { return self }
        let axes = Broadcasting.reducedAxes(from: target, to: shape)
        return try sum(alongAxes: axes, keepingDimensions: true).reshaped(to: target)
    }
}
