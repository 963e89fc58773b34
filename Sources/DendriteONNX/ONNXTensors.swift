import Dendrite
import Foundation

/// An imported file's constant tensors (initializers and `Constant` nodes), validated against
/// the bytes they came from before anything is allocated from their declared sizes.
struct ONNXTensors {
    let source: String
    private(set) var floats: [String: Tensor] = [:]
    private(set) var integers: [String: [Int]] = [:]
    private var otherConstants: Set<String> = []

    init(_ graph: Onnx_GraphProto, source: String) throws {
        self.source = source
        for tensor in graph.initializer { try add(tensor, name: tensor.name) }
        for node in graph.node where node.opType == "Constant" {
            guard let value = node.attribute.first(where: { $0.name == "value" }), value.hasT, let output = node.output.first else {
                throw invalid("Constant node \"\(node.name)\" has no tensor value")
            }
            try add(value.t, name: output)
        }
    }

    /// Whether `name` is a constant (an initializer or a `Constant` node's output) of any type.
    func isConstant(_ name: String) -> Bool { floats[name] != nil || integers[name] != nil || otherConstants.contains(name) }

    func invalid(_ reason: String) -> DendriteError {
        DendriteError.invalidFile(path: source, offset: nil, reason: reason)
    }

    /// The float tensor `name`, or an error naming the node that needs it.
    func float(_ name: String, for node: Onnx_NodeProto) throws -> Tensor {
        guard let tensor = floats[name] else {
            throw invalid("\(node.opType) node \"\(node.name)\": input \"\(name)\" is not a float initializer (only constant weights import)")
        }
        return tensor
    }

    /// The integer tensor `name` (shapes, axes), or an error naming the node that needs it.
    func integers(_ name: String, for node: Onnx_NodeProto) throws -> [Int] {
        guard let values = integers[name] else {
            throw invalid("\(node.opType) node \"\(node.name)\": input \"\(name)\" is not a constant integer tensor")
        }
        return values
    }

    private mutating func add(_ tensor: Onnx_TensorProto, name: String) throws {
        let dims = tensor.dims.map(Int.init)
        guard dims.allSatisfy({ $0 >= 0 }), let count = Tensor.checkedElementCount(of: dims) else {
            throw invalid("tensor \"\(name)\" has dimensions \(dims)")
        }
        switch Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)) {
        case .float?:
            let values = tensor.rawData.isEmpty ? tensor.floatData : try Self.littleEndian(tensor.rawData, width: 4, name: name, in: self)
                .map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
            guard values.count == count else {
                throw invalid("tensor \"\(name)\" declares \(dims) = \(count) elements but holds \(values.count)")
            }
            floats[name] = try Tensor(shape: dims, scalars: values)
        case .int64?, .int32?:
            let width = tensor.dataType == Int32(Onnx_TensorProto.DataType.int64.rawValue) ? 8 : 4
            let values: [Int] = tensor.rawData.isEmpty
                ? (width == 8 ? tensor.int64Data.map(Int.init) : tensor.int32Data.map(Int.init))
                : try Self.littleEndian(tensor.rawData, width: width, name: name, in: self).map { width == 8 ? Int(Int64(bitPattern: $0)) : Int(Int32(truncatingIfNeeded: $0)) }
            guard values.count == count else {
                throw invalid("tensor \"\(name)\" declares \(dims) = \(count) elements but holds \(values.count)")
            }
            integers[name] = values
        default:
            otherConstants.insert(name)   // other types are refused where a node uses them
        }
    }

    /// Little-endian words of `width` bytes.
    private static func littleEndian(_ data: Data, width: Int, name: String, in tensors: ONNXTensors) throws -> [UInt64] {
        guard data.count % width == 0 else {
            throw tensors.invalid("tensor \"\(name)\" has \(data.count) bytes of raw data, not a multiple of \(width)")
        }
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count, by: width).map { start in
            (0..<width).reduce(UInt64(0)) { word, index in word | UInt64(bytes[start + index]) << (8 * UInt64(index)) }
        }
    }
}
