import XCTest
@testable import Dendrite

final class GEMMTests: XCTestCase {
    /// 256 random cases: sizes 1…67 (1 and primes favoured), all transposes, alpha/beta ≠ 0/1,
    /// leading dimensions wider than the logical rows.
    func testGEMMMatchesNaiveOnRandomShapes() throws {
        var generator = RandomGenerator(seed: 2024)
        let favoured = [1, 2, 3, 5, 7, 13, 31, 61, 67]
        func size() -> Int {
            generator.nextInt(below: 2) == 0 ? favoured[generator.nextInt(below: favoured.count)] : 1 + generator.nextInt(below: 67)
        }
        for trial in 0..<256 {
            let transposeA = trial % 2 == 1, transposeB = (trial / 2) % 2 == 1
            let m = size(), n = size(), k = size()
            let (rowsA, colsA) = transposeA ? (k, m) : (m, k)
            let (rowsB, colsB) = transposeB ? (n, k) : (k, n)
            let lda = colsA + generator.nextInt(below: 4), ldb = colsB + generator.nextInt(below: 4)
            let ldc = n + generator.nextInt(below: 4)
            let alpha = -1.5 + 3 * generator.nextUniform(), beta = -1.5 + 3 * generator.nextUniform()
            let a = Tensor.uniform([rowsA * lda], low: -1, high: 1, generator: &generator)
            let b = Tensor.uniform([rowsB * ldb], low: -1, high: 1, generator: &generator)
            let c0 = Tensor.uniform([m * ldc], low: -1, high: 1, generator: &generator)
            var fast = c0, reference = c0
            try gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                     a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &fast, ldc: ldc)
            try gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: &reference, ldc: ldc)
            assertClose(fast, reference, rtol: 1e-4, atol: 1e-4,
                        "trial \(trial): m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB) lda \(lda) ldb \(ldb) ldc \(ldc)")
            // Padding columns of C beyond n stay untouched.
            for row in 0..<m {
                for column in n..<ldc {
                    XCTAssertEqual(fast.scalars[row * ldc + column], c0.scalars[row * ldc + column])
                }
            }
        }
    }

    func testNaiveGEMMAgainstHandComputedProduct() throws {
        let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        var c = try Tensor.ones([2, 2])
        try gemmNaive(m: 2, n: 2, k: 3, alpha: 2, a: a, b: b, beta: -1, c: &c)
        XCTAssertEqual(c.scalars, [115, 127, 277, 307] as [Float])  // 2·A·B − 1; A·B = [[58, 64], [139, 154]]
    }

    func testBetaZeroIgnoresNaNInOutput() throws {
        let a = try Tensor.ones([2, 2]), b = try Tensor.ones([2, 2])
        var fast = try Tensor.full([2, 2], .nan), reference = try Tensor.full([2, 2], .nan)
        try gemm(m: 2, n: 2, k: 2, a: a, b: b, beta: 0, c: &fast)
        try gemmNaive(m: 2, n: 2, k: 2, a: a, b: b, beta: 0, c: &reference)
        XCTAssertEqual(fast.scalars, [2, 2, 2, 2])
        XCTAssertEqual(reference.scalars, [2, 2, 2, 2])
    }

    /// beta = 0 clears C before the product (Dendrite does it, not OpenBLAS): NaN in C must not
    /// survive, padding columns beyond n stay untouched, on thin products (run on one OpenBLAS
    /// thread) and wide ones alike — and the configured thread count is back afterwards.
    func testBetaZeroClearsOnlyTheProductColumnsAndRestoresTheThreadCount() throws {
        let original = Dendrite.threadCount
        defer { Dendrite.threadCount = original }
        Dendrite.threadCount = 2
        let backend = Dendrite.backendDescription   // names OpenBLAS's live thread count
        var generator = RandomGenerator(seed: 77)
        for (m, n, k, thin) in [(37, 10, 53, true), (10, 45, 128, true), (41, 47, 33, false)] {
            XCTAssertEqual(isThinProduct(m: m, n: n, k: k), thin, "\(m)×\(n)×\(k)")
            for ldc in [n, n + 3] {
                let a = Tensor.uniform([m * k], low: -1, high: 1, generator: &generator)
                let b = Tensor.uniform([k * n], low: -1, high: 1, generator: &generator)
                var fast = try Tensor.full([m * ldc], .nan), reference = try Tensor.full([m * ldc], .nan)
                try gemm(m: m, n: n, k: k, a: a, b: b, beta: 0, c: &fast, ldc: ldc)
                try gemmNaive(m: m, n: n, k: k, a: a, b: b, beta: 0, c: &reference, ldc: ldc)
                for row in 0..<m {
                    for column in 0..<ldc {
                        let (got, want) = (fast.scalars[row * ldc + column], reference.scalars[row * ldc + column])
                        if column < n {
                            XCTAssertEqual(got, want, accuracy: 1e-4, "\(m)×\(n)×\(k) ldc \(ldc) at (\(row), \(column))")
                        } else {
                            XCTAssertTrue(got.isNaN, "padding column \(column) of row \(row) was written")
                        }
                    }
                }
                XCTAssertEqual(Dendrite.backendDescription, backend, "OpenBLAS's thread count is back")
            }
        }
    }

    /// More cores than products per core: with 4 threads, 5 small products split in shares of
    /// 2 leave the last share empty — it must be skipped, and every product still computed.
    func testBatchedProductsSplitUnevenlyOverMoreCoresThanShares() throws {
        let original = Dendrite.threadCount
        defer { Dendrite.threadCount = original }
        Dendrite.threadCount = 4
        var generator = RandomGenerator(seed: 91)
        for batch in [5, 7, 9] {
            let a = Tensor.normal([batch, 6, 5], generator: &generator), b = Tensor.normal([batch, 5, 4], generator: &generator)
            var fast = try Tensor.zeros([batch, 6, 4])
            try batchedGEMM(batch: batch, m: 6, n: 4, k: 5, a: a, b: b, c: &fast)
            for i in 0..<batch {
                var reference = try Tensor.zeros([6, 4])
                try gemmNaive(m: 6, n: 4, k: 5, a: try a.slice(i..<(i + 1)).reshaped(to: [6, 5]),
                              b: try b.slice(i..<(i + 1)).reshaped(to: [5, 4]), c: &reference)
                assertClose(try fast.slice(i..<(i + 1)).reshaped(to: [6, 4]), reference, rtol: 1e-5, atol: 1e-5, "batch \(batch) product \(i)")
            }
        }
    }

    func testGEMMRejectsUndersizedOperandsAndLeadingDimensions() throws {
        let a = try Tensor.ones([2, 3]), b = try Tensor.ones([3, 4])
        var c = try Tensor.zeros([2, 4])
        XCTAssertThrowsError(try gemm(m: 2, n: 4, k: 3, a: a, lda: 2, b: b, c: &c)) { error in
            XCTAssertEqual(error as? DendriteError,
                           .invalidArgument(operation: "gemm", argument: "lda", reason: "2 is less than the row width 3"))
        }
        var small = try Tensor.zeros([7])
        XCTAssertThrowsError(try gemm(m: 2, n: 4, k: 3, a: a, b: b, c: &small)) { error in
            guard case let .invalidArgument(_, argument, _)? = error as? DendriteError else { return XCTFail("\(error)") }
            XCTAssertEqual(argument, "c")
        }
        XCTAssertThrowsError(try gemm(m: -1, n: 4, k: 3, a: a, b: b, c: &c))
    }

    func testBatchedGEMMMatchesPerMatrixProductsAndBroadcastsSharedOperand() throws {
        var generator = RandomGenerator(seed: 5)
        let (batch, m, n, k) = (4, 5, 7, 3)
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = Tensor.normal([batch, transposeA ? k : m, transposeA ? m : k], generator: &generator)
            let shared = Tensor.normal([transposeB ? n : k, transposeB ? k : n], generator: &generator)
            var c = try Tensor.zeros([batch, m, n])
            try batchedGEMM(transposeA: transposeA, transposeB: transposeB, batch: batch, m: m, n: n, k: k,
                            alpha: 0.5, a: a, b: shared, c: &c)
            for i in 0..<batch {
                var expected = try Tensor.zeros([m, n])
                try gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                              a: try a[i], b: shared, c: &expected)
                assertClose(try c[i], expected, "batch \(i) tA \(transposeA) tB \(transposeB)")
            }
        }
        var c = try Tensor.zeros([2, 2, 2])
        XCTAssertThrowsError(try batchedGEMM(batch: 2, m: 2, n: 2, k: 2, a: Tensor.ones([3, 2, 2]), b: Tensor.ones([2, 2]), c: &c))
    }

    func testGEMVBothOrientations() throws {
        let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var y = try Tensor.ones([2])
        try gemv(m: 2, n: 3, alpha: 1, a: a, x: Tensor([1, 1, 1]), beta: 2, y: &y)
        XCTAssertEqual(y.scalars, [8, 17])
        var z = try Tensor.zeros([3])
        try gemv(transpose: true, m: 2, n: 3, a: a, x: Tensor([1, -1]), y: &z)
        XCTAssertEqual(z.scalars, [-3, -3, -3])
        XCTAssertThrowsError(try gemv(m: 2, n: 3, a: a, x: Tensor([1, 1]), y: &y))
    }
}
