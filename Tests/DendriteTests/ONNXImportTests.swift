import Dendrite
@testable import DendriteONNX
import Foundation
import XCTest

/// ONNX files back as Dendrite models: another producer's file against ONNX Runtime's output,
/// Dendrite's own exports round-tripped, and the files the import refuses.
final class ONNXImportTests: XCTestCase {
    func testAnotherProducersChainMatchesONNXRuntime() throws {
        let model = try XCTUnwrap(Bundle.module.url(forResource: "onnx_chain", withExtension: "onnx", subdirectory: "data"))
        let io = try XCTUnwrap(Bundle.module.url(forResource: "onnx_chain_io", withExtension: "safetensors", subdirectory: "data"))
        let (network, inputShape) = try ONNXImport.load(model.path)
        XCTAssertEqual(inputShape, [2, 12, 12])
        XCTAssertEqual(network.layers.map(\.typeName),
                       ["Conv2D", "BatchNorm2D", "ReLU", "MaxPool2D", "Flatten", "Linear", "BoundedReLU", "Linear", "Softmax"])
        let tensors = Dictionary(uniqueKeysWithValues: try SafeTensors.read(io.path).tensors.map { ($0.0, $0.1) })
        let output = try network(try XCTUnwrap(tensors["input"]))
        let expected = try XCTUnwrap(tensors["output"])
        XCTAssertEqual(output.shape, expected.shape)
        for (a, b) in zip(output.scalars, expected.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
    }

    func testDendritesOwnExportsComeBackWithTheSameOutputs() throws {
        var generator = RandomGenerator(seed: 3)
        let specs: [(String, [Int])] = [
            ("mlp", [1, 28, 28]),
            ("cnn", [1, 28, 28]),
            ("conv:4:3x3:p1,batchnorm,relu,avgpool:2,conv:6:3x3:s2:same,tanh,maxpool:2:s1,flatten,dropout:0.3,dense:12,"
                + "sigmoid,dense:8,gelu,dense:5,batchnorm,softmax", [2, 12, 12]),
            ("reshape:4x7,flatten,dense:6,relu,dense:3", [28]),
        ]
        for (spec, shape) in specs {
            let original = try ModelSpec(spec, inputShape: shape).build(generator: &generator)
            ONNXExportTests.randomizeNormalizationStatistics(original, generator: &generator)
            original.eval()
            let (copy, inputShape) = try ONNXImport.decode(try original.onnxData(inputShape: shape), source: spec)
            XCTAssertEqual(inputShape, shape, spec)
            let x = Tensor.normal([3] + shape, generator: &generator)
            let (a, b) = (try original(x), try copy(x))
            XCTAssertEqual(a.shape, b.shape, spec)
            for (u, v) in zip(a.scalars, b.scalars) { XCTAssertEqual(u, v, accuracy: 1e-6 * max(1, abs(u)), spec) }
        }
    }

    func testBranchingGraphsAndOtherOperatorsAreRefusedByNode() throws {
        var generator = RandomGenerator(seed: 4)
        let block = try BasicBlock(4, 4, stride: 1, generator: &generator)
        XCTAssertThrowsError(try ONNXImport.decode(try block.onnxData(inputShape: [4, 6, 6]), source: "block.onnx")) { error in
            XCTAssertTrue("\(error)".contains("block.onnx") && "\(error)".contains("only chains of layers import"), "\(error)")
        }
        let gpt = try GPT(GPTConfiguration(vocabularySize: 5, contextLength: 4, embedDimension: 4, headCount: 1, layerCount: 1),
                          generator: &generator)
        XCTAssertThrowsError(try ONNXImport.decode(try gpt.onnxData(inputShape: [4]), source: "gpt.onnx")) { error in
            XCTAssertTrue("\(error)".contains("Gather node"), "\(error)")
        }
    }

    func testCorruptFilesAreTypedErrorsNamingTheFile() throws {
        var generator = RandomGenerator(seed: 5)
        let data = try Sequential { try Linear(3, 2, generator: &generator) }.onnxData(inputShape: [3])
        for cut in [1, data.count / 3, data.count / 2, data.count - 1] {
            XCTAssertThrowsError(try ONNXImport.decode(data.prefix(cut), source: "cut.onnx")) { error in
                XCTAssertTrue("\(error)".contains("cut.onnx"), "\(cut): \(error)")
            }
        }
        XCTAssertThrowsError(try ONNXImport.load("/nonexistent/model.onnx")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/model.onnx"), "\(error)")
        }
        // Dimensions that promise more than the data holds, or overflow, are refused before any allocation.
        var model = try Onnx_ModelProto(serializedBytes: data)
        model.graph.initializer[0].dims = [1_000_000, 1_000_000]
        XCTAssertThrowsError(try ONNXImport.decode(try model.serializedData(), source: "lying.onnx")) { error in
            XCTAssertTrue("\(error)".contains("declares [1000000, 1000000]"), "\(error)")
        }
        model.graph.initializer[0].dims = [Int64.max, 2]
        XCTAssertThrowsError(try ONNXImport.decode(try model.serializedData(), source: "overflow.onnx")) { error in
            XCTAssertTrue("\(error)".contains("dimensions"), "\(error)")
        }
        model.graph.initializer[0].dims = [2, 3]
        model.graph.initializer[0].floatData = []
        model.graph.initializer[0].rawData = Data([0, 0, 128])
        XCTAssertThrowsError(try ONNXImport.decode(try model.serializedData(), source: "raw.onnx")) { error in
            XCTAssertTrue("\(error)".contains("not a multiple of 4"), "\(error)")
        }
    }

    /// Attributes and sizes from the file that would overflow or mislead a layer are refused by node.
    func testHostileAttributesAndSizesAreRefused() throws {
        var generator = RandomGenerator(seed: 6)
        let cnn = try Sequential {
            try Conv2D(1, 2, kernelSize: 3, generator: &generator)
            MaxPool2D(kernelSize: 2)
            Flatten()
            try Linear(8, 3, generator: &generator)
        }
        let original = try Onnx_ModelProto(serializedBytes: try cnn.onnxData(inputShape: [1, 6, 6]))
        func refused(_ change: (inout Onnx_ModelProto) -> Void, _ fragment: String, line: UInt = #line) throws {
            var model = original
            change(&model)
            XCTAssertThrowsError(try ONNXImport.decode(try model.serializedData(), source: "hostile.onnx"), line: line) { error in
                XCTAssertTrue("\(error)".contains(fragment) && "\(error)".contains("hostile.onnx"), "\(error)", line: line)
            }
        }
        func node(_ op: String, in model: inout Onnx_ModelProto) -> Int { model.graph.node.firstIndex { $0.opType == op }! }
        func attribute(_ name: String, ints: [Int64]) -> Onnx_AttributeProto {
            var attribute = Onnx_AttributeProto()
            attribute.name = name
            attribute.type = .ints
            attribute.ints = ints
            return attribute
        }
        XCTAssertNoThrow(try ONNXImport.decode(try original.serializedData(), source: "fine.onnx"))
        try refused({ model in
            let conv = node("Conv", in: &model)
            var group = Onnx_AttributeProto()
            group.name = "group"
            group.type = .int
            group.i = 1 << 62
            model.graph.node[conv].attribute.removeAll { $0.name == "group" }
            model.graph.node[conv].attribute.append(group)
        }, "group")
        try refused({ model in
            let bias = model.graph.initializer.firstIndex { $0.name.hasSuffix("0.bias") }!
            model.graph.initializer[bias].dims = [3]
            model.graph.initializer[bias].floatData = [0, 0, 0]
        }, "bias of shape [3]")
        try refused({ model in
            let pool = node("MaxPool", in: &model)
            model.graph.node[pool].attribute.removeAll { $0.name == "pads" }
            model.graph.node[pool].attribute.append(attribute("pads", ints: [1 << 40, 1 << 40, 1 << 40, 1 << 40]))
        }, "pads")
        try refused({ model in
            let pool = node("MaxPool", in: &model)
            var autoPad = Onnx_AttributeProto()
            autoPad.name = "auto_pad"
            autoPad.type = .string
            autoPad.s = Data("SAME_UPPER".utf8)
            model.graph.node[pool].attribute.append(autoPad)
        }, "auto_pad")
        try refused({ model in model.graph.input[0].type.tensorType.shape.dim[2].dimValue = Int64.max }, "input")

        let reshaping = try ModelSpec("reshape:4x7,flatten,dense:3", inputShape: [28]).build(generator: &generator)
        var model = try Onnx_ModelProto(serializedBytes: try reshaping.onnxData(inputShape: [28]))
        let shape = try XCTUnwrap(model.graph.initializer.firstIndex { $0.dataType == Int32(Onnx_TensorProto.DataType.int64.rawValue) })
        model.graph.initializer[shape].int64Data = [0, 1 << 32, 1 << 32]
        XCTAssertThrowsError(try ONNXImport.decode(try model.serializedData(), source: "reshape.onnx")) { error in
            XCTAssertTrue("\(error)".contains("cannot reshape"), "\(error)")
        }

        // A Div → Erf → Mul → Add → Mul chain with other constants is not GELU, and is refused as a Div.
        let gelu = try ModelSpec("flatten,dense:4,gelu,dense:2", inputShape: [3]).build(generator: &generator)
        var notGELU = try Onnx_ModelProto(serializedBytes: try gelu.onnxData(inputShape: [3]))
        XCTAssertNoThrow(try ONNXImport.decode(try notGELU.serializedData(), source: "gelu.onnx"))
        let root2 = try XCTUnwrap(notGELU.graph.initializer.firstIndex { $0.name.hasSuffix("sqrt2") })
        notGELU.graph.initializer[root2].floatData = [3]
        XCTAssertThrowsError(try ONNXImport.decode(try notGELU.serializedData(), source: "gelu.onnx")) { error in
            XCTAssertTrue("\(error)".contains("Div"), "\(error)")
        }
    }
}
