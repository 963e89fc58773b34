import XCTest
@testable import Dendrite

/// Element-wise closeness: every |a − b| ≤ atol + rtol·|b|; reports the worst element.
func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "shape \(message())", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    assertClose(actual.scalars, expected.scalars, rtol: rtol, atol: atol, message(), file: file, line: line)
}

/// Element-wise closeness of arrays; reports the worst element and its index.
func assertClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-4, atol: Float = 1e-5,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count \(message())", file: file, line: line)
    var worst: (index: Int, excess: Float) = (-1, 0)
    for i in 0..<min(actual.count, expected.count) {
        let difference = abs(actual[i] - expected[i])
        let allowed = atol + rtol * abs(expected[i])
        if !(difference <= allowed) && (difference - allowed > worst.excess || worst.index < 0 || difference.isNaN) {
            worst = (i, difference.isNaN ? .infinity : difference - allowed)
        }
    }
    if worst.index >= 0 {
        let i = worst.index
        XCTFail("element \(i): \(actual[i]) vs expected \(expected[i]) (|Δ| = \(abs(actual[i] - expected[i]))) \(message())",
                file: file, line: line)
    }
}
