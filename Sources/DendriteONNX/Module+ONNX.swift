import Dendrite
import Foundation
import SwiftProtobuf

extension UnaryLayer {
    /// The model as an ONNX file's bytes (opset ``ONNXExport/opsetVersion``), computed as in
    /// evaluation mode: batch norm with its running statistics, dropout as the identity.
    ///
    /// - Parameters:
    ///   - inputShape: one sample's shape, e.g. `[1, 28, 28]` (the batch is the file's symbolic
    ///     dimension `N`); `[T]` token ids for a `GPT`.
    ///   - inputType: the input's element type (token ids are `int64`; chosen from the model when `nil`).
    /// - Throws: `DendriteError.invalidArgument` naming the module path of a
    ///   layer with no ONNX form, and the model's shape errors for a wrong `inputShape`.
    public func onnxData(inputShape: [Int], inputType: ONNXInputType? = nil) throws -> Data {
        try onnxModel(inputShape: inputShape, inputType: inputType).serializedData()
    }

    /// Writes the model as an ONNX file at `path` (atomically: a failed write leaves what was there).
    /// See ``onnxData(inputShape:inputType:)``.
    public func exportONNX(to path: String, inputShape: [Int], inputType: ONNXInputType? = nil) throws {
        let data = try onnxData(inputShape: inputShape, inputType: inputType)
        try writeAtomically(data, to: path)
    }

    func onnxModel(inputShape: [Int], inputType: ONNXInputType?) throws -> Onnx_ModelProto {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }), Tensor.checkedElementCount(of: inputShape) != nil else {
            throw DendriteError.invalidArgument(operation: "ONNX export", argument: "input shape \(inputShape)",
                                                reason: "needs one sample's sizes, each ≥ 1 (e.g. [1, 28, 28])")
        }
        let type = inputType ?? ONNXExport.inputType(of: self)
        let graph = ONNXGraph(opsetVersion: ONNXExport.opsetVersion, reservedNames: [ONNXExport.inputName, ONNXExport.outputName])
        let output = try graph.export(self, named: nil, ONNXValue(name: ONNXExport.inputName, shape: inputShape))
        graph.node("Identity", [output.name], outputs: 1)
        var nodes = graph.nodes
        nodes[nodes.count - 1].output = [ONNXExport.outputName]

        var proto = Onnx_GraphProto()
        proto.name = typeName
        proto.node = nodes
        proto.initializer = graph.initializers
        proto.input = [Self.valueInfo(ONNXExport.inputName, shape: inputShape, type: type)]
        proto.output = [Self.valueInfo(ONNXExport.outputName, shape: output.shape, type: .float)]

        var model = Onnx_ModelProto()
        model.irVersion = Int64(ONNXExport.irVersion)
        model.producerName = "Dendrite"
        model.producerVersion = "1"
        model.graph = proto
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(ONNXExport.opsetVersion)
        model.opsetImport = [opset]
        return model
    }

    static func valueInfo(_ name: String, shape: [Int], type: ONNXInputType) -> Onnx_ValueInfoProto {
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(type == .float ? Onnx_TensorProto.DataType.float.rawValue : Onnx_TensorProto.DataType.int64.rawValue)
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "N"
        tensorType.shape.dim = [batch] + shape.map { size in
            var dimension = Onnx_TensorShapeProto.Dimension()
            dimension.dimValue = Int64(size)
            return dimension
        }
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensorType
        return info
    }
}
