import Dendrite
import DendriteONNX
import Foundation
import XCTest

/// Every exported model is checked by `onnx.checker` and run in ONNX Runtime
/// (scripts/check_onnx.py), element-wise against Dendrite's own output.
final class ONNXExportTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dendrite-onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// The repository's root (scripts/ lives there).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Writes `name.onnx` and `name.safetensors` (a batch of 2 inputs and Dendrite's outputs, in eval mode).
    func exportCase(_ name: String, _ model: any UnaryLayer, inputShape: [Int], tokens: Int? = nil) throws {
        var generator = RandomGenerator(seed: 7)
        Self.randomizeNormalizationStatistics(model, generator: &generator)
        model.eval()
        let input: Tensor
        if let tokens {
            let ids = (0..<(2 * inputShape.reduce(1, *))).map { _ in Float(generator.nextInt(below: tokens)) }
            input = try Tensor(shape: [2] + inputShape, scalars: ids)
        } else {
            input = Tensor.normal([2] + inputShape, generator: &generator)
        }
        let output = try model(input)
        try model.exportONNX(to: directory.appendingPathComponent("\(name).onnx").path, inputShape: inputShape)
        try SafeTensors.write([("input", input), ("output", output)], to: directory.appendingPathComponent("\(name).safetensors").path)
    }

    /// Running statistics away from 0 and 1, so a wrong use of them shows.
    static func randomizeNormalizationStatistics(_ model: Module, generator: inout RandomGenerator) {
        for case let (_, norm as BatchNorm) in model.namedModules() {
            norm.runningMean.value = Tensor.uniform([norm.featureCount], low: -0.5, high: 0.5, generator: &generator)
            norm.runningVar.value = Tensor.uniform([norm.featureCount], low: 0.5, high: 2, generator: &generator)
        }
    }

    /// Runs the checker over the test's folder; the reports by model name.
    func runChecker() throws -> [String: [String: Any]] { try Self.runChecker(in: directory) }

    /// Runs scripts/check_onnx.py over `directory`; the reports by model name (skips when Python lacks the packages).
    static func runChecker(in directory: URL) throws -> [String: [String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/check_onnx.py").path, directory.path]
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        guard (try? process.run()) != nil else { throw XCTSkip("python3 is not available") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(data: errors.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
        process.waitUntilExit()
        let lines = (String(data: data, encoding: .utf8) ?? "").split(separator: "\n")
        if process.terminationStatus == 2 {
            throw XCTSkip("onnx/onnxruntime are not installable here (make test installs them): \(lines.joined()) \(errorText)")
        }
        var reports: [String: [String: Any]] = [:]
        for line in lines {
            guard let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let model = report["model"] as? String else {
                XCTFail("unexpected checker output: \(line) \(errorText)")
                continue
            }
            reports[model] = report
        }
        return reports
    }

    func assertAllMatch(_ reports: [String: [String: Any]], _ names: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(reports.keys), Set(names), file: file, line: line)
        for (name, report) in reports.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(report["ok"] as? Bool, true, "\(name): \(report)", file: file, line: line)
        }
    }

    func testSpecModelsRunInONNXRuntime() throws {
        var generator = RandomGenerator(seed: 1)
        let specs: [(String, String, [Int])] = [
            ("mlp", "mlp", [1, 28, 28]),
            ("cnn", "cnn", [1, 28, 28]),
            ("spec_layers", "conv:4:3x3:p1,batchnorm,relu,avgpool:2,conv:6:3x3:s2:same,tanh,maxpool:2:s1,flatten,dropout:0.3,dense:12,"
                + "sigmoid,dense:8,gelu,dense:5,softmax", [2, 12, 12]),
            ("lstm", "lstm:12:2:bi,last,dense:10", [1, 28, 28]),
            ("gru", "gru:10:2,last,dense:4", [6, 5]),
            ("rnn_relu", "rnn:8:1:relu,last,dense:3", [5, 4]),
        ]
        for (name, spec, shape) in specs {
            try exportCase(name, try ModelSpec(spec, inputShape: shape).build(generator: &generator), inputShape: shape)
        }
        let pooled = try Sequential {
            try Conv2D(3, 4, kernelSize: 3, generator: &generator)
            LeakyReLU(negativeSlope: 0.2); ELU(alpha: 0.7)
            AdaptiveAvgPool2D(outputSize: Size2D(3, 2))   // 7×7 → 3×2: PyTorch's uneven windows
            Flatten(); LogSoftmax()
        }
        try exportCase("adaptive_uneven", pooled, inputShape: [3, 9, 9])
        assertAllMatch(try runChecker(), specs.map(\.0) + ["adaptive_uneven"])
    }

    func testZooRunsInONNXRuntime() throws {
        // The exact convolution: Winograd's transforms round differently (their own bound is tested in WinogradTests).
        let algorithm = ConvolutionAlgorithm.current
        ConvolutionAlgorithm.current = .im2col
        defer { ConvolutionAlgorithm.current = algorithm }
        try exportCase("lenet5", try Models.lenet5(), inputShape: [1, 32, 32])
        try exportCase("alexnet", try Models.alexnet(classCount: 10), inputShape: [3, 64, 64])
        // VGG-11-BN's features as the zoo builds them (its 25088 × 4096 classifier, the same kind of layers as
        // AlexNet's, takes 10 s to initialize in a debug build; `dendrite export --model vgg11_bn` writes it whole).
        var generator = RandomGenerator(seed: 8)
        var features: [any UnaryLayer] = [], channels = 3
        for (stage, count) in [1, 1, 2, 2, 2].enumerated() {
            for _ in 0..<count {
                let width = [64, 128, 256, 512, 512][stage]
                features += [try Conv2D(channels, width, kernelSize: 3, padding: 1, weightInitializer: .kaimingNormal(), generator: &generator),
                             BatchNorm2D(width), ReLU()]
                channels = width
            }
            features.append(MaxPool2D(kernelSize: 2))
        }
        try exportCase("vgg11_bn_features", Sequential(features), inputShape: [3, 32, 32])
        try exportCase("googlenet", try Models.googlenet(classCount: 10, transformInput: true), inputShape: [3, 64, 64])
        try exportCase("resnet18", try Models.resnet18(classCount: 10), inputShape: [3, 64, 64])
        try exportCase("resnet50", try Models.resnet50(classCount: 10), inputShape: [3, 32, 32])
        let fused = try Models.resnet18(classCount: 10, seed: 3)
        fused.eval()
        try fused.foldBatchNorm()
        fused.fuseReLU()
        try exportCase("resnet18_folded_fused", fused, inputShape: [3, 32, 32])
        assertAllMatch(try runChecker(), ["lenet5", "alexnet", "vgg11_bn_features", "googlenet", "resnet18", "resnet50", "resnet18_folded_fused"])
    }

    func testTransformersRunInONNXRuntime() throws {
        var generator = RandomGenerator(seed: 2)
        let tied = try GPT(GPTConfiguration(vocabularySize: 23, contextLength: 16, embedDimension: 24, headCount: 4, layerCount: 2),
                           generator: &generator)
        try exportCase("gpt_tied", tied, inputShape: [9], tokens: 23)
        let untied = try GPT(GPTConfiguration(vocabularySize: 11, contextLength: 8, embedDimension: 16, headCount: 2, layerCount: 1,
                                              tiedHead: false), generator: &generator)
        try exportCase("gpt_untied", untied, inputShape: [8], tokens: 11)
        let encoder = try Sequential {
            try Linear(6, 16, generator: &generator)
            SinusoidalPositionalEncoding(maximumLength: 20, embedDimension: 16)
            try TransformerEncoderBlock(embedDimension: 16, headCount: 4, feedForward: 32, gelu: false, normFirst: false, generator: &generator)
            try FeedForward(16, hidden: 24, generator: &generator)
            LayerNorm(16)
        }
        try exportCase("encoder_post_norm", encoder, inputShape: [7, 6])
        assertAllMatch(try runChecker(), ["gpt_tied", "gpt_untied", "encoder_post_norm"])
    }

    /// The comparison is not vacuous: an output off by 1e-3 relative in one element fails.
    func testCheckerRejectsAWrongOutput() throws {
        var generator = RandomGenerator(seed: 4)
        let model = try Sequential { try Linear(5, 3, generator: &generator) }
        let input = Tensor.normal([2, 5], generator: &generator)
        var output = try model(input).scalars
        let largest = try XCTUnwrap(output.indices.max { abs(output[$0]) < abs(output[$1]) })
        output[largest] *= 1.001
        try model.exportONNX(to: directory.appendingPathComponent("perturbed.onnx").path, inputShape: [5])
        try SafeTensors.write([("input", input), ("output", try Tensor(shape: [2, 3], scalars: output))],
                              to: directory.appendingPathComponent("perturbed.safetensors").path)
        let reports = try runChecker()
        let report = try XCTUnwrap(reports["perturbed"])
        XCTAssertEqual(report["ok"] as? Bool, false, "\(report)")
    }

    func testLayersWithoutAnONNXFormAreNamed() throws {
        var generator = RandomGenerator(seed: 5)
        let model = try Sequential {
            Flatten()
            Sequential([try Linear(4, 4, generator: &generator), Swish()])
        }
        XCTAssertThrowsError(try model.onnxData(inputShape: [4])) { error in
            XCTAssertTrue("\(error)".contains("1.1 (Swish)"), "\(error)")
            XCTAssertTrue("\(error)".contains("ONNXExportable"), "\(error)")
        }
        XCTAssertThrowsError(try model.onnxData(inputShape: [0])) { error in
            XCTAssertTrue("\(error)".contains("input shape [0]"), "\(error)")
        }
        let projected = try LSTM(inputSize: 3, hiddenSize: 4, batchFirst: true, projectionSize: 2, generator: &generator)
        XCTAssertThrowsError(try projected.onnxData(inputShape: [5, 3])) { error in
            XCTAssertTrue("\(error)".contains("projection"), "\(error)")
        }
        let timeMajor = try GRU(inputSize: 3, hiddenSize: 4, generator: &generator)
        XCTAssertThrowsError(try timeMajor.onnxData(inputShape: [5, 3])) { error in
            XCTAssertTrue("\(error)".contains("batchFirst"), "\(error)")
        }
    }

    /// A graph names the state_dict entries as PyTorch's exporter does, and writes a shared weight once.
    func testInitializersKeepStateDictNames() throws {
        var generator = RandomGenerator(seed: 6)
        let gpt = try GPT(GPTConfiguration(vocabularySize: 7, contextLength: 4, embedDimension: 8, headCount: 2, layerCount: 1),
                          generator: &generator)
        let data = try gpt.onnxData(inputShape: [4])
        let text = String(decoding: data, as: UTF8.self)
        for name in ["token_embedding.weight", "blocks.0.self_attn.in_proj_weight", "blocks.0.linear1.weight", "final_norm.bias"] {
            XCTAssertTrue(text.contains(name), name)
        }
        XCTAssertEqual(text.components(separatedBy: "token_embedding.weight").count - 1 >= 2, true)
    }
}

/// `x · sigmoid(x)`: a layer of the user's own, with no ONNX form until it conforms.
final class Swish: Module, UnaryLayer {
    func forward(_ input: Tensor) throws -> Tensor { try input * input.sigmoid() }
    func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}
