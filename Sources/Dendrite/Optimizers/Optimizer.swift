/// Parameters that share a learning rate and weight decay (PyTorch's parameter groups), e.g. a
/// pretrained backbone with a small rate and a new head with a large one.
public struct ParameterGroup {
    /// The parameters.
    public var parameters: [Parameter]
    /// Their learning rate.
    public var learningRate: Float
    /// Their weight decay (meaning depends on the optimizer: L2 or decoupled).
    public var weightDecay: Float

    /// Creates a group.
    public init(_ parameters: [Parameter], learningRate: Float, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}

/// The base of every optimizer: parameter groups, per-parameter state, `step()` and `zeroGrad()`.
///
/// Frozen parameters (`requiresGradient == false`) and parameters without a gradient are skipped.
/// Subclasses implement ``update(_:gradient:state:group:)``, an elementwise update of a value,
/// its gradient and its state tensors. On first use the optimizer moves its trainable
/// parameters into a ``ParameterArena`` (``arena``); `step()` then calls `update` once per run of
/// consecutive parameters that share a group and a state layout — once for the whole arena in
/// the common case — on views of the arena, with the same formulas, so the result is bitwise the
/// one a per-parameter update gives.
open class Optimizer {
    /// The parameter groups.
    public var groups: [ParameterGroup]
    /// Completed steps.
    public private(set) var stepCount = 0
    /// Per-parameter state by group and position (momentum buffers, moment estimates).
    var state: [[[String: Tensor]]]
    /// The optimizer's name in errors.
    open var name: String { String(describing: type(of: self)) }
    /// Whether ``update(_:gradient:state:group:)`` is elementwise, so parameters can be packed
    /// into an arena and updated run by run. Set it to `false` before the first step to update
    /// parameter by parameter (L-BFGS, which is not elementwise, does so).
    public var packsParameters = true
    /// The arena holding the trainable parameters, built on the first ``step()`` or ``zeroGrad()``.
    public internal(set) var arena: ParameterArena?
    /// Elementwise state (momentum, moments) for arena parameters, by state name, laid out as the arena.
    var arenaState: [String: TensorStorage] = [:]
    /// Each arena parameter's entry index.
    var arenaIndex: [ObjectIdentifier: Int] = [:]

    /// Creates the optimizer over `groups`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a negative
    ///   or non-finite learning rate or weight decay.
    public init(groups: [ParameterGroup]) throws {
        var seen = Set<ObjectIdentifier>()
        for (groupIndex, group) in groups.enumerated() {
            for (index, parameter) in group.parameters.enumerated() where !seen.insert(ObjectIdentifier(parameter)).inserted {
                throw DendriteError.invalidArgument(operation: String(describing: type(of: self)),
                                                    argument: "parameter \(index) of group \(groupIndex)",
                                                    reason: "appears more than once in the optimizer's groups")
            }
        }
        self.groups = groups
        state = groups.map { [[String: Tensor]](repeating: [:], count: $0.parameters.count) }
        for group in groups {
            guard group.learningRate >= 0, group.learningRate.isFinite else {
                throw DendriteError.invalidArgument(operation: String(describing: type(of: self)), argument: "learningRate \(group.learningRate)",
                                                    reason: "must be finite and ≥ 0")
            }
            guard group.weightDecay >= 0, group.weightDecay.isFinite else {
                throw DendriteError.invalidArgument(operation: String(describing: type(of: self)), argument: "weightDecay \(group.weightDecay)",
                                                    reason: "must be finite and ≥ 0")
            }
        }
    }

    /// Each group's learning rate relative to the first group's, as the groups were created
    /// (1 for every group when the first rate was 0).
    private lazy var groupRatios: [Float] = {
        guard let first = groups.first?.learningRate, first > 0 else { return groups.map { _ in 1 } }
        return groups.map { $0.learningRate / first }
    }()

    /// The first group's learning rate. Setting it sets every group to `newValue` times the ratio
    /// its rate had to the first group's at creation, so per-group ratios survive a schedule —
    /// also one that passes through 0.
    public var learningRate: Float {
        get { groups.first?.learningRate ?? 0 }
        set {
            let ratios = groupRatios
            for index in groups.indices {
                groups[index].learningRate = index == 0 ? newValue : newValue * ratios[index]
            }
        }
    }

    /// Every parameter of every group.
    public var parameters: [Parameter] { groups.flatMap(\.parameters) }

    /// Clears every parameter's gradient (arena parameters in one fill).
    public func zeroGrad() {
        prepareArena()
        arena?.zeroGradients()
        for parameter in parameters where arenaIndex[ObjectIdentifier(parameter)] == nil { parameter.zeroGradient() }
    }

    /// Applies one update to every trainable parameter that has a gradient. Every gradient's
    /// shape is checked first, so a mismatch changes nothing (no parameter, no state, no count).
    open func step() throws {
        for group in groups {
            for parameter in group.parameters where parameter.requiresGradient {
                if let gradient = parameter.gradient, gradient.shape != parameter.shape {
                    throw DendriteError.shapeMismatch(operation: "\(name).step", expected: "gradient \(parameter.shape)",
                                                      got: "\(gradient.shape)")
                }
            }
        }
        prepareArena()
        stepCount += 1
        try noGrad {
            for groupIndex in groups.indices {
                var index = 0
                while index < groups[groupIndex].parameters.count {
                    let run = arenaRun(group: groupIndex, from: index)
                    if run.count > 0 {
                        try updateRun(group: groupIndex, run)
                        index = run.upperBound
                        continue
                    }
                    let parameter = groups[groupIndex].parameters[index]
                    if parameter.requiresGradient, let gradient = parameter.gradient {
                        try parameter.updateValue { value in
                            try update(&value, gradient: gradient, state: &state[groupIndex][index], group: groups[groupIndex])
                        }
                    }
                    index += 1
                }
            }
        }
    }

    /// Evaluates `closure` (which must zero the gradients, compute the loss and call `backward()`)
    /// and steps. L-BFGS overrides this to evaluate the closure several times.
    @discardableResult
    open func step(closure: () throws -> Tensor) throws -> Float {
        let loss = try closure()
        try step()
        return loss.scalar ?? .nan
    }

    /// Updates `value` in place from `gradient`, elementwise: one parameter's value, or a run of
    /// consecutive arena parameters flattened to one axis. `state` persists across steps; its
    /// tensors have `value`'s count (or hold one scalar, such as a step count).
    open func update(_ value: inout Tensor, gradient: Tensor, state: inout [String: Tensor], group: ParameterGroup) throws {
        throw DendriteError.invalidArgument(operation: name, argument: "update", reason: "is not implemented")
    }

    /// The state as named tensors: `state.<group>.<index>.<name>`, `lr.<group>` and `step`.
    open func stateDict() -> [(String, Tensor)] {
        var result: [(String, Tensor)] = [("step", Tensor(Float(stepCount)))]
        for (groupIndex, group) in groups.enumerated() {
            result.append(("lr.\(groupIndex)", Tensor(group.learningRate)))
            for (index, entries) in state[groupIndex].enumerated() {
                for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
                    result.append(("state.\(groupIndex).\(index).\(key)", value.ownedCopy()))
                }
            }
        }
        return result
    }

    /// Restores state saved by ``stateDict()`` for the same parameters, so training resumes
    /// exactly where it stopped.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` naming a key that
    ///   does not belong to this optimizer, a tensor of the wrong size, a step count that is not a
    ///   whole number in 0…2²⁴ or a learning rate that is not finite and ≥ 0 (state files are
    ///   untrusted).
    open func load(stateDict: [String: Tensor]) throws {
        var restored = groups.map { [[String: Tensor]](repeating: [:], count: $0.parameters.count) }
        func invalid(_ key: String, _ reason: String) -> DendriteError {
            .invalidArgument(operation: "\(name).load(stateDict:)", argument: "key \"\(key)\"", reason: reason)
        }
        for (key, value) in stateDict {
            let parts = key.split(separator: ".").map(String.init)
            if parts.last == "step" {
                guard let step = value.scalar, step.isFinite, step >= 0, step <= 16_777_216, step == step.rounded() else {
                    throw invalid(key, "a step count must be one whole number in 0…2²⁴")
                }
            }
            if key == "step" { continue }
            if parts.count == 2, parts[0] == "lr", let group = Int(parts[1]), groups.indices.contains(group) {
                guard let rate = value.scalar, rate.isFinite, rate >= 0 else { throw invalid(key, "a learning rate must be finite and ≥ 0") }
                continue
            }
            guard parts.count == 4, parts[0] == "state", let group = Int(parts[1]), let index = Int(parts[2]),
                  groups.indices.contains(group), groups[group].parameters.indices.contains(index) else {
                throw DendriteError.invalidArgument(operation: "\(name).load(stateDict:)", argument: "key \"\(key)\"",
                                                    reason: "does not match this optimizer's parameter groups")
            }
            let parameter = groups[group].parameters[index]
            guard value.count == parameter.value.count || (value.count == 1 && parts[3] == "step") else {
                throw DendriteError.invalidArgument(operation: "\(name).load(stateDict:)", argument: "key \"\(key)\"",
                                                    reason: "holds \(value.count) values for a parameter of \(parameter.value.count)")
            }
            restored[group][index][parts[3]] = value
        }
        for (groupIndex, _) in groups.enumerated() {
            if let rate = stateDict["lr.\(groupIndex)"]?.scalar { groups[groupIndex].learningRate = rate }
        }
        state = restored
        stepCount = Int(stateDict["step"]?.scalar ?? 0)
    }
}
