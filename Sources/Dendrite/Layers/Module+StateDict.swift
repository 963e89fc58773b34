/// What ``Module/load(stateDict:strict:)`` found: keys the model lacks, keys the file lacks, and
/// keys whose shapes differ.
public struct LoadReport: Equatable, CustomStringConvertible {
    /// Keys in the model but not in the state dict.
    public var missingKeys: [String] = []
    /// Keys in the state dict that the model does not have.
    public var unexpectedKeys: [String] = []
    /// Keys present in both with different shapes: (key, model shape, given shape).
    public var shapeMismatches: [(key: String, expected: [Int], got: [Int])] = []

    /// Whether every key matched in name and shape.
    public var isExact: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var lines: [String] = []
        if !missingKeys.isEmpty { lines.append("missing keys: \(missingKeys.joined(separator: ", "))") }
        if !unexpectedKeys.isEmpty { lines.append("unexpected keys: \(unexpectedKeys.joined(separator: ", "))") }
        for mismatch in shapeMismatches {
            lines.append("shape mismatch for \(mismatch.key): model \(mismatch.expected), given \(mismatch.got)")
        }
        return lines.isEmpty ? "all keys matched" : lines.joined(separator: "; ")
    }

    public static func == (lhs: LoadReport, rhs: LoadReport) -> Bool {
        lhs.missingKeys == rhs.missingKeys && lhs.unexpectedKeys == rhs.unexpectedKeys
            && lhs.shapeMismatches.map(\.key) == rhs.shapeMismatches.map(\.key)
    }
}

extension Module {
    /// Parameters and buffers by `state_dict` name, in PyTorch's order: each module's own
    /// parameters, then its own buffers, then its children's entries, depth first.
    public func stateDict() -> [(String, Tensor)] {
        // Copies: a snapshot (for early stopping, or to save on another thread) must not follow
        // later optimizer writes into the parameter arena.
        everyStateEntry().map { ($0.0, $0.1.ownedCopy()) }
    }

    /// Every parameter and buffer under every path that reaches it, in `state_dict` order (a
    /// shared module or parameter appears under each of its names, as in PyTorch).
    private func everyStateEntry() -> [(String, Tensor)] {
        var entries = localParameters.map { ($0.0, $0.1.value) } + localBuffers.map { ($0.0, $0.1.value) }
        for (childName, child) in namedChildren {
            entries += child.everyStateEntry().map { ("\(childName).\($0.0)", $0.1) }
        }
        return entries
    }

    /// Every parameter and buffer slot under every path, for loading (aliases included).
    private func everyStateSlot() -> (parameters: [(String, Parameter)], buffers: [(String, Buffer)]) {
        var parameters = localParameters, buffers = localBuffers
        for (childName, child) in namedChildren {
            let inner = child.everyStateSlot()
            parameters += inner.parameters.map { ("\(childName).\($0.0)", $0.1) }
            buffers += inner.buffers.map { ("\(childName).\($0.0)", $0.1) }
        }
        return (parameters, buffers)
    }

    /// Loads values by name. Strict loading (the default) changes nothing and throws unless every
    /// key matches in name and shape; non-strict loading loads what matches and reports the rest.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` listing the missing,
    ///   unexpected and mismatched keys.
    @discardableResult
    public func load(stateDict: [String: Tensor], strict: Bool = true) throws -> LoadReport {
        // A pruned state dict (`<name>_orig` and `<name>_mask`, PyTorch's pruning) prunes the
        // matching unpruned parameters first, so that it loads into a fresh model.
        var pruned: [Parameter] = []
        for (path, module) in namedModules() {
            for (name, parameter) in module.declaredParameters where parameter.pruningMask == nil {
                let key = path.isEmpty ? name : "\(path).\(name)"
                if stateDict[key] == nil, stateDict["\(key)_orig"] != nil, let mask = stateDict["\(key)_mask"], mask.shape == parameter.shape {
                    parameter.pruningMask = Buffer(mask)
                    pruned.append(parameter)
                }
            }
        }
        do {
            return try loadSlots(stateDict: stateDict, strict: strict)
        } catch {
            for parameter in pruned { parameter.pruningMask = nil }
            throw error
        }
    }

    private func loadSlots(stateDict: [String: Tensor], strict: Bool) throws -> LoadReport {
        var report = LoadReport()
        let (parameters, buffers) = everyStateSlot()
        let known = Set(parameters.map(\.0) + buffers.map(\.0))
        report.unexpectedKeys = stateDict.keys.filter { !known.contains($0) }.sorted()
        var assignments: [() -> Void] = []
        for (name, parameter) in parameters {
            guard let value = stateDict[name] else { report.missingKeys.append(name); continue }
            guard value.shape == parameter.shape else {
                report.shapeMismatches.append((name, parameter.shape, value.shape)); continue
            }
            assignments.append { parameter.value = value }
        }
        for (name, buffer) in buffers {
            guard let value = stateDict[name] else { report.missingKeys.append(name); continue }
            guard value.count == buffer.value.count else {
                report.shapeMismatches.append((name, buffer.value.shape, value.shape)); continue
            }
            assignments.append { buffer.value = (try? value.reshaped(to: buffer.value.shape)) ?? value }
        }
        if strict && !report.isExact {
            throw DendriteError.invalidArgument(operation: "load(stateDict:) into \(typeName)", argument: "state dict",
                                                reason: report.description)
        }
        for assign in assignments { assign() }
        return report
    }
}
