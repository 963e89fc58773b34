/// The base class of every layer and model: `callAsFunction`, named parameters and buffers with
/// PyTorch `state_dict` names, train/eval modes, freezing and shape inference.
///
/// Subclasses override ``forward(_:)`` and ``outputShape(forInput:)``. Parameters, buffers and
/// child modules are found by reflection on stored properties; property names become PyTorch
/// names in snake case (`runningMean` → `running_mean`), child names become prefixes
/// (`fc1.weight`), and arrays of modules are numbered (`blocks.0.weight`).
open class Module {
    /// `true` in training mode (dropout active, batch statistics), `false` after ``eval()``.
    public private(set) var isTraining = true

    /// Creates a module in training mode.
    public init() {}

    /// The computation. Subclasses override it; the base class throws.
    open func forward(_ input: Tensor) throws -> Tensor {
        throw DendriteError.invalidArgument(operation: typeName, argument: "forward", reason: "is not implemented")
    }

    /// Runs ``forward(_:)``.
    public func callAsFunction(_ input: Tensor) throws -> Tensor { try forward(input) }

    /// The per-sample output shape for a per-sample input shape (batch axis excluded), without
    /// computing anything. The base implementation keeps the shape (elementwise layers).
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` naming the layer.
    open func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    /// The children in the order the data flows through them, for a per-layer ``summary(input:)``
    /// of a composite model; `nil` (the default) shows the module as one row. Return stages only
    /// when applying them in order reproduces ``outputShape(forInput:)`` and they hold every parameter.
    open var summaryStages: [SummaryStage]? { nil }

    /// The name shown in summaries and errors (the class name by default).
    open var typeName: String { String(describing: type(of: self)) }

    /// Direct child modules with their names. Default: found by reflection.
    open var namedChildren: [(String, Module)] {
        reflectedMembers().flatMap { name, value -> [(String, Module)] in
            if let module = value as? Module { return [(name, module)] }
            guard let modules = value as? [Module] else { return [] }
            return modules.enumerated().map { ("\(name).\($0.offset)", $0.element) }
        }
    }

    /// This module's own parameters (not its children's), with their names.
    open var localParameters: [(String, Parameter)] {
        reflectedMembers().compactMap { name, value in (value as? Parameter).map { (name, $0) } }
    }

    /// This module's own buffers, with their names.
    open var localBuffers: [(String, Buffer)] {
        reflectedMembers().compactMap { name, value in (value as? Buffer).map { (name, $0) } }
    }

    /// Every parameter of this module and its descendants, named as in PyTorch's `state_dict`.
    public func namedParameters() -> [(String, Parameter)] {
        var result = localParameters
        for (childName, child) in namedChildren {
            result += child.namedParameters().map { ("\(childName).\($0.0)", $0.1) }
        }
        return result
    }

    /// Every buffer of this module and its descendants, with their `state_dict` names.
    public func namedBuffers() -> [(String, Buffer)] {
        var result = localBuffers
        for (childName, child) in namedChildren {
            result += child.namedBuffers().map { ("\(childName).\($0.0)", $0.1) }
        }
        return result
    }

    /// Every parameter, in `state_dict` order.
    public var parameters: [Parameter] { namedParameters().map(\.1) }

    /// Every parameter that requires a gradient.
    public var trainableParameters: [Parameter] { parameters.filter(\.requiresGradient) }

    /// Number of scalars in all parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Switches this module and its descendants to training mode.
    public func train() { setTraining(true) }

    /// Switches this module and its descendants to evaluation mode.
    public func eval() { setTraining(false) }

    private func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in namedChildren { child.setTraining(training) }
    }

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

    /// Stored properties as (snake_case name, value), superclass ones first.
    private func reflectedMembers() -> [(String, Any)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror {
            mirrors.insert(current, at: 0)
            mirror = current.superclassMirror
        }
        return mirrors.flatMap { mirror in
            mirror.children.compactMap { child -> (String, Any)? in
                guard let label = child.label, !label.hasPrefix("$") else { return nil }
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                return (Module.snakeCase(name), child.value)
            }
        }
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
