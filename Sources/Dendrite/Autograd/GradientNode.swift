/// One recorded operation in the reverse-mode graph (the "tape" is the set of nodes reachable
/// from a result).
///
/// A node knows its parents (the inputs' nodes, `nil` for inputs that need no gradient) and a
/// pullback that maps the gradient of its output to gradients of its inputs. Leaf nodes
/// (``Parameter``s and tensors made with ``Tensor/requiringGradient()``) have no pullback and keep
/// their accumulated gradient until it is cleared.
final class GradientNode {
    var parents: [GradientNode?]
    var pullback: ((Tensor) throws -> [Tensor?])?
    /// Accumulated gradient with respect to the node's output.
    var gradient: Tensor?
    let isLeaf: Bool
    /// Name of the operation, for error messages.
    let operation: String
    /// A parameter leaf's slot in a ``ParameterArena``: its gradient is accumulated there.
    var arenaSlot: ArenaGradientSlot?

    init(parents: [GradientNode?], operation: String, pullback: @escaping (Tensor) throws -> [Tensor?]) {
        self.parents = parents
        self.pullback = pullback
        self.isLeaf = false
        self.operation = operation
    }

    /// A leaf: gradients accumulate here across `backward()` calls.
    init(leafNamed name: String) {
        parents = []
        pullback = nil
        isLeaf = true
        operation = name
    }

    /// Adds `contribution` to the accumulated gradient (assigns when there is none yet).
    func accumulate(_ contribution: Tensor) throws {
        if let slot = arenaSlot {
            guard contribution.shape == slot.shape else {
                throw DendriteError.shapeMismatch(operation: "backward through \(operation)",
                                                  expected: "gradient of \(slot.shape)", got: "\(contribution.shape)")
            }
            writeGradient { target, accumulate in
                if accumulate { ElementwiseKernels.accumulate(contribution, into: &target) } else { ArenaKernels.copy(contribution, into: &target) }
            }
            return
        }
        if var existing = gradient {
            guard existing.shape == contribution.shape else {
                throw DendriteError.shapeMismatch(operation: "backward through \(operation)",
                                                  expected: "gradient of \(existing.shape)", got: "\(contribution.shape)")
            }
            gradient = nil   // so that `existing` can be the buffer's only owner and grow in place
            ElementwiseKernels.accumulate(contribution, into: &existing)
            gradient = existing
        } else {
            gradient = contribution
        }
    }

    /// Lets `body` write this leaf's gradient straight into its arena slot — `accumulate` is
    /// `true` when the slot already holds a gradient to add to — and returns `true`; returns
    /// `false` (calling nothing) for a node without a slot. Pullbacks use it to write a weight
    /// gradient with a GEMM into the arena instead of into a temporary.
    @discardableResult
    func writeGradient(_ body: (inout Tensor, _ accumulate: Bool) throws -> Void) rethrows -> Bool {
        guard let slot = arenaSlot else { return false }
        var target: Tensor
        var accumulate = true
        if let existing = gradient, existing.isView(of: slot.gradients, at: slot.offset) {
            target = existing
            gradient = nil
            target.makeExclusiveView()
        } else {
            target = slot.takeView()
            if let existing = gradient { ArenaKernels.copy(existing, into: &target) } else { accumulate = false }
            gradient = nil
        }
        do {
            try body(&target, accumulate)
        } catch {
            // A first write that failed leaves no gradient (the slot's contents are not one).
            if accumulate { gradient = target } else { slot.giveBack(target) }
            throw error
        }
        gradient = target
        return true
    }

    /// Nodes reachable from `self`, parents before children (iterative depth-first search).
    func topologicalOrder() -> [GradientNode] {
        var order: [GradientNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradientNode, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for case let parent? in node.parents where !visited.contains(ObjectIdentifier(parent)) {
                stack.append((parent, false))
            }
        }
        return order
    }
}
