import CZlib

/// gzip decompression through the system zlib, with a hard cap on the output size so that a
/// hostile file cannot make Dendrite allocate more than its caller allows.
enum Gzip {
    /// Whether `bytes` start with the gzip magic number (1F 8B).
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    /// Inflates a gzip stream (concatenated members allowed).
    ///
    /// - Parameters:
    ///   - limit: the most bytes the caller accepts; exceeding it is an error, not an allocation.
    ///   - source: names the file in errors.
    static func decompress(_ compressed: [UInt8], limit: Int, source: String) throws -> [UInt8] {
        func corrupt(_ reason: String) -> DendriteError {
            .invalidFile(path: source, offset: nil, reason: "gzip: \(reason)")
        }
        // The trailer's ISIZE (size mod 2³²) is a hint for the first allocation, capped by `limit`.
        var capacity = 1 << 16
        if compressed.count >= 18 {
            let n = compressed.count
            let hint = Int(compressed[n - 4]) | Int(compressed[n - 3]) << 8 | Int(compressed[n - 2]) << 16 | Int(compressed[n - 1]) << 24
            capacity = Swift.min(Swift.max(hint, 1 << 16), Swift.max(limit, 1))
        }
        var output = [UInt8]()
        output.reserveCapacity(capacity)
        var stream = z_stream()
        // 15 + 32: zlib or gzip header, auto-detected.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw corrupt("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try compressed.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            while true {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                guard output.count + produced <= limit else {
                    throw corrupt("decompresses to more than the expected \(limit) bytes")
                }
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow.
                    if stream.avail_in > 0 && inflateReset(&stream) == Z_OK { continue }
                    return
                case Z_OK:
                    if stream.avail_in == 0 && produced == 0 { throw corrupt("the stream is truncated") }
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 { throw corrupt("the stream is truncated") }
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw corrupt("corrupt data (\(message))")
                }
            }
        }
        return output
    }
}
