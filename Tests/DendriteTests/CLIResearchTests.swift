import Foundation
import XCTest
@testable import Dendrite

/// `dendrite explain` and `dendrite federated` as a user runs them (the CLITests helpers).
extension CLITests {
    /// Every attribution method writes a picture of the image's size (×12), PNG or SVG.
    func testExplainDrawsEveryMethodAsPNGOrSVG() throws {
        try requireFashionMNIST()
        let run = directory.appendingPathComponent("cnn").path
        try dendrite(["train", "--model", "cnn", "--limit", "600", "--epochs", "1", "--out", run, "--quiet"])
        for method in ["saliency", "integrated-gradients", "smoothgrad", "occlusion", "gradcam"] {
            let png = directory.appendingPathComponent("\(method).png").path
            let text = try dendrite(["explain", "--checkpoint", run, "--index", "3", "--method", method, "--steps", "20", "--out", png])
            XCTAssertTrue(text.contains("wrote \(png)"), text)
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: png))
            XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG signature")
            XCTAssertEqual(Array(bytes[16..<24]), [0, 0, 1, 80, 0, 0, 1, 80], "336 × 336: 28 pixels × 12")
            if method == "integrated-gradients" { XCTAssertTrue(text.contains("completeness gap"), text) }
            if method == "gradcam" { XCTAssertTrue(text.contains("Grad-CAM at layer 4 (14×14)"), text) }
        }
        let svg = directory.appendingPathComponent("heat.svg").path
        try dendrite(["explain", "--checkpoint", run, "--index", "0", "--method", "saliency", "--target", "2", "--out", svg])
        let document = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(document.hasPrefix("<svg") && document.contains("saliency for Pullover"), String(document.suffix(200)))
        XCTAssertEqual(document.components(separatedBy: "<rect x=").count - 1, 784, "one square per pixel")
        XCTAssertTrue(try dendrite(["explain", "--checkpoint", run, "--index", "0", "--method", "lime"], expectSuccess: false)
            .contains("--method lime"))
        XCTAssertTrue(try dendrite(["explain", "--checkpoint", run, "--index", "0", "--method", "gradcam", "--layer", "99"],
                                   expectSuccess: false).contains("99"))
    }

    /// `faults` prints accuracy per rate with and without bounded ReLUs and draws the curves.
    func testFaultsPrintsAndDrawsTheCurves() throws {
        try requireFashionMNIST()
        let run = directory.appendingPathComponent("mlp").path
        try dendrite(["train", "--limit", "600", "--epochs", "1", "--out", run, "--quiet"])
        let svg = directory.appendingPathComponent("faults.svg").path
        let text = try dendrite(["faults", "--checkpoint", run, "--fault", "bitflip:30+22", "--rates", "0,1e-3", "--trials", "2",
                                 "--limit", "200", "--mitigate", "--profile-batches", "2", "--out", svg])
        XCTAssertTrue(text.contains("bit flip at 30+22 in the weights") && text.contains("bounded 1 ReLU"), text)
        let clean = text.split(separator: "\n").filter { $0.contains("fault-free accuracy") }
        let atZero = text.split(separator: "\n").filter { $0.contains("rate 0e+00") }
        XCTAssertEqual(clean.count, 2, text)
        XCTAssertEqual(atZero.count, 2, text)
        for (line, zero) in zip(clean, atZero) {
            XCTAssertEqual(line.split(separator: " ").last, zero.split(separator: " ")[3], "rate 0 is the fault-free accuracy: \(text)")
        }
        let document = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertEqual(document.components(separatedBy: "<polyline").count - 1, 2, "unprotected and bounded")
        XCTAssertTrue(try dendrite(["faults", "--checkpoint", run, "--fault", "bitflip:40"], expectSuccess: false).contains("0…31"))
        XCTAssertTrue(try dendrite(["faults", "--checkpoint", run, "--target", "biases"], expectSuccess: false).contains("--target biases"))
        let activations = try dendrite(["faults", "--checkpoint", run, "--target", "activations", "--fault", "stuck-at-zero",
                                        "--rates", "0.5", "--trials", "1", "--limit", "100", "--out", svg])
        XCTAssertTrue(activations.contains("stuck at zero in the activations"), activations)
    }

    /// Per-group metrics on the Adult slice, and reweighing shrinking the demographic-parity gap.
    func testTabularReportsGroupsAndReweighing() throws {
        let adult = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Datasets/adult.csv").path
        let text = try dendrite(["tabular", "--csv", adult, "--target", "income", "--estimator", "logistic", "--standardize",
                                 "--sensitive", "sex", "--reweigh", "--out", directory.appendingPathComponent("adult").path])
        let gaps = text.split(separator: "\n").filter { $0.contains("demographic parity difference") }.compactMap { line in
            Double(line.split(separator: " ")[3].trimmingCharacters(in: CharacterSet(charactersIn: ",")))
        }
        XCTAssertEqual(gaps.count, 2, text)
        if gaps.count == 2 { XCTAssertLessThan(gaps[1], gaps[0] * 0.75, "reweighing narrows the gap: \(text)") }
        XCTAssertTrue(try dendrite(["tabular", "--csv", adult, "--target", "income", "--estimator", "logistic", "--sensitive", "gender"],
                                   expectSuccess: false).contains("--sensitive gender"))
        XCTAssertTrue(try dendrite(["tabular", "--csv", adult, "--target", "income", "--estimator", "logistic", "--reweigh"],
                                   expectSuccess: false).contains("--reweigh needs --sensitive"))
    }

    /// A small FedAvg run prints accuracy per round and writes its chart and numbers.
    func testFederatedPrintsRoundsAndDrawsThem() throws {
        try requireFashionMNIST()
        let out = directory.appendingPathComponent("federated").path
        let text = try dendrite(["federated", "--limit", "1200", "--clients", "12", "--fraction", "0.25", "--local-epochs", "1",
                                 "--rounds", "3", "--partition", "non-iid", "--target", "0.99", "--out", out])
        XCTAssertTrue(text.contains("round 3: test accuracy"), text)
        XCTAssertTrue(text.contains("not within 3"), text)
        let svg = try String(contentsOfFile: "\(out)/federated.svg", encoding: .utf8)
        XCTAssertTrue(svg.contains("<polyline") && svg.contains("communication round"), svg)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/federated.json"))) as? [[String: Any]])
        XCTAssertEqual((json.first?["accuracy"] as? [Double])?.count, 3)
        XCTAssertTrue(try dendrite(["federated", "--partition", "sorted"], expectSuccess: false).contains("--partition sorted"))
        XCTAssertTrue(try dendrite(["federated", "--local-batch", "0"], expectSuccess: false).contains("--local-batch 0"))
    }
}
