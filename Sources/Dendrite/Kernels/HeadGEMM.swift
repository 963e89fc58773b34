// Per-head GEMMs straight on the layouts multi-head attention produces and consumes, so the
// heads need no split or merge copies.

/// Where the per-head matrices of one GEMM operand lie in a larger buffer: the matrix of batch
/// entry `b` and head `h` starts at `offset + b·batchStride + h·headStride`, and its rows are
/// `rowStride` apart (its leading dimension).
///
/// Queries in a `[B, T, 3E]` projection, for instance: `offset` 0, `batchStride` T·3E,
/// `headStride` d, `rowStride` 3E.
struct HeadLayout {
    var offset: Int
    var batchStride: Int
    var headStride: Int
    var rowStride: Int

    /// Storage offset of matrix `(batch, head)`.
    @inline(__always)
    func start(batch: Int, head: Int) -> Int { offset + batch * batchStride + head * headStride }
}

/// `C(b, h) = alpha·op(A(b, h))·op(B(b, h)) + beta·C(b, h)` for every batch entry `b` and head
/// `h`, each operand laid out by its ``HeadLayout``. `op(A)` is `[m, k]` and `op(B)` `[k, n]`,
/// as in ``gemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
///
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when a stride is
///   negative, a row stride is shorter than a row, or a matrix reaches past its buffer.
func headBatchedGEMM(transposeA: Bool = false, transposeB: Bool = false, batches: Int, heads: Int, m: Int, n: Int, k: Int,
                     alpha: Float = 1, a: Tensor, _ layoutA: HeadLayout, b: Tensor, _ layoutB: HeadLayout,
                     beta: Float = 0, c: inout Tensor, _ layoutC: HeadLayout) throws {
    guard batches >= 0, heads >= 0, m >= 0, n >= 0, k >= 0, max(m, n, k) <= Int(Int32.max) else {
        throw DendriteError.invalidArgument(operation: "headBatchedGEMM", argument: "sizes",
                                            reason: "batches \(batches), heads \(heads), m \(m), n \(n), k \(k) must be in 0…\(Int32.max)")
    }
    guard batches > 0, heads > 0, m > 0, n > 0 else { return }   // no product to compute
    let (rowsA, colsA) = transposeA ? (k, m) : (m, k)
    let (rowsB, colsB) = transposeB ? (n, k) : (k, n)
    for (name, layout, rows, cols, count) in [("a", layoutA, rowsA, colsA, a.count), ("b", layoutB, rowsB, colsB, b.count),
                                              ("c", layoutC, m, n, c.count)] {
        guard rows > 0, cols > 0 else { continue }   // an empty operand (k = 0) is never read
        guard layout.offset >= 0, layout.batchStride >= 0, layout.headStride >= 0, layout.rowStride >= cols,
              layout.rowStride <= Int(Int32.max) else {
            throw DendriteError.invalidArgument(operation: "headBatchedGEMM", argument: name,
                                                reason: "layout \(layout) has a negative stride or rows shorter than \(cols)")
        }
        let last = layout.start(batch: batches - 1, head: heads - 1) + (rows - 1) * layout.rowStride + cols
        guard last <= count else {
            throw DendriteError.invalidArgument(operation: "headBatchedGEMM", argument: name,
                                                reason: "[\(rows), \(cols)] matrices laid out as \(layout) reach \(last) of its \(count) scalars")
        }
    }
    c.makeUnique()
    let pa = a.storage.base, pb = b.storage.base, pc = c.storage.base
    spreadProducts(count: batches * heads, m: m, n: n, k: k) { i in
        let (batch, head) = i.quotientAndRemainder(dividingBy: heads)
        gemmUnchecked(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: pa + layoutA.start(batch: batch, head: head), lda: max(layoutA.rowStride, 1),
                      b: pb + layoutB.start(batch: batch, head: head), ldb: max(layoutB.rowStride, 1), beta: beta,
                      c: pc + layoutC.start(batch: batch, head: head), ldc: layoutC.rowStride)
    }
}
