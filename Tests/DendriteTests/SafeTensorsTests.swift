import Foundation
import XCTest
@testable import Dendrite

final class SafeTensorsTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dendrite-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testReadsEveryDTypeFromAFileWrittenByPython() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "python_written", withExtension: "safetensors", subdirectory: "data"))
        let file = try SafeTensors.read(url.path)
        let expected: [Float] = [0.5, -1.25, 3, 100, -0.0078125, 2.5]
        for name in ["f32", "f16", "bf16", "f64"] {
            XCTAssertEqual(file.tensors[name]?.shape, [2, 3], name)
            XCTAssertEqual(file.tensors[name]?.scalars, expected, name)
        }
        XCTAssertEqual(file.tensors["i64"]?.scalars, [-3, 0, 7, 123456])
        XCTAssertEqual(file.tensors["i32"]?.shape, [2, 2])
        XCTAssertEqual(file.tensors["i32"]?.scalars, [1, -2, 3, -4])
        XCTAssertEqual(file.tensors["u8"]?.scalars, [0, 1, 255])
        XCTAssertEqual(file.tensors["scalar"]?.shape, [])
        XCTAssertEqual(file.tensors["scalar"]?.scalar, 2.75)
        XCTAssertEqual(file.metadata, ["written_by": "safetensors"])
    }

    func testRoundTripAndModuleSaveLoad() throws {
        var generator = RandomGenerator(seed: 1)
        let model = try Sequential { try Linear(3, 4, generator: &generator); BatchNorm1D(4); try Linear(4, 2, generator: &generator) }
        _ = try model(Tensor.normal([5, 3], generator: &generator))
        try model.save(to: path("model.safetensors"), metadata: ["epoch": "3"])
        let file = try SafeTensors.read(path("model.safetensors"))
        XCTAssertEqual(file.metadata["epoch"], "3")
        XCTAssertEqual(Set(file.names), Set(model.stateDict().map(\.0)))
        let copy = try Sequential { try Linear(3, 4, generator: &generator); BatchNorm1D(4); try Linear(4, 2, generator: &generator) }
        try copy.load(from: path("model.safetensors"))
        for ((name, a), (_, b)) in zip(model.stateDict(), copy.stateDict()) { XCTAssertEqual(a, b, name) }
        // Strict loading into a different architecture names the keys.
        let other = try Sequential { try Linear(3, 5, generator: &generator) }
        XCTAssertThrowsError(try other.load(from: path("model.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("shape mismatch for 0.weight: model [5, 3], given [4, 3]"), "\(error)")
            XCTAssertTrue("\(error)".contains("model.safetensors"), "\(error)")
        }
        // Overwriting replaces the file in one step and leaves no temporary files.
        try model.save(to: path("model.safetensors"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.safetensors"])
    }

    func testPythonReadsWhatDendriteWrites() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import safetensors.numpy"]
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { throw XCTSkip("python3 is not available") }
        check.waitUntilExit()
        guard check.terminationStatus == 0 else { throw XCTSkip("python3 has no safetensors package (make test installs it)") }
        try SafeTensors.write([("weights", try Tensor(shape: [2, 2], scalars: [1, -2, 3.5, 4])), ("bias", Tensor([0.25]))],
                              metadata: ["format": "pt"], to: path("out.safetensors"))
        let script = """
        from safetensors.numpy import load_file
        from safetensors import safe_open
        t = load_file('\(path("out.safetensors"))')
        assert t['weights'].dtype.name == 'float32' and t['weights'].shape == (2, 2), t
        assert t['weights'].tolist() == [[1.0, -2.0], [3.5, 4.0]], t
        assert t['bias'].tolist() == [0.25], t
        with safe_open('\(path("out.safetensors"))', framework='numpy') as f:
            assert f.metadata() == {'format': 'pt'}, f.metadata()
        """
        let run = Process()
        run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        run.arguments = ["python3", "-c", script]
        let pipe = Pipe()
        run.standardError = pipe
        try run.run()
        run.waitUntilExit()
        let message = String(data: pipe.fileHandleForReading.readDataToEndOfFile(), encoding: .utf8) ?? ""
        XCTAssertEqual(run.terminationStatus, 0, message)
    }

    /// Builds a file from a raw header string and data bytes.
    func file(header: String, data: [UInt8] = [], lengthOverride: UInt64? = nil) -> [UInt8] {
        let json = [UInt8](header.utf8)
        let length = lengthOverride ?? UInt64(json.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + json + data
    }

    func assertRejected(_ bytes: [UInt8], _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensors.decode(bytes, source: "bad.safetensors"), file: file, line: line) { error in
            guard case let .invalidFile(path, _, reason)? = error as? DendriteError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(path, "bad.safetensors", file: file, line: line)
            XCTAssertTrue(reason.contains(fragment), reason, file: file, line: line)
        }
    }

    func testRejectsEveryKindOfBadFile() {
        let four = [UInt8](repeating: 0, count: 4)
        assertRejected([1, 2, 3], "too short")
        assertRejected(file(header: "{}", lengthOverride: 1 << 40), "beyond the file")
        assertRejected(file(header: "{\"a\": [1,"), "not valid JSON")
        assertRejected(file(header: "[1, 2]"), "not a JSON object")
        assertRejected(file(header: #"{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}"#, data: four), "unsupported dtype Q7")
        assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}"#, data: four), "out of range")
        assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: four), "shape [2] × F32 is 8 bytes")
        assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}"#,
                            data: four), "overlaps")
        assertRejected(file(header: #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}"#, data: four), "gap of 2 bytes")
        assertRejected(file(header: #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#, data: four), "2 bytes after the last tensor")
        assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: four), "invalid shape")
        assertRejected(file(header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, data: four), "overflows")
        XCTAssertNoThrow(try SafeTensors.decode(file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: four),
                                                source: "good"))
    }
}
