import XCTest
@testable import Dendrite

/// The vectorized paths: softmax rows wider than the kernels' eight lanes (with a remainder, a
/// masked entry and a fully masked row), elementwise ops above the parallel threshold, and
/// gradient accumulation in place.
final class VectorizedKernelTests: XCTestCase {
    /// Softmax and log-softmax of rows 19 wide against a double-precision reference, element by element.
    func testSoftmaxRowsWiderThanTheLanesMatchADoubleReference() throws {
        var generator = RandomGenerator(seed: 11)
        var values = Tensor.normal([4, 19], standardDeviation: 3, generator: &generator).scalars
        values[5] = -.infinity                                       // one masked key in row 0
        for c in 0..<19 { values[2 * 19 + c] = -.infinity }          // row 2 fully masked
        let x = try Tensor(shape: [4, 19], scalars: values)
        let probabilities = try softmax(x).scalars, logs = try logSoftmax(x).scalars
        for r in 0..<4 {
            let row = values[(r * 19)..<((r + 1) * 19)].map(Double.init)
            if r == 2 {
                // All −∞: NaN, as PyTorch's softmax of a fully masked row.
                XCTAssertTrue(probabilities[(r * 19)..<((r + 1) * 19)].allSatisfy(\.isNaN))
                continue
            }
            let maximum = row.max()!
            let total = row.map { Foundation.exp($0 - maximum) }.reduce(0, +)
            for c in 0..<19 {
                let expected = Foundation.exp(row[c] - maximum) / total
                XCTAssertEqual(Double(probabilities[r * 19 + c]), expected, accuracy: 1e-6 + 1e-5 * expected, "row \(r) column \(c)")
                if row[c].isFinite {
                    let expectedLog = row[c] - maximum - Foundation.log(total)
                    XCTAssertEqual(Double(logs[r * 19 + c]), expectedLog, accuracy: 1e-5 * max(1, abs(expectedLog)), "log row \(r) column \(c)")
                }
            }
        }
    }

    func testSoftmaxGradientsOnWideRows() throws {
        var generator = RandomGenerator(seed: 12)
        try checkGradients([Tensor.normal([3, 21], generator: &generator)], "softmax 21 wide") { try softmax($0[0]) * $0[0] }
        try checkGradients([Tensor.normal([3, 17], generator: &generator)], "log-softmax 17 wide") {
            try logSoftmax($0[0]) * $0[0]
        }
    }

    /// Elementwise ops over `parallelElementThreshold` elements or more take the parallel path;
    /// they must agree with a plain loop everywhere, including the chunk boundary.
    func testParallelElementwiseOpsMatchAPlainLoop() throws {
        let n = parallelElementThreshold + 37
        var generator = RandomGenerator(seed: 13)
        let a = Tensor.normal([n], generator: &generator), b = Tensor.normal([n], generator: &generator)
        let sum = try a + b, product = try a * b, activated = a.relu(), leaky = a.leakyRelu(negativeSlope: 0.2)
        let av = a.scalars, bv = b.scalars
        for i in [0, 1, n / 2 - 1, n / 2, n / 2 + 1, n - 1] + Array(stride(from: 0, to: n, by: 997)) {
            XCTAssertEqual(sum.scalars[i], av[i] + bv[i], "sum at \(i)")
            XCTAssertEqual(product.scalars[i], av[i] * bv[i], "product at \(i)")
            XCTAssertEqual(activated.scalars[i], max(av[i], 0), "relu at \(i)")
            XCTAssertEqual(leaky.scalars[i], av[i] > 0 ? av[i] : 0.2 * av[i], "leaky relu at \(i)")
        }
    }

    /// A broadcast operand that repeats along the leading axes (a bias, a mask) takes the
    /// contiguous-run path, on either side of a non-commutative op, in one chunk and split over
    /// the cores (a period that does not divide the chunk size); every element against a loop.
    func testRepeatingBroadcastOperandsMatchAPlainLoop() throws {
        var generator = RandomGenerator(seed: 31)
        for (full, part) in [([7, 5, 3], [5, 3]), ([4, 9], [1, 9]), ([3, 2, 11], [1, 1, 11]), ([parallelElementThreshold / 96 + 1, 96], [96]),
                             ([2, parallelElementThreshold / 1000 + 3, 1000], [1000])] {
            let a = Tensor.normal(full, generator: &generator), b = Tensor.normal(part, generator: &generator)
            let period = part.reduce(1, *)
            XCTAssertEqual(Broadcasting.repeatingPeriod(of: part, in: full), period)
            let (av, bv) = (a.scalars, b.scalars)
            let difference = try a - b, reversed = try b - a, quotient = try b / (a.abs() + 1)
            XCTAssertEqual(difference.shape, full)
            XCTAssertEqual(reversed.shape, full)
            let (dv, rv, qv) = (difference.scalars, reversed.scalars, quotient.scalars)
            var mismatches = 0
            for i in 0..<a.count {
                let j = i % period
                if dv[i] != av[i] - bv[j] || rv[i] != bv[j] - av[i] || qv[i] != bv[j] / (abs(av[i]) + 1) {
                    mismatches += 1
                    if mismatches <= 3 { XCTFail("element \(i) of \(full): \(dv[i]) \(rv[i]) \(qv[i])") }
                }
            }
            XCTAssertEqual(mismatches, 0, "\(full) over \(part)")
        }
        XCTAssertNil(Broadcasting.repeatingPeriod(of: [5, 1], in: [5, 3]), "a column broadcast does not repeat")
        XCTAssertNil(Broadcasting.repeatingPeriod(of: [5, 1], in: [2, 5, 3]), "nor does a middle-axis one")
        XCTAssertEqual(Broadcasting.repeatingPeriod(of: [1, 3], in: [2, 5, 3]), 3)
        // The general path (column broadcast) still agrees.
        let column = Tensor.normal([6, 1], generator: &generator), matrix = Tensor.normal([6, 7], generator: &generator)
        let centered = try matrix - column
        for row in 0..<6 { for col in 0..<7 {
            XCTAssertEqual(centered.scalars[row * 7 + col], matrix.scalars[row * 7 + col] - column.scalars[row])
        } }
    }

    /// Sums over a middle or leading axis add rows in Float blocks of 64 and the blocks in
    /// Double: each element within a few Float ulps of a Double sum, over lengths that are and
    /// are not multiples of the block (and long enough for a plain Float sum to drift).
    func testAxisSumsMatchADoubleSum() throws {
        var generator = RandomGenerator(seed: 17)
        for shape in [[3, 1, 5], [2, 64, 7], [3, 130, 9], [1, 20_011, 3]] {
            let x = Tensor.uniform(shape, low: 0, high: 1, generator: &generator) + 1000
            let sums = try x.sum(alongAxes: [1]).scalars, values = x.scalars
            let (outer, length, inner) = (shape[0], shape[1], shape[2])
            for o in 0..<outer {
                for i in 0..<inner {
                    var exact = 0.0
                    for k in 0..<length { exact += Double(values[(o * length + k) * inner + i]) }
                    XCTAssertEqual(Double(sums[o * inner + i]), exact, accuracy: exact * 3e-7, "\(shape) at (\(o), \(i))")
                }
            }
        }
    }

    /// A gradient the caller holds keeps its value when later backward passes accumulate in place.
    func testAccumulatingInPlaceLeavesHeldGradientsAlone() throws {
        let x = Tensor([1, 2, 3]).requiringGradient()
        try (x * 2).sum().backward()
        let held = try XCTUnwrap(x.gradient)
        try (x * 3).sum().backward()
        XCTAssertEqual(held.scalars, [2, 2, 2], "the copy taken before is unchanged")
        XCTAssertEqual(x.gradient?.scalars, [5, 5, 5])
        // The same buffer reaching one node twice (x + x) is added, not doubled in place twice.
        let y = Tensor([1, -1]).requiringGradient()
        try (y + y).sum().backward()
        XCTAssertEqual(y.gradient?.scalars, [2, 2])
    }

    /// Dropout masks drawn two elements per 64-bit draw: the rate, independence of neighbours
    /// (both halves of a draw), an odd count, and reproducibility from a seed.
    func testDropoutMaskRateAndNeighbourIndependence() throws {
        let layer = try Dropout(0.3, seed: 21)
        let y = try layer(Tensor.ones([100_001])).scalars
        XCTAssertTrue(y.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
        let dropped = y.map { $0 == 0 }
        let rate = Double(dropped.filter { $0 }.count) / Double(y.count)
        XCTAssertEqual(rate, 0.3, accuracy: 0.01)
        var bothDropped = 0, pairs = 0
        for i in stride(from: 0, to: y.count - 1, by: 2) {
            pairs += 1
            if dropped[i] && dropped[i + 1] { bothDropped += 1 }
        }
        XCTAssertEqual(Double(bothDropped) / Double(pairs), 0.09, accuracy: 0.01, "pairs from one draw are independent")
        layer.reseed(3)
        let first = try layer(Tensor.ones([7])).scalars
        layer.reseed(3)
        XCTAssertEqual(try layer(Tensor.ones([7])).scalars, first)
    }

    /// 2×2 max pooling over planes of even size (the two-pass kernel) against a plain loop,
    /// on values with many ties, NaNs and infinities: outputs and where the gradient goes.
    func testTwoByTwoMaxPoolingMatchesAPlainLoop() throws {
        var generator = RandomGenerator(seed: 31)
        let (n, c, h, w) = (2, 3, 8, 14)
        let palette: [Float] = [0, 1, 1, 2, -.infinity, .infinity, .nan, -3]
        let values = (0..<(n * c * h * w)).map { _ in palette[generator.nextInt(below: palette.count)] }
        let x = try Tensor(shape: [n, c, h, w], scalars: values).requiringGradient()
        let y = try maxPool2d(x, kernelSize: (2, 2))
        try y.backward(seed: Tensor.ones(y.shape))
        var expectedOutput: [Float] = [], expectedGradient = [Float](repeating: 0, count: values.count)
        for plane in 0..<(n * c) {
            for oh in 0..<(h / 2) {
                for ow in 0..<(w / 2) {
                    // Reading order a, b, c, d; a later value wins when larger, or NaN over a non-NaN.
                    var best = Float.nan, bestIndex = -1
                    for (dh, dw) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        let index = plane * h * w + (2 * oh + dh) * w + 2 * ow + dw, v = values[index]
                        if bestIndex < 0 || v > best || (v.isNaN && !best.isNaN) { best = v; bestIndex = index }
                    }
                    expectedOutput.append(best)
                    expectedGradient[bestIndex] += 1
                }
            }
        }
        for (i, (got, expected)) in zip(y.scalars, expectedOutput).enumerated() {
            XCTAssertTrue(got == expected || (got.isNaN && expected.isNaN), "output \(i): \(got) vs \(expected)")
        }
        XCTAssertEqual(try XCTUnwrap(x.gradient).scalars, expectedGradient)
    }

    /// Max pooling without indices (inference: a pass over whole rows, then along them) against
    /// the indexed loop that training uses, on ties, NaNs and infinities, for ResNet's 3×3 / 2
    /// window with padding, an asymmetric window and ceil mode, on inputs split over the cores.
    func testMaxPoolingWithoutIndicesMatchesTheIndexedLoop() throws {
        var generator = RandomGenerator(seed: 37)
        let palette: [Float] = [0, 1, 1, 2, -.infinity, .infinity, .nan, -3, 0.5, -1]
        let windows: [(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceil: Bool)] = [
            ((3, 3), (2, 2), (1, 1), false), ((2, 3), (1, 2), (1, 0), false), ((3, 2), (2, 2), (0, 1), true),
        ]
        let shape = [2, 8, 96, 93]
        let values = (0..<shape.reduce(1, *)).map { i in
            i % 97 == 0 ? palette[generator.nextInt(below: palette.count)] : Float(generator.nextInt(below: 7)) - 3
        }
        let x = try Tensor(shape: shape, scalars: values)
        for window in windows {
            let indexed = try maxPool2d(x.requiringGradient(), kernelSize: window.kernel, stride: window.stride,
                                        padding: window.padding, ceilMode: window.ceil)
            let plain = try noGrad {
                try maxPool2d(x, kernelSize: window.kernel, stride: window.stride, padding: window.padding, ceilMode: window.ceil)
            }
            XCTAssertEqual(plain.shape, indexed.shape)
            var mismatches = 0
            for (got, expected) in zip(plain.scalars, indexed.scalars) where !(got == expected || (got.isNaN && expected.isNaN)) {
                mismatches += 1
            }
            XCTAssertEqual(mismatches, 0, "\(window): \(mismatches) outputs differ")
            XCTAssertTrue(plain.scalars.contains { $0.isNaN }, "\(window): the NaNs should reach the output")
        }
    }
}
