/// The base class of every layer and model: a node of the module tree with named parameters,
/// buffers and children (PyTorch `state_dict` names), train/eval modes and freezing.
///
/// `Module` carries no forward contract of its own: a layer says what it computes by conforming
/// to ``UnaryLayer`` (one tensor in, one tensor out — the only kind ``Sequential`` holds) or by
/// defining its own `callAsFunction` (`(x, state) → (output, state)`, `(query, key, value, mask)`,
/// `(x, memory)`), so a wrong use is a compile error rather than a run-time throw.
///
/// Members are found by reflection on stored properties, once per instance (see
/// `ModuleMembers`): `Parameter`, `Buffer` and `Module` properties, their optionals, arrays
/// (`layers.3.weight`) and dictionaries (sorted keys), and ``Child`` properties — the
/// replaceable children. Property names become PyTorch names in snake case
/// (`runningMean` → `running_mean`). Members whose names no property can spell
/// (`weight_ih_l0`) are added with ``register(parameter:named:)``.
open class Module {
    /// `true` in training mode (dropout active, batch statistics), `false` after ``eval()``.
    public private(set) var isTraining = true
    private var discovered: ModuleMembers?
    private var registered: [(String, ModuleMember)] = []

    /// Creates a module in training mode.
    public init() {}

    /// The name shown in summaries and errors (the class name by default).
    open var typeName: String { String(describing: type(of: self)) }

    /// This module's members: reflected stored properties, then registered ones.
    var members: ModuleMembers {
        if let discovered { return discovered }
        let found = ModuleMembers(reflecting: self, registered: registered)
        discovered = found
        return found
    }

    /// Adds a parameter under `name` (for names a Swift property cannot spell, e.g. `weight_ih_l0`).
    public func register(parameter: Parameter, named name: String) {
        registered.append((name, .parameter(parameter)))
        discovered = nil
    }

    /// Adds a buffer under `name`.
    public func register(buffer: Buffer, named name: String) {
        registered.append((name, .buffer(buffer)))
        discovered = nil
    }

    /// Direct child modules with their names, in declaration order (containers override it).
    open var namedChildren: [(String, Module)] { members.children }

    /// Replaces the direct child `name`. Containers override it; the default replaces a
    /// ``Child`` property when `module` has the property's declared type.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when there is no
    ///   such child, the child is a constant, or `module` has the wrong type.
    open func replaceChild(named name: String, with module: Module) throws {
        try members.replaceChild(named: name, with: module, in: typeName)
    }

    /// This module's own parameters (not its children's), with their names — a pruned parameter
    /// under `<name>_orig`, as PyTorch's `torch.nn.utils.prune` renames it.
    public var localParameters: [(String, Parameter)] {
        members.parameters.map { $0.1.pruningMask == nil ? $0 : ("\($0.0)_orig", $0.1) }
    }

    /// This module's own buffers, with their names — and each pruned parameter's mask as
    /// `<name>_mask`.
    public var localBuffers: [(String, Buffer)] {
        members.buffers + members.parameters.compactMap { name, parameter in parameter.pruningMask.map { ("\(name)_mask", $0) } }
    }

    /// The parameter declared as `name` (before any pruning rename), or `nil`.
    func declaredParameter(named name: String) -> Parameter? { members.parameters.first { $0.0 == name }?.1 }

    /// The parameters under their declared names (before any pruning rename).
    var declaredParameters: [(String, Parameter)] { members.parameters }

    /// Switches this module and its descendants to training mode.
    public func train() { setTraining(true) }

    /// Switches this module and its descendants to evaluation mode.
    public func eval() { setTraining(false) }

    private func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in namedChildren { child.setTraining(training) }
    }

    /// Puts the whole tree in evaluation mode and returns what gives every module back the mode
    /// it had (a submodule a user had put in eval mode stays there): `let restore =
    /// enterEvaluationMode(); defer { restore() }`.
    func enterEvaluationMode() -> () -> Void {
        let modes = namedModules().map { ($0.1, $0.1.isTraining) }
        eval()
        return { for (module, training) in modes { module.isTraining = training } }
    }

    /// `runningMean` → `running_mean`, `fc1` → `fc1`, `inProjWeight` → `in_proj_weight`.
    static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                if !result.isEmpty { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else {
                result.append(character)
            }
        }
        return result
    }
}
