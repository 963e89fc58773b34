import Dendrite
import Foundation
import SwiftProtobuf

/// Reading ONNX files back as Dendrite models: graphs that are a chain of layers — each node
/// reading the previous one's output — become a ``Dendrite/Sequential`` with the file's weights.
///
/// That is the subset `dendrite export` writes for the spec grammar (dense, conv, pooling, batch
/// norm, dropout, activations, flatten) and what PyTorch's exporter writes for such `nn.Sequential`s:
/// `Gemm`/`MatMul`(+`Add`), `Conv`, `MaxPool`, `AveragePool`, `GlobalAveragePool`,
/// `BatchNormalization`, `Flatten`, `Reshape`, `Relu`, `LeakyRelu`, `Elu`, `Sigmoid`, `Tanh`,
/// `Softmax`, `LogSoftmax`, `Clip` from 0, the exported GELU, `Dropout` and `Identity`. A branching
/// graph (residual blocks, inception) or another operator is refused, naming the node.
public enum ONNXImport {
    /// Reads the ONNX file at `path`.
    ///
    /// - Returns: the model (in evaluation mode) and one sample's input shape, from the file's input.
    /// - Throws: `DendriteError.invalidFile` naming the file and what is wrong with it — unreadable
    ///   protobuf, a tensor whose data does not match its dimensions, a node outside the subset.
    public static func load(_ path: String) throws -> (model: Sequential, inputShape: [Int]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "not found or not readable")
        }
        return try decode(data, source: path)
    }

    /// Reads ONNX bytes; `source` names them in errors. See ``load(_:)``.
    public static func decode(_ data: Data, source: String) throws -> (model: Sequential, inputShape: [Int]) {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw DendriteError.invalidFile(path: source, offset: nil, reason: "not an ONNX model (\(error))")
        }
        guard model.hasGraph else { throw DendriteError.invalidFile(path: source, offset: nil, reason: "the model has no graph") }
        let graph = model.graph
        let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { Int($0.version) } ?? 1
        let tensors = try ONNXTensors(graph, source: source)
        let constants = Set(graph.initializer.map(\.name))
        guard let input = graph.input.first(where: { !constants.contains($0.name) }) else {
            throw tensors.invalid("the graph has no input")
        }
        let dims = input.type.tensorType.shape.dim
        guard dims.count >= 2, dims.dropFirst().allSatisfy({ $0.dimValue > 0 && $0.dimValue <= ONNXChainBuilder.sizeLimit }),
              Tensor.checkedElementCount(of: dims.dropFirst().map { Int($0.dimValue) }) != nil else {
            throw tensors.invalid("input \"\(input.name)\" needs a batch dimension and fixed sizes after it, got \(dims.map { $0.dimParam.isEmpty ? "\($0.dimValue)" : $0.dimParam })")
        }
        var builder = ONNXChainBuilder(tensors: tensors, opset: opset, current: input.name,
                                       shape: dims.dropFirst().map { Int($0.dimValue) })
        let inputShape = builder.shape
        let nodes = graph.node.filter { $0.opType != "Constant" }
        var index = 0
        while index < nodes.count { index += try builder.add(nodes, at: index) }
        guard let output = graph.output.first, output.name == builder.current else {
            throw tensors.invalid("the graph's output is not the last layer's (\(graph.output.first?.name ?? "none") vs \(builder.current))")
        }
        let sequential = Sequential(builder.layers)
        sequential.eval()
        return (sequential, inputShape)
    }
}
