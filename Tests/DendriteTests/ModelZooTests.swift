import Foundation
import XCTest
@testable import Dendrite

/// Predefined architectures: parameter totals as torchvision's, torchvision's names, shapes.
final class ModelZooTests: XCTestCase {
    func testLeNet5HasItsClassicParameterCountAndRuns() throws {
        let model = try Models.lenet5()
        XCTAssertEqual(model.parameterCount, 61_706)
        XCTAssertEqual(try model.summary(input: [1, 32, 32]).totalParameters, 61_706)
        XCTAssertEqual(try model.summary(input: [1, 32, 32]).layers.map(\.outputShape),
                       [[6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 5, 5], [120], [84], [10]])
        XCTAssertEqual(try model(Tensor.zeros([2, 1, 32, 32])).shape, [2, 10])
    }

    func testResNetTotalsAndNamesMatchTorchvision() throws {
        let resnet18 = try Models.resnet18()
        XCTAssertEqual(resnet18.parameterCount, 11_689_512)
        let names = Set(resnet18.stateDict().map(\.0))
        for key in ["conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
                    "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_var", "layer4.1.conv2.weight", "fc.weight", "fc.bias"] {
            XCTAssertTrue(names.contains(key), key)
        }
        XCTAssertFalse(names.contains("layer1.0.downsample.0.weight"), "no projection where the shape is kept")
        XCTAssertEqual(names.count, 122, "torchvision's resnet18 state_dict has 122 entries")
        XCTAssertEqual(try resnet18.summary(input: [3, 224, 224]).outputShape, [1000])
        XCTAssertEqual(try Models.resnet34().parameterCount, 21_797_672)
        XCTAssertEqual(try Models.resnet50().parameterCount, 25_557_032)
        // The summary lists the stem, every block and the head, and adds up to the same total.
        let rows = try resnet18.summary(input: [3, 224, 224]).layers
        XCTAssertEqual(rows.map(\.path), ["conv1", "bn1", "relu", "maxpool", "layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0",
                                          "layer3.1", "layer4.0", "layer4.1", "avgpool", "fc"])
        XCTAssertEqual(rows[3].outputShape, [64, 56, 56])
        XCTAssertEqual(rows[6].outputShape, [128, 28, 28])
        XCTAssertEqual(rows.reduce(0) { $0 + $1.parameters }, 11_689_512)
        XCTAssertThrowsError(try resnet18.summary(input: [4, 224, 224])) { error in
            XCTAssertTrue("\(error)".contains("conv1"), "\(error)")
        }
        let googlenet = try Models.googlenet()
        let inceptionRows = try googlenet.summary(input: [3, 224, 224]).layers
        XCTAssertEqual(inceptionRows.first { $0.path == "inception3a" }?.outputShape, [256, 28, 28])
        XCTAssertEqual(inceptionRows.first { $0.path == "inception5b" }?.outputShape, [1024, 7, 7])
        XCTAssertEqual(inceptionRows.count, 19)
        XCTAssertEqual(googlenet.parameterCount, 6_624_904, "torchvision googlenet(aux_logits=False)")
        XCTAssertEqual(try googlenet.summary(input: [3, 224, 224]).outputShape, [1000])
        XCTAssertEqual(try Models.named("googlenet").parameterCount, 6_624_904)
        let small = try Models.resnet18(classCount: 7)
        small.eval()
        XCTAssertEqual(try small(Tensor.zeros([1, 3, 64, 64])).shape, [1, 7])
    }
}

final class ClassicCNNTests: XCTestCase {
    func testAlexNetAndVGGTotalsAndNamesMatchTorchvision() throws {
        var generator = RandomGenerator(seed: 0)
        // Zero initialization keeps these 60–140 M parameter models quick to build in a test.
        let alexnet = try ConvolutionalClassifier.alexNet(classCount: 1000, initializer: .zeros, generator: &generator)
        XCTAssertEqual(alexnet.parameterCount, 61_100_840)
        XCTAssertEqual(Set(alexnet.stateDict().map(\.0)),
                       Set(["features.0", "features.3", "features.6", "features.8", "features.10", "classifier.1", "classifier.4",
                            "classifier.6"].flatMap { ["\($0).weight", "\($0).bias"] }))
        XCTAssertEqual(try alexnet.summary(input: [3, 224, 224]).outputShape, [1000])
        let vgg16 = try ConvolutionalClassifier.vgg(depth: 16, batchNorm: false, classCount: 1000, initializer: .zeros, generator: &generator)
        XCTAssertEqual(vgg16.parameterCount, 138_357_544)
        XCTAssertTrue(vgg16.stateDict().map(\.0).contains("classifier.6.bias"))
        // Every VGG against torchvision 0.29's totals.
        let vggTotals: [(Int, Bool, Int)] = [(11, false, 132_863_336), (13, false, 133_047_848), (19, false, 143_667_240),
                                             (11, true, 132_868_840), (13, true, 133_053_736), (16, true, 138_365_992),
                                             (19, true, 143_678_248)]
        for (depth, batchNorm, total) in vggTotals {
            let vgg = try ConvolutionalClassifier.vgg(depth: depth, batchNorm: batchNorm, classCount: 1000, initializer: .zeros,
                                                      generator: &generator)
            XCTAssertEqual(vgg.parameterCount, total, "vgg\(depth)\(batchNorm ? "_bn" : "")")
        }
        let vgg11bn = try ConvolutionalClassifier.vgg(depth: 11, batchNorm: true, classCount: 10, initializer: .zeros, generator: &generator)
        XCTAssertTrue(vgg11bn.stateDict().map(\.0).contains("features.1.running_mean"))
        XCTAssertThrowsError(try Models.named("resnet99"))
    }

    func testWeightsLoadStrictlyByName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dendrite-zoo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("lenet.safetensors").path
        let original = try Models.lenet5(seed: 1)
        try original.save(to: path)
        let loaded = try Models.named("lenet5", weights: path)
        for ((name, a), (_, b)) in zip(original.stateDict(), loaded.stateDict()) { XCTAssertEqual(a, b, name) }
        // A renamed key and a wrong shape are reported by name.
        var state = Dictionary(uniqueKeysWithValues: original.stateDict())
        state["fc9.weight"] = state.removeValue(forKey: "fc1.weight")
        state["fc2.bias"] = try Tensor.zeros([3])
        try SafeTensors.write(state.sorted { $0.key < $1.key }, to: path)
        XCTAssertThrowsError(try Models.named("lenet5", weights: path)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("missing keys: fc1.weight"), text)
            XCTAssertTrue(text.contains("unexpected keys: fc9.weight"), text)
            XCTAssertTrue(text.contains("shape mismatch for fc2.bias: model [84], given [3]"), text)
        }
    }
}

final class ModelParityTests: XCTestCase {
    /// LeNet-5 with PyTorch's weights (strict load by name) gives PyTorch's outputs.
    func testLeNet5MatchesPyTorch() throws {
        let weights = try XCTUnwrap(Bundle.module.url(forResource: "lenet5_weights", withExtension: "safetensors", subdirectory: "data"))
        let io = try XCTUnwrap(Bundle.module.url(forResource: "lenet5_io", withExtension: "safetensors", subdirectory: "data"))
        let model = try Models.named("lenet5", weights: weights.path)
        model.eval()
        let file = try SafeTensors.read(io.path)
        let output = try model(try XCTUnwrap(file.tensors["input"]))
        assertClose(output, try XCTUnwrap(file.tensors["output"]), rtol: 1e-3, atol: 1e-5)
    }
}

/// AlexNet, VGG-11, ResNet-18 and GoogLeNet against torchvision (make_model_fixtures.py): the
/// state-dict names and shapes are torchvision's, the synthetic weights load strictly, and the
/// eval-mode outputs agree element-wise.
final class TorchvisionParityTests: XCTestCase {
    func check(_ arch: String, model: any UnaryLayer, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "\(arch)_parity", withExtension: "safetensors", subdirectory: "data"))
        let fixture = try SafeTensors.read(url.path)
        let manifestJSON = try XCTUnwrap(fixture.metadata["manifest"]?.data(using: .utf8))
        let manifest = try XCTUnwrap(try JSONSerialization.jsonObject(with: manifestJSON) as? [[Any]])
        let expected = try manifest.map { entry -> (String, [Int]) in
            (try XCTUnwrap(entry[0] as? String), try XCTUnwrap(entry[1] as? [NSNumber]).map(\.intValue))
        }
        let ours = model.stateDict().map { ($0.0, $0.1.shape) }
        XCTAssertEqual(ours.map(\.0), expected.map(\.0), "\(arch): state-dict keys and their order", file: file, line: line)
        XCTAssertEqual(ours.map(\.1), expected.map(\.1), "\(arch): state-dict shapes", file: file, line: line)

        var weights: [String: Tensor] = [:]
        for (name, shape) in expected { weights[name] = try SyntheticWeights.tensor(named: name, shape: shape) }
        let report = try model.load(stateDict: weights)
        XCTAssertTrue(report.isExact, "\(arch): \(report)", file: file, line: line)
        model.eval()
        let output = try noGrad { try model(try XCTUnwrap(fixture.tensors["input"])) }
        let reference = try XCTUnwrap(fixture.tensors["output"])
        let scale = reference.scalars.map { Swift.abs($0) }.max() ?? 1
        assertClose(output, reference, rtol: 1e-3, atol: 1e-4 * scale, arch, file: file, line: line)
    }

    // Zero-initialized: the synthetic weights replace everything, and skipping the random
    // initialization of 61 M and 133 M parameters keeps the debug-built test fast.
    func testAlexNetMatchesTorchvision() throws {
        var generator = RandomGenerator(seed: 0)
        try check("alexnet", model: try ConvolutionalClassifier.alexNet(classCount: 1000, initializer: .zeros, generator: &generator))
    }

    func testVGG11MatchesTorchvision() throws {
        var generator = RandomGenerator(seed: 0)
        try check("vgg11", model: try ConvolutionalClassifier.vgg(depth: 11, batchNorm: false, classCount: 1000, initializer: .zeros,
                                                                  generator: &generator))
    }
    func testResNet18MatchesTorchvision() throws { try check("resnet18", model: try Models.resnet18()) }
    func testGoogLeNetMatchesTorchvision() throws { try check("googlenet", model: try Models.googlenet()) }

    /// The whole zoo again with each convolution algorithm and GEMM forced on: Winograd wherever it
    /// applies, and Dendrite's AVX-512 GEMM for every product (where the CPU has AVX-512).
    func testTheZooMatchesTorchvisionWithEveryAlgorithmForcedOn() throws {
        let (algorithm, kernel) = (ConvolutionAlgorithm.current, ConvolutionGEMM.current)
        defer { (ConvolutionAlgorithm.current, ConvolutionGEMM.current) = (algorithm, kernel) }
        var combinations: [(ConvolutionAlgorithm, ConvolutionGEMM)] = [(.winograd, .openBLAS)]
        if ConvolutionGEMM.avx512Available { combinations += [(.im2col, .avx512), (.winograd, .avx512)] }
        for (forcedAlgorithm, forcedKernel) in combinations {
            (ConvolutionAlgorithm.current, ConvolutionGEMM.current) = (forcedAlgorithm, forcedKernel)
            var generator = RandomGenerator(seed: 0)
            try check("alexnet", model: try ConvolutionalClassifier.alexNet(classCount: 1000, initializer: .zeros, generator: &generator))
            try check("vgg11", model: try ConvolutionalClassifier.vgg(depth: 11, batchNorm: false, classCount: 1000, initializer: .zeros,
                                                                      generator: &generator))
            try check("resnet18", model: try Models.resnet18())
            try check("googlenet", model: try Models.googlenet())
        }
    }
}

/// The transfer-learning workflow on a torchvision architecture: load a checkpoint with another
/// head non-strictly, replace the head, freeze the backbone by name, train, and check that the
/// frozen parameters did not move while the head did.
final class TransferLearningTests: XCTestCase {
    func testResNetBackboneTransfersAndStaysFrozen() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dendrite-transfer-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try Models.resnet18(classCount: 20, seed: 1)
        try source.save(to: path)

        // A 4-class model: everything but the head loads; the head's shapes are reported.
        let model = try Models.resnet18(classCount: 4, seed: 2)
        let report = try model.load(from: path, strict: false)
        XCTAssertEqual(report.shapeMismatches.map(\.key), ["fc.weight", "fc.bias"])
        XCTAssertEqual(report.shapeMismatches.first?.expected, [4, 512])
        XCTAssertEqual(report.shapeMismatches.first?.got, [20, 512])
        XCTAssertTrue(report.missingKeys.isEmpty && report.unexpectedKeys.isEmpty, "\(report)")
        XCTAssertEqual(model.layer3.layers[1].parameters[0].value, source.layer3.layers[1].parameters[0].value)
        XCTAssertThrowsError(try model.load(from: path), "strict loading refuses the other head")

        // Replace the head and freeze the rest by name.
        var generator = RandomGenerator(seed: 3)
        model.fc = try Linear(512, 3, generator: &generator)
        XCTAssertEqual(model.stateDict().last?.1.shape, [3], "the new head is part of the state dict")
        let frozenCount = model.namedParameters().filter { !$0.0.hasPrefix("fc.") }.count
        model.setTrainable(false)
        model.fc.setTrainable(true)
        XCTAssertEqual(model.trainableParameters.count, 2)
        XCTAssertEqual(model.namedParameters().filter { !$0.1.requiresGradient }.count, frozenCount)

        let before = model.namedParameters().map { ($0.0, $0.1.value) }
        let optimizer = try SGD(model.parameters, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        let images = Tensor.normal([4, 3, 16, 16], generator: &generator)
        let labels = Tensor([0, 1, 2, 1])
        for _ in 0..<2 { try model.trainStep(inputs: images, targets: labels, loss: .crossEntropy, optimizer: optimizer) }
        for ((name, old), (_, parameter)) in zip(before, model.namedParameters()) {
            if name.hasPrefix("fc.") {
                XCTAssertNotEqual(parameter.value, old, "\(name) trains")
            } else {
                XCTAssertEqual(parameter.value, old, "\(name) is frozen (weight decay must not touch it either)")
            }
        }
    }
}
