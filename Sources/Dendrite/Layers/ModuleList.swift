/// An indexed list of modules of one kind (PyTorch's `nn.ModuleList`): children `"0"`, `"1"`, …,
/// for layers that are not applied as a ``Sequential`` chain — decoder blocks that also take the
/// encoder's memory, recurrent cells, a model's heads.
///
/// ```swift
/// let decoders = ModuleList(try (0..<6).map { _ in try TransformerDecoderBlock(…) })
/// for block in decoders { x = try block(x, memory: memory) }
/// ```
public final class ModuleList<Element>: Module, RandomAccessCollection, ModuleContainer {
    private var elements: [Element]

    /// Holds `elements`; each must be a ``Module`` (a class or protocol type whose values are modules).
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when an element is not a module.
    public init(_ elements: [Element]) throws {
        for (index, element) in elements.enumerated() where !(element is Module) {
            throw DendriteError.invalidArgument(operation: "ModuleList", argument: "element \(index)",
                                                reason: "\(type(of: element)) is not a Module")
        }
        self.elements = elements
        super.init()
    }

    /// The first index, 0.
    public var startIndex: Int { 0 }
    /// One past the last index.
    public var endIndex: Int { elements.count }
    /// The element at `position`.
    public subscript(position: Int) -> Element { elements[position] }

    public override var namedChildren: [(String, Module)] {
        elements.enumerated().compactMap { index, element in (element as? Module).map { ("\(index)", $0) } }
    }

    /// Replaces element `name` (its index) with `module`, which must be an `Element`.
    public override func replaceChild(named name: String, with module: Module) throws {
        guard let index = Int(name), elements.indices.contains(index) else {
            throw DendriteError.invalidArgument(operation: "ModuleList.replaceChild", argument: "child \"\(name)\"",
                                                reason: "there are \(elements.count) elements")
        }
        guard let element = module as? Element else {
            throw DendriteError.invalidArgument(operation: "ModuleList.replaceChild", argument: "child \"\(name)\"",
                                                reason: "\(module.typeName) is not a \(Element.self)")
        }
        elements[index] = element
    }
}

/// A module whose children are a list (``Sequential``, ``ModuleList``): summaries show its
/// children rather than the container.
protocol ModuleContainer {}
