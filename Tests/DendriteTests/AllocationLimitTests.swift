import Dendrite
import XCTest

/// Ops whose result outgrows their operands check it against the machine's memory before
/// allocating: a typed error naming the op, not a failed allocation that ends the process.
final class AllocationLimitTests: XCTestCase {
    /// 2¹⁸ elements each way: the outer results hold 2³⁶ floats (256 GiB), beyond any test machine.
    let n = 1 << 18

    func testAnOuterSumThatCannotFitIsATypedError() throws {
        let column = try Tensor.zeros([n, 1]), row = try Tensor.zeros([1, n])
        XCTAssertThrowsError(try column + row) { error in
            XCTAssertTrue("\(error)".contains("+") && "\(error)".contains("more than this machine's memory"), "\(error)")
        }
        XCTAssertThrowsError(try column * row) { XCTAssertTrue("\($0)".contains("more than this machine's memory"), "\($0)") }
        // Results no larger than an operand are not re-checked, and small outer sums work.
        XCTAssertEqual(try (column + column).shape, [n, 1])
        XCTAssertEqual(try (Tensor.zeros([3, 1]) + Tensor.zeros([1, 4])).shape, [3, 4])
    }

    func testAnOuterProductThatCannotFitIsATypedError() throws {
        XCTAssertThrowsError(try Tensor.zeros([n, 1]).matmul(try Tensor.zeros([1, n]))) { error in
            XCTAssertTrue("\(error)".contains("matmul") && "\(error)".contains("more than this machine's memory"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor.zeros([1, n, 1]).matmul(try Tensor.zeros([1, 1, n]))) { error in
            XCTAssertTrue("\(error)".contains("batched matmul"), "\(error)")
        }
    }

    func testAConvolutionWhoseOutputCannotFitIsATypedError() throws {
        XCTAssertThrowsError(try Conv2DGeometry(batch: 1, inputChannels: 1, inputHeight: 1, inputWidth: 1, outputChannels: 1 << 20,
                                                kernelSize: (1, 1), padding: (1 << 13, 1 << 13))) { error in
            XCTAssertTrue("\(error)".contains("Conv2DGeometry output") && "\(error)".contains("memory"), "\(error)")
        }
        XCTAssertThrowsError(try Conv2DGeometry(batch: 1, inputChannels: 1, inputHeight: 1, inputWidth: 1, outputChannels: 1,
                                                kernelSize: (1, 1), padding: (Int.max / 2, 0))) { error in
            XCTAssertTrue("\(error)".contains("padding"), "\(error)")
        }
    }
}
