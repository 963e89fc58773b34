import Foundation
import XCTest
@testable import Dendrite

/// Every parser against damaged files: truncated at 64 offsets, single bytes flipped, and headers
/// that lie. Each case must end in a typed `invalidFile` error naming the file (with the byte
/// offset for the binary formats) — or, for a flip that leaves a valid file, a successful parse.
final class CorruptFileTests: XCTestCase {
    func idxFile() -> [UInt8] {
        [0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5] + (0..<60).map { UInt8($0 * 3 % 256) }
    }

    func safetensorsFile() throws -> [UInt8] {
        try SafeTensors.encode([("weight", try Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init))),
                                ("bias", Tensor([1, 2, 3]))], metadata: ["format": "pt"])
    }

    /// 64 offsets spread over `0..<count`.
    func offsets(_ count: Int) -> [Int] { Array(Set((0..<64).map { $0 * count / 64 })).sorted() }

    func assertInvalidFile(_ source: String, requireOffset: Bool, _ body: () throws -> Void,
                           file: StaticString = #filePath, line: UInt = #line) {
        do {
            try body()
            XCTFail("\(source): parsed", file: file, line: line)
        } catch let DendriteError.invalidFile(path, offset, _) {
            XCTAssertEqual(path, source, file: file, line: line)
            if requireOffset { XCTAssertNotNil(offset, "\(source): no offset", file: file, line: line) }
        } catch {
            XCTFail("\(source): \(error) is not invalidFile", file: file, line: line)
        }
    }

    /// A flipped byte may still give a valid file; otherwise it must be an `invalidFile` error.
    func assertParsesOrInvalid(_ source: String, _ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        do { try body() } catch DendriteError.invalidFile(let path, _, _) {
            XCTAssertEqual(path, source, file: file, line: line)
        } catch {
            XCTFail("\(source): \(error) is not invalidFile", file: file, line: line)
        }
    }

    func testTruncatedFilesAreErrorsWithTheirOffset() throws {
        let idx = idxFile(), safetensors = try safetensorsFile()
        for cut in offsets(idx.count) {
            assertInvalidFile("idx cut at \(cut)", requireOffset: true) { _ = try IDX.parse(Array(idx[..<cut]), source: "idx cut at \(cut)") }
        }
        for cut in offsets(safetensors.count) {
            assertInvalidFile("st cut at \(cut)", requireOffset: true) {
                _ = try SafeTensors.decode(Array(safetensors[..<cut]), source: "st cut at \(cut)")
            }
        }
    }

    func testFlippedBytesNeverCrash() throws {
        let idx = idxFile(), safetensors = try safetensorsFile()
        for position in offsets(idx.count) + Array(0..<16) {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = idx
                damaged[position] ^= mask
                assertParsesOrInvalid("idx") { _ = try IDX.parse(damaged, source: "idx") }
            }
        }
        for position in offsets(safetensors.count) + Array(0..<8) {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = safetensors
                damaged[position] ^= mask
                assertParsesOrInvalid("st") { _ = try SafeTensors.decode(damaged, source: "st") }
            }
        }
        let csv = Array("a,b,label\n1,2,0\n3,4,1\n5,6,2\n".utf8)
        for position in csv.indices {
            for replacement in Array(",\n-x9.".utf8) {
                var damaged = csv
                damaged[position] = replacement
                let text = String(decoding: damaged, as: UTF8.self)
                do { _ = try CSV.parse(text, source: "csv") } catch DendriteError.invalidFile(let path, _, _) {
                    XCTAssertEqual(path, "csv")
                } catch {
                    XCTFail("csv \(text): \(error) is not invalidFile")
                }
            }
        }
    }

    func testLyingHeadersAreErrors() throws {
        // IDX: dimension sizes whose product overflows, and sizes larger than the file.
        let overflowing: [UInt8] = [0, 0, 0x08, 4] + Array(repeating: 0xFF, count: 16) + [1, 2, 3]
        assertInvalidFile("idx-overflow", requireOffset: true) { _ = try IDX.parse(overflowing, source: "idx-overflow") }
        let larger: [UInt8] = [0, 0, 0x08, 1, 0x7F, 0xFF, 0xFF, 0xFF, 1, 2]
        assertInvalidFile("idx-larger", requireOffset: true) { _ = try IDX.parse(larger, source: "idx-larger") }

        // safetensors: header length 2⁶³ and 2⁶³ − 1, offsets reversed, overlapping, beyond the data,
        // a shape whose byte count overflows.
        func file(header: String, data: Int) -> [UInt8] {
            let json = Array(header.utf8)
            return (0..<8).map { UInt8((json.count >> (8 * $0)) & 0xFF) } + json + Array(repeating: 0, count: data)
        }
        let cases: [(String, [UInt8])] = [
            ("length 2^63", [0, 0, 0, 0, 0, 0, 0, 0x80] + Array("{}".utf8)),
            ("length 2^63-1", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + Array("{}".utf8)),
            ("reversed", file(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, data: 4)),
            ("overlapping", file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)),
            ("beyond", file(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: 8)),
            ("overflowing shape", file(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: 8)),
            ("overflowing byte count", file(header: #"{"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}}"#, data: 8)),
            ("negative size", file(header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: 8)),
            ("not json", file(header: "{\"a\":", data: 0)),
        ]
        for (name, bytes) in cases {
            assertInvalidFile(name, requireOffset: true) { _ = try SafeTensors.decode(bytes, source: name) }
        }
    }
}
