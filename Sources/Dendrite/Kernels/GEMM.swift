import COpenBLAS
import Dispatch
import CDendrite
import Glibc

// The one GEMM entry point. Row-major throughout: `lda` is the distance between rows of A as
// stored (k for an untransposed [m, k] A, m for a transposed [k, m] one).

/// `C = alpha·op(A)·op(B) + beta·C` with OpenBLAS `cblas_sgemm` (row-major).
///
/// `op(A)` is `[m, k]`: `A` is stored `[m, k]`, or `[k, m]` when `transposeA`. Likewise `op(B)`
/// is `[k, n]` and `C` is `[m, n]`. Leading dimensions default to the stored row widths and may be
/// larger (a sub-matrix of a wider one). The tensors' shapes are ignored; only their storage
/// must be large enough, which is checked.
///
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` naming the size,
///   leading dimension or operand that does not fit.
public func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                 alpha: Float = 1, a: Tensor, lda: Int? = nil, b: Tensor, ldb: Int? = nil,
                 beta: Float = 0, c: inout Tensor, ldc: Int? = nil) throws {
    let dims = try GEMMLayout(operation: "gemm", transposeA: transposeA, transposeB: transposeB,
                              m: m, n: n, k: k, a: a.count, lda: lda, b: b.count, ldb: ldb,
                              c: c.count, ldc: ldc)
    c.makeUnique()
    gemmUnchecked(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                  a: a.storage.base, lda: dims.lda, b: b.storage.base, ldb: dims.ldb,
                  beta: beta, c: c.storage.base, ldc: dims.ldc)
}

/// The reference twin of ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
/// a plain triple loop with a `Double` accumulator. Same arguments, same checks.
public func gemmNaive(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: Tensor, lda: Int? = nil, b: Tensor, ldb: Int? = nil,
                      beta: Float = 0, c: inout Tensor, ldc: Int? = nil) throws {
    let dims = try GEMMLayout(operation: "gemmNaive", transposeA: transposeA, transposeB: transposeB,
                              m: m, n: n, k: k, a: a.count, lda: lda, b: b.count, ldb: ldb,
                              c: c.count, ldc: ldc)
    c.makeUnique()
    dd_gemm_naive(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                  a.storage.base, Int32(dims.lda), b.storage.base, Int32(dims.ldb),
                  beta, c.storage.base, Int32(dims.ldc))
}

/// Batched `C[i] = alpha·op(A[i])·op(B[i]) + beta·C[i]` for `i` in `0..<batch`.
///
/// Each operand holds `batch` contiguous matrices, or exactly one matrix that is then shared by
/// every batch entry (broadcast). Each product is one `cblas_sgemm` call.
public func batchedGEMM(transposeA: Bool = false, transposeB: Bool = false, batch: Int,
                        m: Int, n: Int, k: Int, alpha: Float = 1, a: Tensor, b: Tensor,
                        beta: Float = 0, c: inout Tensor) throws {
    let sizeA = m * k, sizeB = k * n, sizeC = m * n
    func stride(_ count: Int, _ size: Int, _ name: String) throws -> Int {
        if count == size * batch { return size }
        if count == size { return 0 }
        throw DendriteError.invalidArgument(operation: "batchedGEMM", argument: name,
                                            reason: "holds \(count) scalars; expected \(batch)×\(size) or \(size)")
    }
    guard batch >= 0, m >= 0, n >= 0, k >= 0 else {
        throw DendriteError.invalidArgument(operation: "batchedGEMM", argument: "sizes",
                                            reason: "batch \(batch), m \(m), n \(n), k \(k) must be ≥ 0")
    }
    let strideA = try stride(a.count, sizeA, "a"), strideB = try stride(b.count, sizeB, "b")
    guard c.count == sizeC * batch else {
        throw DendriteError.invalidArgument(operation: "batchedGEMM", argument: "c",
                                            reason: "holds \(c.count) scalars; expected \(batch)×\(sizeC)")
    }
    c.makeUnique()
    runBatchedProducts(transposeA: transposeA, transposeB: transposeB, batch: batch, m: m, n: n, k: k, alpha: alpha,
                       a: a.storage.base, strideA: strideA, b: b.storage.base, strideB: strideB, beta: beta,
                       c: c.storage.base)
}

/// Batched GEMM over sub-ranges of larger buffers: the `batch` matrices of A, B and C start at
/// the given element offsets and follow one another (no broadcasting). For fused ops that keep
/// several operands in one buffer, as attention's packed queries, keys and values.
///
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when a range does not fit.
func batchedGEMM(transposeA: Bool = false, transposeB: Bool = false, batch: Int, m: Int, n: Int, k: Int,
                 alpha: Float = 1, a: Tensor, aOffset: Int, b: Tensor, bOffset: Int,
                 beta: Float = 0, c: inout Tensor, cOffset: Int) throws {
    for (name, count, offset, size) in [("a", a.count, aOffset, m * k), ("b", b.count, bOffset, k * n), ("c", c.count, cOffset, m * n)]
    where batch < 0 || offset < 0 || offset + batch * size > count {
        throw DendriteError.invalidArgument(operation: "batchedGEMM", argument: name,
                                            reason: "\(batch) matrices of \(size) from offset \(offset) overrun its \(count) scalars")
    }
    c.makeUnique()
    runBatchedProducts(transposeA: transposeA, transposeB: transposeB, batch: batch, m: m, n: n, k: k, alpha: alpha,
                       a: a.storage.base + aOffset, strideA: m * k, b: b.storage.base + bOffset, strideB: k * n,
                       beta: beta, c: c.storage.base + cOffset)
}

/// The products of a validated batched GEMM, matrix after matrix `strideA`, `strideB` and
/// `m·n` apart.
private func runBatchedProducts(transposeA: Bool, transposeB: Bool, batch: Int, m: Int, n: Int, k: Int, alpha: Float,
                                a pa: UnsafeMutablePointer<Float>, strideA: Int, b pb: UnsafeMutablePointer<Float>, strideB: Int,
                                beta: Float, c pc: UnsafeMutablePointer<Float>) {
    let lda = transposeA ? m : k, ldb = transposeB ? k : n, sizeC = m * n
    spreadProducts(count: batch, m: m, n: n, k: k) { i in
        gemmUnchecked(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: pa + i * strideA, lda: lda, b: pb + i * strideB, ldb: ldb, beta: beta, c: pc + i * sizeC, ldc: n)
    }
}

/// Runs `product(i)` for `i` in `0..<count`: independent GEMMs of `m×n×k`. OpenBLAS runs a
/// product below 2¹⁸ multiply-adds on the calling thread alone (its SMP threshold), and
/// Dendrite runs thin ones there too (``isThinProduct(m:n:k:)``), so such products — attention's
/// per-head QKᵀ and AV — are spread over the cores here instead, each core taking a contiguous
/// share with OpenBLAS single-threaded meanwhile; larger ones run in turn, each on every core.
func spreadProducts(count: Int, m: Int, n: Int, k: Int, _ product: (Int) -> Void) {
    let chunks = Swift.min(threadCount, count)
    if chunks > 1 && (m * n * k < 1 << 18 || isThinProduct(m: m, n: n, k: k)) {
        let share = (count + chunks - 1) / chunks
        concurrentlyWithSingleThreadedBLAS(chunks: chunks) { chunk in
            let start = chunk * share
            guard start < count else { return }   // the last chunks can be empty (5 products, 4 cores)
            for i in start..<Swift.min(count, start + share) { product(i) }
        }
    } else {
        for i in 0..<count { product(i) }
    }
}

/// `y = alpha·op(A)·x + beta·y` with `cblas_sgemv`; `A` is stored `[m, n]` row-major.
public func gemv(transpose: Bool = false, m: Int, n: Int, alpha: Float = 1, a: Tensor, x: Tensor,
                 beta: Float = 0, y: inout Tensor) throws {
    let (xLength, yLength) = transpose ? (m, n) : (n, m)
    guard m >= 0, n >= 0, a.count >= m * n, x.count >= xLength, y.count >= yLength else {
        throw DendriteError.invalidArgument(
            operation: "gemv", argument: "operands",
            reason: "A \(a.count) scalars for [\(m), \(n)], x \(x.count) for \(xLength), y \(y.count) for \(yLength)")
    }
    y.makeUnique()
    if m == 0 || n == 0 {
        let scale = beta
        for i in 0..<yLength { y.storage.base[i] = scale == 0 ? 0 : scale * y.storage.base[i] }
        return
    }
    cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha,
                a.storage.base, Int32(n), x.storage.base, 1, beta, y.storage.base, 1)
}

/// Validated leading dimensions for one GEMM.
struct GEMMLayout {
    let lda: Int, ldb: Int, ldc: Int

    init(operation: String, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
         a: Int, lda: Int?, b: Int, ldb: Int?, c: Int, ldc: Int?) throws {
        func fail(_ argument: String, _ reason: String) -> DendriteError {
            .invalidArgument(operation: operation, argument: argument, reason: reason)
        }
        guard m >= 0, n >= 0, k >= 0, max(m, n, k) <= Int(Int32.max) else {
            throw fail("sizes", "m \(m), n \(n), k \(k) must be in 0…\(Int32.max)")
        }
        // Stored shapes: A is [rowsA, colsA], B is [rowsB, colsB].
        let (rowsA, colsA) = transposeA ? (k, m) : (m, k)
        let (rowsB, colsB) = transposeB ? (n, k) : (k, n)
        self.lda = lda ?? max(colsA, 1)
        self.ldb = ldb ?? max(colsB, 1)
        self.ldc = ldc ?? max(n, 1)
        for (name, ld, rows, cols, count) in [("a", self.lda, rowsA, colsA, a), ("b", self.ldb, rowsB, colsB, b),
                                              ("c", self.ldc, m, n, c)] {
            guard ld >= max(cols, 1) else { throw fail("ld\(name)", "\(ld) is less than the row width \(cols)") }
            let needed = rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols
            guard count >= needed else {
                throw fail(name, "holds \(count) scalars; [\(rows), \(cols)] with leading dimension \(ld) needs \(needed)")
            }
        }
    }
}

/// Unchecked row-major SGEMM on raw pointers (callers inside Kernels/ have validated).
@inline(__always)
func gemmUnchecked(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                   a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                   beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, thinOnOneThread: Bool = true) {
    guard m > 0, n > 0 else { return }
    var beta = beta
    if beta == 0 && k > 0 {
        // Before a product with beta = 0, OpenBLAS 0.3.21 clears C with one 4-byte store at a
        // time (its sgemm_beta pass, visible in the MLP step's profile in Docs/Benchmarks.md);
        // memset is faster, and beta = 1 then skips that pass. Its kernels read C in both cases,
        // so the results are bitwise the same.
        if ldc == n {
            memset(c, 0, m * n * MemoryLayout<Float>.stride)
        } else {
            for row in 0..<m { memset(c + row * ldc, 0, n * MemoryLayout<Float>.stride) }
        }
        beta = 1
    }
    let run = {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    thinOnOneThread && isThinProduct(m: m, n: n, k: k) ? onOneBLASThread(run) : run()
}

/// Whether a product is thin enough (a side of 32 or less, at most 2²³ multiply-adds) to run
/// faster on one core: OpenBLAS splits such products over its threads poorly, a 10-class head
/// among them (Docs/Benchmarks.md has the shapes timed on one and two threads).
@inline(__always)
func isThinProduct(m: Int, n: Int, k: Int) -> Bool {
    Swift.min(m, n, k) <= 32 && m * n * k <= 1 << 23
}

extension Tensor {
    /// A tensor of `shape` whose contents are undefined: only for the output of a GEMM with
    /// `beta = 0`, which clears C before accumulating into it (`gemmUnchecked`), so the zero-fill
    /// of `Tensor.zeros` would be done twice.
    static func gemmOutput(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(uninitializedCount: Tensor.elementCount(of: shape)))
    }
}
