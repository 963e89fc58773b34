import Foundation
import XCTest
@testable import Dendrite

final class DataTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dendrite-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func idx(_ shape: [Int], _ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
        for size in shape { bytes += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] }
        return bytes + payload
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func gzip(_ path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", path]
        try process.run()
        process.waitUntilExit()
    }

    func assertFileError(_ expression: @autoclosure () throws -> Any, contains fragment: String, path: String? = nil,
                         file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard case let .invalidFile(errorPath, _, reason)? = error as? DendriteError else {
                return XCTFail("unexpected \(error)", file: file, line: line)
            }
            XCTAssertTrue(reason.contains(fragment), "\(reason)", file: file, line: line)
            if let path { XCTAssertTrue(errorPath.hasPrefix(path), errorPath, file: file, line: line) }
        }
    }

    func testIDXRoundTripRawAndGzipped() throws {
        let payload = (0..<24).map { UInt8($0 * 10) }
        let path = try write("train-images-idx3-ubyte", idx([2, 3, 4], payload))
        XCTAssertEqual(try IDX.read(path), IDX.Array(shape: [2, 3, 4], bytes: payload))
        try gzip(path)
        XCTAssertEqual(try IDX.read(path + ".gz", rank: 3), IDX.Array(shape: [2, 3, 4], bytes: payload))
    }

    func testIDXRejectsBadFilesNamingThem() throws {
        let wrongMagic = try write("magic", [1, 2, 8, 1, 0, 0, 0, 1, 7])
        assertFileError(try IDX.read(wrongMagic), contains: "not an IDX file", path: wrongMagic)
        let wrongType = try write("type", [0, 0, 0x0D, 1, 0, 0, 0, 1, 7])
        assertFileError(try IDX.read(wrongType), contains: "element type 0x0D")
        let truncated = try write("truncated", idx([10, 28, 28], [UInt8](repeating: 1, count: 100)))
        assertFileError(try IDX.read(truncated), contains: "truncated: header [10, 28, 28] needs 7840 data bytes, file has 100")
        // A header that claims 4 × 10⁹ images on a tiny file is refused before any allocation.
        let huge = try write("huge", idx([0xFFFF_FFFF >> 2, 100, 100], [1, 2, 3]))
        assertFileError(try IDX.read(huge), contains: "truncated")
        let trailing = try write("trailing", idx([2], [1, 2, 3]))
        assertFileError(try IDX.read(trailing), contains: "1 unexpected bytes")
        assertFileError(try IDX.read(try write("rank", idx([3], [1, 2, 3])), rank: 3), contains: "has 1 dimensions, expected 3")
        assertFileError(try IDX.read(directory.appendingPathComponent("absent").path), contains: "no such file")
        // gzip corruption: flip bytes in the middle of a valid stream.
        let good = try write("good", idx([64, 8], (0..<512).map { UInt8($0 % 251) }))
        try gzip(good)
        var corrupted = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good + ".gz")))
        for i in 12..<min(40, corrupted.count - 8) { corrupted[i] ^= 0x5A }
        assertFileError(try IDX.read(try write("corrupt.gz", corrupted)), contains: "gzip")
        let cut = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good + ".gz")))
        assertFileError(try IDX.read(try write("cut.gz", Array(cut.prefix(cut.count / 2)))), contains: "gzip")
    }

    func testMNISTFolderLoadsAndChecksLabelCount() throws {
        let images = (0..<(3 * 2 * 2)).map { UInt8($0 * 20) }
        _ = try write("train-images-idx3-ubyte", idx([3, 2, 2], images))
        _ = try write("train-labels-idx1-ubyte", idx([3], [4, 0, 9]))
        let dataset = try MNIST(root: directory.path).load(.train)
        XCTAssertEqual(dataset.inputs.shape, [3, 1, 2, 2])
        XCTAssertEqual(dataset.targets.scalars, [4, 0, 9])
        XCTAssertEqual(dataset.inputs.scalars[1], 20 / 255)
        XCTAssertEqual(try MNIST(root: directory.path).load(.train, limit: 2).count, 2)
        _ = try write("t10k-images-idx3-ubyte", idx([3, 2, 2], images))
        _ = try write("t10k-labels-idx1-ubyte", idx([2], [1, 2]))
        assertFileError(try MNIST(root: directory.path).load(.test), contains: "2 labels for 3 images")
        assertFileError(try FashionMNIST.dataset(root: directory.appendingPathComponent("none").path).load(.train),
                        contains: "not found")
        assertFileError(try MNIST(root: "/nonexistent", package: "dataset-fashion-mnist").load(.train),
                        contains: "sudo apt-get install dataset-fashion-mnist")
    }

    func testRealFashionMNISTWhenInstalled() throws {
        let dataset = FashionMNIST.dataset()
        guard FileManager.default.fileExists(atPath: FashionMNIST.defaultRoot) else {
            throw XCTSkip("dataset-fashion-mnist is not installed (make test installs it)")
        }
        let test = try dataset.load(.test, limit: 500)
        XCTAssertEqual(test.inputs.shape, [500, 1, 28, 28])
        XCTAssertEqual(Set(test.targets.scalars.map(Int.init)), Set(0..<10))
        XCTAssertGreaterThan(test.inputs.max().scalar!, 0.9)
        XCTAssertGreaterThanOrEqual(test.inputs.min().scalar!, 0)
    }

    func testDataLoaderShufflesDeterministicallyAndCoversEveryExample() throws {
        let dataset = try TensorDataset(inputs: Tensor.arange(0, 10).reshaped(to: [10, 1]), targets: Tensor.arange(0, 10))
        let loader = try DataLoader(dataset, batchSize: 4, shuffle: true, seed: 7)
        XCTAssertEqual(loader.batchCount, 3)
        let first = loader.batchIndices(epoch: 0), again = loader.batchIndices(epoch: 0)
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first, loader.batchIndices(epoch: 1))
        XCTAssertEqual(first.flatMap { $0 }.sorted(), Array(0..<10))
        XCTAssertEqual(first.map(\.count), [4, 4, 2])
        XCTAssertEqual(try DataLoader(dataset, batchSize: 4, dropLast: true).batchCount, 2)
        var seen: [Float] = []
        try loader.forEachBatch(epoch: 0) { _, inputs, targets in
            XCTAssertEqual(inputs.scalars, targets.scalars)
            seen += targets.scalars
        }
        XCTAssertEqual(seen.map(Int.init), first.flatMap { $0 })
        XCTAssertThrowsError(try DataLoader(dataset, batchSize: 0))
        let (training, validation) = try dataset.split(validationFraction: 0.2)
        XCTAssertEqual(training.count, 8)
        XCTAssertEqual(validation.targets.scalars, [8, 9])
        XCTAssertThrowsError(try TensorDataset(inputs: Tensor.zeros([3, 2]), targets: Tensor.zeros([4])))
    }
}
