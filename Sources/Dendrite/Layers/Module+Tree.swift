// Walking and editing the module tree, with PyTorch's names and order.

extension Module {
    /// This module (named `""`) and every descendant, depth first, named by their path
    /// (`"layer2.0.downsample.1"`); a module reachable twice is listed once. Names and order equal
    /// PyTorch's `named_modules()`.
    public func namedModules() -> [(String, Module)] {
        var result: [(String, Module)] = []
        var seen = Set<ObjectIdentifier>()
        func visit(_ module: Module, _ path: String) {
            guard seen.insert(ObjectIdentifier(module)).inserted else { return }
            result.append((path, module))
            for (name, child) in module.namedChildren { visit(child, path.isEmpty ? name : "\(path).\(name)") }
        }
        visit(self, "")
        return result
    }

    /// This module and every descendant, in ``namedModules()`` order.
    public func modules() -> [Module] { namedModules().map(\.1) }

    /// Calls `body` on every descendant and then on this module (children first, as PyTorch's
    /// `apply`), e.g. to re-initialize every `Linear`.
    public func apply(_ body: (Module) throws -> Void) rethrows {
        for (_, child) in namedChildren { try child.apply(body) }
        try body(self)
    }

    /// The descendant at a dotted path (`"layer2.0.downsample.1"`); `""` is this module.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` naming the first
    ///   component that does not exist and the children that do.
    public func module(at path: String) throws -> Module {
        guard !path.isEmpty else { return self }
        var current = self
        var walked: [String] = []
        var rest = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        while !rest.isEmpty {
            // A child's own name may hold dots (array members: `layers.0`): take the longest match.
            let children = current.namedChildren
            guard let (length, next) = (1...rest.count).reversed().lazy.compactMap({ length -> (Int, Module)? in
                let name = rest[..<length].joined(separator: ".")
                return children.first(where: { $0.0 == name }).map { (length, $0.1) }
            }).first else {
                let place = walked.isEmpty ? typeName : walked.joined(separator: ".")
                throw DendriteError.invalidArgument(operation: "\(typeName).module(at:)", argument: "path \"\(path)\"",
                                                    reason: "\(place) has no child \"\(rest[0])\" (children: "
                                                        + children.map(\.0).joined(separator: ", ") + ")")
            }
            walked.append(rest[..<length].joined(separator: "."))
            rest.removeFirst(length)
            current = next
        }
        return current
    }

    /// Replaces the descendant at `path` with `module` (a new head, a fused or quantized layer).
    /// The replacement must fit the slot: a ``Child`` property's declared type, a ``Sequential``'s
    /// ``UnaryLayer``, a ``ModuleList``'s element type.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for an unknown
    ///   path, an empty path, a constant child or a module of the wrong type.
    public func replaceModule(at path: String, with module: Module) throws {
        guard !path.isEmpty else {
            throw DendriteError.invalidArgument(operation: "\(typeName).replaceModule", argument: "path \"\"",
                                                reason: "names this module itself; replace it where it is held")
        }
        // The parent is the longest prefix that resolves and has the rest as a child's name
        // (`layers.0` under a module that stores an array).
        let components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let candidates = (0..<components.count).reversed().map { cut in
            (components[..<cut].joined(separator: "."), components[cut...].joined(separator: "."))
        }
        let split = candidates.first { parentPath, name in
            (try? self.module(at: parentPath))?.namedChildren.contains { $0.0 == name } == true
        } ?? candidates[0]
        let parent = try self.module(at: split.0)
        do {
            try parent.replaceChild(named: split.1, with: module)
        } catch let DendriteError.invalidArgument(_, _, reason) {
            throw DendriteError.invalidArgument(operation: "\(typeName).replaceModule", argument: "path \"\(path)\"", reason: reason)
        }
    }

    /// Every parameter of this module and its descendants, named as in PyTorch's `state_dict`;
    /// a parameter shared by two modules is listed once (PyTorch's `named_parameters()`).
    public func namedParameters() -> [(String, Parameter)] {
        var result: [(String, Parameter)] = []
        var seen = Set<ObjectIdentifier>()
        for (path, module) in namedModules() {
            for (name, parameter) in module.localParameters where seen.insert(ObjectIdentifier(parameter)).inserted {
                result.append((path.isEmpty ? name : "\(path).\(name)", parameter))
            }
        }
        return result
    }

    /// Every buffer of this module and its descendants, with their `state_dict` names.
    public func namedBuffers() -> [(String, Buffer)] {
        namedModules().flatMap { path, module in module.localBuffers.map { (path.isEmpty ? $0.0 : "\(path).\($0.0)", $0.1) } }
    }

    /// Every parameter, in ``namedParameters()`` order (no names are built: cheap enough to call
    /// every step).
    public var parameters: [Parameter] {
        var result: [Parameter] = []
        var seenModules = Set<ObjectIdentifier>(), seenParameters = Set<ObjectIdentifier>()
        func visit(_ module: Module) {
            guard seenModules.insert(ObjectIdentifier(module)).inserted else { return }
            for (_, parameter) in module.localParameters where seenParameters.insert(ObjectIdentifier(parameter)).inserted {
                result.append(parameter)
            }
            for (_, child) in module.namedChildren { visit(child) }
        }
        visit(self)
        return result
    }

    /// Every parameter that requires a gradient.
    public var trainableParameters: [Parameter] { parameters.filter(\.requiresGradient) }

    /// Number of scalars in all parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for parameter in parameters { parameter.zeroGradient() } }

    /// Freezes (`trainable: false`) or unfreezes every parameter.
    public func setTrainable(_ trainable: Bool) {
        for parameter in parameters { parameter.requiresGradient = trainable }
    }

    /// Freezes the parameters whose `state_dict` name contains `pattern` (e.g. `"features."`).
    /// Returns how many were frozen.
    @discardableResult
    public func freeze(matching pattern: String) -> Int {
        let matching = namedParameters().filter { $0.0.contains(pattern) }
        for (_, parameter) in matching { parameter.requiresGradient = false }
        return matching.count
    }
}
