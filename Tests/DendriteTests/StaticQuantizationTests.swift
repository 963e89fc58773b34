import Foundation
import XCTest
@testable import Dendrite

/// Static post-training quantization: the int8 convolution and linear layers against float
/// references on the same quantized values (odd shapes, strides, padding, dilation), the
/// observers' ranges, calibration of a whole model, and saving and loading it bitwise.
final class StaticQuantizationTests: XCTestCase {
    var generator = RandomGenerator(seed: 41)

    /// What an int8 layer must compute exactly (up to float rounding): the float operation on the
    /// dequantized weights and the quantized-then-dequantized input.
    func roundTripped(_ x: Tensor, _ quantization: ActivationQuantization) throws -> Tensor {
        try Tensor(shape: x.shape, scalars: x.scalars.map(quantization.roundTrip))
    }

    func testInt8ConvolutionMatchesTheFloatOneOnTheQuantizedValues() throws {
        let shapes: [(c: Int, oc: Int, h: Int, w: Int, kernel: Size2D, stride: Size2D, padding: Int, dilation: Size2D)] = [
            (3, 5, 7, 5, Size2D(3, 2), Size2D(2, 1), 1, Size2D(1, 2)),
            (1, 16, 9, 9, 3, 1, 1, 1),
            (4, 17, 6, 8, 1, 1, 0, 1),
            (2, 3, 5, 5, 5, 1, 2, 1),
        ]
        for (index, s) in shapes.enumerated() {
            let conv = try Conv2D(s.c, s.oc, kernelSize: s.kernel, stride: s.stride, padding: .explicit(height: s.padding, width: s.padding),
                                  dilation: s.dilation, generator: &generator)
            let x = Tensor.normal([3, s.c, s.h, s.w], generator: &generator)
            let observer = MinMaxObserver()
            observer.observe(x)
            let quantization = try observer.quantization()
            XCTAssertGreaterThan(quantization.zeroPoint, 0, "a range below and above 0")
            let layer = try QuantizedConv2D(conv, input: quantization)
            let expected = try conv2d(try roundTripped(x, quantization), weight: layer.dequantizedWeight, bias: conv.bias!.value,
                                      stride: s.stride.pair, padding: (s.padding, s.padding), dilation: s.dilation.pair)
            let actual = try layer(x)
            XCTAssertEqual(actual.shape, expected.shape)
            let scale = expected.scalars.map(Swift.abs).max() ?? 1
            assertClose(actual, expected, rtol: 1e-4, atol: 1e-5 * scale, "shape \(index)")
            XCTAssertEqual(try layer.outputShape(forInput: Array(x.shape.dropFirst())), Array(expected.shape.dropFirst()))
            // Far from the float convolution only by the quantization itself.
            let float = try conv(x)
            XCTAssertLessThan(zip(actual.scalars, float.scalars).map { Swift.abs($0 - $1) }.max()!, 0.05 * scale, "shape \(index)")

            layer.fusedReLU = true
            assertClose(try layer(x), expected.relu(), rtol: 1e-4, atol: 1e-5 * scale, "fused ReLU, shape \(index)")
            // Every GEMM path this CPU has gives the naive path's result exactly (integer sums).
            let g = try Conv2DGeometry(batch: 3, inputChannels: s.c, inputHeight: s.h, inputWidth: s.w, outputChannels: s.oc,
                                       kernelSize: s.kernel.pair, stride: s.stride.pair, padding: (s.padding, s.padding),
                                       dilation: s.dilation.pair)
            let weights = Int8Weights(Int8GEMM.channelsLast(layer.weight.value.scalars.map { Int8($0) }, outputChannels: s.oc,
                                                            inputChannels: s.c, taps: s.kernel.height * s.kernel.width),
                                      n: s.oc, k: s.c * s.kernel.height * s.kernel.width)
            let results = try Int8GEMM.Path.allCases.filter { $0.rawValue <= Int8GEMM.fastest.rawValue }.map { path in
                try Int8GEMM.convolution(x, geometry: g, weights: weights, channelScales: layer.weightScale.value.scalars,
                                         bias: layer.bias.value, scale: quantization.scale, zeroPoint: quantization.zeroPoint,
                                         relu: true, path: path).scalars
            }
            for (path, result) in results.enumerated() {
                let differing = zip(result, results[0]).filter { $0 != $1 }.count
                XCTAssertEqual(differing, 0, "path \(path), shape \(index): \(differing) of \(result.count) outputs differ")
            }
        }
    }

    func testStaticLinearUsesTheCalibratedScale() throws {
        let linear = try Linear(37, 19, generator: &generator)
        let quantization = ActivationQuantization(low: -1.5, high: 2)
        let layer = QuantizedLinear(linear, input: quantization)
        XCTAssertEqual(layer.inputZeroPoint?.value.scalars, [Float(quantization.zeroPoint)])
        let x = Tensor.normal([5, 37], generator: &generator) * 1.2    // some values are clipped
        let expected = try roundTripped(x, quantization).matmul(layer.dequantizedWeight.transposed()) + linear.bias!.value
        assertClose(try layer(x), expected, rtol: 1e-4, atol: 1e-4)
        XCTAssertThrowsError(try ActivationQuantization(scale: 0, zeroPoint: 3))
        XCTAssertThrowsError(try ActivationQuantization(scale: 1, zeroPoint: 200))
    }

    func testHistogramObserverClipsOutliersThatMinMaxKeeps() throws {
        // Three outliers among 200 000 standard normal values: clipping them costs less squared
        // error than the coarse steps a range stretched to reach them would (the optimum is near ±20).
        var values = Tensor.normal([200_000], generator: &generator).scalars
        values += [40, -35, 60]
        let data = try Tensor(shape: [values.count], scalars: values)
        let minMax = MinMaxObserver(), histogram = try HistogramObserver(bins: 512)
        for part in 0..<4 {   // in batches, so the histogram's range grows and re-bins
            let slice = try data.slice((part * values.count / 4)..<((part + 1) * values.count / 4))
            minMax.observe(slice)
            histogram.observe(slice)
        }
        let wide = try minMax.quantization(), clipped = try histogram.quantization()
        XCTAssertEqual(minMax.range?.high, 60)
        XCTAssertEqual(wide.scale, 95 / 127, accuracy: 1e-6)
        XCTAssertLessThan(clipped.scale, wide.scale / 2, "the outliers are clipped")
        func meanSquaredError(_ q: ActivationQuantization) -> Double {
            values.reduce(0) { $0 + Double(($1 - q.roundTrip($1)) * ($1 - q.roundTrip($1))) } / Double(values.count)
        }
        XCTAssertLessThan(meanSquaredError(clipped), meanSquaredError(wide) / 2)
        XCTAssertEqual(histogram.counts.reduce(0, +), Double(values.count), "every value counted once")
        XCTAssertThrowsError(try HistogramObserver(bins: 4))
        XCTAssertThrowsError(try MinMaxObserver().quantization(), "nothing observed")
    }

    func testCalibratedCNNStaysCloseSavesAsI8AndLoadsBackBitwise() throws {
        let spec = ModelSpec("cnn", inputShape: [1, 28, 28])
        let model = try spec.build(generator: &generator)
        let images = Tensor.uniform([16, 1, 28, 28], generator: &generator)
        XCTAssertThrowsError(try Quantization.quantizeStatic(model, calibration: [images]), "training mode")
        model.eval()
        XCTAssertThrowsError(try Quantization.quantizeStatic(model, calibration: []), "no batches")
        XCTAssertThrowsError(try Quantization.quantizeStatic(model, calibration: [Tensor.uniform([2, 3, 28, 28], generator: &generator)]))
        XCTAssertTrue(model.layers[0] is Conv2D, "a failed calibration leaves the float layers")
        let float = try noGrad { try model(images) }
        try model.foldBatchNorm()
        XCTAssertEqual(try Quantization.quantizeStatic(model, calibration: [images], observer: .minMax), 4)
        XCTAssertTrue(model.layers[0] is QuantizedConv2D && model.layers[11] is QuantizedLinear)
        XCTAssertEqual((model.layers[0] as? QuantizedConv2D)?.fusedReLU, true)
        XCTAssertTrue(model.layers[2] is Identity, "the ReLU runs inside the convolution")
        let quantized = try noGrad { try model(images) }
        let scale = float.scalars.map(Swift.abs).max() ?? 1
        XCTAssertLessThan(zip(quantized.scalars, float.scalars).map { Swift.abs($0 - $1) }.max()!, 0.1 * scale)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("static-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let saved = try SafeTensors.read(path).tensors
        XCTAssertNotNil(saved["0.input_scale"])
        XCTAssertNotNil(saved["4.input_zero_point"])
        let fresh = try spec.build(generator: &generator)
        fresh.eval()
        try fresh.foldBatchNorm()
        XCTAssertEqual(try Quantization.convertStatic(fresh), 4)
        try fresh.load(from: path)
        XCTAssertEqual(try fresh(images).scalars, quantized.scalars, "bitwise")

        // Loaded buffers are checked before the kernel reads them: a bad scale or weight is an error naming the layer.
        let conv = try XCTUnwrap(fresh.layers[0] as? QuantizedConv2D)
        conv.inputScale.value = Tensor(-1)
        XCTAssertThrowsError(try fresh(images)) { XCTAssertTrue("\($0)".contains("QuantizedConv2D(1, 16"), "\($0)") }
        conv.inputScale.value = Tensor(0.1)
        conv.weight.value = Tensor.filled(conv.weight.value.shape, 300)
        XCTAssertThrowsError(try fresh(images)) { XCTAssertTrue("\($0)".contains("−127…127"), "\($0)") }
    }
}
