import CDendrite
import COpenBLAS
import Dispatch

/// Which GEMM the convolutions' products (forward, both backward passes, Winograd's 16) run on.
///
/// OpenBLAS is the general path. On a CPU with AVX-512 whose OpenBLAS runs an AVX2 core — as where
/// `OPENBLAS_CORETYPE=Haswell` pins OpenBLAS 0.3.21 to its AVX2 kernels on cores it would
/// mis-detect — Dendrite's own AVX-512 kernel (`sgemm_avx512.c`, checked against the naive GEMM)
/// does the same products at up to twice the floating-point rate.
public enum ConvolutionGEMM: Sendable, Equatable {
    /// Dendrite's AVX-512 kernel where the CPU has AVX-512 and OpenBLAS's core does not use it
    /// (there it is faster on every convolution product measured, from the course's `cnn` layers —
    /// 16 or 32 filters over 9 or 144 terms — to ResNet's and VGG's); OpenBLAS otherwise.
    case automatic
    /// OpenBLAS always.
    case openBLAS
    /// Dendrite's AVX-512 kernel for every convolution product, where the CPU has AVX-512.
    case avx512

    /// The choice every convolution uses (default ``automatic``); set it to compare them or force one.
    nonisolated(unsafe) public static var current: ConvolutionGEMM = .automatic

    /// Whether this CPU has AVX-512 (the kernel's `avx512f`).
    public static let avx512Available = dd_sgemm_avx512_available() != 0

    /// Whether OpenBLAS runs one of its AVX-512 cores (then it is the faster choice).
    static let openBLASUsesAVX512: Bool = {
        let core = (openblas_get_corename().map { String(cString: $0) } ?? "").lowercased()
        return ["skylakex", "cooperlake", "sapphirerapids"].contains { core.contains($0) }
    }()

    /// Whether the convolutions' products run on Dendrite's AVX-512 kernel under ``current``.
    static var usesAVX512: Bool {
        guard avx512Available else { return false }
        switch current {
        case .openBLAS: return false
        case .avx512: return true
        case .automatic: return !openBLASUsesAVX512
        }
    }

    /// A one-word name of the kernel the convolutions' products run on, for benchmark rows.
    public static var kernelName: String { usesAVX512 ? "avx512" : "openblas" }
}

/// `C = op(A)·op(B)` (`beta` 0) or `C += op(A)·op(B)` (`beta` 1) for a convolution, on the kernel
/// ``ConvolutionGEMM`` chooses. Outside a parallel region the AVX-512 kernel splits the product over
/// the cores itself (by column blocks, or by row blocks when it is narrow).
func convolutionGEMM(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                     b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    guard ConvolutionGEMM.usesAVX512 else {
        return gemmUnchecked(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                             b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    avx512GEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
               accumulate: beta != 0, c: c, ldc: ldc, threads: Int(openblas_get_num_threads()))
}

/// The AVX-512 kernel over `threads` cores: column blocks of 48 when there are enough of them,
/// else row blocks of 8; each part with its own packing workspace.
func avx512GEMM(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                b: UnsafePointer<Float>, ldb: Int, accumulate: Bool, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    inAVX512Parts(m: m, n: n, k: k, threads: threads) { rows, columns, workspace in
        // The part's corner of op(A), op(B) and C.
        let aPart = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
        let bPart = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
        dd_sgemm_avx512(transposeA ? 1 : 0, transposeB ? 1 : 0, Int64(rows.count), Int64(columns.count), Int64(k), aPart,
                        Int64(lda), bPart, Int64(ldb), c + rows.lowerBound * ldc + columns.lowerBound, Int64(ldc),
                        accumulate ? 1 : 0, workspace)
    }
}

/// A convolution's forward product `C = W · im2col(image)` on the AVX-512 kernel over `threads`
/// cores, the columns packed straight from the image (`conv_gemm_avx512.c`): no column matrix.
func avx512ConvolutionGEMM(m: Int, n: Int, k: Int, weight: UnsafePointer<Float>, lda: Int, image: UnsafePointer<Float>,
                           channels: Int, geometry: dd_conv_geometry, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    inAVX512Parts(m: m, n: n, k: k, threads: threads) { rows, columns, workspace in
        var g = geometry
        dd_conv_gemm_avx512(Int64(rows.count), Int64(columns.count), weight + rows.lowerBound * lda, Int64(lda), image,
                            Int32(channels), &g, Int64(columns.lowerBound), c + rows.lowerBound * ldc + columns.lowerBound,
                            Int64(ldc), 0, workspace)
    }
}

/// A convolution's weight-gradient product `dW += dY · im2col(image)ᵀ` on the AVX-512 kernel over
/// `threads` cores (`m` filters, `n` taps, `plane` output pixels), the columns packed straight from
/// the image (`conv_gemm_avx512.c`): no column matrix.
func avx512WeightGradientGEMM(m: Int, n: Int, plane: Int, gradient: UnsafePointer<Float>, image: UnsafePointer<Float>,
                              geometry: dd_conv_geometry, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    inAVX512Parts(m: m, n: n, k: plane, threads: threads) { rows, columns, workspace in
        var g = geometry
        dd_conv_weight_gradient_avx512(Int64(rows.count), Int64(columns.count), Int64(plane), gradient + rows.lowerBound * plane,
                                       Int64(plane), image, &g, Int64(columns.lowerBound),
                                       c + rows.lowerBound * ldc + columns.lowerBound, Int64(ldc), workspace)
    }
}

/// Splits an `m × n` product over `k` terms into parts for `threads` cores — column blocks of 48
/// when there are enough of them, else row blocks of 8 — and runs `body(rows, columns, workspace)`
/// for each, concurrently, with a packing workspace of its own.
private func inAVX512Parts(m: Int, n: Int, k: Int, threads: Int,
                           _ body: (_ rows: Range<Int>, _ columns: Range<Int>, _ workspace: UnsafeMutablePointer<Float>) -> Void) {
    guard m > 0, n > 0 else { return }
    let (columnBlock, rowBlock) = (48, 8)
    let columnBlocks = (n + columnBlock - 1) / columnBlock, rowBlocks = (m + rowBlock - 1) / rowBlock
    let parts = m * n * k < 1 << 18 ? 1 : Swift.min(Swift.max(threads, 1), Swift.max(columnBlocks, rowBlocks))
    let byColumns = columnBlocks >= 2 * parts || columnBlocks >= rowBlocks
    func run(_ part: Int) {
        let blocks = byColumns ? columnBlocks : rowBlocks, size = byColumns ? columnBlock : rowBlock
        let first = blocks * part / parts * size, last = Swift.min(blocks * (part + 1) / parts * size, byColumns ? n : m)
        guard first < last else { return }
        let (rows, columns) = byColumns ? (0..<m, first..<last) : (first..<last, 0..<n)
        let workspace = TensorStorage(uninitializedCount: Int(dd_sgemm_avx512_workspace(Int64(rows.count), Int64(columns.count))))
        withExtendedLifetime(workspace) { body(rows, columns, workspace.base) }
    }
    if parts == 1 { return run(0) }
    DispatchQueue.concurrentPerform(iterations: parts, execute: run)
}

/// `C = op(A)·op(B)` or, with `accumulate`, `C += op(A)·op(B)` on Dendrite's AVX-512 kernel over
/// `threads` cores — the convolutions' GEMM, callable directly for tests and benchmarks against
/// OpenBLAS and the naive twin. Row-major operands with leading dimensions `lda`, `ldb`, `ldc`.
///
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` on a CPU without
///   AVX-512, or when an operand holds fewer elements than its sizes and leading dimension need.
public func avx512GEMM(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, a: Tensor, lda: Int,
                       b: Tensor, ldb: Int, accumulate: Bool = false, c: inout Tensor, ldc: Int, threads: Int = 1) throws {
    guard ConvolutionGEMM.avx512Available else {
        throw DendriteError.invalidArgument(operation: "avx512GEMM", argument: "CPU", reason: "has no AVX-512")
    }
    func spans(_ rows: Int, _ columns: Int, _ leading: Int) -> Int { rows == 0 ? 0 : (rows - 1) * leading + columns }
    let (rowsA, colsA) = transposeA ? (k, m) : (m, k), (rowsB, colsB) = transposeB ? (n, k) : (k, n)
    guard m >= 0, n >= 0, k >= 0, lda >= colsA, ldb >= colsB, ldc >= n, a.count >= spans(rowsA, colsA, lda),
          b.count >= spans(rowsB, colsB, ldb), c.count >= spans(m, n, ldc) else {
        throw DendriteError.invalidArgument(operation: "avx512GEMM", argument: "m \(m), n \(n), k \(k), lda \(lda), ldb \(ldb), ldc \(ldc)",
                                            reason: "the operands hold \(a.count), \(b.count) and \(c.count) elements")
    }
    c.makeUnique()
    avx512GEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a.storage.base, lda: lda, b: b.storage.base,
               ldb: ldb, accumulate: accumulate, c: c.storage.base, ldc: ldc, threads: threads)
}
