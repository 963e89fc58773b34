/// A ReLU bounded above by the largest value it produced on training data (Ranger, Chen et al.
/// 2021): a fault that makes an activation huge — a flipped exponent bit — is cut back to the
/// range the network was trained in instead of swamping every later layer; NaN becomes 0.
public final class BoundedReLU: Module, UnaryLayer {
    /// The largest output allowed.
    public let upperBound: Float

    /// Creates the layer.
    public init(upperBound: Float) {
        self.upperBound = upperBound
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        // While gradients are recorded, a plain clamp (its gradient passes inside the range).
        if GradientMode.isEnabled && input.requiresGradient { return input.clamped(min: 0, max: upperBound) }
        let bound = upperBound
        return try Tensor(shape: input.shape, scalars: input.scalars.map { $0.isNaN ? 0 : Swift.min(Swift.max($0, 0), bound) })
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}

extension Module {
    /// Replaces every ``ReLU`` under this module by a ``BoundedReLU`` whose bound is the largest
    /// output that ReLU produced on the `profiling` batches (run in eval mode without gradients) —
    /// a fault-tolerance mitigation measured by `dendrite faults --mitigate`.
    ///
    /// - Returns: the number of ReLUs bounded.
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` without batches or
    ///   for a module that is not a layer; errors of the forward pass.
    @discardableResult
    public func boundActivations(profiledOn profiling: [Tensor]) throws -> Int {
        guard let model = self as? any UnaryLayer, !profiling.isEmpty else {
            throw DendriteError.invalidArgument(operation: "boundActivations", argument: typeName,
                                                reason: "needs a layer and at least one profiling batch")
        }
        let targets = namedModules().filter { !$0.0.isEmpty && $0.1 is ReLU }
        var probes: [(String, CalibrationProbe, MinMaxObserver)] = []
        for (path, relu) in targets {
            let observer = MinMaxObserver()
            let probe = CalibrationProbe(relu as! ReLU, observer: observer)
            try replaceModule(at: path, with: probe)
            probes.append((path, probe, observer))
        }
        let restore = enterEvaluationMode()
        defer { restore() }
        do {
            try noGrad { for batch in profiling { _ = try model(batch) } }
        } catch {
            for (path, probe, _) in probes { try replaceModule(at: path, with: probe.wrapped as Module) }
            throw error
        }
        for (path, _, observer) in probes {
            try replaceModule(at: path, with: BoundedReLU(upperBound: Swift.max(observer.range?.high ?? 0, 0)))
        }
        return probes.count
    }
}
