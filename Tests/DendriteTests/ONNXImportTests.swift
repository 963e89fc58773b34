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
}
