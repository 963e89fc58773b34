import Foundation

/// PyTorch's `torch.nn.utils.prune` for Dendrite modules, with its semantics and names: pruning
/// a parameter keeps its values as `<name>_orig`, adds a 0/1 `<name>_mask` buffer, and the layer
/// computes with `orig ⊙ mask` (gradients masked alike), so state dicts cross over both ways.
/// Pruning an already pruned parameter again prunes among its remaining entries (the masks
/// combine); ``remove(_:name:)`` makes it permanent.
public enum Pruning {
    /// How much to prune: a fraction of the entries (or channels) — rounded half to even, as
    /// Python's `round` — or an exact count.
    public enum Amount: Sendable, Equatable {
        case fraction(Double)
        case count(Int)

        func units(of total: Int, _ operation: String) throws -> Int {
            let units: Int
            switch self {
            case .fraction(let f):
                guard f >= 0, f <= 1 else {
                    throw DendriteError.invalidArgument(operation: operation, argument: "amount \(f)", reason: "a fraction must be in [0, 1]")
                }
                units = Int((f * Double(total)).rounded(.toNearestOrEven))
            case .count(let n):
                guard n >= 0, n <= total else {
                    throw DendriteError.invalidArgument(operation: operation, argument: "amount \(n)", reason: "must be in 0…\(total)")
                }
                units = n
            }
            return units
        }
    }

    /// Zeroes the `amount` entries of smallest magnitude among those not pruned yet (`l1_unstructured`).
    public static func l1Unstructured(_ module: Module, name: String = "weight", amount: Amount) throws {
        let parameter = try target(module, name, "l1Unstructured")
        let mask = try unstructuredMask(importance: parameter.value.scalars.map(Swift.abs), current: currentMask(parameter),
                                        amount: amount, operation: "l1Unstructured")
        try apply(mask, to: parameter)
    }

    /// Zeroes `amount` entries drawn at random among those not pruned yet (`random_unstructured`;
    /// Dendrite's random stream, not PyTorch's).
    public static func randomUnstructured(_ module: Module, name: String = "weight", amount: Amount,
                                          generator: inout RandomGenerator) throws {
        let parameter = try target(module, name, "randomUnstructured")
        let scores = (0..<parameter.value.count).map { _ in generator.nextUniform() }
        let mask = try unstructuredMask(importance: scores, current: currentMask(parameter), amount: amount, operation: "randomUnstructured")
        try apply(mask, to: parameter)
    }

    /// Zeroes whole slices along `dimension` — the `amount` with the smallest `norm`-norm (2 for
    /// L2, 1 for L1, `.infinity` for the largest magnitude) of the original values among the
    /// slices not fully pruned yet (`ln_structured`; `dimension` 0 prunes output channels).
    public static func lnStructured(_ module: Module, name: String = "weight", amount: Amount, norm: Float = 2,
                                    dimension: Int = 0) throws {
        let parameter = try target(module, name, "lnStructured")
        let shape = parameter.shape
        guard shape.indices.contains(dimension) else {
            throw DendriteError.invalidArgument(operation: "lnStructured", argument: "dimension \(dimension)", reason: "\(name) has shape \(shape)")
        }
        let current = currentMask(parameter)
        let channels = shape[dimension], inner = shape[(dimension + 1)...].reduce(1, *)
        // Norms of the original values; only channels with an unpruned entry left compete, and the
        // amount counts among them (PyTorch's pruning container slices them out).
        var norms = [Double](repeating: 0, count: channels), alive = [Bool](repeating: false, count: channels)
        for (index, value) in parameter.value.scalars.enumerated() {
            let channel = (index / inner) % channels, magnitude = Double(Swift.abs(value))
            if norm.isInfinite { norms[channel] = Swift.max(norms[channel], magnitude) } else { norms[channel] += Foundation.pow(magnitude, Double(norm)) }
            if current[index] != 0 { alive[channel] = true }
        }
        let candidates = norms.indices.filter { alive[$0] }
        let prune = try amount.units(of: candidates.count, "lnStructured")
        // PyTorch keeps the candidates-minus-prune largest norms (topk, largest first).
        let kept = Set(candidates.sorted { (norms[$0], $1) > (norms[$1], $0) }.prefix(candidates.count - prune))
        let mask = current.enumerated().map { index, old in kept.contains((index / inner) % channels) ? old : 0 }
        try apply(mask, to: parameter)
    }

    /// L1 pruning over several parameters at once (`global_unstructured` with `L1Unstructured`):
    /// the `amount` entries of smallest magnitude among all of them, so layers lose different shares.
    public static func globalUnstructured(_ parameters: [(module: Module, name: String)], amount: Amount) throws {
        let targets = try parameters.map { try target($0.module, $0.name, "globalUnstructured") }
        let current = targets.flatMap(currentMask)
        let importance = targets.flatMap { p in zip(p.value.scalars, currentMask(p)).map { Swift.abs($0 * $1) } }
        let mask = try unstructuredMask(importance: importance, current: current, amount: amount, operation: "globalUnstructured")
        var offset = 0
        for parameter in targets {
            try apply(Array(mask[offset..<(offset + parameter.value.count)]), to: parameter)
            offset += parameter.value.count
        }
    }

    /// Makes the pruning permanent (`prune.remove`): the value becomes `orig ⊙ mask` under its own
    /// name again, and the mask goes.
    public static func remove(_ module: Module, name: String = "weight") throws {
        let parameter = try target(module, name, "remove")
        guard let mask = parameter.pruningMask else {
            throw DendriteError.invalidArgument(operation: "Pruning.remove", argument: "\(module.typeName).\(name)", reason: "is not pruned")
        }
        parameter.value = try parameter.value * mask.value
        parameter.pruningMask = nil
    }

    /// Every parameter's entry count and zero count (its effective values: pruned ones are zero),
    /// by `state_dict` name.
    public static func sparsity(of model: Module) -> [(name: String, count: Int, zeros: Int)] {
        model.namedParameters().map { name, parameter in
            let effective = parameter.pruningMask.map { zip(parameter.value.scalars, $0.value.scalars).map { $0 * $1 } } ?? parameter.value.scalars
            return (name.hasSuffix("_orig") ? String(name.dropLast(5)) : name, effective.count, effective.filter { $0 == 0 }.count)
        }
    }

    private static func target(_ module: Module, _ name: String, _ operation: String) throws -> Parameter {
        guard let parameter = module.declaredParameter(named: name) else {
            throw DendriteError.invalidArgument(operation: "Pruning.\(operation)", argument: "\(module.typeName).\(name)",
                                                reason: "no such parameter; it has \(module.localParameters.map(\.0))")
        }
        return parameter
    }

    private static func currentMask(_ parameter: Parameter) -> [Float] {
        parameter.pruningMask?.value.scalars ?? [Float](repeating: 1, count: parameter.value.count)
    }

    /// The current mask with the `amount` least important unpruned entries zeroed (the amount
    /// counted among the unpruned entries, as PyTorch's pruning container computes it).
    private static func unstructuredMask(importance: [Float], current: [Float], amount: Amount, operation: String) throws -> [Float] {
        let unpruned = current.indices.filter { current[$0] != 0 }
        let prune = try amount.units(of: unpruned.count, operation)
        var mask = current
        for index in unpruned.sorted(by: { (importance[$0], $0) < (importance[$1], $1) }).prefix(prune) { mask[index] = 0 }
        return mask
    }

    private static func apply(_ mask: [Float], to parameter: Parameter) throws {
        let tensor = try Tensor(shape: parameter.shape, scalars: mask)
        if let existing = parameter.pruningMask { existing.value = tensor } else { parameter.pruningMask = Buffer(tensor) }
    }
}
