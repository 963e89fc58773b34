import Dendrite

/// A layer that can write itself as ONNX nodes.
///
/// Dendrite's layers, the zoo's blocks, the transformer and the recurrent layers conform in this
/// module; a layer of your own conforms by adding its nodes to the graph:
///
/// ```swift
/// extension Swish: ONNXExportable {
///     public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
///         graph.apply("Mul", input.name, graph.apply("Sigmoid", input.name))
///     }
/// }
/// ```
public protocol ONNXExportable: UnaryLayer {
    /// Appends the nodes computing this layer in evaluation mode to `graph`, reading `input`
    /// (whose shape is per sample; the batch is the file's symbolic first dimension), and returns
    /// the name of the value holding the layer's output.
    func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String
}

/// The element type of an exported model's input.
public enum ONNXInputType: Sendable {
    /// 32-bit floats (images, features, sequences).
    case float
    /// 64-bit integers (token ids for an `Embedding` or a `GPT`).
    case int64
}

/// Writing Dendrite models as ONNX files.
public enum ONNXExport {
    /// The operator set exported nodes use (ONNX 1.12, 2022; every current runtime reads it).
    public static let opsetVersion = 17
    /// The ONNX IR version written (8: opset 17's).
    public static let irVersion = 8
    /// The name of the graph's input.
    public static let inputName = "input"
    /// The name of the graph's output.
    public static let outputName = "output"

    /// The input type a model takes: token ids for a GPT or a model starting with an embedding.
    static func inputType(of model: any UnaryLayer) -> ONNXInputType {
        var layer: any UnaryLayer = model
        while let sequential = layer as? Sequential, let first = sequential.layers.first { layer = first }
        return layer is GPT || layer is Embedding ? .int64 : .float
    }
}
