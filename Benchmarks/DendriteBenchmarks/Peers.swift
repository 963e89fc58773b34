import Dendrite
import Foundation

/// `Benchmarks/pytorch_twin.py --serve` as a child process: the same workloads in PyTorch, timed
/// on request so that dendrite-bench can interleave the two sides round by round.
final class PyTorchPeer {
    struct Answer: Decodable {
        let key: String
        let seconds_per_call: Double
        let peak_mib: Double?
        var secondsPerCall: Double { seconds_per_call }
        var peakMiB: Double? { peak_mib }
    }

    private let process = Process()
    private let input = Pipe(), output = Pipe()
    private var buffer = Data()

    /// Starts `python script --serve --threads threads`.
    init(python: String, script: String, threads: Int) throws {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw DendriteError.invalidArgument(operation: "dendrite-bench --pytorch", argument: python,
                                                reason: "is not an executable Python (make bench-peers creates .venv-torch)")
        }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, "--serve", "--threads", "\(threads)"]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    deinit {
        try? input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        process.waitUntilExit()
    }

    /// Builds and warms the workload `key` in PyTorch.
    func prepare(_ key: String) throws { _ = try request("prepare \(key)") }

    /// Times `inner` calls of `key`; returns PyTorch's seconds per call.
    func time(_ key: String, inner: Int, warmup: Int = 0) throws -> Answer { try request("time \(key) \(inner) \(warmup)") }

    private func request(_ line: String) throws -> Answer {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let reply = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[buffer.index(after: newline)...])
                return try JSONDecoder().decode(Answer.self, from: Data(reply))
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                throw DendriteError.invalidArgument(operation: "dendrite-bench --pytorch", argument: line,
                                                    reason: "the PyTorch twin exited (see its error above)")
            }
            buffer += chunk
        }
    }
}
