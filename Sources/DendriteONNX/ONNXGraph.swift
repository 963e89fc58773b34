import Dendrite
import Foundation

/// A value flowing through an exported graph: its ONNX name and its shape per sample (the batch
/// dimension, symbolic `N` in the file, left out — the shapes `UnaryLayer.outputShape(forInput:)` uses).
public struct ONNXValue: Equatable, Sendable {
    /// The value's name in the graph.
    public let name: String
    /// The shape of one sample (without the batch dimension).
    public let shape: [Int]

    /// A value named `name` with per-sample shape `shape`.
    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }
}

/// An ONNX node attribute: a name and a value of one of ONNX's attribute types.
public enum ONNXAttribute: Sendable {
    /// An `INT` attribute.
    case int(String, Int)
    /// An `INTS` attribute.
    case ints(String, [Int])
    /// A `FLOAT` attribute.
    case float(String, Float)
    /// A `STRING` attribute.
    case string(String, String)
    /// A `STRINGS` attribute.
    case strings(String, [String])
}

/// The graph an export writes into: nodes in execution order, initializers (the weights, under
/// their `state_dict` names) and the module path naming them.
///
/// Layers conforming to ``ONNXExportable`` add their nodes through ``node(_:_:attributes:outputs:)``,
/// their weights through `initializer(_:named:)` and their children through ``export(_:named:_:)``.
public final class ONNXGraph {
    /// The default-domain operator set the nodes are written for.
    public let opsetVersion: Int
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var usedNames: Set<String> = []
    private var scope: [String] = []
    private var parameterNames: [ObjectIdentifier: String] = [:]

    init(opsetVersion: Int, reservedNames: [String]) {
        self.opsetVersion = opsetVersion
        usedNames = Set(reservedNames)
    }

    /// The current module path (`layer1.0.conv1`), empty at the root.
    public var path: String { scope.joined(separator: ".") }

    /// Adds a node `op` reading `inputs` (an empty string marks an omitted optional input) and
    /// returns the names of its `outputs` new values, named after the module path.
    @discardableResult
    public func node(_ op: String, _ inputs: [String], attributes: [ONNXAttribute] = [], outputs: Int = 1) -> [String] {
        let base = uniqueName(scope.isEmpty ? op : "\(path)/\(op)")
        var node = Onnx_NodeProto()
        node.opType = op
        node.name = base
        node.input = inputs
        node.output = outputs == 1 ? [base] : (0..<outputs).map { uniqueName("\(base):\($0)") }
        node.attribute = attributes.map(Self.attributeProto)
        nodes.append(node)
        return node.output
    }

    /// Adds a one-output node and returns its output's name.
    public func apply(_ op: String, _ inputs: String..., attributes: [ONNXAttribute] = []) -> String {
        node(op, inputs, attributes: attributes)[0]
    }

    /// Adds `tensor` as a float initializer named `name` under the current module path (so a
    /// parameter keeps its `state_dict` name) and returns that name.
    @discardableResult
    public func initializer(_ tensor: Tensor, named name: String) -> String {
        floatTensor(uniqueName(scope.isEmpty ? name : "\(path).\(name)"), shape: tensor.shape, values: tensor.scalars)
    }

    /// Adds a parameter's value once: a parameter shared by two layers (a tied head) is written once,
    /// under the name it was first exported with.
    public func initializer(_ parameter: Parameter, named name: String) -> String {
        if let known = parameterNames[ObjectIdentifier(parameter)] { return known }
        let qualified = initializer(parameter.value, named: name)
        parameterNames[ObjectIdentifier(parameter)] = qualified
        return qualified
    }

    /// A constant 64-bit integer tensor (shapes, axes, indices); `shape` `nil` makes a 1-D tensor.
    public func constant(int64s values: [Int], shape: [Int]? = nil, named name: String = "const") -> String {
        var proto = Onnx_TensorProto()
        proto.name = uniqueName(scope.isEmpty ? name : "\(path)/\(name)")
        proto.dims = (shape ?? [values.count]).map(Int64.init)
        proto.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        proto.int64Data = values.map(Int64.init)
        initializers.append(proto)
        return proto.name
    }

    /// A constant float tensor (a scalar when `shape` is empty); `values` holds the shape's element count.
    public func constant(floats values: [Float], shape: [Int], named name: String = "const") -> String {
        floatTensor(uniqueName(scope.isEmpty ? name : "\(path)/\(name)"), shape: shape, values: values)
    }

    private func floatTensor(_ name: String, shape: [Int], values: [Float]) -> String {
        var proto = Onnx_TensorProto()
        proto.name = name
        proto.dims = shape.map(Int64.init)
        proto.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        proto.floatData = values
        initializers.append(proto)
        return name
    }

    /// Exports `layer` as the child `name` of the current module (its nodes and weights named
    /// under `path.name`), reading `input`; the result has the shape the layer reports.
    ///
    /// - Throws: `DendriteError.invalidArgument` naming the module
    ///   path when the layer has no ONNX form, and the layer's own shape errors.
    public func export(_ layer: any UnaryLayer, named name: String?, _ input: ONNXValue) throws -> ONNXValue {
        if let name { scope.append(name) }
        defer { if name != nil { scope.removeLast() } }
        guard let exportable = layer as? any ONNXExportable else {
            throw DendriteError.invalidArgument(operation: "ONNX export", argument: "\(path.isEmpty ? "the model" : path) (\(layer.typeName))",
                                                reason: "this layer has no ONNX form; conform it to ONNXExportable")
        }
        let shape = try layer.outputShape(forInput: input.shape)
        let output = try exportable.exportONNX(input, into: self)
        return ONNXValue(name: output, shape: shape)
    }

    /// Runs `body` with `name` appended to the module path (for nodes of a part that is not a layer).
    public func within<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        scope.append(name)
        defer { scope.removeLast() }
        return try body()
    }

    private func uniqueName(_ candidate: String) -> String {
        var name = candidate, counter = 1
        while usedNames.contains(name) {
            name = "\(candidate)_\(counter)"
            counter += 1
        }
        usedNames.insert(name)
        return name
    }

    static func attributeProto(_ attribute: ONNXAttribute) -> Onnx_AttributeProto {
        var proto = Onnx_AttributeProto()
        switch attribute {
        case let .int(name, value):
            proto.name = name
            proto.type = .int
            proto.i = Int64(value)
        case let .ints(name, values):
            proto.name = name
            proto.type = .ints
            proto.ints = values.map(Int64.init)
        case let .float(name, value):
            proto.name = name
            proto.type = .float
            proto.f = value
        case let .string(name, value):
            proto.name = name
            proto.type = .string
            proto.s = Data(value.utf8)
        case let .strings(name, values):
            proto.name = name
            proto.type = .strings
            proto.strings = values.map { Data($0.utf8) }
        }
        return proto
    }
}
