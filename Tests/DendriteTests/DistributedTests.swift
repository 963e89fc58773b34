import DendriteDistributed
import Foundation
import XCTest
@testable import Dendrite

/// Data-parallel training over Open MPI, through `mpirun` as users start it (as root, CI needs
/// `--allow-run-as-root`; 2 ranks on 2 cores need `--oversubscribe` only when cores are fewer).
final class DistributedTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dendrite-mpi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A built executable beside the test bundle.
    func built(_ name: String) throws -> URL {
        let url = Bundle.main.bundleURL.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw XCTSkip("\(url.path) is not built: run `make test` (swift build --build-tests builds it)")
        }
        return url
    }

    var mpirun: URL {
        get throws {
            for path in ["/usr/bin/mpirun", "/usr/local/bin/mpirun"] where FileManager.default.isExecutableFile(atPath: path) {
                return URL(fileURLWithPath: path)
            }
            throw XCTSkip("Open MPI's mpirun is not installed (`make deps` installs openmpi-bin)")
        }
    }

    /// Runs `executable arguments`, under `mpirun -np ranks` when `ranks` is given; returns the
    /// exit status and the combined output. Fails the test after `timeout` seconds (a hang).
    @discardableResult
    func run(_ executable: URL, _ arguments: [String], ranks: Int? = nil, timeout: TimeInterval = 120,
             started: ((Process) -> Void)? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        if let ranks {
            process.executableURL = try mpirun
            process.arguments = ["-np", "\(ranks)", "--allow-run-as-root", "--oversubscribe", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        let log = directory.appendingPathComponent("output-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        started?(process)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            XCTFail("\(process.arguments ?? []) still running after \(timeout) s")
        }
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// 2 ranks with per-rank batch b end 20 steps with the weights (and batch-norm buffers) of 1
    /// process with batch 2b — though the ranks start from different weights (rank 0's are
    /// broadcast): an MLP with SGD + momentum and with Adam, and the `cnn` preset with
    /// synchronized batch norm and SGD + momentum over 10 steps. (The two runs sum in different
    /// orders; on the `cnn` that rounding-level difference, 6e-8 after one step and 2e-6 after
    /// ten, eventually flips a max-pool or ReLU decision — 2.6e-2 after 15 steps with
    /// OpenBLAS's AVX-512 kernels — after which the trajectories separate.) (The `cnn` preset under Adam is not comparable
    /// element by element in any framework: its convolution biases sit before batch norm, so
    /// their true gradient is 0 and Adam turns the rounding noise left in its place into full-size
    /// steps; Docs/Distributed.md.) Within 1e-5 of each tensor's scale: a running mean is a sum
    /// of thousands of float32 values.
    func testTwoRanksMatchOneProcessWithTheGlobalBatch() throws {
        let worker = try built("DendriteMPIWorker")
        for (model, optimizer, batch, entries, steps) in [("mlp", "momentum", 8, 4, 20), ("mlp", "adam", 8, 4, 20), ("cnn", "momentum", 4, 18, 10)] {
            let label = "\(model) \(optimizer)"
            let parallel = directory.appendingPathComponent("\(model)-\(optimizer)-2.safetensors").path
            let single = directory.appendingPathComponent("\(model)-\(optimizer)-1.safetensors").path
            let two = try run(worker, ["train", model, optimizer, "\(batch)", parallel, "\(steps)"], ranks: 2)
            XCTAssertEqual(two.status, 0, two.output)
            // Every bucket's allreduce starts while backward still runs (every step × several buckets).
            let counts = two.output.split(separator: "\n").first { $0.hasPrefix("buckets started during backward: ") }?
                .dropFirst("buckets started during backward: ".count).split(separator: " ").compactMap { Int($0) } ?? []
            XCTAssertEqual(counts.count, 2, two.output)
            if counts.count == 2 { XCTAssertTrue(counts[0] == counts[1] && counts[1] >= 2 * steps, "\(label): \(two.output)") }
            let one = try run(worker, ["train", model, optimizer, "\(2 * batch)", single, "\(steps)"])
            XCTAssertEqual(one.status, 0, one.output)
            let a = try SafeTensors.read(parallel).tensors, b = try SafeTensors.read(single).tensors
            XCTAssertEqual(Set(a.keys), Set(b.keys), label)
            XCTAssertEqual(a.count, entries, label)
            for (name, tensor) in a {
                let expected = try XCTUnwrap(b[name])
                let scale = Swift.max(1, expected.scalars.map(abs).max() ?? 0)
                assertClose(tensor, expected, rtol: 1e-5, atol: 1e-5 * scale, "\(label) \(name)")
            }
        }
    }

    func testBroadcastMakesDifferentlySeededRanksIdentical() throws {
        let result = try run(try built("DendriteMPIWorker"), ["broadcast"], ranks: 2)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("identical"), result.output)
    }

    /// An error on rank 1 ends both ranks at once, with rank 1's message (no rank waits forever
    /// in an allreduce).
    func testAFailureOnOneRankEndsEveryRankWithItsMessage() throws {
        let result = try run(try built("DendriteMPIWorker"), ["fail"], ranks: 2, timeout: 60)
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("rank 1 of 2 failed: shard-1.idx: injected failure"), result.output)
        XCTAssertFalse(result.output.contains("finished without the failure"), result.output)
    }

    /// `mpirun -np 2 dendrite train`: one run folder from rank 0; a rank killed mid-run ends the job
    /// and leaves the last checkpoint readable and resumable.
    func testCLITrainsDataParallelAndSurvivesAKilledRank() throws {
        guard FileManager.default.fileExists(atPath: FashionMNIST.defaultRoot) else {
            throw XCTSkip("dataset-fashion-mnist is not installed (make test installs it)")
        }
        let dendrite = try built("dendrite")
        let out = directory.appendingPathComponent("run").path
        let trained = try run(dendrite, ["train", "--limit", "1200", "--epochs", "2", "--batch-size", "32", "--out", out], ranks: 2)
        XCTAssertEqual(trained.status, 0, trained.output)
        XCTAssertTrue(trained.output.contains("global batch 32 × 2 = 64"), trained.output)
        XCTAssertEqual(trained.output.components(separatedBy: "test: loss").count, 2, "one rank reports: \(trained.output)")
        let history = try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("history.json"))
        XCTAssertEqual(try JSONDecoder().decode(History.self, from: history).records.count, 2)

        // Kill rank 1 once the first checkpoint of a long run is there.
        let long = directory.appendingPathComponent("long").path
        let killed = try run(dendrite, ["train", "--limit", "1200", "--epochs", "500", "--batch-size", "32", "--out", long],
                             ranks: 2, timeout: 120) { launcher in
            let checkpoint = URL(fileURLWithPath: long).appendingPathComponent("history.json").path
            let deadline = Date().addingTimeInterval(90)
            while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            Thread.sleep(forTimeInterval: 0.3)
            if let rank1 = Self.childProcess(of: launcher.processIdentifier, rank: 1) { kill(rank1, SIGKILL) }
        }
        XCTAssertNotEqual(killed.status, 0, killed.output)
        XCTAssertTrue(killed.output.contains("signal 9") || killed.output.contains("killed"), killed.output)
        // Resumed by one process (another rank count).
        let resumed = try run(dendrite, ["train", "--resume", long, "--epochs", "3"])
        XCTAssertEqual(resumed.status, 0, "the last checkpoint resumes: \(resumed.output)")
        let records = try JSONDecoder().decode(History.self, from: Data(contentsOf: URL(fileURLWithPath: long).appendingPathComponent("history.json"))).records
        XCTAssertEqual(records.count, 3)
    }

    /// Started as if by mpirun on a machine without Open MPI's library, `dendrite train` says
    /// what to install (and one process without a launcher never opens MPI: the CLI tests).
    func testWithoutOpenMPIItSaysWhatToInstall() throws {
        let result = try run(URL(fileURLWithPath: "/usr/bin/env"),
                             ["OMPI_COMM_WORLD_SIZE=2", "DENDRITE_MPI_LIBRARY=/nonexistent/libmpi.so.40", try built("dendrite").path,
                              "train", "--limit", "100", "--epochs", "1", "--out", directory.appendingPathComponent("none").path])
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("MPI is unavailable") && result.output.contains("apt-get install openmpi-bin"), result.output)
    }

    /// Two hosts: two network namespaces of this machine joined by a veth pair, Open MPI between
    /// them over TCP only (`btl tcp,self`), its daemon started in the second namespace by
    /// scripts/netns-launch-agent.sh — and the weights are still the one-process ones.
    func testTwoHostsOverTCPMatchOneProcess() throws {
        let worker = try built("DendriteMPIWorker")
        _ = try mpirun
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else {
            throw XCTSkip("network namespaces need root and util-linux's unshare")
        }
        let agent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/netns-launch-agent.sh").path
        let tag = Int(getpid()) % 10_000, subnet = "10.78.\(tag % 250)"
        let (first, second) = ("ddt\(tag)a", "ddt\(tag)b")
        let shell = URL(fileURLWithPath: "/bin/sh")
        let setUp = """
            set -e; ip netns add \(first); ip netns add \(second)
            ip link add ddv\(tag)a type veth peer name ddv\(tag)b
            ip link set ddv\(tag)a netns \(first); ip link set ddv\(tag)b netns \(second)
            ip netns exec \(first) ip addr add \(subnet).1/24 dev ddv\(tag)a; ip netns exec \(second) ip addr add \(subnet).2/24 dev ddv\(tag)b
            for pair in \(first):ddv\(tag)a \(second):ddv\(tag)b; do
                ip netns exec ${pair%%:*} ip link set ${pair#*:} up; ip netns exec ${pair%%:*} ip link set lo up
            done
            """
        defer { _ = try? run(shell, ["-c", "ip netns delete \(first); ip netns delete \(second)"]) }
        let made = try run(shell, ["-c", setUp])
        guard made.status == 0 else { throw XCTSkip("cannot make network namespaces here: \(made.output)") }
        let hosts = directory.appendingPathComponent("hosts")
        try "\(subnet).1 slots=1\n\(subnet).2 slots=1\n".write(to: hosts, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("two-hosts.safetensors").path
        let launch = "DENDRITE_NETNS_HOSTS=\(subnet).1=\(first),\(subnet).2=\(second) ip netns exec \(first) unshare --uts sh -c "
            + "'hostname \(first); exec mpirun --allow-run-as-root --hostfile \(hosts.path) -np 2 --mca plm_rsh_agent \(agent) "
            + "--mca btl tcp,self --mca btl_tcp_if_include \(subnet).0/24 --mca oob_tcp_if_include \(subnet).0/24 "
            + "\(worker.path) train mlp momentum 8 \(out)'"
        let two = try run(shell, ["-c", launch], timeout: 90)
        XCTAssertEqual(two.status, 0, two.output)
        XCTAssertTrue(two.output.contains("rank 0 on \(first)") && two.output.contains("rank 1 on \(second)"), two.output)
        let single = directory.appendingPathComponent("one-host.safetensors").path
        XCTAssertEqual(try run(worker, ["train", "mlp", "momentum", "16", single]).status, 0)
        let a = try SafeTensors.read(out).tensors, b = try SafeTensors.read(single).tensors
        XCTAssertEqual(a.count, 4)
        for (name, tensor) in a { assertClose(tensor, try XCTUnwrap(b[name]), rtol: 1e-5, atol: 1e-5, "two hosts \(name)") }
    }

    /// The process under `parent` whose environment has OMPI_COMM_WORLD_RANK=`rank`.
    static func childProcess(of parent: Int32, rank: Int) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                  status.contains("PPid:\t\(parent)\n"),
                  let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            let variables = environment.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }
}
