import COpenBLAS

/// Dense linear algebra on 2-D tensors through LAPACKE (single precision, row-major).
///
/// LAPACK's `info` codes become typed errors: an exactly singular matrix is
/// ``DendriteError/singularMatrix(operation:pivot:)``, a failed Cholesky
/// ``DendriteError/notPositiveDefinite(operation:order:)``.
public enum LinearAlgebra {
    /// Solves `A·X = B` for square `A` `[n, n]` and `B` `[n]` or `[n, k]` (LU with pivoting, `gesv`).
    public static func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let n = try squareSize(a, "solve")
        let vector = b.rank == 1
        guard (b.rank == 1 || b.rank == 2), b.shape[0] == n else {
            throw DendriteError.shapeMismatch(operation: "solve", expected: "B of [\(n)] or [\(n), k]", got: "\(b.shape)")
        }
        let k = vector ? 1 : b.shape[1]
        let factors = a.storage.copy(), solution = b.storage.copy()
        var pivots = [Int32](repeating: 0, count: max(n, 1))
        let info = LAPACKE_sgesv(LAPACK_ROW_MAJOR, Int32(n), Int32(k), factors.base, Int32(max(n, 1)),
                                 &pivots, solution.base, Int32(max(k, 1)))
        try check(info, "solve", singular: true)
        return Tensor(shape: b.shape, storage: solution)
    }

    /// Least-squares (or minimum-norm) solution of `A·X ≈ B` for full-rank `A` `[m, n]` (`gels`).
    ///
    /// - Returns: `X` of `[n]` or `[n, k]`.
    public static func leastSquares(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.rank == 2 else {
            throw DendriteError.shapeMismatch(operation: "leastSquares", expected: "a matrix", got: "\(a.shape)")
        }
        let m = a.shape[0], n = a.shape[1]
        guard (b.rank == 1 || b.rank == 2), b.shape[0] == m else {
            throw DendriteError.shapeMismatch(operation: "leastSquares", expected: "B of [\(m)] or [\(m), k]", got: "\(b.shape)")
        }
        let k = b.rank == 1 ? 1 : b.shape[1]
        let rows = max(m, n)
        let factors = a.storage.copy()
        let work = TensorStorage(count: rows * k)
        work.base.update(from: b.storage.base, count: m * k)
        let info = LAPACKE_sgels(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "N")), Int32(m), Int32(n), Int32(k),
                                 factors.base, Int32(max(n, 1)), work.base, Int32(max(k, 1)))
        if info > 0 {
            throw DendriteError.singularMatrix(operation: "leastSquares (A is rank-deficient)", pivot: Int(info))
        }
        try check(info, "leastSquares", singular: false)
        let result = TensorStorage(count: n * k)
        result.base.update(from: work.base, count: n * k)
        return Tensor(shape: b.rank == 1 ? [n] : [n, k], storage: result)
    }

    /// The minimum-norm least-squares solution of `A·X ≈ B` for any `A` `[m, n]`, rank-deficient
    /// included (SVD, `gelsd`; singular values below `rcond`·σ_max count as zero, machine
    /// precision when `rcond` is negative) — NumPy's and SciPy's `lstsq`.
    public static func minimumNormLeastSquares(_ a: Tensor, _ b: Tensor, rcond: Float = -1) throws -> (solution: Tensor, rank: Int) {
        guard a.rank == 2 else { throw DendriteError.shapeMismatch(operation: "minimumNormLeastSquares", expected: "a matrix", got: "\(a.shape)") }
        let m = a.shape[0], n = a.shape[1]
        guard (b.rank == 1 || b.rank == 2), b.shape[0] == m else {
            throw DendriteError.shapeMismatch(operation: "minimumNormLeastSquares", expected: "B of [\(m)] or [\(m), k]", got: "\(b.shape)")
        }
        let k = b.rank == 1 ? 1 : b.shape[1], rows = max(m, n)
        let factors = a.storage.copy(), work = TensorStorage(count: rows * k)
        work.base.update(from: b.storage.base, count: m * k)
        var singular = [Float](repeating: 0, count: max(1, min(m, n)))
        var rank: Int32 = 0
        let info = LAPACKE_sgelsd(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(k), factors.base, Int32(max(n, 1)), work.base,
                                  Int32(max(k, 1)), &singular, rcond, &rank)
        if info > 0 { throw DendriteError.noConvergence(operation: "minimumNormLeastSquares (SVD)", info: Int(info)) }
        try check(info, "minimumNormLeastSquares", singular: false)
        let result = TensorStorage(count: n * k)
        result.base.update(from: work.base, count: n * k)
        return (Tensor(shape: b.rank == 1 ? [n] : [n, k], storage: result), Int(rank))
    }

    /// Solves `A·X = B` for symmetric positive-definite `A` `[n, n]` by Cholesky (`posv`), `B` `[n]` or `[n, k]`.
    ///
    /// - Throws: ``DendriteError/notPositiveDefinite(operation:order:)`` when `A` is not.
    public static func solvePositiveDefinite(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let n = try squareSize(a, "solvePositiveDefinite")
        guard (b.rank == 1 || b.rank == 2), b.shape[0] == n else {
            throw DendriteError.shapeMismatch(operation: "solvePositiveDefinite", expected: "B of [\(n)] or [\(n), k]", got: "\(b.shape)")
        }
        let k = b.rank == 1 ? 1 : b.shape[1]
        let factor = a.storage.copy(), solution = b.storage.copy()
        let info = LAPACKE_sposv(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), Int32(k), factor.base, Int32(max(n, 1)),
                                 solution.base, Int32(max(k, 1)))
        if info > 0 { throw DendriteError.notPositiveDefinite(operation: "solvePositiveDefinite", order: Int(info)) }
        try check(info, "solvePositiveDefinite", singular: false)
        return Tensor(shape: b.shape, storage: solution)
    }

    /// The lower-triangular `L` with `L·Lᵀ = A` for symmetric positive-definite `A` (`potrf`).
    public static func cholesky(_ a: Tensor) throws -> Tensor {
        let n = try squareSize(a, "cholesky")
        let factor = a.storage.copy()
        let info = LAPACKE_spotrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), factor.base, Int32(max(n, 1)))
        if info > 0 { throw DendriteError.notPositiveDefinite(operation: "cholesky", order: Int(info)) }
        try check(info, "cholesky", singular: false)
        for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { factor.base[i * n + j] = 0 } }
        return Tensor(shape: [n, n], storage: factor)
    }

    /// Reduced QR of `A` `[m, n]`: `Q` `[m, r]` with orthonormal columns and upper-triangular
    /// `R` `[r, n]`, `r = min(m, n)` (`geqrf` + `orgqr`).
    public static func qr(_ a: Tensor) throws -> (q: Tensor, r: Tensor) {
        guard a.rank == 2 else { throw DendriteError.shapeMismatch(operation: "qr", expected: "a matrix", got: "\(a.shape)") }
        let m = a.shape[0], n = a.shape[1], r = min(m, n)
        let factors = a.storage.copy()
        var tau = [Float](repeating: 0, count: max(r, 1))
        try check(LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), factors.base, Int32(max(n, 1)), &tau),
                  "qr", singular: false)
        let upper = TensorStorage(count: r * n)
        for i in 0..<r { for j in i..<n { upper.base[i * n + j] = factors.base[i * n + j] } }
        let q = TensorStorage(count: m * r)
        for i in 0..<m { for j in 0..<r { q.base[i * r + j] = factors.base[i * n + j] } }
        if r > 0 {
            try check(LAPACKE_sorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(r), Int32(r), q.base, Int32(r), &tau),
                      "qr", singular: false)
        }
        return (Tensor(shape: [m, r], storage: q), Tensor(shape: [r, n], storage: upper))
    }

    /// Thin singular value decomposition `A = U·diag(S)·Vᵀ` (`gesdd`).
    ///
    /// - Returns: `u` `[m, r]`, `s` `[r]` in descending order, `vt` `[r, n]`, `r = min(m, n)`.
    public static func svd(_ a: Tensor) throws -> (u: Tensor, s: Tensor, vt: Tensor) {
        guard a.rank == 2 else { throw DendriteError.shapeMismatch(operation: "svd", expected: "a matrix", got: "\(a.shape)") }
        let m = a.shape[0], n = a.shape[1], r = min(m, n)
        let work = a.storage.copy()
        let s = TensorStorage(count: r), u = TensorStorage(count: m * r), vt = TensorStorage(count: r * n)
        if r > 0 {
            let info = LAPACKE_sgesdd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "S")), Int32(m), Int32(n), work.base,
                                      Int32(n), s.base, u.base, Int32(r), vt.base, Int32(n))
            if info > 0 { throw DendriteError.noConvergence(operation: "svd", info: Int(info)) }
            try check(info, "svd", singular: false)
        }
        return (Tensor(shape: [m, r], storage: u), Tensor(shape: [r], storage: s), Tensor(shape: [r, n], storage: vt))
    }

    /// Eigen-decomposition of a symmetric matrix (`syevd`, upper triangle read).
    ///
    /// - Returns: eigenvalues `[n]` ascending and eigenvectors as the columns of `[n, n]`.
    public static func symmetricEigen(_ a: Tensor) throws -> (values: Tensor, vectors: Tensor) {
        let n = try squareSize(a, "symmetricEigen")
        let vectors = a.storage.copy(), values = TensorStorage(count: n)
        if n > 0 {
            let info = LAPACKE_ssyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")),
                                      Int32(n), vectors.base, Int32(n), values.base)
            if info > 0 { throw DendriteError.noConvergence(operation: "symmetricEigen", info: Int(info)) }
            try check(info, "symmetricEigen", singular: false)
        }
        return (Tensor(shape: [n], storage: values), Tensor(shape: [n, n], storage: vectors))
    }

    /// The inverse of a square matrix (`getrf` + `getri`).
    public static func inverse(_ a: Tensor) throws -> Tensor {
        let n = try squareSize(a, "inverse")
        let result = a.storage.copy()
        guard n > 0 else { return Tensor(shape: [0, 0], storage: result) }
        var pivots = [Int32](repeating: 0, count: n)
        try check(LAPACKE_sgetrf(LAPACK_ROW_MAJOR, Int32(n), Int32(n), result.base, Int32(n), &pivots),
                  "inverse", singular: true)
        try check(LAPACKE_sgetri(LAPACK_ROW_MAJOR, Int32(n), result.base, Int32(n), &pivots), "inverse", singular: true)
        return Tensor(shape: [n, n], storage: result)
    }

    /// The determinant of a square matrix, from its LU factors (0 for a singular matrix).
    public static func determinant(_ a: Tensor) throws -> Float {
        let n = try squareSize(a, "determinant")
        guard n > 0 else { return 1 }
        let factors = a.storage.copy()
        var pivots = [Int32](repeating: 0, count: n)
        let info = LAPACKE_sgetrf(LAPACK_ROW_MAJOR, Int32(n), Int32(n), factors.base, Int32(n), &pivots)
        if info > 0 { return 0 }
        try check(info, "determinant", singular: false)
        var result: Double = 1
        for i in 0..<n {
            result *= Double(factors.base[i * n + i])
            if pivots[i] != Int32(i + 1) { result = -result }
        }
        return Float(result)
    }

    private static func squareSize(_ a: Tensor, _ operation: String) throws -> Int {
        guard a.rank == 2, a.shape[0] == a.shape[1] else {
            throw DendriteError.shapeMismatch(operation: operation, expected: "a square matrix", got: "\(a.shape)")
        }
        return a.shape[0]
    }

    private static func check(_ info: Int32, _ operation: String, singular: Bool) throws {
        if info < 0 { throw DendriteError.lapackArgument(operation: operation, info: Int(info)) }
        if info > 0 {
            if singular { throw DendriteError.singularMatrix(operation: operation, pivot: Int(info)) }
            throw DendriteError.noConvergence(operation: operation, info: Int(info))
        }
    }
}
