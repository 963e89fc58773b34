import CDendrite

/// The int8 GEMM of quantized inference (CDendrite/int8_gemm.c) and the quantization loops
/// around it.
public enum Int8GEMM {
    /// Which kernel runs on this CPU.
    public enum Path: Int, Sendable, CaseIterable {
        case naive = 0, avx2 = 1, vnni = 2
    }

    /// The fastest kernel this CPU supports.
    public static let fastest: Path = Path(rawValue: Int(dd_int8_gemm_path())) ?? .naive

    /// Weights `[n, k]` packed for the vector kernels (blocks of 16 outputs × 4 consecutive k).
    public struct PackedWeights: Sendable {
        let bytes: [Int8]
        let n: Int, k: Int
        var paddedK: Int { (k + 3) / 4 * 4 }

        init(_ b: [Int8], n: Int, k: Int) {
            var packed = [Int8](repeating: 0, count: Int(dd_int8_packed_size(Int64(n), Int64(k))))
            b.withUnsafeBufferPointer { source in
                packed.withUnsafeMutableBufferPointer { dd_int8_pack_b(source.baseAddress, Int64(n), Int64(k), $0.baseAddress) }
            }
            bytes = packed
            self.n = n
            self.k = k
        }
    }

    /// `C[m, n] = Σ_k A[m, k]·B[n, k]` with `A` unsigned (0…127, one row of `k` per sample), `B`
    /// signed (one row of `k` per output), `C` 32-bit.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for sizes that do not
    ///   fit the arrays, an `A` entry above 127 (it could saturate the AVX2 kernel), or a path
    ///   this CPU lacks.
    public static func multiply(m: Int, n: Int, k: Int, a: [UInt8], b: [Int8], path: Path = fastest) throws -> [Int32] {
        guard m >= 0, n >= 0, k >= 0, a.count == m * k, b.count == n * k else {
            throw DendriteError.invalidArgument(operation: "Int8GEMM.multiply", argument: "sizes",
                                                reason: "A holds \(a.count) for [\(m), \(k)], B \(b.count) for [\(n), \(k)]")
        }
        guard path.rawValue <= fastest.rawValue else {
            throw DendriteError.invalidArgument(operation: "Int8GEMM.multiply", argument: "path \(path)", reason: "this CPU runs up to \(fastest)")
        }
        guard !a.contains(where: { $0 > 127 }) else {
            throw DendriteError.invalidArgument(operation: "Int8GEMM.multiply", argument: "a", reason: "activations must be 0…127")
        }
        var c = [Int32](repeating: 0, count: m * n)
        guard m > 0, n > 0 else { return c }
        if path == .naive {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer {
                        dd_gemm_u8s8s32_naive(Int64(m), Int64(n), Int64(k), pa.baseAddress, Int64(k), pb.baseAddress, Int64(k), $0.baseAddress, Int64(n))
                    }
                }
            }
            return c
        }
        let packed = PackedWeights(b, n: n, k: k), stride = packed.paddedK
        var padded = [UInt8](repeating: 0, count: m * stride)
        for row in 0..<m { for column in 0..<k { padded[row * stride + column] = a[row * k + column] } }
        return multiplyPacked(m: m, a: padded, weights: packed, path: path)
    }

    /// The vector kernel on packed weights; `a` holds `m` rows of `weights.paddedK` bytes.
    static func multiplyPacked(m: Int, a: [UInt8], weights: PackedWeights, path: Path = fastest) -> [Int32] {
        let (n, k, stride) = (weights.n, weights.k, weights.paddedK)
        var c = [Int32](repeating: 0, count: m * n)
        guard m > 0, n > 0 else { return c }
        // Row blocks (multiples of the kernel's 6 rows) on every core for products worth it.
        let chunks = m * n * k >= 1 << 20 ? Swift.min(threadCount, (m + 5) / 6) : 1
        let share = ((m + chunks - 1) / chunks + 5) / 6 * 6
        a.withUnsafeBufferPointer { pa in
            weights.bytes.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    let (baseA, baseB, baseC) = (pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                    let block = { (chunk: Int) in
                        let start = chunk * share
                        guard start < m else { return }
                        dd_gemm_u8s8s32_packed(Int64(Swift.min(share, m - start)), Int64(n), Int64(k), baseA + start * stride,
                                               Int64(stride), baseB, baseC + start * n, Int64(n), Int32(path.rawValue))
                    }
                    if chunks > 1 { concurrentlyWithSingleThreadedBLAS(chunks: chunks, block) } else { block(0) }
                }
            }
        }
        return c
    }

    /// `y = s_x·s_w[j]·(C − z·rowSums[j]) + b[j]` as a `[rows, columns]` tensor.
    static func dequantize(_ c: [Int32], rows: Int, columns: Int, scale: Float, zero: Int32, channelScales: [Float],
                           rowSums: [Int32], bias: Tensor?, shape: [Int]) -> Tensor {
        let out = TensorStorage(uninitializedCount: rows * columns)
        c.withUnsafeBufferPointer { pc in
            channelScales.withUnsafeBufferPointer { ps in
                rowSums.withUnsafeBufferPointer { pr in
                    dd_int8_dequantize(pc.baseAddress, Int64(rows), Int64(columns), scale, zero, ps.baseAddress, pr.baseAddress,
                                       bias?.storage.base, out.base)
                }
            }
        }
        return Tensor(shape: shape, storage: out)
    }

    /// Activations `[rows, k]` quantized per tensor to 7 bits: `q = clamp(round(x/scale) + zero, 0, 127)`
    /// with `scale = (max − min)/127` over a range that includes 0; each row padded to `stride` bytes.
    static func quantizeActivations(_ x: Tensor, rows: Int, k: Int, stride: Int) -> (values: [UInt8], scale: Float, zeroPoint: Int32) {
        let base = x.storage.base, count = x.count
        var low: Float = 0, high: Float = 0
        dd_min_max(base, Int64(count), &low, &high)
        let scale = high > low ? (high - low) / 127 : 1
        let zero = Swift.min(Swift.max((-low / scale).rounded(), 0), 127)
        var values = [UInt8](repeating: 0, count: rows * stride)
        values.withUnsafeMutableBufferPointer { out in
            for row in 0..<rows { dd_quantize_u7(base + row * k, Int64(k), 1 / scale, zero, out.baseAddress! + row * stride) }
        }
        return (values, scale, Int32(zero))
    }
}

extension Tensor {
    /// The identity of the buffer behind this tensor (a new value has a new one): for caches
    /// derived from a tensor's contents.
    var storageIdentity: ObjectIdentifier { ObjectIdentifier(storage) }
}
