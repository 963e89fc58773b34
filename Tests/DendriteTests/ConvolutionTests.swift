import XCTest
@testable import Dendrite

final class ConvolutionTests: XCTestCase {
    struct Case: CustomStringConvertible {
        let batch, channels, outputChannels, height, width, groups: Int
        let kernel, stride, padding, dilation: (Int, Int)
        var description: String {
            "N\(batch) C\(channels)→\(outputChannels) \(height)×\(width) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups)"
        }
    }

    /// Hand-picked corners plus random cases over the ranges.
    func cases() -> [Case] {
        var list: [Case] = [
            Case(batch: 1, channels: 1, outputChannels: 1, height: 5, width: 5, groups: 1, kernel: (1, 1), stride: (1, 1), padding: (0, 0), dilation: (1, 1)),
            Case(batch: 2, channels: 3, outputChannels: 4, height: 7, width: 9, groups: 1, kernel: (1, 1), stride: (1, 1), padding: (0, 0), dilation: (1, 1)),
            Case(batch: 3, channels: 6, outputChannels: 6, height: 9, width: 7, groups: 6, kernel: (3, 3), stride: (1, 1), padding: (1, 1), dilation: (1, 1)),
            Case(batch: 2, channels: 4, outputChannels: 6, height: 11, width: 9, groups: 2, kernel: (5, 5), stride: (2, 2), padding: (2, 2), dilation: (1, 1)),
            Case(batch: 1, channels: 2, outputChannels: 3, height: 8, width: 7, groups: 1, kernel: (2, 3), stride: (3, 1), padding: (0, 2), dilation: (2, 1)),
            Case(batch: 2, channels: 3, outputChannels: 5, height: 13, width: 11, groups: 1, kernel: (3, 3), stride: (2, 3), padding: (1, 0), dilation: (2, 2)),
            Case(batch: 1, channels: 4, outputChannels: 4, height: 5, width: 5, groups: 4, kernel: (1, 1), stride: (2, 2), padding: (1, 1), dilation: (1, 1)),
            // Batches of at least twice the core count take the path that splits images over the
            // cores (uneven shares, groups, pointwise, the weight gradient's partial sums).
            Case(batch: 5, channels: 4, outputChannels: 6, height: 9, width: 7, groups: 2, kernel: (3, 3), stride: (1, 2), padding: (1, 1), dilation: (1, 1)),
            Case(batch: 7, channels: 3, outputChannels: 4, height: 6, width: 6, groups: 1, kernel: (1, 1), stride: (1, 1), padding: (0, 0), dilation: (1, 1)),
            Case(batch: 4, channels: 2, outputChannels: 3, height: 11, width: 8, groups: 1, kernel: (5, 3), stride: (2, 1), padding: (2, 1), dilation: (1, 2)),
        ]
        var generator = RandomGenerator(seed: 77)
        func pick<T>(_ options: [T]) -> T { options[generator.nextInt(below: options.count)] }
        while list.count < 60 {
            let groups = pick([1, 1, 2, 3])
            let channels = groups * pick([1, 2, 3].filter { groups * $0 <= 6 })
            let depthwise = generator.nextInt(below: 5) == 0
            let g = depthwise ? channels : groups
            let outputChannels = depthwise ? channels : g * (1 + generator.nextInt(below: max(1, 6 / g)))
            let kernel = pick([(1, 1), (3, 3), (5, 5), (2, 3)])
            let c = Case(batch: 1 + generator.nextInt(below: 3), channels: channels, outputChannels: outputChannels,
                         height: pick([5, 7, 9, 11]), width: pick([5, 7, 9, 13]), groups: g, kernel: kernel,
                         stride: (1 + generator.nextInt(below: 3), 1 + generator.nextInt(below: 3)),
                         padding: (generator.nextInt(below: 3), generator.nextInt(below: 3)),
                         dilation: (1 + generator.nextInt(below: 2), 1 + generator.nextInt(below: 2)))
            if (try? geometry(c)) != nil { list.append(c) }
        }
        return list
    }

    func geometry(_ c: Case) throws -> Conv2DGeometry {
        try Conv2DGeometry(batch: c.batch, inputChannels: c.channels, inputHeight: c.height, inputWidth: c.width,
                           outputChannels: c.outputChannels, kernelSize: c.kernel, stride: c.stride,
                           padding: c.padding, dilation: c.dilation, groups: c.groups)
    }

    func testIm2ColConvolutionMatchesDirectLoopsForwardAndBackward() throws {
        var generator = RandomGenerator(seed: 9)
        var depthwise = 0, grouped = 0, pointwise = 0
        for c in cases() {
            let g = try geometry(c)
            if c.groups == c.channels && c.groups > 1 { depthwise += 1 } else if c.groups > 1 { grouped += 1 }
            if c.kernel == (1, 1) && c.stride == (1, 1) && c.padding == (0, 0) { pointwise += 1 }
            let x = Tensor.normal(g.inputShape, generator: &generator)
            let w = Tensor.normal(g.weightShape, generator: &generator)
            let bias = Tensor.normal([g.outputChannels], generator: &generator)
            let dy = Tensor.normal(g.outputShape, generator: &generator)
            assertClose(try conv2dForward(input: x, weight: w, bias: bias, geometry: g),
                        try conv2dNaive(input: x, weight: w, bias: bias, geometry: g), atol: 1e-4, "forward \(c)")
            assertClose(try conv2dForward(input: x, weight: w, bias: nil, geometry: g),
                        try conv2dNaive(input: x, weight: w, bias: nil, geometry: g), atol: 1e-4, "forward no bias \(c)")
            assertClose(try conv2dBackwardInput(gradOutput: dy, weight: w, geometry: g),
                        try conv2dBackwardInputNaive(gradOutput: dy, weight: w, geometry: g), atol: 1e-4, "dInput \(c)")
            // Weight and bias gradients accumulate: start both from the same non-zero values.
            let start = Tensor.normal(g.weightShape, generator: &generator)
            var dw = start, dwNaive = start
            try conv2dBackwardWeight(gradOutput: dy, input: x, geometry: g, accumulatingInto: &dw)
            try conv2dBackwardWeightNaive(gradOutput: dy, input: x, geometry: g, accumulatingInto: &dwNaive)
            assertClose(dw, dwNaive, atol: 1e-4, "dWeight \(c)")
            var db = try Tensor.ones([g.outputChannels]), dbNaive = try Tensor.ones([g.outputChannels])
            try conv2dBackwardBias(gradOutput: dy, geometry: g, accumulatingInto: &db)
            try conv2dBackwardBiasNaive(gradOutput: dy, geometry: g, accumulatingInto: &dbNaive)
            assertClose(db, dbNaive, atol: 1e-4, "dBias \(c)")
        }
        XCTAssertGreaterThan(depthwise, 0)
        XCTAssertGreaterThan(grouped, 0)
        XCTAssertGreaterThan(pointwise, 0)
    }

    /// Small output planes take the batched path (several images' columns in one GEMM, groups
    /// of images, the NCHW pass with bias and ReLU): against the direct loops on odd shapes, a
    /// batch of 13 split into several GEMMs, strides, dilation, padding, with and without the ReLU.
    func testBatchedImagesPathMatchesDirectLoops() throws {
        var generator = RandomGenerator(seed: 12)
        let cases: [(c: Int, oc: Int, h: Int, w: Int, k: Int, stride: Int, padding: Int, dilation: Int)] = [
            (3, 5, 9, 10, 3, 1, 1, 1),     // 90-pixel planes: 6 images per GEMM, so 6 + 6 + 1
            (2, 4, 3, 99, 3, 1, 0, 1),     // 97-pixel planes (1 × 97), unpadded
            (3, 6, 8, 8, 1, 1, 0, 1),      // 64-pixel planes (1×1): 8 + 5
            (4, 7, 9, 11, 3, 2, 2, 2),
            (5, 3, 7, 7, 1, 1, 0, 1),
        ]
        for (index, c) in cases.enumerated() {
            let g = try Conv2DGeometry(batch: 13, inputChannels: c.c, inputHeight: c.h, inputWidth: c.w, outputChannels: c.oc,
                                       kernelSize: (c.k, c.k), stride: (c.stride, c.stride), padding: (c.padding, c.padding),
                                       dilation: (c.dilation, c.dilation))
            XCTAssertLessThan(g.outputHeight * g.outputWidth, batchedPlaneLimit)
            let x = Tensor.normal(g.inputShape, generator: &generator), w = Tensor.normal(g.weightShape, generator: &generator)
            let bias = Tensor.normal([c.oc], generator: &generator)
            let reference = try conv2dNaive(input: x, weight: w, bias: bias, geometry: g)
            assertClose(try conv2dForward(input: x, weight: w, bias: bias, geometry: g), reference, atol: 1e-4, "batched \(index)")
            assertClose(try conv2dForward(input: x, weight: w, bias: bias, geometry: g, relu: true), reference.relu(), atol: 1e-4,
                        "batched with ReLU \(index)")
            assertClose(try conv2dForward(input: x, weight: w, bias: nil, geometry: g),
                        try conv2dNaive(input: x, weight: w, bias: nil, geometry: g), atol: 1e-4, "batched without bias \(index)")
        }
    }

    func testNaiveConvolutionAgainstHandComputedValues() throws {
        // 1×1×3×3 input, 2×2 kernel of ones, stride 1: each output is the sum of a 2×2 window.
        let g = try Conv2DGeometry(batch: 1, inputChannels: 1, inputHeight: 3, inputWidth: 3, outputChannels: 1,
                                   kernelSize: (2, 2))
        let x = try Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let y = try conv2dNaive(input: x, weight: Tensor.ones([1, 1, 2, 2]), bias: Tensor([0.5]), geometry: g)
        XCTAssertEqual(y.scalars, [12.5, 16.5, 24.5, 28.5])
        XCTAssertEqual(try conv2dForward(input: x, weight: Tensor.ones([1, 1, 2, 2]), bias: Tensor([0.5]), geometry: g).scalars,
                       [12.5, 16.5, 24.5, 28.5])
    }

    /// Splitting images over the cores runs OpenBLAS single-threaded meanwhile; afterwards the
    /// configured thread count is back in force.
    func testSplittingImagesRestoresTheBLASThreadCount() throws {
        let saved = Dendrite.threadCount
        defer { Dendrite.threadCount = saved }
        Dendrite.threadCount = 2
        var generator = RandomGenerator(seed: 5)
        let layer = try Conv2D(3, 4, kernelSize: 3, padding: 1, generator: &generator)
        _ = try layer(Tensor.normal([6, 3, 8, 8], generator: &generator))
        XCTAssertEqual(Dendrite.threadCount, 2)
        XCTAssertTrue(Dendrite.backendDescription.hasSuffix("2 threads"), Dendrite.backendDescription)
    }

    /// One image whose column matrix is large enough to be unfolded on every core (by column
    /// rows): forward and weight gradient against the direct loops, for strides 1–3, dilation,
    /// asymmetric kernels and padding, so every core's share of rows starts mid-channel.
    func testOneImageUnfoldedOnEveryCoreMatchesDirectLoops() throws {
        let saved = Dendrite.threadCount
        defer { Dendrite.threadCount = saved }
        Dendrite.threadCount = 2
        var generator = RandomGenerator(seed: 17)
        let shapes: [(c: Int, oc: Int, side: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int))] = [
            (8, 5, 40, (3, 3), (1, 1), (1, 1), (1, 1)),
            (3, 16, 64, (7, 7), (2, 2), (3, 3), (1, 1)),
            (8, 3, 70, (5, 5), (3, 3), (0, 0), (2, 2)),
            (5, 7, 61, (3, 5), (2, 1), (1, 2), (1, 1)),
        ]
        for s in shapes {
            let g = try Conv2DGeometry(batch: 1, inputChannels: s.c, inputHeight: s.side, inputWidth: s.side, outputChannels: s.oc,
                                       kernelSize: s.kernel, stride: s.stride, padding: s.padding, dilation: s.dilation)
            XCTAssertGreaterThanOrEqual(s.c * s.kernel.0 * s.kernel.1 * g.outputHeight * g.outputWidth, 1 << 16, "\(s): too small to split")
            let x = Tensor.normal(g.inputShape, generator: &generator), w = Tensor.normal(g.weightShape, generator: &generator)
            let bias = Tensor.normal([s.oc], generator: &generator), dy = Tensor.normal(g.outputShape, generator: &generator)
            assertClose(try conv2dForward(input: x, weight: w, bias: bias, geometry: g),
                        try conv2dNaive(input: x, weight: w, bias: bias, geometry: g), atol: 1e-3, "forward \(s)")
            var dw = try Tensor.zeros(g.weightShape), dwNaive = try Tensor.zeros(g.weightShape)
            try conv2dBackwardWeight(gradOutput: dy, input: x, geometry: g, accumulatingInto: &dw)
            try conv2dBackwardWeightNaive(gradOutput: dy, input: x, geometry: g, accumulatingInto: &dwNaive)
            assertClose(dw, dwNaive, rtol: 1e-4, atol: 1e-3, "dWeight \(s)")
        }
    }

    func testGeometryComputesPyTorchOutputSizesAndRejectsBadArguments() throws {
        let g = try Conv2DGeometry(batch: 8, inputChannels: 3, inputHeight: 32, inputWidth: 32, outputChannels: 8,
                                   kernelSize: (5, 5), padding: (2, 2))
        XCTAssertEqual(g.outputShape, [8, 8, 32, 32])
        let strided = try Conv2DGeometry(batch: 1, inputChannels: 4, inputHeight: 11, inputWidth: 10, outputChannels: 2,
                                         kernelSize: (3, 2), stride: (2, 3), padding: (1, 0), dilation: (2, 1), groups: 2)
        XCTAssertEqual(strided.outputShape, [1, 2, 5, 3])
        XCTAssertEqual(strided.weightShape, [2, 2, 3, 2])
        XCTAssertThrowsError(try Conv2DGeometry(batch: 1, inputChannels: 3, inputHeight: 4, inputWidth: 4,
                                                outputChannels: 4, kernelSize: (3, 3), groups: 2))
        XCTAssertThrowsError(try Conv2DGeometry(batch: 1, inputChannels: 1, inputHeight: 2, inputWidth: 2,
                                                outputChannels: 1, kernelSize: (5, 5)))
        XCTAssertThrowsError(try Conv2DGeometry(batch: 1, inputChannels: 1, inputHeight: 4, inputWidth: 4,
                                                outputChannels: 1, kernelSize: (3, 3), stride: (0, 1)))
        XCTAssertThrowsError(try conv2dForward(input: Tensor.zeros([8, 3, 31, 32]), weight: Tensor.zeros(g.weightShape),
                                        bias: nil, geometry: g)) { error in
            XCTAssertEqual(error as? DendriteError,
                           .shapeMismatch(operation: "conv2d input", expected: "[8, 3, 32, 32]", got: "[8, 3, 31, 32]"))
        }
    }
}
