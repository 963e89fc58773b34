import Foundation
import XCTest
@testable import Dendrite

/// Runs the built `dendrite` executable as a user would.
final class CLITests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dendrite-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// The `dendrite` binary beside the test bundle (built by `swift build --build-tests`).
    var executable: URL {
        get throws {
            let url = Bundle.main.bundleURL.appendingPathComponent("dendrite")
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw XCTSkip("\(url.path) is not built: run `make test` (swift build --build-tests builds it)")
            }
            return url
        }
    }

    @discardableResult
    func dendrite(_ arguments: [String], expectSuccess: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(data: data, encoding: .utf8) ?? ""
        if expectSuccess {
            XCTAssertEqual(process.terminationStatus, 0, text, file: file, line: line)
        } else {
            XCTAssertNotEqual(process.terminationStatus, 0, text, file: file, line: line)
        }
        return text
    }

    func requireFashionMNIST() throws {
        guard FileManager.default.fileExists(atPath: FashionMNIST.defaultRoot) else {
            throw XCTSkip("dataset-fashion-mnist is not installed (make test installs it)")
        }
    }

    func testSummaryAnswersTheCourseExercise() throws {
        let text = try dendrite(["summary", "conv:16:3x3:p1,relu,maxpool:2,conv:32:3x3:p1,relu,maxpool:2,flatten,dense:128,relu,dense:10",
                                 "--input", "3x32x32"])
        XCTAssertTrue(text.contains("Total parameters: 268,650"), text)
        let json = try dendrite(["summary", "mlp", "--input", "1x28x28", "--json"])
        let summary = try JSONDecoder().decode(ModelSummary.self, from: Data(json.utf8))
        XCTAssertEqual(summary.totalParameters, 407_050)
        let unknown = try dendrite(["summary", "flatten,dense:10,swish", "--input", "4"], expectSuccess: false)
        XCTAssertTrue(unknown.contains("layer 2 \"swish\": unknown layer"), unknown)
        let resnet = try dendrite(["summary", "resnet18", "--input", "3x224x224"])
        XCTAssertTrue(resnet.contains("Total parameters: 11,689,512"), resnet)
        let impossible = try dendrite(["summary", "conv:8:5x5,maxpool:2", "--input", "1x4x4"], expectSuccess: false)
        XCTAssertTrue(impossible.contains("conv:8:5x5"), impossible)
    }

    func testTrainsTheMLPPresetForOneEpochOn2000ImagesAndEvaluatesAndPredicts() throws {
        try requireFashionMNIST()
        let out = directory.appendingPathComponent("run").path
        let text = try dendrite(["train", "--limit", "2000", "--epochs", "1", "--batch-size", "16", "--validation-split", "0",
                                 "--out", out, "--seed", "3"])
        XCTAssertTrue(text.contains("epoch 1/1"), text)
        for name in ["model.safetensors", "model.json", "optimizer.safetensors", "history.csv", "history.json", "curves.svg", "test.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/\(name)"), name)
        }
        let test = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/test.json"))) as? [String: Any]
        let accuracy = try XCTUnwrap(test?["accuracy"] as? Double)
        XCTAssertGreaterThanOrEqual(accuracy, 0.70, "test accuracy after one epoch on 2,000 images")
        let svg = try String(contentsOfFile: "\(out)/curves.svg", encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("epoch") && svg.contains("Accuracy"))
        let evaluation = try dendrite(["evaluate", "--checkpoint", out])
        XCTAssertTrue(evaluation.contains("confusion matrix"), evaluation)
        XCTAssertTrue(evaluation.contains("Ankle boot"), evaluation)
        let prediction = try dendrite(["predict", "--checkpoint", out, "--index", "0"])
        XCTAssertTrue(prediction.contains("true class: 9 (Ankle boot)"), prediction)
        XCTAssertTrue(prediction.contains("1. class"), prediction)
        let missing = try dendrite(["evaluate", "--checkpoint", directory.appendingPathComponent("nothing").path], expectSuccess: false)
        XCTAssertTrue(missing.contains("model.json: not found"), missing)
    }

    func testResumeGivesTheSameWeightsAsAnUninterruptedRun() throws {
        try requireFashionMNIST()
        let common = ["--limit", "600", "--threads", "1", "--seed", "7", "--model", "flatten,dense:32,relu,dropout:0.2,dense:10",
                      "--optimizer", "adam", "--quiet"]
        let straight = directory.appendingPathComponent("straight").path, resumed = directory.appendingPathComponent("resumed").path
        try dendrite(["train", "--epochs", "3", "--out", straight] + common)
        try dendrite(["train", "--epochs", "2", "--out", resumed] + common)
        try dendrite(["train", "--epochs", "3", "--resume", resumed] + common)
        let a = try SafeTensors.read("\(straight)/model.safetensors"), b = try SafeTensors.read("\(resumed)/model.safetensors")
        XCTAssertEqual(Set(a.names), Set(b.names))
        for name in a.names { XCTAssertEqual(a.tensors[name], b.tensors[name], "\(name) differs after resume") }
        let history = try JSONDecoder().decode(History.self, from: Data(contentsOf: URL(fileURLWithPath: "\(resumed)/history.json")))
        XCTAssertEqual(history.records.map(\.epoch), [1, 2, 3])
    }

    func testPredictRunsAnArchitectureOnStoredTensorsLikePyTorch() throws {
        let weights = try XCTUnwrap(Bundle.module.url(forResource: "lenet5_weights", withExtension: "safetensors", subdirectory: "data"))
        let io = try XCTUnwrap(Bundle.module.url(forResource: "lenet5_io", withExtension: "safetensors", subdirectory: "data"))
        let out = directory.appendingPathComponent("y.safetensors").path
        try dendrite(["predict", "--arch", "lenet5", "--weights", weights.path, "--input", io.path, "--output", out])
        let expected = try XCTUnwrap(SafeTensors.read(io.path).tensors["output"])
        assertClose(try XCTUnwrap(SafeTensors.read(out).tensors["output"]), expected, rtol: 1e-3, atol: 1e-5)
        let unknown = try dendrite(["predict", "--arch", "resnet99", "--input", io.path], expectSuccess: false)
        XCTAssertTrue(unknown.contains("architecture \"resnet99\""), unknown)
    }

    func testBadArgumentsAreClearErrors() throws {
        let badOptimizer = try dendrite(["train", "--optimizer", "adamax", "--data", directory.path], expectSuccess: false)
        XCTAssertTrue(badOptimizer.contains("not found") || badOptimizer.contains("adamax"), badOptimizer)
        let noData = try dendrite(["train", "--data", directory.appendingPathComponent("none").path], expectSuccess: false)
        XCTAssertTrue(noData.contains("train-images-idx3-ubyte"), noData)
    }

    /// Each value no run could use is refused before anything is read or written, with the
    /// option's name in the message, and leaves an existing run folder untouched.
    func testOptionValuesAreValidatedBeforeAnythingRuns() throws {
        let folder = directory.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let marker = folder.appendingPathComponent("model.json")
        try Data("keep".utf8).write(to: marker)
        let cases: [([String], String)] = [
            (["--batch-size", "9223372036854775807"], "--batch-size 9223372036854775807 must be in 1…16777216"),
            (["--batch-size", "0"], "--batch-size 0 must be in 1…16777216"),
            (["--threads", "9223372036854775807"], "--threads 9223372036854775807 must be in 1…64"),
            (["--threads", "1000"], "--threads 1000 must be in 1…64"),
            (["--threads", "0"], "--threads 0 must be in 1…64"),
            (["--threads=-1"], "--threads -1 must be in 1…64"),
            (["--limit", "0"], "--limit 0 must be at least 1"),
            (["--limit=-1"], "--limit -1 must be at least 1"),
            (["--patience=-1"], "--patience -1 must be at least 0"),
            (["--validation-split=-0.5"], "--validation-split -0.5 must be a number in [0, 1)"),
            (["--validation-split", "nan"], "--validation-split nan must be a number in [0, 1)"),
            (["--validation-split", "1"], "--validation-split 1.0 must be a number in [0, 1)"),
            (["--limit", "1"], "--validation-split 0.1 of --limit 1 leaves no training examples"),
            (["--lr", "inf"], "--lr inf must be a finite number ≥ 0"),
            (["--dropout", "1"], "--dropout 1.0 must be a number in [0, 1)"),
        ]
        for (arguments, message) in cases {
            let text = try dendrite(["train", "--out", folder.path] + arguments, expectSuccess: false)
            XCTAssertTrue(text.contains(message), "\(arguments): \(text)")
        }
        XCTAssertEqual(try String(contentsOf: marker, encoding: .utf8), "keep")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.json"])
        let top = try dendrite(["predict", "--checkpoint", folder.path, "--index", "0", "--top=-1"], expectSuccess: false)
        XCTAssertTrue(top.contains("--top -1 must be at least 1"), top)
    }

    func testLayerSpecsThatCannotFitInMemoryAreRefusedBeforeAllocating() throws {
        let overflow = try dendrite(["summary", "dense:9223372036854775807", "--input", "784"], expectSuccess: false)
        XCTAssertTrue(overflow.contains("\"dense:9223372036854775807\": its parameter count overflows"), overflow)
        let huge = try dendrite(["summary", "dense:100000000000", "--input", "784"], expectSuccess: false)
        XCTAssertTrue(huge.contains("\"dense:100000000000\": needs 314 TB of parameters"), huge)
        // Found by the spec fuzz target: an input shape whose element count overflows trapped in Flatten.
        let input = try dendrite(["summary", "flatten,dense:10", "--input", "4294967296x4294967296x16"], expectSuccess: false)
        XCTAssertTrue(input.contains("model spec input: invalid shape [4294967296, 4294967296, 16]"), input)
        let conv = try dendrite(["summary", "conv:100000000:99x99", "--input", "3x32x32"], expectSuccess: false)
        XCTAssertTrue(conv.contains("needs 12 TB of parameters"), conv)
    }

    /// `dendrite tabular` on the bundled data sets: each estimator fits, scores, saves and predicts;
    /// a parameter no estimator has, or a missing column, is an error naming it.
    func testTabularFitsScoresSavesAndPredicts() throws {
        let datasets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Datasets")
        let wine = datasets.appendingPathComponent("wine.csv").path, iris = datasets.appendingPathComponent("iris.csv").path
        let out = directory.appendingPathComponent("tabular").path
        let text = try dendrite(["tabular", "--csv", wine, "--target", "target", "--estimator", "mlp-classifier", "--standardize",
                                 "--param", "hidden_layer_sizes=(16,)", "--param", "solver=lbfgs", "--param", "random_state=1",
                                 "--out", out, "--predict", wine])
        let accuracy = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("test accuracy: ") })
        XCTAssertGreaterThan(try XCTUnwrap(Double(accuracy.dropFirst("test accuracy: ".count).prefix(6))), 0.9, text)
        let predictions = try String(contentsOfFile: "\(out)/predictions.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(predictions.count, 179, "a header and one line per row")
        let saved = try SafeTensors.read("\(out)/model.safetensors").tensors
        XCTAssertEqual(saved["coefs.0"]?.shape, [13, 16])
        XCTAssertNotNil(saved["scaler.mean"])
        for estimator in ["logistic", "linear", "ridge", "mlp-regressor"] {
            let target = estimator == "logistic" ? "target" : "1"
            let result = try dendrite(["tabular", "--csv", iris, "--target", target, "--estimator", estimator, "--standardize",
                                       "--param", estimator == "mlp-regressor" ? "random_state=2" : (estimator == "ridge" ? "alpha=0.5" : "fit_intercept=true"),
                                       "--out", directory.appendingPathComponent(estimator).path])
            XCTAssertTrue(result.contains(estimator == "logistic" ? "test accuracy" : "test R²"), result)
        }
        XCTAssertTrue(try dendrite(["tabular", "--csv", iris, "--target", "target", "--estimator", "ridge", "--param", "C=1"],
                                   expectSuccess: false).contains("ridge has no parameter C"))
        XCTAssertTrue(try dendrite(["tabular", "--csv", iris, "--target", "nope", "--estimator", "linear"],
                                   expectSuccess: false).contains("no column named \"nope\""))
    }

    /// `dendrite compress` prunes, fuses and quantizes a trained run into a folder that
    /// `dendrite evaluate` reads; unsupported requests are errors that say so.
    func testCompressWritesARunThatEvaluateReads() throws {
        try requireFashionMNIST()
        let run = directory.appendingPathComponent("cnn").path, small = directory.appendingPathComponent("cnn-small").path
        try dendrite(["train", "--model", "cnn", "--limit", "600", "--epochs", "1", "--out", run, "--quiet"])
        let text = try dendrite(["compress", "--checkpoint", run, "--out", small, "--prune", "0.5", "--finetune-epochs", "1",
                                 "--fuse", "--quantize", "dynamic"])
        XCTAssertTrue(text.contains("folded 2 batch norms") && text.contains("quantized 2 Linear layers"), text)
        let ratio = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("size ÷ ") })
        XCTAssertGreaterThan(try XCTUnwrap(Double(ratio.dropFirst("size ÷ ".count).prefix(4))), 3, text)
        let evaluated = try dendrite(["evaluate", "--checkpoint", small, "--json"])
        XCTAssertTrue(evaluated.contains("\"accuracy\""), evaluated)
        let weights = try SafeTensors.read("\(small)/model.safetensors").tensors
        XCTAssertNil(weights["1.running_mean"], "batch norm folded away")
        XCTAssertNotNil(weights["9.weight_scale"], "int8 Linear")
        // Structured: half of every hidden layer's channels go, the saved tensors are smaller and
        // evaluate rebuilds the smaller layers (it would fail to load them into the full ones).
        let thin = directory.appendingPathComponent("cnn-thin").path
        let shrunk = try dendrite(["compress", "--checkpoint", run, "--out", thin, "--prune", "0.5", "--structured", "--fuse"])
        XCTAssertTrue(shrunk.contains("layer 0: 16 → 8 channels") && shrunk.contains("layer 9: 128 → 64 channels"), shrunk)
        let thinWeights = try SafeTensors.read("\(thin)/model.safetensors").tensors
        XCTAssertEqual(thinWeights["0.weight"]?.shape, [8, 1, 3, 3])
        XCTAssertEqual(thinWeights["9.weight"]?.shape, [64, 16 * 7 * 7])
        let afterLine = try XCTUnwrap(shrunk.split(separator: "\n").first { $0.hasPrefix("after") })
        let thinAccuracy = try XCTUnwrap(afterLine.split(separator: " ").dropFirst(3).first.flatMap { Double($0) }, shrunk)
        let reread = try JSONSerialization.jsonObject(with: Data(try dendrite(["evaluate", "--checkpoint", thin, "--limit", "600", "--json"]).utf8)) as? [String: Any]
        XCTAssertEqual(try XCTUnwrap(reread?["accuracy"] as? Double), thinAccuracy, accuracy: 1e-4, "evaluate reads the shrunk run")
        // Static: batch norms folded, every Conv2D and Linear int8 with calibrated input scales.
        let int8 = directory.appendingPathComponent("cnn-int8").path
        let quantized = try dendrite(["compress", "--checkpoint", run, "--out", int8, "--quantize", "static", "--calibration-batches", "2",
                                      "--observer", "minmax"])
        XCTAssertTrue(quantized.contains("quantized 4 Conv2D and Linear layers") && quantized.contains("folded 2 batch norms"), quantized)
        let int8Weights = try SafeTensors.read("\(int8)/model.safetensors").tensors
        XCTAssertNotNil(int8Weights["0.input_scale"])
        XCTAssertNotNil(int8Weights["4.input_zero_point"])
        let int8Line = try XCTUnwrap(quantized.split(separator: "\n").first { $0.hasPrefix("after") })
        let int8Accuracy = try XCTUnwrap(int8Line.split(separator: " ").dropFirst(3).first.flatMap { Double($0) }, quantized)
        let int8Evaluated = try JSONSerialization.jsonObject(with: Data(try dendrite(["evaluate", "--checkpoint", int8, "--limit", "600",
                                                                                     "--json"]).utf8)) as? [String: Any]
        XCTAssertEqual(try XCTUnwrap(int8Evaluated?["accuracy"] as? Double), int8Accuracy, accuracy: 1e-4, "evaluate rebuilds the int8 layers")
        XCTAssertTrue(try dendrite(["compress", "--checkpoint", run, "--out", small, "--quantize", "static", "--observer", "mean"],
                                   expectSuccess: false).contains("--observer mean"))
        XCTAssertTrue(try dendrite(["compress", "--checkpoint", run, "--out", small, "--quantize", "int4"], expectSuccess: false)
            .contains("--quantize int4"))
        XCTAssertTrue(try dendrite(["compress", "--checkpoint", run, "--out", small], expectSuccess: false).contains("nothing to do"))
    }
}
