import XCTest
@testable import Dendrite

final class TensorTests: XCTestCase {
    func testCreationAndCountValidation() throws {
        XCTAssertEqual(try Tensor.zeros([2, 3]).scalars, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(try Tensor.ones([2]).scalars, [1, 1])
        XCTAssertEqual(try Tensor.full([1, 2], 7).scalars, [7, 7])
        XCTAssertEqual(try Tensor.arange(0, 5).scalars, [0, 1, 2, 3, 4])
        XCTAssertEqual(try Tensor.arange(1, 2, step: 0.25).scalars, [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(try Tensor.arange(3, 0, step: -1).scalars, [3, 2, 1])
        XCTAssertThrowsError(try Tensor.arange(0, 1, step: 0))
        XCTAssertThrowsError(try Tensor(shape: [2, 2], scalars: [1, 2, 3])) { error in
            XCTAssertEqual(error as? DendriteError, .countMismatch(shape: [2, 2], expectedCount: 4, got: 3))
        }
        XCTAssertThrowsError(try Tensor(shape: [-1, 2], scalars: []))
        XCTAssertThrowsError(try Tensor(rows: [[1, 2], [3]]))
        XCTAssertEqual(try Tensor(rows: [[1, 2], [3, 4]]).shape, [2, 2])
        XCTAssertEqual(Tensor(3).rank, 0)
        XCTAssertEqual(Tensor(3).scalar, 3)
    }

    func testCopyOnWriteKeepsValuesIndependent() throws {
        let a = try Tensor(shape: [2], scalars: [1, 2])
        var b = a
        try b.setScalar(9, at: [0])
        XCTAssertEqual(a.scalars, [1, 2])
        XCTAssertEqual(b.scalars, [9, 2])
        var c = try a.reshaped(to: [1, 2])
        c += 1
        XCTAssertEqual(a.scalars, [1, 2])
        XCTAssertEqual(c.scalars, [2, 3])
        XCTAssertThrowsError(try b.setScalar(1, at: [2]))
    }

    func testBroadcastingArithmeticFollowsNumPy() throws {
        let column = try Tensor(shape: [3, 1], scalars: [1, 2, 3])
        let row = try Tensor(shape: [1, 4], scalars: [10, 20, 30, 40])
        let sum = try column + row
        XCTAssertEqual(sum.shape, [3, 4])
        XCTAssertEqual(sum.scalars, [11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43])
        let cube = try Tensor.arange(0, 24).reshaped(to: [2, 3, 4])
        let bias = Tensor([1, 2, 3, 4])
        XCTAssertEqual(try (cube + bias).scalars, (0..<24).map { Float($0) + Float($0 % 4 + 1) })
        let middle = try Tensor(shape: [3, 1], scalars: [1, 0, -1])
        XCTAssertEqual(try (cube * middle).scalars, (0..<24).map { Float($0) * [1, 0, -1][($0 / 4) % 3] })
        let outer = try Tensor(shape: [2, 1, 1], scalars: [1, 2])
        XCTAssertEqual(try (outer - middle).shape, [2, 3, 1])
        XCTAssertEqual(try (outer - middle).scalars, [0, 1, 2, 1, 2, 3])
        XCTAssertEqual(try (Tensor(2) / Tensor([1, 4])).scalars, [2, 0.5])
        XCTAssertEqual((2 - Tensor([1, 4])).scalars, [1, -2])
        XCTAssertThrowsError(try Tensor.zeros([2, 3]) + Tensor.zeros([2])) { error in
            guard case .shapeMismatch(let operation, _, _)? = error as? DendriteError else { return XCTFail() }
            XCTAssertEqual(operation, "+")
        }
        var accumulator = try Tensor.zeros([2, 2])
        try accumulator += Tensor([1, 2])
        XCTAssertEqual(accumulator.scalars, [1, 2, 1, 2])
        XCTAssertThrowsError(try accumulator += Tensor.zeros([3, 2, 2]))
    }

    func testUnaryMathComparisonsAndWhere() throws {
        let x = Tensor([-2, -0.5, 0, 1, 3])
        XCTAssertEqual(x.relu().scalars, [0, 0, 0, 1, 3])
        XCTAssertEqual(x.abs().scalars, [2, 0.5, 0, 1, 3])
        XCTAssertEqual(x.clamped(min: -1, max: 2).scalars, [-1, -0.5, 0, 1, 2])
        assertClose(x.exp().log(), x, atol: 1e-6)
        assertClose(x.sigmoid(), Tensor(x.scalars.map { 1 / (1 + Foundation.exp(-$0)) }), atol: 1e-7)
        XCTAssertEqual(Tensor([-200, 200]).sigmoid().scalars, [0, 1])
        assertClose(x.tanh(), Tensor(x.scalars.map { Foundation.tanh($0) }), atol: 1e-7)
        XCTAssertEqual(Tensor([4, 9]).sqrt().scalars, [2, 3])
        XCTAssertEqual(Tensor([2, 3]).pow(3).scalars, [8, 27])
        XCTAssertEqual(try Tensor([2, 3]).pow(Tensor([2, 0])).scalars, [4, 1])
        let mask = x.greater(0)
        XCTAssertEqual(mask.scalars, [0, 0, 0, 1, 1])
        XCTAssertEqual(try x.lessEqual(Tensor(0)).scalars, [1, 1, 1, 0, 0])
        XCTAssertEqual(try Tensor.where(mask, x, Tensor(-1)).scalars, [-1, -1, -1, 1, 3])
        XCTAssertEqual(try Tensor.where(Tensor([1, 0]), Tensor.ones([2, 2]), Tensor.zeros([2, 1])).scalars, [1, 0, 1, 0])
    }

    func testReductionsAlongAnyAxis() throws {
        let x = try Tensor.arange(0, 24).reshaped(to: [2, 3, 4])
        XCTAssertEqual(x.sum().scalar, 276)
        XCTAssertEqual(x.mean().scalar, 11.5)
        XCTAssertEqual(try x.sum(alongAxes: 0).scalars, (0..<12).map { Float($0 + $0 + 12) })
        XCTAssertEqual(try x.sum(alongAxes: 1).shape, [2, 4])
        XCTAssertEqual(try x.sum(alongAxes: 1).scalars, [12, 15, 18, 21, 48, 51, 54, 57])
        XCTAssertEqual(try x.sum(alongAxes: -1, keepingDimensions: true).shape, [2, 3, 1])
        XCTAssertEqual(try x.sum(alongAxes: -1).scalars, [6, 22, 38, 54, 70, 86])
        XCTAssertEqual(try x.sum(alongAxes: [0, 2]).scalars, [60, 92, 124])
        XCTAssertEqual(try x.mean(alongAxes: 2).scalars, [1.5, 5.5, 9.5, 13.5, 17.5, 21.5])
        XCTAssertEqual(try x.max(alongAxes: 1).scalars, [8, 9, 10, 11, 20, 21, 22, 23])
        XCTAssertEqual(try x.min(alongAxes: 0, 2).scalars, [0, 4, 8])
        XCTAssertEqual(x.max().scalar, 23)
        XCTAssertEqual(x.min().scalar, 0)
        let y = try Tensor(shape: [2, 3], scalars: [3, 7, 7, -1, -5, 2])
        XCTAssertEqual(try y.argmax(alongAxis: 1), [1, 2])
        XCTAssertEqual(try y.argmin(alongAxis: 1), [0, 1])
        XCTAssertEqual(try y.argmax(alongAxis: 0), [0, 0, 0])
        XCTAssertEqual(Tensor([1, 2, 3, 4]).variance().scalar, 1.25)
        XCTAssertEqual(Tensor([1, 2, 3, 4]).variance(unbiased: true).scalar!, 5.0 / 3.0, accuracy: 1e-6)
        XCTAssertEqual(try y.variance(alongAxes: [1]).scalars[0], 32.0 / 9.0, accuracy: 1e-5)
        XCTAssertThrowsError(try x.sum(alongAxes: 3)) { error in
            guard case .invalidArgument(let operation, let argument, _)? = error as? DendriteError else { return XCTFail() }
            XCTAssertEqual(operation, "sum")
            XCTAssertEqual(argument, "axis 3")
        }
        XCTAssertTrue(Tensor([1, .nan]).max().scalar!.isNaN)
        // A long sum is accurate (Double accumulation; a naive Float loop drifts by hundreds).
        XCTAssertEqual(try Tensor.full([1_000_003], 0.1).sum().scalar!, 100_000.3, accuracy: 0.02)
    }

    func testShapeOperations() throws {
        let x = try Tensor.arange(0, 6).reshaped(to: [2, 3])
        XCTAssertEqual(try x.reshaped(to: [3, -1]).shape, [3, 2])
        XCTAssertThrowsError(try x.reshaped(to: [4, -1]))
        XCTAssertThrowsError(try x.reshaped(to: [-1, -1]))
        XCTAssertEqual(x.transposed().scalars, [0, 3, 1, 4, 2, 5])
        let cube = try Tensor.arange(0, 24).reshaped(to: [2, 3, 4])
        let permuted = try cube.permuted([2, 0, 1])
        XCTAssertEqual(permuted.shape, [4, 2, 3])
        XCTAssertEqual(try permuted.scalar(at: [3, 1, 2]), try cube.scalar(at: [1, 2, 3]))
        XCTAssertEqual(try cube.transposed(0, 2).shape, [4, 3, 2])
        XCTAssertThrowsError(try cube.permuted([0, 0, 1]))
        XCTAssertEqual(try x.slice(1..<2).scalars, [3, 4, 5])
        XCTAssertEqual(try cube.slice(alongAxis: 2, 1..<3).scalars, [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22])
        XCTAssertThrowsError(try x.slice(1..<3))
        XCTAssertEqual(try x[1].scalars, [3, 4, 5])
        XCTAssertThrowsError(try x[2])
        XCTAssertEqual(try Tensor.concat([x, x], alongAxis: 1).scalars, [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
        XCTAssertEqual(try Tensor.concat([x, x[0].reshaped(to: [1, 3])]).shape, [3, 3])
        XCTAssertThrowsError(try Tensor.concat([x, Tensor.zeros([2, 2])]))
        let stacked = try Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], alongAxis: 1)
        XCTAssertEqual(stacked.shape, [2, 2])
        XCTAssertEqual(stacked.scalars, [1, 3, 2, 4])
        XCTAssertThrowsError(try Tensor.stack([Tensor([1, 2]), Tensor([3])]))
        XCTAssertEqual(try x.expandingShape(at: 0).shape, [1, 2, 3])
        XCTAssertEqual(try x.expandingShape(at: 0).squeezed().shape, [2, 3])
        XCTAssertEqual(cube.flattenedBatch().shape, [2, 12])
    }

    func testMatmulCoversVectorMatrixAndBatchedCases() throws {
        let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1])
        XCTAssertEqual(try a.matmul(b).scalars, [4, 5, 10, 11])
        XCTAssertEqual(try a.matmul(Tensor([1, 1, 1])).scalars, [6, 15])
        XCTAssertEqual(try Tensor([1, 1]).matmul(a).scalars, [5, 7, 9])
        XCTAssertEqual(try Tensor([1, 2]).matmul(Tensor([3, 4])).scalar, 11)
        let batch = try Tensor.stack([a, a * 2])
        XCTAssertEqual(try batch.matmul(b).scalars, [4, 5, 10, 11, 8, 10, 20, 22])
        let bs = try Tensor.stack([b, b])
        XCTAssertEqual(try batch.matmul(bs).scalars, [4, 5, 10, 11, 8, 10, 20, 22])
        XCTAssertEqual(try a.matmul(bs).shape, [2, 2, 2])
        XCTAssertThrowsError(try a.matmul(a)) { error in
            guard case .shapeMismatch(let operation, _, _)? = error as? DendriteError else { return XCTFail() }
            XCTAssertEqual(operation, "matmul")
        }
    }

    func testDescriptionReadsLikeNumPyAndSummarizesLargeTensors() throws {
        let x = try Tensor(shape: [2, 2], scalars: [1, 2.5, -3, 4])
        XCTAssertEqual(x.description, "[[1, 2.5],\n [-3, 4]]")
        XCTAssertEqual(Tensor(5).description, "5")
        XCTAssertEqual(Tensor([.nan, .infinity]).description, "[nan, inf]")
        let cube = try Tensor.arange(0, 8).reshaped(to: [2, 2, 2])
        XCTAssertEqual(cube.description, "[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]")
        let large = try Tensor.arange(0, 2000)
        XCTAssertEqual(large.description, "[0, 1, 2, ..., 1997, 1998, 1999]")
        XCTAssertEqual(Tensor([1]).debugDescription, "Tensor([1]) [1]")
    }
}
