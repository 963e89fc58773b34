import Foundation

/// A text as a sequence of character ids, split into a training head and a validation tail, with
/// random fixed-length windows for next-character prediction (the data of the CharGPT and
/// CharLSTM examples).
///
/// The vocabulary is the text's distinct Unicode scalars in code-point order; the last
/// `validationFraction` of the text is the validation split. A window of `length` characters
/// starting at `s` has targets `s + 1 ..< s + length + 1`, so a target never crosses the split.
public struct CharacterCorpus: Sendable {
    /// Which part of the text a batch is drawn from.
    public enum Split: Sendable { case training, validation }

    /// Where the text came from (a file or folder path, or a caller's label).
    public let source: String
    /// The distinct characters, in code-point order; a character's id is its index here.
    public let vocabulary: [Unicode.Scalar]
    /// The whole text as character ids.
    public let ids: [Int]
    /// The first id of the validation split.
    public let validationStart: Int
    private let index: [Unicode.Scalar: Int]
    private let floatIDs: [Float]

    /// The largest text file the corpus reads (256 MiB): a bigger one is reported, not loaded.
    public static let maximumFileBytes = 256 << 20

    /// Makes a corpus of `text`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when
    ///   `validationFraction` is outside (0, 1) or either split has fewer than `minimumSplit`
    ///   characters (too few for a window and its targets).
    public init(text: String, source: String, validationFraction: Double = 0.1, minimumSplit: Int = 200) throws {
        let scalars = Array(text.unicodeScalars)
        guard validationFraction > 0, validationFraction < 1 else {
            throw DendriteError.invalidArgument(operation: "CharacterCorpus", argument: "validationFraction",
                                                reason: "\(validationFraction) is not in (0, 1)")
        }
        // n − ⌈n·fraction⌉ (for 0.1 exactly ⌊9n/10⌋), with a tolerance for fractions like 0.1 that
        // binary floating point stores a little high.
        let boundary = scalars.count - Int((Double(scalars.count) * validationFraction - 1e-9).rounded(.up))
        guard boundary >= minimumSplit, scalars.count - boundary >= minimumSplit else {
            throw DendriteError.invalidArgument(operation: "CharacterCorpus", argument: "text",
                                                reason: "\(source): \(scalars.count) characters leave fewer than \(minimumSplit) in a split")
        }
        self.source = source
        vocabulary = Array(Set(scalars)).sorted { $0.value < $1.value }
        let lookup = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
        index = lookup
        ids = scalars.map { lookup[$0]! }
        floatIDs = ids.map(Float.init)
        validationStart = boundary
    }

    /// Reads a UTF-8 text file.
    ///
    /// - Throws: ``DendriteError/invalidFile(path:offset:reason:)`` when the file cannot be read,
    ///   is larger than ``maximumFileBytes`` or is not UTF-8; otherwise as ``init(text:source:validationFraction:minimumSplit:)``.
    public init(contentsOf path: String, validationFraction: Double = 0.1) throws {
        try self.init(text: try Self.readText(path), source: path, validationFraction: validationFraction)
    }

    /// Every readable UTF-8 file of a folder, in name order, each followed by a newline
    /// (by default Debian's license texts, about 300 k characters on a stock system).
    ///
    /// - Throws: ``DendriteError/invalidFile(path:offset:reason:)`` when the folder cannot be listed.
    public init(folder: String = "/usr/share/common-licenses", validationFraction: Double = 0.1) throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw DendriteError.invalidFile(path: folder, offset: nil, reason: "cannot list the folder")
        }
        var text = ""
        for name in names.sorted() {
            if let contents = try? Self.readText("\(folder)/\(name)") { text += contents + "\n" }
        }
        try self.init(text: text, source: folder, validationFraction: validationFraction)
    }

    private static func readText(_ path: String) throws -> String {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let attributes = try? FileManager.default.attributesOfItem(atPath: resolved)
        guard let attributes, attributes[.type] as? FileAttributeType == .typeRegular,
              let size = (attributes[.size] as? NSNumber)?.intValue else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "not a readable regular file")
        }
        guard size <= maximumFileBytes else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "\(size) bytes is above the \(maximumFileBytes)-byte limit")
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "not UTF-8 text")
        }
        return text
    }

    /// The ids of `text`'s characters, skipping characters outside the vocabulary.
    public func encode(_ text: String) -> [Int] { text.unicodeScalars.compactMap { index[$0] } }

    /// The text of `ids`, skipping ids outside the vocabulary.
    public func decode(_ ids: [Int]) -> String {
        String(String.UnicodeScalarView(ids.compactMap { vocabulary.indices.contains($0) ? vocabulary[$0] : nil }))
    }

    /// `size` random windows of `length` characters from `split` and the characters that follow
    /// each, as `[size, length]` id tensors (ids stored as `Float`).
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when `size` or
    ///   `length` is below 1 or a window does not fit in the split.
    public func batch(split: Split, size: Int, length: Int, generator: inout RandomGenerator) throws -> (inputs: Tensor, targets: Tensor) {
        let (low, high) = split == .training ? (0, validationStart - length - 1) : (validationStart, ids.count - length - 1)
        guard size >= 1, length >= 1, high > low else {
            throw DendriteError.invalidArgument(operation: "CharacterCorpus.batch", argument: "size, length",
                                                reason: "\(size) windows of \(length) characters do not fit the \(split) split of \(source)")
        }
        var inputs: [Float] = [], targets: [Float] = []
        inputs.reserveCapacity(size * length)
        targets.reserveCapacity(size * length)
        for _ in 0..<size {
            let start = low + generator.nextInt(below: high - low)
            inputs += floatIDs[start..<(start + length)]
            targets += floatIDs[(start + 1)..<(start + length + 1)]
        }
        return (try Tensor(shape: [size, length], scalars: inputs), try Tensor(shape: [size, length], scalars: targets))
    }

    /// Every whole window of `length` characters of `split`, back to back from its start, and the
    /// characters that follow each, as `[W, length]` id tensors: for measuring a loss over the
    /// whole split rather than over random windows.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when `length` is
    ///   below 1 or the split holds no whole window.
    public func windows(split: Split, length: Int) throws -> (inputs: Tensor, targets: Tensor) {
        let (start, end) = split == .training ? (0, validationStart) : (validationStart, ids.count)
        let count = length >= 1 ? (end - start - 1) / length : 0
        guard count >= 1 else {
            throw DendriteError.invalidArgument(operation: "CharacterCorpus.windows", argument: "length",
                                                reason: "no whole window of \(length) characters in the \(split) split of \(source)")
        }
        let inputs = Array(floatIDs[start..<(start + count * length)])
        let targets = Array(floatIDs[(start + 1)..<(start + count * length + 1)])
        return (try Tensor(shape: [count, length], scalars: inputs), try Tensor(shape: [count, length], scalars: targets))
    }
}
