import Foundation

/// Reader and writer of the safetensors format (Hugging Face; what `safetensors.torch.save_file`
/// writes): an 8-byte little-endian header length, a JSON header mapping names to
/// `{dtype, shape, data_offsets}`, then the raw little-endian data.
///
/// Files are untrusted: the header length, JSON, dtypes, shapes and offsets are all checked
/// against the real file size before anything is allocated, and data regions must tile the
/// buffer without gaps or overlaps. Writes are atomic (a temporary file renamed into place).
public enum SafeTensors {
    /// Largest header accepted (as the reference implementation: 100 MB).
    public static let maximumHeaderBytes = 100_000_000

    /// Element types that can be read; `F32` is what Dendrite writes.
    public enum DType: String, CaseIterable, Sendable {
        case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64", i64 = "I64", i32 = "I32", u8 = "U8", i8 = "I8"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .f64, .i64: return 8
            case .f32, .i32: return 4
            case .f16, .bf16: return 2
            case .u8, .i8: return 1
            }
        }
    }

    /// The tensors of a file and its `__metadata__`.
    public struct File {
        /// Tensors by name, converted to `Float`.
        public var tensors: [String: Tensor]
        /// Names in data order (the order they are stored).
        public var names: [String]
        /// The free-form string metadata.
        public var metadata: [String: String]
    }

    /// Reads and validates `path`.
    ///
    /// - Throws: ``DendriteError/invalidFile(path:offset:reason:)`` naming the file, the byte and
    ///   the fault (missing file, header length beyond the file, invalid JSON, unknown dtype,
    ///   offsets out of range or overlapping, shape × dtype ≠ byte length).
    public static func read(_ path: String) throws -> File {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "no such file")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "cannot be read (\(error.localizedDescription))")
        }
        return try decode([UInt8](data), source: path)
    }

    /// Decodes bytes already in memory; `source` names them in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> File {
        func fail(_ offset: Int?, _ reason: String) -> DendriteError { .invalidFile(path: source, offset: offset, reason: reason) }
        guard bytes.count >= 8 else { throw fail(0, "too short for a safetensors header (\(bytes.count) bytes)") }
        var headerLength = 0
        for i in 0..<8 { headerLength |= Int(bytes[i]) << (8 * i) }
        guard headerLength >= 2, headerLength <= maximumHeaderBytes, headerLength <= bytes.count - 8 else {
            throw fail(0, "header length \(headerLength) is beyond the file (\(bytes.count) bytes) or the \(maximumHeaderBytes)-byte limit")
        }
        let json: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any] else {
                throw fail(8, "the header is not a JSON object")
            }
            json = object
        } catch let error as DendriteError { throw error } catch {
            throw fail(8, "the header is not valid JSON")
        }
        let dataStart = 8 + headerLength, dataLength = bytes.count - dataStart
        var metadata: [String: String] = [:]
        struct Entry { let name: String; let dtype: DType; let shape: [Int]; let begin: Int; let end: Int }
        var entries: [Entry] = []
        for (name, value) in json {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail(8, "__metadata__ is not an object") }
                for (key, item) in map {
                    guard let text = item as? String else { throw fail(8, "__metadata__[\(key)] is not a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail(8, "entry \"\(name)\" is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail(8, "entry \"\(name)\" has no dtype") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail(8, "entry \"\(name)\" has unsupported dtype \(dtypeName) (supported: \(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let shapeValues = info["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail(8, "entry \"\(name)\" has an invalid shape")
            }
            guard let offsetValues = info["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw fail(8, "entry \"\(name)\" has invalid data_offsets")
            }
            guard offsets[1] <= dataLength else {
                throw fail(dataStart + offsets[0], "entry \"\(name)\" data_offsets \(offsets) are out of range (data is \(dataLength) bytes)")
            }
            var elements = 1
            for size in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard !overflow else { throw fail(8, "entry \"\(name)\" shape \(shape) overflows") }
                elements = product
            }
            let (byteCount, byteOverflow) = elements.multipliedReportingOverflow(by: dtype.size)
            guard !byteOverflow, byteCount == offsets[1] - offsets[0] else {
                let size = byteOverflow ? "more than 2⁶³" : "\(byteCount)"
                throw fail(dataStart + offsets[0], "entry \"\(name)\": shape \(shape) × \(dtype.rawValue) is \(size) bytes but data_offsets span \(offsets[1] - offsets[0])")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
        }
        // Regions must tile the data buffer: sorted by start, each begins where the last ended.
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var cursor = 0
        for entry in entries {
            guard entry.begin == cursor else {
                throw fail(dataStart + entry.begin, entry.begin < cursor
                    ? "entry \"\(entry.name)\" overlaps the previous tensor's data"
                    : "gap of \(entry.begin - cursor) bytes before entry \"\(entry.name)\"")
            }
            cursor = entry.end
        }
        guard cursor == dataLength else { throw fail(dataStart + cursor, "\(dataLength - cursor) bytes after the last tensor") }
        var tensors: [String: Tensor] = [:]
        for entry in entries {
            let values = convert(bytes, from: dataStart + entry.begin, count: (entry.end - entry.begin) / entry.dtype.size,
                                 dtype: entry.dtype)
            tensors[entry.name] = try Tensor(shape: entry.shape, scalars: values)
        }
        return File(tensors: tensors, names: entries.map(\.name), metadata: metadata)
    }

    /// Encodes tensors as `F32` — or as `I8` those named in `int8` (their values must be integers
    /// in −128…127: quantized weights) — in the given order, with optional metadata.
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], int8: Set<String> = []) throws -> [UInt8] {
        var header: [String: Any] = [:]
        var offset = 0
        var seen = Set<String>()
        for (name, tensor) in tensors {
            guard seen.insert(name).inserted, name != "__metadata__" else {
                throw DendriteError.invalidArgument(operation: "SafeTensors.encode", argument: "name \"\(name)\"", reason: "is repeated or reserved")
            }
            let small = int8.contains(name)
            if small, !tensor.scalars.allSatisfy({ $0 == $0.rounded() && $0 >= -128 && $0 <= 127 }) {
                throw DendriteError.invalidArgument(operation: "SafeTensors.encode", argument: "\(name) as I8",
                                                    reason: "holds values that are not integers in −128…127")
            }
            let bytes = (small ? 1 : 4) * tensor.count
            header[name] = ["dtype": small ? "I8" : "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = [UInt8](try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        while json.count % 8 != 0 { json.append(0x20) }   // pad with spaces, as the reference writer
        var bytes = [UInt8]()
        bytes.reserveCapacity(8 + json.count + offset)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: json.count >> (8 * i))) }
        bytes += json
        for (name, tensor) in tensors {
            if int8.contains(name) {
                bytes += tensor.scalars.map { UInt8(bitPattern: Int8($0)) }
                continue
            }
            for value in tensor.scalars {
                let bits = value.bitPattern
                bytes += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8),
                          UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
            }
        }
        return bytes
    }

    /// Writes tensors to `path` atomically (temporary file in the same folder, then rename).
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], int8: Set<String> = [],
                             to path: String) throws {
        try writeAtomically(Data(try encode(tensors, metadata: metadata, int8: int8)), to: path)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            guard let number = value as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), Swift.abs(double) < 9_007_199_254_740_992 else { return nil }
            result.append(Int(double))
        }
        return result
    }

    private static func convert(_ bytes: [UInt8], from start: Int, count: Int, dtype: DType) -> [Float] {
        func word(_ at: Int, _ size: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in 0..<size { value |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
            return value
        }
        return (0..<count).map { index in
            let at = start + index * dtype.size
            switch dtype {
            case .f32: return Float(bitPattern: UInt32(word(at, 4)))
            case .f64: return Float(Double(bitPattern: word(at, 8)))
            case .f16: return Float(Float16(bitPattern: UInt16(word(at, 2))))
            case .bf16: return Float(bitPattern: UInt32(word(at, 2)) << 16)
            case .i64: return Float(Int64(bitPattern: word(at, 8)))
            case .i32: return Float(Int32(bitPattern: UInt32(word(at, 4))))
            case .u8: return Float(bytes[at])
            case .i8: return Float(Int8(bitPattern: bytes[at]))
            }
        }
    }
}

/// Writes `data` to a temporary file beside `path`, flushes it to the disk (fsync), then renames
/// it over `path` and flushes the directory, so a reader never sees a half-written file and a
/// power loss right after leaves either the old file or the new one, whole.
///
/// - Throws: ``DendriteError/invalidFile(path:offset:reason:)`` naming `path`.
public func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
    do {
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "cannot be written (no temporary file in \(directory.path))")
        }
        let handle = try FileHandle(forWritingTo: temporary)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        // rename(2) replaces the destination atomically on the same file system.
        guard rename(temporary.path, url.path) == 0 else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "cannot be replaced (errno \(errno))")
        }
        // The rename itself reaches the disk when the directory is flushed.
        if let folder = FileHandle(forReadingAtPath: directory.path) {
            try? folder.synchronize()
            try? folder.close()
        }
    } catch let error as DendriteError {
        try? FileManager.default.removeItem(at: temporary)
        throw error
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw DendriteError.invalidFile(path: path, offset: nil, reason: "cannot be written (\(error.localizedDescription))")
    }
}

extension Module {
    /// Saves parameters and buffers (`state_dict` names) to a safetensors file, atomically: F32,
    /// and I8 for buffers that hold int8 values (``Buffer/storesInt8``, quantized weights).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        let int8 = Set(namedBuffers().filter { $0.1.storesInt8 }.map(\.0))
        try SafeTensors.write(stateDict(), metadata: metadata, int8: int8, to: path)
    }

    /// Loads parameters and buffers from a safetensors file (e.g. written by
    /// `safetensors.torch.save_file(model.state_dict(), path)`).
    @discardableResult
    public func load(from path: String, strict: Bool = true) throws -> LoadReport {
        let file = try SafeTensors.read(path)
        do {
            return try load(stateDict: file.tensors, strict: strict)
        } catch DendriteError.invalidArgument(let operation, _, let reason) {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "\(operation): \(reason)")
        }
    }
}
