import Dendrite
import Foundation
import XCTest

/// `dendrite export`: a trained run and a zoo architecture as ONNX files.
extension CLITests {
    func testExportWritesATrainedRunThatONNXRuntimeRuns() throws {
        try requireFashionMNIST()
        let run = directory.appendingPathComponent("run").path
        let spec = "conv:4:3x3:p1,batchnorm,relu,maxpool:2,flatten,dropout:0.2,dense:10"
        try dendrite(["train", "--model", spec, "--limit", "300", "--epochs", "1", "--batch-size", "32", "--validation-split", "0",
                      "--out", run, "--seed", "2", "--quiet"])
        let cases = directory.appendingPathComponent("onnx")
        try FileManager.default.createDirectory(at: cases, withIntermediateDirectories: true)
        let text = try dendrite(["export", "--checkpoint", run, "--onnx", cases.appendingPathComponent("run.onnx").path])
        XCTAssertTrue(text.contains("input [N, 1, 28, 28]") && text.contains("opset 17"), text)

        // The same trained weights in this process give the outputs ONNX Runtime must reproduce.
        var generator = RandomGenerator(seed: 0)
        let model = try ModelSpec(spec, inputShape: [1, 28, 28]).build(generator: &generator)
        try model.load(from: "\(run)/model.safetensors")
        model.eval()
        let images = try FashionMNIST.dataset().load(.test, limit: 4).inputs
        try SafeTensors.write([("input", images), ("output", try model(images))], to: cases.appendingPathComponent("run.safetensors").path)
        let reports = try ONNXExportTests.runChecker(in: cases)
        XCTAssertEqual(reports["run"]?["ok"] as? Bool, true, "\(reports)")
    }

    func testExportOfAnArchitectureAndItsRefusals() throws {
        let file = directory.appendingPathComponent("lenet.onnx").path
        let text = try dendrite(["export", "--model", "lenet5", "--input", "1x32x32", "--onnx", file])
        XCTAssertTrue(text.contains("LeNet5"), text)
        XCTAssertGreaterThan(try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file)[.size] as? Int), 61_000 * 4)
        let noShape = try dendrite(["export", "--model", "lenet5", "--onnx", file], expectSuccess: false)
        XCTAssertTrue(noShape.contains("--model needs --input"), noShape)
        let both = try dendrite(["export", "--model", "mlp", "--checkpoint", directory.path, "--input", "784", "--onnx", file],
                                expectSuccess: false)
        XCTAssertTrue(both.contains("exactly one of --checkpoint and --model"), both)
        let wrongShape = try dendrite(["export", "--model", "lenet5", "--input", "1x8x8", "--onnx", file], expectSuccess: false)
        XCTAssertTrue(wrongShape.contains("Error"), wrongShape)
        // A refused export leaves the file that was there.
        XCTAssertGreaterThan(try XCTUnwrap(FileManager.default.attributesOfItem(atPath: file)[.size] as? Int), 61_000 * 4)
    }
}
