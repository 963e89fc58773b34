import Foundation
import XCTest
@testable import Dendrite

/// The examples' text corpus: vocabulary, the split, random batches, whole-split windows, and
/// typed errors for files and sizes that do not fit.
final class CharacterCorpusTests: XCTestCase {
    func testSplitVocabularyAndWindows() throws {
        let text = String(repeating: "abcdefghij", count: 300)          // 3,000 characters
        let corpus = try CharacterCorpus(text: text + "é", source: "test")
        XCTAssertEqual(corpus.vocabulary.map(String.init), ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "é"])
        XCTAssertEqual(corpus.ids.count, 3_001)
        XCTAssertEqual(corpus.validationStart, 3_001 - 301, "the last ⌈10 %⌉ is validation")
        XCTAssertEqual(corpus.decode(corpus.encode("jazé")), "jaé", "characters outside the vocabulary are skipped")
        var generator = RandomGenerator(seed: 1)
        let (inputs, targets) = try corpus.batch(split: .training, size: 5, length: 7, generator: &generator)
        XCTAssertEqual(inputs.shape, [5, 7])
        for row in 0..<5 {
            let x = Array(inputs.scalars[(row * 7)..<(row * 7 + 7)]), y = Array(targets.scalars[(row * 7)..<(row * 7 + 7)])
            XCTAssertEqual(Array(x.dropFirst()), Array(y.dropLast()), "targets are the inputs shifted by one")
            XCTAssertEqual(Int(y.last!), (Int(x.last!) + 1) % 10, "the text's next character")
        }
        let (windows, next) = try corpus.windows(split: .validation, length: 64)
        XCTAssertEqual(windows.shape, [(301 - 1) / 64, 64])
        XCTAssertEqual(windows.scalars.map(Int.init), Array(corpus.ids[corpus.validationStart..<(corpus.validationStart + 4 * 64)]))
        XCTAssertEqual(next.scalars.map(Int.init), Array(corpus.ids[(corpus.validationStart + 1)...(corpus.validationStart + 4 * 64)]))
    }

    func testBadSizesAndFilesAreTypedErrors() throws {
        XCTAssertThrowsError(try CharacterCorpus(text: "short", source: "tiny")) { error in
            XCTAssertTrue("\(error)".contains("tiny"), "\(error)")
        }
        XCTAssertThrowsError(try CharacterCorpus(text: String(repeating: "x", count: 5_000), source: "s", validationFraction: 1))
        let corpus = try CharacterCorpus(text: String(repeating: "xy", count: 2_000), source: "s")
        var generator = RandomGenerator(seed: 2)
        XCTAssertThrowsError(try corpus.batch(split: .validation, size: 2, length: 500, generator: &generator))
        XCTAssertThrowsError(try corpus.batch(split: .training, size: 0, length: 5, generator: &generator))
        XCTAssertThrowsError(try corpus.windows(split: .validation, length: 0))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = folder.appendingPathComponent("binary.txt")
        try Data([0xff, 0xfe, 0x00, 0xc3]).write(to: binary)
        XCTAssertThrowsError(try CharacterCorpus(contentsOf: binary.path)) { error in
            guard case DendriteError.invalidFile(let path, _, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, binary.path)
            XCTAssertTrue(reason.contains("UTF-8"), reason)
        }
        XCTAssertThrowsError(try CharacterCorpus(contentsOf: folder.appendingPathComponent("missing.txt").path))
        XCTAssertThrowsError(try CharacterCorpus(contentsOf: folder.path), "a folder is not a text file")
        // A folder corpus follows symbolic links (Debian's license folder is full of them) and skips unreadable files.
        try String(repeating: "hello world ", count: 300).write(to: folder.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("b.txt"), withDestinationURL: folder.appendingPathComponent("a.txt"))
        let linked = try CharacterCorpus(folder: folder.path)
        XCTAssertEqual(linked.ids.count, 2 * (3_600 + 1), "a.txt and its link b.txt, each with a newline; binary.txt skipped")
        XCTAssertThrowsError(try CharacterCorpus(folder: folder.appendingPathComponent("none").path))
    }

    func testSampleIndexHonoursTopKAndTemperature() throws {
        var generator = RandomGenerator(seed: 3)
        let logits: [Float] = [0, 5, 4.9, -3]
        for _ in 0..<50 {
            XCTAssertTrue([1, 2].contains(try sampleIndex(logits: logits, topK: 2, generator: &generator)))
            XCTAssertEqual(try sampleIndex(logits: logits, temperature: 0.001, generator: &generator), 1)
        }
        XCTAssertThrowsError(try sampleIndex(logits: logits, temperature: 0, generator: &generator))
        XCTAssertThrowsError(try sampleIndex(logits: logits, topK: 0, generator: &generator))
        XCTAssertThrowsError(try sampleIndex(logits: [], generator: &generator))
    }
}
