import Foundation

/// Reader of the IDX format of MNIST-style data sets (`idx1-ubyte` labels, `idx3-ubyte` images),
/// raw or gzipped. Every size in the header is checked against the real data before use.
public enum IDX {
    /// Largest decompressed file accepted (MNIST-style training images are 47 MB).
    public static let maximumDecompressedBytes = 1 << 30

    /// A parsed IDX file: its dimensions and its `UInt8` payload.
    public struct Array: Equatable {
        /// Dimensions from the header, e.g. `[60000, 28, 28]`.
        public let shape: [Int]
        /// Row-major payload bytes.
        public let bytes: [UInt8]
    }

    /// Reads `path` (gzip detected by its magic number) and checks it has `rank` dimensions.
    ///
    /// - Throws: ``DendriteError/invalidFile(path:offset:reason:)`` for a missing file, a wrong
    ///   magic number or element type, a truncated or oversized payload, or corrupt gzip data.
    public static func read(_ path: String, rank: Int? = nil) throws -> Array {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "no such file")
        }
        let raw: [UInt8]
        do { raw = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "cannot be read (\(error.localizedDescription))")
        }
        var bytes = raw
        if Gzip.isGzip(raw) {
            bytes = try Gzip.decompress(raw, limit: maximumDecompressedBytes, source: path)
        }
        return try parse(bytes, source: path, rank: rank)
    }

    /// Parses IDX bytes already in memory; `source` names them in errors.
    public static func parse(_ bytes: [UInt8], source: String, rank: Int? = nil) throws -> Array {
        func fail(_ offset: Int?, _ reason: String) -> DendriteError {
            .invalidFile(path: source, offset: offset, reason: reason)
        }
        guard bytes.count >= 4 else { throw fail(0, "too short for an IDX header (\(bytes.count) bytes)") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw fail(0, "not an IDX file (magic number starts \(String(format: "%02X %02X", bytes[0], bytes[1])), expected 00 00)")
        }
        guard bytes[2] == 0x08 else {
            throw fail(2, "element type 0x\(String(format: "%02X", bytes[2])) is not supported (only unsigned bytes, 0x08)")
        }
        let dimensions = Int(bytes[3])
        guard dimensions >= 1 && dimensions <= 4 else { throw fail(3, "\(dimensions) dimensions (1 to 4 supported)") }
        if let rank, rank != dimensions { throw fail(3, "has \(dimensions) dimensions, expected \(rank)") }
        let headerSize = 4 + 4 * dimensions
        guard bytes.count >= headerSize else { throw fail(bytes.count, "header truncated") }
        var shape: [Int] = []
        var count = 1
        for axis in 0..<dimensions {
            let offset = 4 + 4 * axis
            let size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            shape.append(size)
            count = count.multipliedReportingOverflow(by: size).overflow ? Int.max : count * size
        }
        let available = bytes.count - headerSize
        guard count <= available else {
            throw fail(bytes.count, "truncated: header \(shape) needs \(count) data bytes, file has \(available)")
        }
        guard count == available else {
            throw fail(headerSize + count, "\(available - count) unexpected bytes after the \(shape) data")
        }
        return Array(shape: shape, bytes: Swift.Array(bytes[headerSize...]))
    }
}
