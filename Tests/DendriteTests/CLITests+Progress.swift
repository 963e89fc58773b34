import Dendrite
import Foundation
import XCTest

/// Long runs show a bar on a terminal and plain per-epoch lines elsewhere.
extension CLITests {
    /// Runs `dendrite` on a pseudo-terminal (util-linux `script`), as a user at a terminal would see it.
    func dendriteOnTerminal(_ arguments: [String]) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("util-linux script is not installed") }
        let command = ([try executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, text)
        return text
    }

    func testTrainShowsABarOnATerminalAndEpochLinesThroughAPipe() throws {
        try requireFashionMNIST()
        let arguments = ["train", "--limit", "400", "--epochs", "2", "--batch-size", "16", "--validation-split", "0.1",
                         "--model", "flatten,dense:16,relu,dense:10", "--seed", "1"]
        let piped = try dendrite(arguments + ["--out", directory.appendingPathComponent("piped").path])
        XCTAssertFalse(piped.contains("\r") || piped.contains("\u{1B}["), "no control characters through a pipe: \(piped)")
        let lines = piped.split(separator: "\n")
        let epochLines = lines.filter { $0.hasPrefix("epoch ") }
        XCTAssertEqual(epochLines.count, 2, piped)
        // The bar's lines go through print's buffer: in order with the lines around them.
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Dendrite · ") }, piped)
        let firstEpoch = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("epoch 1/2") }, piped)
        let result = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("test: ") }, piped)
        XCTAssertTrue(header < firstEpoch && firstEpoch < result, piped)
        XCTAssertTrue(epochLines[1].hasPrefix("epoch 2/2 · loss ") && epochLines[1].contains("val_acc") && epochLines[1].hasSuffix("samples/s"),
                      String(epochLines[1]))

        let terminal = try dendriteOnTerminal(arguments + ["--out", directory.appendingPathComponent("terminal").path])
        XCTAssertTrue(terminal.contains("\r\u{1B}[Kepoch 1/2 ["), "a bar redrawn in place: \(terminal.prefix(2_000))")
        XCTAssertTrue(terminal.contains("23/23 · "), "the last of 23 batches (360 images / 16) is drawn: \(terminal.prefix(2_000))")
        XCTAssertTrue(terminal.contains(" samples/s · ") && terminal.contains(" left · loss "), String(terminal.prefix(2_000)))
        XCTAssertTrue(terminal.contains("\r\u{1B}[Kepoch 2/2 · loss "), "the bar replaced by the epoch's line: \(terminal.suffix(2_000))")

        let json = try dendrite(arguments + ["--json-lines", "--out", directory.appendingPathComponent("json").path])
        XCTAssertFalse(json.contains("\r") || json.contains("· loss"), json)
    }

    func testTabularShowsEachIterationOfAStochasticFit() throws {
        let iris = ONNXExportTests.root.appendingPathComponent("Datasets/iris.csv").path
        let arguments = ["tabular", "--csv", iris, "--target", "target", "--estimator", "mlp-classifier", "--standardize",
                         "--param", "max_iter=3", "--param", "hidden_layer_sizes=8", "--param", "random_state=0"]
        let piped = try dendrite(arguments + ["--out", directory.appendingPathComponent("piped").path])
        XCTAssertTrue(piped.contains("iteration 1/3 · loss ") && piped.contains("iteration 3/3 · loss "), piped)
        XCTAssertFalse(piped.contains("\r"), piped)
        let terminal = try dendriteOnTerminal(arguments + ["--out", directory.appendingPathComponent("terminal").path])
        XCTAssertTrue(terminal.contains("\r\u{1B}[Kiteration 1/3 ["), String(terminal.prefix(2_000)))
        XCTAssertTrue(terminal.contains(" samples/s · "), String(terminal.prefix(2_000)))
    }
}
