/// The box a ``Child`` property keeps its module in: the module tree reads and replaces children
/// through it, so a child assigned by property or by ``Module/replaceModule(at:with:)`` is seen
/// by both.
final class ModuleSlot {
    private(set) var value: Any
    private let accepts: (Module) -> Any?
    let declaredType: String

    init<Value>(_ value: Value) {
        self.value = value
        accepts = { $0 as? Value }
        declaredType = String(describing: Value.self)
    }

    /// The module held, `nil` for an empty optional child.
    var module: Module? { value as? Module }

    func set(_ newValue: Any) { value = newValue }

    func replace(with module: Module, path: String, owner: String) throws {
        guard let accepted = accepts(module) else {
            throw DendriteError.invalidArgument(operation: "\(owner).replaceChild", argument: "child \"\(path)\"",
                                                reason: "is declared \(declaredType); \(module.typeName) is not one")
        }
        value = accepted
    }
}

protocol ChildSlotProviding { var slot: ModuleSlot { get } }

/// A replaceable child module: `@Child public var fc: any UnaryLayer`.
///
/// The module tree finds the child under the property's name, and
/// ``Module/replaceModule(at:with:)`` can swap it for any module of the declared type — declare
/// the property as the contract the parent needs (`any UnaryLayer`) so that a pruned, quantized or
/// fused replacement fits. Assigning the property works as for a plain `var`.
@propertyWrapper
public struct Child<Value>: ChildSlotProviding {
    let slot: ModuleSlot

    /// Wraps the initial child.
    public init(wrappedValue: Value) { slot = ModuleSlot(wrappedValue) }

    /// The child.
    public var wrappedValue: Value {
        get { slot.value as! Value }   // the slot accepts only `Value`s
        nonmutating set { slot.set(newValue) }
    }
}
