import XCTest
@testable import Dendrite

final class AutogradTests: XCTestCase {
    var generator = RandomGenerator(seed: 1)

    func normal(_ shape: [Int]) -> Tensor { Tensor.normal(shape, generator: &generator) }
    func positive(_ shape: [Int]) -> Tensor { Tensor.uniform(shape, low: 0.5, high: 2, generator: &generator) }

    /// The vectorized GELU (A&S erfc, polynomial exp) against the exact formula in Double, and its
    /// derivative against Φ(x) + x·φ(x), on [−12, 12] including ±0 and the far tails.
    func testGELUMatchesTheExactFormulaEverywhere() throws {
        let xs = stride(from: -12.0, through: 12.0, by: 0.003).map { Float($0) } + [0, -0.0, 1e-20, -1e-20, 40, -40]
        let x = Tensor(xs).requiringGradient()
        let y = x.gelu()
        try y.sum().backward()
        let gradient = try XCTUnwrap(x.gradient).scalars
        for (index, value) in xs.enumerated() {
            let v = Double(value)
            let cdf = 0.5 * erfc(-v / 2.0.squareRoot())
            let exact = v * cdf, slope = cdf + v * exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
            XCTAssertEqual(Double(y.scalars[index]), exact, accuracy: 2e-7 * max(1, abs(v)), "gelu(\(value))")
            XCTAssertEqual(Double(gradient[index]), slope, accuracy: 4e-7 * max(1, abs(v)), "gelu'(\(value))")
        }
    }

    func testBroadcastingArithmeticGradients() throws {
        try checkGradients([normal([3, 4]), normal([4])], "+") { try $0[0] + $0[1] }
        try checkGradients([normal([3, 1]), normal([1, 4])], "-") { try $0[0] - $0[1] }
        try checkGradients([normal([2, 3, 4]), normal([3, 1])], "*") { try $0[0] * $0[1] }
        try checkGradients([normal([3, 4]), positive([4])], "/") { try $0[0] / $0[1] }
        try checkGradients([normal([5])], "scalar ops") { (2 - $0[0] * 3 + 1) / 4 }
        try checkGradients([positive([5])], "scalar / tensor") { 2 / $0[0] }
        try checkGradients([normal([5])], "negate") { -$0[0] }
    }

    func testUnaryMathGradients() throws {
        try checkGradients([normal([6])], "exp") { $0[0].exp() }
        try checkGradients([positive([6])], "log") { $0[0].log() }
        try checkGradients([positive([6])], "sqrt") { $0[0].sqrt() }
        try checkGradients([normal([6])], "squared") { $0[0].squared() }
        try checkGradients([positive([6])], "pow") { $0[0].pow(1.7) }
        try checkGradients([positive([2, 3]), normal([3])], "pow tensor") { try $0[0].pow($0[1]) }
        try checkGradients([awayFromZero([6], generator: &generator)], "abs") { $0[0].abs() }
        try checkGradients([normal([6])], "tanh") { $0[0].tanh() }
        try checkGradients([normal([6]) * 3], "sigmoid") { $0[0].sigmoid() }
        try checkGradients([awayFromZero([6], generator: &generator)], "relu") { $0[0].relu() }
        try checkGradients([Tensor([-2, -0.5, 0.3, 1.5])], "clamped") { $0[0].clamped(min: -1, max: 1) }
        try checkGradients([awayFromZero([6], generator: &generator)], "leakyRelu") { $0[0].leakyRelu(negativeSlope: 0.2) }
        try checkGradients([awayFromZero([6], generator: &generator)], "elu") { $0[0].elu(alpha: 0.7) }
        try checkGradients([normal([8]) * 2], "gelu") { $0[0].gelu() }
        try checkGradients([normal([8]) * 2], "gelu tanh") { $0[0].gelu(tanhApproximation: true) }
    }

    func testReductionGradients() throws {
        try checkGradients([normal([3, 4])], "sum") { $0[0].sum() }
        try checkGradients([normal([2, 3, 4])], "sum axes") { try $0[0].sum(alongAxes: [0, 2]) }
        try checkGradients([normal([2, 3, 4])], "sum keep") { try $0[0].sum(alongAxes: [1], keepingDimensions: true) }
        try checkGradients([normal([2, 3, 4])], "mean") { try $0[0].mean(alongAxes: -1) }
        try checkGradients([normal([2, 3])], "mean all") { $0[0].mean() }
        try checkGradients([distinctValues([2, 3, 4], generator: &generator)], "max axis") { try $0[0].max(alongAxes: 1) }
        try checkGradients([distinctValues([2, 3], generator: &generator)], "max all") { $0[0].max() }
        try checkGradients([distinctValues([2, 3], generator: &generator)], "min") { try $0[0].min(alongAxes: 0) }
        try checkGradients([normal([3, 4])], "variance") { try $0[0].variance(alongAxes: [1], unbiased: true) }
    }

    func testShapeAndMatmulGradients() throws {
        try checkGradients([normal([2, 3, 4])], "reshape") { try $0[0].reshaped(to: [6, 4]) * Tensor.ones([4]) }
        try checkGradients([normal([2, 3, 4])], "permute") { try $0[0].permuted([2, 0, 1]) }
        try checkGradients([normal([3, 5])], "transpose") { $0[0].transposed() }
        try checkGradients([normal([4, 3, 2])], "slice") { try $0[0].slice(alongAxis: 1, 1..<3) }
        try checkGradients([normal([4, 3])], "subscript") { try $0[0][2] }
        try checkGradients([normal([2, 3]), normal([2, 2])], "concat") { try Tensor.concat($0, alongAxis: 1) }
        try checkGradients([normal([3]), normal([3])], "stack") { try Tensor.stack($0, alongAxis: 1) }
        try checkGradients([normal([3, 4]), normal([4, 5])], "matmul 2-D") { try $0[0].matmul($0[1]) }
        try checkGradients([normal([2, 3, 4]), normal([4, 5])], "matmul 3-D × 2-D") { try $0[0].matmul($0[1]) }
        try checkGradients([normal([2, 3, 4]), normal([2, 4, 5])], "batched matmul") { try $0[0].matmul($0[1]) }
        try checkGradients([normal([3, 4]), normal([2, 4, 5])], "shared left matmul") { try $0[0].matmul($0[1]) }
        try checkGradients([normal([4]), normal([4, 2])], "vector matmul") { try $0[0].matmul($0[1]) }
        try checkGradients([normal([4]), normal([4])], "dot") { try $0[0].matmul($0[1]) }
    }

    func testFusedOpGradients() throws {
        try checkGradients([normal([5, 4]), normal([3, 4]), normal([3])], "linear") {
            try linear($0[0], weight: $0[1], bias: $0[2])
        }
        try checkGradients([normal([2, 5, 4]), normal([3, 4])], "linear 3-D no bias") {
            try linear($0[0], weight: $0[1], bias: nil)
        }
        try checkGradients([normal([2, 4, 6, 5]), normal([6, 2, 3, 3]), normal([6])], "conv2d s2 p1 g2") {
            try conv2d($0[0], weight: $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1), groups: 2)
        }
        try checkGradients([normal([1, 2, 7, 7]), normal([3, 2, 2, 3])], "conv2d dilated") {
            try conv2d($0[0], weight: $0[1], bias: nil, stride: (1, 2), padding: (2, 0), dilation: (2, 1))
        }
        try checkGradients([distinctValues([2, 3, 5, 6], generator: &generator)], "maxPool2d") {
            try maxPool2d($0[0], kernelSize: (2, 2))
        }
        try checkGradients([distinctValues([1, 2, 5, 5], generator: &generator)], "maxPool2d padded") {
            try maxPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1))
        }
        try checkGradients([distinctValues([1, 2, 5, 7], generator: &generator)], "maxPool2d ceil mode") {
            try maxPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), ceilMode: true)
        }
        try checkGradients([normal([1, 2, 5, 7])], "avgPool2d ceil mode") {
            try avgPool2d($0[0], kernelSize: (2, 2), stride: (2, 2), padding: (1, 0), ceilMode: true)
        }
        try checkGradients([normal([2, 2, 5, 6])], "avgPool2d") {
            try avgPool2d($0[0], kernelSize: (3, 2), stride: (2, 2), padding: (1, 1))
        }
        try checkGradients([normal([2, 3, 7, 5])], "adaptiveAvgPool2d") { try adaptiveAvgPool2d($0[0], outputSize: (3, 2)) }
        try checkGradients([normal([3, 5])], "softmax") { try softmax($0[0]) }
        try checkGradients([normal([2, 4, 3])], "softmax axis 1") { try softmax($0[0], axis: 1) }
        try checkGradients([normal([3, 5])], "logSoftmax") { try logSoftmax($0[0]) }
    }

    func testGradientsAccumulateAcrossBackwardCallsAndNoGradRecordsNothing() throws {
        let x = Tensor([1, 2, 3]).requiringGradient()
        try (x * 2).sum().backward()
        try (x * x).sum().backward()
        XCTAssertEqual(x.gradient?.scalars, [4, 6, 8])
        let y = noGrad { x * 3 }
        XCTAssertFalse(y.requiresGradient)
        XCTAssertThrowsError(try y.sum().backward())
        XCTAssertThrowsError(try (x * 2).backward(), "non-scalar needs a seed")
        try (x * 2).backward(seed: Tensor([1, 0, 1]))
        XCTAssertEqual(x.gradient?.scalars, [6, 6, 10])
        // A value used twice gets both contributions.
        let z = Tensor([3]).requiringGradient()
        let w = try z * z
        try (w + w).sum().backward()
        XCTAssertEqual(z.gradient?.scalars, [12])
    }
}
