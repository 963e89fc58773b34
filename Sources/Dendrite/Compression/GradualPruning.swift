import Foundation

/// Gradual magnitude pruning during training (Zhu & Gupta 2017, "To prune, or not to prune";
/// TensorFlow Model Optimization's `PolynomialDecay`): every `frequency` optimizer steps from
/// `beginStep` to `endStep` the parameters are pruned by L1 magnitude up to the sparsity
///
/// `s(t) = s_f + (s_i − s_f) · (1 − (t − t₀) / (t₁ − t₀))³`,
///
/// fast at first, while the network recovers easily, and slowly near the end. It prunes through
/// ``Pruning``'s masks (PyTorch's `weight_orig` / `weight_mask`), so training in between updates
/// only the surviving weights; after `fit`, ``Pruning/remove(_:name:)`` makes it permanent.
///
/// ```swift
/// let linears = model.modules().compactMap { $0 as? Linear }
/// let schedule = try GradualPruning(linears.map { ($0, "weight") }, finalSparsity: 0.9,
///                                   endStep: 3 * batchesPerEpoch, frequency: 50)
/// try model.fit(train, epochs: 4, loss: .crossEntropy, optimizer: optimizer, callbacks: [schedule])
/// ```
public final class GradualPruning: TrainingCallback {
    /// Whether the sparsity is reached over all the parameters together or by each one.
    public enum Scope: Sendable, Equatable {
        /// Smallest magnitudes over all of them (``Pruning/globalUnstructured(_:amount:)``).
        case global
        /// Each parameter to the target sparsity (``Pruning/l1Unstructured(_:name:amount:)``).
        case perParameter
    }

    let targets: [(module: Module, name: String)]
    /// Sparsity before `beginStep` is reached (applied at the first pruning step).
    public let initialSparsity: Double
    /// Sparsity from `endStep` on.
    public let finalSparsity: Double
    /// First optimizer step (0-based count of steps taken) that prunes.
    public let beginStep: Int
    /// Step at which `finalSparsity` is reached.
    public let endStep: Int
    /// Optimizer steps between pruning steps.
    public let frequency: Int
    /// Global or per-parameter sparsity.
    public let scope: Scope
    /// Optimizer steps seen so far.
    public private(set) var step = 0
    /// `(step, sparsity)` of every pruning step taken, for plots and tests.
    public private(set) var log: [(step: Int, sparsity: Double)] = []

    /// Creates the schedule over `parameters` (module, parameter name).
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for sparsities
    ///   outside 0…1 or decreasing, `endStep ≤ beginStep`, a frequency below 1, no parameters
    ///   or a name a module does not have.
    public init(_ parameters: [(module: Module, name: String)], initialSparsity: Double = 0, finalSparsity: Double,
                beginStep: Int = 0, endStep: Int, frequency: Int = 100, scope: Scope = .global) throws {
        func fail(_ argument: String, _ reason: String) -> DendriteError {
            .invalidArgument(operation: "GradualPruning", argument: argument, reason: reason)
        }
        guard (0...1).contains(initialSparsity), (0...1).contains(finalSparsity), initialSparsity <= finalSparsity else {
            throw fail("sparsities \(initialSparsity) → \(finalSparsity)", "must be in 0…1 and not decrease")
        }
        guard beginStep >= 0, endStep > beginStep else { throw fail("steps \(beginStep)…\(endStep)", "need 0 ≤ beginStep < endStep") }
        guard frequency >= 1 else { throw fail("frequency \(frequency)", "must be at least 1") }
        guard !parameters.isEmpty else { throw fail("parameters", "none given") }
        for (module, name) in parameters where module.declaredParameter(named: name) == nil {
            throw fail("\(module.typeName).\(name)", "no such parameter; it has \(module.localParameters.map(\.0))")
        }
        targets = parameters
        self.initialSparsity = initialSparsity
        self.finalSparsity = finalSparsity
        self.beginStep = beginStep
        self.endStep = endStep
        self.frequency = frequency
        self.scope = scope
    }

    /// The schedule's sparsity after `step` optimizer steps (0 before `beginStep`).
    public func targetSparsity(atStep step: Int) -> Double {
        guard step >= beginStep else { return 0 }
        let progress = Swift.min(1, Double(step - beginStep) / Double(endStep - beginStep))
        return finalSparsity + (initialSparsity - finalSparsity) * Foundation.pow(1 - progress, 3)
    }

    public func trainingWillBegin(_ context: TrainingContext) throws {
        if step == beginStep { try prune(to: targetSparsity(atStep: step)) }
    }

    public func optimizerDidStep(_ context: TrainingContext) throws {
        step += 1
        guard step >= beginStep, step <= endStep else { return }
        if (step - beginStep) % frequency == 0 || step == endStep { try prune(to: targetSparsity(atStep: step)) }
    }

    /// Prunes the targets (among their surviving entries) until `sparsity` of them are zero.
    private func prune(to sparsity: Double) throws {
        let parameters = targets.map { $0.module.declaredParameter(named: $0.name)! }
        func zeros(_ parameter: Parameter) -> Int { parameter.pruningMask?.value.scalars.filter { $0 == 0 }.count ?? 0 }
        switch scope {
        case .global:
            let total = parameters.reduce(0) { $0 + $1.value.count }
            let missing = Int((sparsity * Double(total)).rounded(.toNearestOrEven)) - parameters.reduce(0) { $0 + zeros($1) }
            if missing > 0 { try Pruning.globalUnstructured(targets, amount: .count(missing)) }
        case .perParameter:
            for ((module, name), parameter) in zip(targets, parameters) {
                let missing = Int((sparsity * Double(parameter.value.count)).rounded(.toNearestOrEven)) - zeros(parameter)
                if missing > 0 { try Pruning.l1Unstructured(module, name: name, amount: .count(missing)) }
            }
        }
        log.append((step, sparsity))
    }
}
