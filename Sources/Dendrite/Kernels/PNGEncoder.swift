import CZlib

/// 8-bit RGB images as PNG files (signature, IHDR, one zlib-compressed IDAT, IEND; every row
/// with filter 0), through the system zlib.
enum PNGEncoder {
    /// The PNG bytes of a `width × height` image whose `rgb` holds 3 bytes per pixel, row by row.
    static func encode(width: Int, height: Int, rgb: [UInt8]) throws -> [UInt8] {
        guard width >= 1, height >= 1, width <= 1 << 16, height <= 1 << 16, rgb.count == width * height * 3 else {
            throw DendriteError.invalidArgument(operation: "PNG", argument: "\(width)×\(height) with \(rgb.count) bytes",
                                                reason: "needs 3 bytes per pixel and sides in 1…65536")
        }
        var raw = [UInt8]()
        raw.reserveCapacity(height * (1 + 3 * width))
        for row in 0..<height {
            raw.append(0)
            raw.append(contentsOf: rgb[(row * width * 3)..<((row + 1) * width * 3)])
        }
        var compressedSize = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        let status = compressed.withUnsafeMutableBufferPointer { out in
            raw.withUnsafeBufferPointer { compress2(out.baseAddress, &compressedSize, $0.baseAddress, uLong(raw.count), 9) }
        }
        guard status == Z_OK else {
            throw DendriteError.invalidArgument(operation: "PNG", argument: "image data", reason: "zlib compress2 failed (\(status))")
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        func bigEndian(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        func chunk(_ type: String, _ data: [UInt8]) {
            let body = Array(type.utf8) + data
            let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt(body.count)) }
            png += bigEndian(data.count) + body + bigEndian(Int(crc))
        }
        chunk("IHDR", bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0])
        chunk("IDAT", Array(compressed.prefix(Int(compressedSize))))
        chunk("IEND", [])
        return png
    }
}
