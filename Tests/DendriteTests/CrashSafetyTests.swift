import Foundation
import XCTest
@testable import Dendrite

/// `dendrite train` killed at random moments, and a checkpoint write that fails: the run folder
/// always holds a checkpoint that loads, and resuming gives the weights of an uninterrupted run.
final class CrashSafetyTests: XCTestCase {
    var directory: URL!
    let common = ["--limit", "240", "--threads", "1", "--seed", "5", "--batch-size", "16", "--epochs", "4",
                  "--model", "flatten,dense:24,relu,dropout:0.2,dense:10", "--optimizer", "adam", "--quiet"]

    override func setUpWithError() throws {
        guard FileManager.default.fileExists(atPath: FashionMNIST.defaultRoot) else {
            throw XCTSkip("dataset-fashion-mnist is not installed (make test installs it)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dendrite-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { if let directory { try? FileManager.default.removeItem(at: directory) } }

    var executable: String {
        get throws {
            let url = Bundle.main.bundleURL.appendingPathComponent("dendrite")
            guard FileManager.default.isExecutableFile(atPath: url.path) else { throw XCTSkip("\(url.path) is not built") }
            return url.path
        }
    }

    /// Starts `dendrite` (through `sh` when `shell` prefixes the command) and returns the process.
    func launch(_ arguments: [String], shell: String? = nil) throws -> Process {
        let process = Process()
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            let command = ([try executable] + arguments).map { "'\($0)'" }.joined(separator: " ")
            process.arguments = ["-c", "\(shell); exec \(command)"]
        } else {
            process.executableURL = URL(fileURLWithPath: try executable)
            process.arguments = arguments
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func weights(_ folder: URL) throws -> [String: Tensor] {
        try SafeTensors.read(folder.appendingPathComponent("model.safetensors").path).tensors
    }

    func testKilledAtThirtyMomentsTheRunResumesToTheUninterruptedWeights() throws {
        let reference = directory.appendingPathComponent("reference")
        let start = Date()
        let straight = try launch(["train", "--out", reference.path] + common)
        straight.waitUntilExit()
        XCTAssertEqual(straight.terminationStatus, 0)
        let duration = Date().timeIntervalSince(start)
        let expected = try weights(reference)
        var generator = RandomGenerator(seed: 17)
        var resumedRuns = 0
        for attempt in 0..<30 {
            let folder = directory.appendingPathComponent("run\(attempt)")
            let process = try launch(["train", "--out", folder.path] + common)
            usleep(UInt32(generator.nextUniform() * Float(duration) * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // Whatever the moment, the folder holds a complete checkpoint or none at all.
            let hasCheckpoint = FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.json").path)
            let next = try launch(hasCheckpoint ? ["train", "--resume", folder.path] + common : ["train", "--out", folder.path] + common)
            next.waitUntilExit()
            XCTAssertEqual(next.terminationStatus, 0, "attempt \(attempt): the resumed run failed")
            resumedRuns += hasCheckpoint ? 1 : 0
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            XCTAssertFalse(names.contains { $0.hasSuffix(".next") || $0.contains(".tmp-") || $0 == "checkpoint.commit" },
                           "attempt \(attempt): leftovers \(names)")
            let got = try weights(folder)
            XCTAssertEqual(Set(got.keys), Set(expected.keys))
            for (name, tensor) in expected { XCTAssertEqual(got[name], tensor, "attempt \(attempt): \(name) differs") }
        }
        XCTAssertGreaterThan(resumedRuns, 5, "most kills should land after the first checkpoint")
    }

    func testAFailedCheckpointWriteLeavesThePreviousCheckpointIntact() throws {
        let folder = directory.appendingPathComponent("run")
        let first = try launch(["train", "--out", folder.path] + common.map { $0 == "4" ? "1" : $0 })
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        let files = ["model.safetensors", "optimizer.safetensors", "model.json", "history.json"]
        let before = try files.map { try Data(contentsOf: folder.appendingPathComponent($0)) }
        // A 64 KiB file-size limit: the next model file cannot be written (SIGXFSZ ignored, so the
        // write fails with EFBIG instead of killing the process).
        let limited = Process()
        limited.executableURL = URL(fileURLWithPath: "/bin/sh")
        let command = ([try executable, "train", "--resume", folder.path] + common).map { "'\($0)'" }.joined(separator: " ")
        limited.arguments = ["-c", "trap '' XFSZ; ulimit -f 128; exec \(command) 2>&1"]
        let pipe = Pipe()
        limited.standardOutput = pipe
        try limited.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        limited.waitUntilExit()
        XCTAssertNotEqual(limited.terminationStatus, 0, output)
        XCTAssertTrue(output.contains(folder.appendingPathComponent("model.safetensors.next").path), output)
        XCTAssertEqual(try files.map { try Data(contentsOf: folder.appendingPathComponent($0)) }, before,
                       "the previous checkpoint is unchanged")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        XCTAssertFalse(names.contains { $0.hasSuffix(".next") }, "\(names)")
        // And the run still resumes from it.
        let resumed = try launch(["train", "--resume", folder.path] + common)
        resumed.waitUntilExit()
        XCTAssertEqual(resumed.terminationStatus, 0)
    }
}
