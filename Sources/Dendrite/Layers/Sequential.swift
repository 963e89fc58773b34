/// Builds the layer list of a ``Sequential`` from a closure, one layer per line.
@resultBuilder
public enum LayerBuilder {
    /// Combines the lines.
    public static func buildBlock(_ components: [Module]...) -> [Module] { components.flatMap { $0 } }
    /// One layer.
    public static func buildExpression(_ expression: Module) -> [Module] { [expression] }
    /// Several layers (an array or a nested builder).
    public static func buildExpression(_ expression: [Module]) -> [Module] { expression }
    /// `if` without `else`.
    public static func buildOptional(_ component: [Module]?) -> [Module] { component ?? [] }
    /// `if`/`else`, first branch.
    public static func buildEither(first component: [Module]) -> [Module] { component }
    /// `if`/`else`, second branch.
    public static func buildEither(second component: [Module]) -> [Module] { component }
    /// `for` loops.
    public static func buildArray(_ components: [[Module]]) -> [Module] { components.flatMap { $0 } }
}

/// Layers applied in order; children are named `"0"`, `"1"`, … as in PyTorch's `nn.Sequential`.
///
/// ```swift
/// let model = Sequential {
///     Flatten()
///     Linear(784, 512, generator: &generator); ReLU()
///     Linear(512, 10, generator: &generator)
/// }
/// ```
public final class Sequential: Module {
    /// The layers, in order.
    public private(set) var layers: [Module]

    /// Builds from a result-builder closure.
    public init(@LayerBuilder _ build: () -> [Module]) {
        layers = build()
        super.init()
    }

    /// Builds from an array of layers.
    public init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }

    /// Appends a layer.
    public func append(_ layer: Module) { layers.append(layer) }

    /// Replaces the layer at `index` (e.g. a new classification head).
    public func replaceLayer(at index: Int, with layer: Module) throws {
        guard layers.indices.contains(index) else {
            throw DendriteError.invalidArgument(operation: "Sequential.replaceLayer", argument: "index \(index)",
                                                reason: "there are \(layers.count) layers")
        }
        layers[index] = layer
    }

    public override var namedChildren: [(String, Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    public override func forward(_ input: Tensor) throws -> Tensor {
        var x = input
        for layer in layers { x = try layer(x) }
        return x
    }

    public override func outputShape(forInput shape: [Int]) throws -> [Int] {
        try layers.reduce(shape) { try $1.outputShape(forInput: $0) }
    }
}

/// `y = body(x) + shortcut(x)` (shortcut defaults to identity): the ResNet building block's skip
/// connection. Children are named `body` and `shortcut`.
public final class Residual: Module {
    /// The main branch.
    public let body: Module
    /// The skip branch (`Identity` when shapes already agree).
    public let shortcut: Module

    /// Wraps `body` with a skip connection through `shortcut`.
    public init(_ body: Module, shortcut: Module = Identity()) {
        self.body = body
        self.shortcut = shortcut
        super.init()
    }

    public override func forward(_ input: Tensor) throws -> Tensor {
        let main = try body(input), skip = try shortcut(input)
        guard main.shape == skip.shape else {
            throw DendriteError.shapeMismatch(operation: "Residual", expected: "body output \(main.shape)",
                                              got: "shortcut output \(skip.shape)")
        }
        return try main + skip
    }

    public override func outputShape(forInput shape: [Int]) throws -> [Int] {
        let main = try body.outputShape(forInput: shape), skip = try shortcut.outputShape(forInput: shape)
        guard main == skip else {
            throw DendriteError.shapeMismatch(operation: "Residual", expected: "body output \(main)", got: "shortcut output \(skip)")
        }
        return main
    }
}
