import Foundation
import XCTest
@testable import Dendrite

/// Walking and editing the module tree; declared shapes against forward outputs.
final class ModuleTreeTests: XCTestCase {
    var generator = RandomGenerator(seed: 21)

    /// torchvision's class names → Dendrite's.
    static let typeNames = ["Conv2d": "Conv2D", "BatchNorm2d": "BatchNorm2D", "MaxPool2d": "MaxPool2D",
                            "AdaptiveAvgPool2d": "AdaptiveAvgPool2D"]

    func testNamedModulesEqualTorchvisionsForResNet18AndGoogLeNet() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "named_modules", withExtension: "json", subdirectory: "data"))
        let fixture = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        for (name, model) in [("resnet18", try Models.resnet18() as Module), ("googlenet", try Models.googlenet() as Module)] {
            let expected = try XCTUnwrap(fixture[name] as? [[String]], name)
            let ours = model.namedModules()
            XCTAssertEqual(ours.map(\.0), expected.map { $0[0] }, "\(name): names and order")
            XCTAssertEqual(ours.map(\.1.typeName), expected.map { Self.typeNames[$0[1]] ?? $0[1] }, "\(name): module types")
            XCTAssertEqual(model.modules().count, expected.count)
        }
    }

    func testReplaceModuleAtAnyDepthTrainsAndRoundTripsTheStateDict() throws {
        func edited() throws -> ResNet {
            let model = try Models.resnet18(classCount: 3)
            try model.replaceModule(at: "fc", with: Sequential { try! Dropout(0.1, seed: 1); try Linear(512, 4, generator: &generator) })
            try model.replaceModule(at: "layer2.0.downsample.1", with: BatchNorm2D(128, momentum: 0.5))
            return model
        }
        let model = try edited()
        XCTAssertTrue(try model.module(at: "fc") is Sequential)
        XCTAssertTrue(try model.module(at: "fc.1") is Linear)
        XCTAssertEqual(try XCTUnwrap(try model.module(at: "layer2.0.downsample.1") as? BatchNorm2D).momentum, 0.5)
        XCTAssertTrue(model.namedParameters().map(\.0).contains("fc.1.weight"))
        XCTAssertFalse(model.namedParameters().map(\.0).contains("fc.weight"))
        XCTAssertEqual(try model.summary(input: [3, 32, 32]).outputShape, [4])
        // It trains: the new head and the new norm's parameters receive gradients and move.
        let images = Tensor.normal([2, 3, 32, 32], generator: &generator)
        let optimizer = try SGD(model.parameters, learningRate: 0.001)
        let head = try XCTUnwrap(try model.module(at: "fc.1") as? Linear)
        let norm = try XCTUnwrap(try model.module(at: "layer2.0.downsample.1") as? BatchNorm2D)
        let headBefore = head.weight.value.scalars, normBefore = norm.weight!.value.scalars
        let step = try model.trainStep(inputs: images, targets: Tensor([1, 3]), loss: .crossEntropy, optimizer: optimizer)
        XCTAssertTrue(step.loss.isFinite)
        XCTAssertNotEqual(head.weight.value.scalars, headBefore)
        XCTAssertNotEqual(norm.weight!.value.scalars, normBefore)
        XCTAssertTrue(optimizer.arena!.contains(head.weight))
        // Its state dict round-trips into a model edited the same way.
        let copy = try edited()
        try copy.load(stateDict: Dictionary(uniqueKeysWithValues: model.stateDict()))
        XCTAssertEqual(copy.stateDict().map(\.0), model.stateDict().map(\.0))
        XCTAssertEqual(copy.stateDict().map(\.1), model.stateDict().map(\.1))
        model.eval(); copy.eval()
        let output = try noGrad { try model(images) }
        XCTAssertTrue(output.scalars.allSatisfy(\.isFinite))
        XCTAssertEqual(try noGrad { try copy(images) }, output)
    }

    func testEditingErrorsNameThePathAndTheType() throws {
        let model = try Models.resnet18()
        XCTAssertThrowsError(try model.module(at: "layer2.7.conv1")) { error in
            XCTAssertTrue("\(error)".contains("layer2 has no child \"7\" (children: 0, 1)"), "\(error)")
        }
        XCTAssertThrowsError(try model.replaceModule(at: "layer1", with: ReLU())) { error in
            XCTAssertTrue("\(error)".contains("is a constant"), "\(error)")
        }
        let decoder = try TransformerDecoderBlock(embedDimension: 4, headCount: 1, feedForward: 8, generator: &generator)
        XCTAssertThrowsError(try model.replaceModule(at: "layer1.0", with: decoder)) { error in
            XCTAssertTrue("\(error)".contains("is not a UnaryLayer"), "\(error)")
        }
        let blocks = try ModuleList([decoder])
        XCTAssertThrowsError(try blocks.replaceChild(named: "0", with: ReLU())) { error in
            XCTAssertTrue("\(error)".contains("is not a TransformerDecoderBlock"), "\(error)")
        }
        XCTAssertThrowsError(try model.replaceModule(at: "", with: ReLU()))
    }

    /// Parameters in arrays and dictionaries, registered names, and a child assigned by property.
    final class Collections: Module, UnaryLayer {
        let layers: [Linear]
        let gates: [String: Parameter]
        let scales: [Parameter]
        @Child var head: any UnaryLayer

        init(generator: inout RandomGenerator) throws {
            layers = [try Linear(2, 2, generator: &generator), try Linear(2, 2, generator: &generator)]
            gates = ["output": Parameter(try Tensor.ones([2])), "input": Parameter(try Tensor.zeros([2]))]
            scales = [Parameter(try Tensor.ones([1]))]
            head = Identity()
            super.init()
            register(parameter: Parameter(try Tensor.ones([2, 2])), named: "weight_ih_l0")
        }

        func forward(_ input: Tensor) throws -> Tensor { try head(layers[1](layers[0](input))) }
        func outputShape(forInput shape: [Int]) throws -> [Int] { try head.outputShape(forInput: shape) }
    }

    func testCollectionsAreNamedAsPyTorchNamesThem() throws {
        let module = try Collections(generator: &generator)
        XCTAssertEqual(module.namedParameters().map(\.0), ["gates.input", "gates.output", "scales.0", "weight_ih_l0",
                                                           "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"])
        XCTAssertEqual(module.namedModules().map(\.0), ["", "layers.0", "layers.1", "head"])
        module.head = try Linear(2, 3, generator: &generator)
        XCTAssertEqual(module.namedParameters().suffix(2).map(\.0), ["head.weight", "head.bias"], "a child assigned by property is seen")
        try module.replaceModule(at: "head", with: Tanh())
        XCTAssertTrue(module.head is Tanh, "a replaced child is what the property returns")
        var visited: [String] = []
        module.apply { visited.append($0.typeName) }
        XCTAssertEqual(visited, ["Linear", "Linear", "Tanh", "Collections"], "children first, then the module")
    }

    /// One instance of every UnaryLayer in the library with an input it accepts.
    func layerCases() throws -> [(any UnaryLayer, [Int])] {
        var g = RandomGenerator(seed: 5)
        let image = [3, 9, 9]
        return [
            (try Linear(6, 4, generator: &g), [2, 6]), (try Conv2D(3, 4, kernelSize: 3, stride: 2, padding: 1, generator: &g), image),
            (QuantizedLinear(try Linear(6, 4, generator: &g)), [2, 6]),
            (QuantizedLinear(try Linear(6, 4, generator: &g), input: ActivationQuantization(low: -1, high: 1)), [6]),
            (try QuantizedConv2D(try Conv2D(3, 4, kernelSize: 3, stride: 2, padding: 1, generator: &g),
                                 input: ActivationQuantization(low: -1, high: 1)), image),
            (CalibrationProbe(try Linear(6, 4, generator: &g), observer: MinMaxObserver()), [6]),
            (BoundedReLU(upperBound: 0.5), [4]), (try FaultyActivations(ReLU(), rate: 0.5, fault: .stuckAtZero, seed: 1), [4]),
            (ActivationCapture(try Linear(6, 4, generator: &g)), [6]),
            (BatchNorm1D(5), [5]), (BatchNorm2D(3), image), (try Dropout(0.3, seed: 1), [7]),
            (MaxPool2D(kernelSize: 2), image), (AvgPool2D(kernelSize: 3, stride: 2, padding: 1), image),
            (AdaptiveAvgPool2D(outputSize: Size2D(2, 3)), image), (Flatten(), image), (Identity(), [4]),
            (ReLU(), [4]), (LeakyReLU(), [4]), (ELU(), [4]), (GELU(), [4]), (Sigmoid(), [4]), (Tanh(), [4]),
            (Softmax(), [2, 4]), (LogSoftmax(), [2, 4]),
            (try LSTM(inputSize: 3, hiddenSize: 4, layers: 2, batchFirst: true, bidirectional: true, projectionSize: 2, generator: &g), [5, 3]),
            (try GRU(inputSize: 3, hiddenSize: 4, batchFirst: true, generator: &g), [5, 3]),
            (try RNN(inputSize: 3, hiddenSize: 4, nonlinearity: .relu, batchFirst: true, generator: &g), [5, 3]),
            (LastStep(), [5, 3]), (try Reshape([3, 9, 9]), [243]),
            (try Sequential { Flatten(); try Linear(243, 3, generator: &g) }, image),
            (Residual(Sequential { ReLU(); Identity() }), [4]),
            (LayerNorm(6), [3, 6]), (Embedding(10, 4, generator: &g), [5]),
            (try MultiHeadAttention(embedDimension: 8, headCount: 2, generator: &g), [5, 8]),
            (try FeedForward(8, hidden: 16, generator: &g), [5, 8]),
            (SinusoidalPositionalEncoding(maximumLength: 10, embedDimension: 8), [5, 8]),
            (try TransformerEncoderBlock(embedDimension: 8, headCount: 2, feedForward: 16, generator: &g), [5, 8]),
            (try GPT(GPTConfiguration(vocabularySize: 11, contextLength: 8, embedDimension: 8, headCount: 2, layerCount: 1),
                     generator: &g), [6]),
            (try BasicBlock(3, 6, stride: 2, generator: &g), image), (try Bottleneck(3, 2, stride: 1, generator: &g), image),
            (try BasicConv2d(3, 4, kernelSize: 3, padding: 1, generator: &g), image),
            (try Inception(3, 2, 2, 3, 2, 2, 2, generator: &g), image),
            (try Models.lenet5(), [1, 32, 32]), (try Models.resnet18(classCount: 5), [3, 32, 32]),
            (try Models.googlenet(classCount: 4), [3, 40, 40]),
            (ConvolutionalClassifier(name: "small VGG", features: [try Conv2D(3, 4, kernelSize: 3, padding: 1, generator: &g), ReLU(),
                                                                  MaxPool2D(kernelSize: 2)],
                                     pooledSize: 2, classifier: [try Linear(16, 3, generator: &g)]), image),
        ]
    }

    func testEveryLayersDeclaredShapeIsItsForwardOutputsShape() throws {
        let cases = try layerCases()
        for (layer, shape) in cases {
            layer.eval()
            let declared = try layer.outputShape(forInput: shape)
            let output = try noGrad { try layer(Tensor.zeros([2] + shape)) }
            XCTAssertEqual([2] + declared, output.shape, "\(layer.typeName) on \(shape)")
        }
        // Every UnaryLayer class in Sources/Dendrite has a case above.
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/Dendrite")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var declaredTypes = Set<String>()
        let pattern = try NSRegularExpression(pattern: "^(?:public |open )?(?:final )?class ([A-Za-z0-9]+)[^{\\n]*\\bUnaryLayer\\b",
                                              options: .anchorsMatchLines)
        for case let url as URL in files where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                declaredTypes.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        let covered = Set(cases.map { String(describing: type(of: $0.0)) })
        // Covered by their subclasses: BatchNorm1D and BatchNorm2D; LSTM, GRU and RNN.
        let abstract: Set<String> = ["BatchNorm", "RecurrentNetwork"]
        XCTAssertGreaterThan(declaredTypes.count, 30)
        XCTAssertEqual(declaredTypes.subtracting(covered).subtracting(abstract), [], "UnaryLayers without a shape case")
    }

    func testSummaryRejectsADeclaredShapeThatDiffersFromTheOutput() throws {
        final class Lying: Module, UnaryLayer {
            func forward(_ input: Tensor) throws -> Tensor { input.flattenedBatch() }
            func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
        }
        let model = Sequential { Lying() }
        XCTAssertThrowsError(try model.summary(input: [2, 3])) { error in
            XCTAssertTrue("\(error)".contains("layer 0 Lying.outputShape(forInput:)"), "\(error)")
            XCTAssertTrue("\(error)".contains("[6]"), "\(error)")
        }
    }

    func testBadSizesThrowInsteadOfBeingClampedOrZeroed() throws {
        XCTAssertThrowsError(try Tensor.zeros([2, -1])) { XCTAssertTrue("\($0)".contains("size -1 is negative"), "\($0)") }
        XCTAssertThrowsError(try Tensor.full([-3], 1))
        XCTAssertThrowsError(try Linear(0, 4, generator: &generator)) { XCTAssertTrue("\($0)".contains("Linear(0, 4)"), "\($0)") }
        XCTAssertThrowsError(try Linear(3, -2))
        XCTAssertEqual(try Tensor.zeros([0, 3]).shape, [0, 3])
        XCTAssertThrowsError(try Tensor.zeros([Int.max, 2])) { XCTAssertTrue("\($0)".contains("overflows"), "\($0)") }
        XCTAssertThrowsError(try Tensor.zeros([4]).reshaped(to: [Int.max, 2, -1]))
        XCTAssertThrowsError(try Tensor.zeros([1 << 40, 1 << 10])) { XCTAssertTrue("\($0)".contains("more than this machine's memory"), "\($0)") }
    }

    /// A shared module appears under every name in the state dict, which loads back strictly.
    final class Tied: Module, UnaryLayer {
        let encoder: Linear
        let decoder: Linear
        let blocks: ModuleList<TransformerDecoderBlock>
        init(generator: inout RandomGenerator) throws {
            encoder = try Linear(8, 8, generator: &generator)
            decoder = encoder
            blocks = try ModuleList([try TransformerDecoderBlock(embedDimension: 8, headCount: 2, feedForward: 16, generator: &generator)])
            super.init()
        }
        func forward(_ input: Tensor) throws -> Tensor {
            let x = try encoder(input)
            return try decoder(try blocks[0](x, memory: x))
        }
        func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
    }

    func testSharedModulesNonUnaryChildrenAndModesInSummaryAndStateDict() throws {
        let model = try Tied(generator: &generator)
        let state = model.stateDict()
        XCTAssertTrue(state.map(\.0).contains("decoder.weight"))
        try model.load(stateDict: Dictionary(uniqueKeysWithValues: state))
        XCTAssertEqual(model.namedParameters().filter { $0.0.hasPrefix("decoder.") }.count, 0, "a shared parameter is listed once")
        model.blocks.eval()
        let summary = try model.summary(input: [3, 8])
        XCTAssertEqual(summary.layers.map(\.path), ["encoder", "encoder", "blocks.0"],
                       "a shared layer has a row per call; calls inside a non-unary block are not rows")
        XCTAssertEqual(summary.totalParameters, model.parameterCount)
        XCTAssertTrue(model.isTraining)
        XCTAssertFalse(model.blocks.isTraining, "summary gives every module back its own mode")
        XCTAssertTrue(try model.module(at: "blocks.0.norm1") is LayerNorm)
    }

    func testPathsThroughArrayMembers() throws {
        let module = try Collections(generator: &generator)
        XCTAssertTrue(try module.module(at: "layers.1") is Linear)
        XCTAssertThrowsError(try module.replaceModule(at: "layers.1", with: Tanh())) { error in
            XCTAssertTrue("\(error)".contains("is a constant"), "\(error)")
        }
    }

    func testParametersOfResNet50AreCheapAndMatchTheNamedOnes() throws {
        let model = try Models.resnet50()
        XCTAssertEqual(model.parameters.count, 161)
        XCTAssertTrue(zip(model.parameters, model.namedParameters().map(\.1)).allSatisfy { $0 === $1 })
        XCTAssertEqual(model.parameterCount, 25_557_032)
    }
}
