/// Builds the layer list of a ``Sequential`` from a closure, one layer per line.
@resultBuilder
public enum LayerBuilder {
    /// Combines the lines.
    public static func buildBlock(_ components: [any UnaryLayer]...) -> [any UnaryLayer] { components.flatMap { $0 } }
    /// One layer.
    public static func buildExpression(_ expression: any UnaryLayer) -> [any UnaryLayer] { [expression] }
    /// Several layers (an array or a nested builder).
    public static func buildExpression(_ expression: [any UnaryLayer]) -> [any UnaryLayer] { expression }
    /// `if` without `else`.
    public static func buildOptional(_ component: [any UnaryLayer]?) -> [any UnaryLayer] { component ?? [] }
    /// `if`/`else`, first branch.
    public static func buildEither(first component: [any UnaryLayer]) -> [any UnaryLayer] { component }
    /// `if`/`else`, second branch.
    public static func buildEither(second component: [any UnaryLayer]) -> [any UnaryLayer] { component }
    /// `for` loops.
    public static func buildArray(_ components: [[any UnaryLayer]]) -> [any UnaryLayer] { components.flatMap { $0 } }
}

/// Layers applied in order; children are named `"0"`, `"1"`, … as in PyTorch's `nn.Sequential`.
/// Only ``UnaryLayer``s go in: a layer that needs more than one input does not compile here.
///
/// ```swift
/// let model = Sequential {
///     Flatten()
///     Linear(784, 512, generator: &generator); ReLU()
///     Linear(512, 10, generator: &generator)
/// }
/// ```
public final class Sequential: Module, UnaryLayer, ModuleContainer {
    /// The layers, in order.
    public private(set) var layers: [any UnaryLayer]

    /// Builds from a result-builder closure (`try` inside it makes the initializer throw).
    public init(@LayerBuilder _ build: () throws -> [any UnaryLayer]) rethrows {
        layers = try build()
        super.init()
    }

    /// Builds from an array of layers.
    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        super.init()
    }

    /// Appends a layer.
    public func append(_ layer: any UnaryLayer) { layers.append(layer) }

    /// Replaces the layer at `index` (e.g. a new classification head).
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for an index out of range.
    public func replaceLayer(at index: Int, with layer: any UnaryLayer) throws {
        guard layers.indices.contains(index) else {
            throw DendriteError.invalidArgument(operation: "Sequential.replaceLayer", argument: "index \(index)",
                                                reason: "there are \(layers.count) layers")
        }
        layers[index] = layer
    }

    public override var namedChildren: [(String, Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    /// Replaces layer `name` (its index) with `module`, which must be a ``UnaryLayer``.
    public override func replaceChild(named name: String, with module: Module) throws {
        guard let index = Int(name), layers.indices.contains(index) else {
            throw DendriteError.invalidArgument(operation: "Sequential.replaceChild", argument: "child \"\(name)\"",
                                                reason: "there are \(layers.count) layers, named 0…\(layers.count - 1)")
        }
        guard let layer = module as? any UnaryLayer else {
            throw DendriteError.invalidArgument(operation: "Sequential.replaceChild", argument: "child \"\(name)\"",
                                                reason: "\(module.typeName) is not a UnaryLayer (one tensor in, one out)")
        }
        layers[index] = layer
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        var x = input, index = 0
        while index < layers.count {
            // Convolution → batch norm (→ ReLU) in inference: one kernel (ConvolutionNormInference.swift).
            if let conv = layers[index] as? Conv2D, index + 1 < layers.count, let norm = layers[index + 1] as? BatchNorm2D {
                let relu = index + 2 < layers.count && layers[index + 2] is ReLU
                if let fused = try conv.normalizedInference(x, by: norm, relu: relu) {
                    x = fused
                    index += relu ? 3 : 2
                    continue
                }
            }
            x = try layers[index](x)
            index += 1
        }
        return x
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try layers.reduce(shape) { try $1.outputShape(forInput: $0) }
    }
}

/// `y = body(x) + shortcut(x)` (shortcut defaults to identity): the ResNet building block's skip
/// connection. Children are named `body` and `shortcut`.
public final class Residual: Module, UnaryLayer {
    /// The main branch.
    @Child public var body: any UnaryLayer
    /// The skip branch (`Identity` when shapes already agree).
    @Child public var shortcut: any UnaryLayer

    /// Wraps `body` with a skip connection through `shortcut`.
    public init(_ body: any UnaryLayer, shortcut: any UnaryLayer = Identity()) {
        self.body = body
        self.shortcut = shortcut
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let main = try body(input), skip = try shortcut(input)
        guard main.shape == skip.shape else {
            throw DendriteError.shapeMismatch(operation: "Residual", expected: "body output \(main.shape)",
                                              got: "shortcut output \(skip.shape)")
        }
        return try main + skip
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        let main = try body.outputShape(forInput: shape), skip = try shortcut.outputShape(forInput: shape)
        guard main == skip else {
            throw DendriteError.shapeMismatch(operation: "Residual", expected: "body output \(main)", got: "shortcut output \(skip)")
        }
        return main
    }
}
