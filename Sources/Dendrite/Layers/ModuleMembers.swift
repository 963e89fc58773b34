/// One stored member of a module, as reflection found it.
enum ModuleMember {
    case parameter(Parameter)
    case buffer(Buffer)
    case module(Module)
    case slot(ModuleSlot)
}

/// A module's parameters, buffers and children, found by reflection once per instance.
///
/// Why cached reflection rather than explicit registration: layers stay plain Swift classes
/// whose `let` properties *are* the declaration (no `register` call to forget, no name typed
/// twice), and reading the cache costs no more than a registry would. The cache is valid for the
/// module's lifetime because reflected members cannot change behind it: `let` properties are
/// fixed, and replaceable children live in ``Child`` properties, whose reference-typed slot the
/// cache holds — assigning the property or calling ``Module/replaceModule(at:with:)`` writes the
/// slot, which the cache reads. A `var` of type `Module` or `Parameter` that is reassigned after
/// the tree was first walked would not be seen: declare it ``Child`` (a module) or keep it `let`.
struct ModuleMembers {
    /// Entries in declaration order; arrays and dictionaries are expanded (`layers.3`, `gates.input`).
    let entries: [(String, ModuleMember)]

    init(reflecting module: Module, registered: [(String, ModuleMember)]) {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: module)
        while let current = mirror {
            mirrors.insert(current, at: 0)
            mirror = current.superclassMirror
        }
        var entries: [(String, ModuleMember)] = []
        // A container's children are its list (it overrides `namedChildren`): not cached here, so
        // a replaced element is not kept alive by the cache.
        let isContainer = module is ModuleContainer
        for mirror in mirrors {
            for child in mirror.children {
                guard let label = child.label, !label.hasPrefix("$") else { continue }
                let name = Module.snakeCase(label.hasPrefix("_") ? String(label.dropFirst()) : label)
                entries += ModuleMembers.members(named: name, in: child.value).filter { entry in
                    guard isContainer else { return true }
                    if case .module = entry.1 { return false }
                    return true
                }
            }
        }
        self.entries = entries + registered
    }

    /// The members a stored value contributes: itself, or its elements named `name.index` / `name.key`.
    private static func members(named name: String, in value: Any) -> [(String, ModuleMember)] {
        if let member = member(value) { return [(name, member)] }
        if let slot = (value as? ChildSlotProviding)?.slot { return [(name, .slot(slot))] }
        if let array = value as? [Any] {
            return array.enumerated().compactMap { index, element in member(element).map { ("\(name).\(index)", $0) } }
        }
        if let dictionary = value as? [String: Any] {
            return dictionary.keys.sorted().compactMap { key in member(dictionary[key] as Any).map { ("\(name).\(key)", $0) } }
        }
        return []
    }

    private static func member(_ value: Any) -> ModuleMember? {
        switch value {
        case let parameter as Parameter: return .parameter(parameter)
        case let buffer as Buffer: return .buffer(buffer)
        case let module as Module: return .module(module)
        default: return nil
        }
    }

    var parameters: [(String, Parameter)] {
        entries.compactMap { name, member in
            if case let .parameter(parameter) = member { return (name, parameter) }
            return nil
        }
    }

    var buffers: [(String, Buffer)] {
        entries.compactMap { name, member in
            if case let .buffer(buffer) = member { return (name, buffer) }
            return nil
        }
    }

    var children: [(String, Module)] {
        entries.compactMap { name, member in
            switch member {
            case let .module(module): return (name, module)
            case let .slot(slot): return slot.module.map { (name, $0) }
            default: return nil
            }
        }
    }

    func replaceChild(named name: String, with module: Module, in owner: String) throws {
        guard let member = entries.first(where: { $0.0 == name })?.1 else {
            throw DendriteError.invalidArgument(operation: "\(owner).replaceChild", argument: "child \"\(name)\"",
                                                reason: "\(owner) has no child of that name (children: \(children.map(\.0).joined(separator: ", ")))")
        }
        guard case let .slot(slot) = member else {
            throw DendriteError.invalidArgument(operation: "\(owner).replaceChild", argument: "child \"\(name)\"",
                                                reason: "is a constant; declare it `@Child var` to make it replaceable")
        }
        try slot.replace(with: module, path: name, owner: owner)
    }
}
