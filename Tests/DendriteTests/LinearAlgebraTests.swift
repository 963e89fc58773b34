import XCTest
@testable import Dendrite

final class LinearAlgebraTests: XCTestCase {
    var generator = RandomGenerator(seed: 11)

    func randomMatrix(_ rows: Int, _ columns: Int) -> Tensor {
        Tensor.normal([rows, columns], generator: &generator)
    }

    func testSolveSatisfiesAXEqualsB() throws {
        for n in [1, 3, 7, 17] {
            let a = try randomMatrix(n, n) + Tensor.identity(n) * Float(n)
            let b = randomMatrix(n, 3)
            let x = try LinearAlgebra.solve(a, b)
            assertClose(try a.matmul(x), b, rtol: 1e-3, atol: 1e-4, "n \(n)")
            let v = Tensor.normal([n], generator: &generator)
            assertClose(try a.matmul(try LinearAlgebra.solve(a, v)), v, rtol: 1e-3, atol: 1e-4)
        }
    }

    func testSingularMatrixThrowsTypedErrorWithPivot() throws {
        let singular = try Tensor(shape: [3, 3], scalars: [1, 2, 3, 2, 4, 6, 1, 0, 1])
        XCTAssertThrowsError(try LinearAlgebra.solve(singular, Tensor([1, 2, 3]))) { error in
            guard case let .singularMatrix(operation, pivot)? = error as? DendriteError else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "solve")
            XCTAssertEqual(pivot, 3)
        }
        XCTAssertThrowsError(try LinearAlgebra.inverse(singular))
        XCTAssertEqual(try LinearAlgebra.determinant(singular), 0)
        XCTAssertThrowsError(try LinearAlgebra.solve(Tensor.ones([2, 3]), Tensor([1, 2])))
    }

    func testLeastSquaresRecoversExactSolutionAndMinimizesResidual() throws {
        let a = randomMatrix(9, 4)
        let truth = randomMatrix(4, 2)
        let b = try a.matmul(truth)
        assertClose(try LinearAlgebra.leastSquares(a, b), truth, rtol: 1e-3, atol: 1e-4)
        // Noisy right side: the residual is orthogonal to the columns of A.
        let noisy = try b + randomMatrix(9, 2)
        let x = try LinearAlgebra.leastSquares(a, noisy)
        let residual = try noisy - a.matmul(x)
        assertClose(try a.transposed().matmul(residual), try Tensor.zeros([4, 2]), atol: 1e-3)
    }

    func testCholeskyReconstructsAndRejectsIndefinite() throws {
        let m = randomMatrix(6, 6)
        let spd = try m.matmul(m.transposed()) + Tensor.identity(6)
        let l = try LinearAlgebra.cholesky(spd)
        assertClose(try l.matmul(l.transposed()), spd, rtol: 1e-3, atol: 1e-4)
        for i in 0..<6 { for j in (i + 1)..<6 { XCTAssertEqual(try l.scalar(at: [i, j]), 0) } }
        let indefinite = try Tensor(shape: [2, 2], scalars: [1, 2, 2, 1])
        XCTAssertThrowsError(try LinearAlgebra.cholesky(indefinite)) { error in
            XCTAssertEqual(error as? DendriteError, .notPositiveDefinite(operation: "cholesky", order: 2))
        }
    }

    func testQRIsOrthonormalTimesUpperTriangular() throws {
        for (m, n) in [(7, 4), (4, 7), (5, 5)] {
            let a = randomMatrix(m, n)
            let (q, r) = try LinearAlgebra.qr(a)
            let k = min(m, n)
            XCTAssertEqual(q.shape, [m, k])
            XCTAssertEqual(r.shape, [k, n])
            assertClose(try q.transposed().matmul(q), Tensor.identity(k), atol: 1e-4)
            assertClose(try q.matmul(r), a, rtol: 1e-3, atol: 1e-4)
            for i in 0..<k { for j in 0..<min(i, n) { XCTAssertEqual(try r.scalar(at: [i, j]), 0) } }
        }
    }

    func testSVDReconstructsWithDescendingSingularValues() throws {
        for (m, n) in [(6, 4), (3, 8)] {
            let a = randomMatrix(m, n)
            let (u, s, vt) = try LinearAlgebra.svd(a)
            let k = min(m, n)
            XCTAssertEqual(s.scalars, s.scalars.sorted(by: >))
            let diagonal = try Tensor.identity(k) * s
            assertClose(try u.matmul(diagonal).matmul(vt), a, rtol: 1e-3, atol: 1e-4)
            assertClose(try u.transposed().matmul(u), Tensor.identity(k), atol: 1e-4)
            assertClose(try vt.matmul(vt.transposed()), Tensor.identity(k), atol: 1e-4)
        }
    }

    func testSymmetricEigenSatisfiesAVEqualsVLambda() throws {
        let m = randomMatrix(5, 5)
        let symmetric = try m + m.transposed()
        let (values, vectors) = try LinearAlgebra.symmetricEigen(symmetric)
        XCTAssertEqual(values.scalars, values.scalars.sorted())
        assertClose(try symmetric.matmul(vectors), try vectors * values, rtol: 1e-3, atol: 1e-4)
    }

    func testInverseAndDeterminant() throws {
        let a = try Tensor(shape: [3, 3], scalars: [2, 0, 1, 1, 3, 2, 1, 1, 2])
        XCTAssertEqual(try LinearAlgebra.determinant(a), 6, accuracy: 1e-5)
        assertClose(try a.matmul(try LinearAlgebra.inverse(a)), Tensor.identity(3), atol: 1e-5)
        let swapped = try Tensor(shape: [2, 2], scalars: [0, 1, 1, 0])
        XCTAssertEqual(try LinearAlgebra.determinant(swapped), -1)
    }
}
