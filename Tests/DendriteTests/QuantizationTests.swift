import Foundation
import XCTest
@testable import Dendrite

/// int8 inference: the GEMM kernels against their naive twin on odd shapes, quantize →
/// dequantize error bounds, and a quantized Linear and MLP against the float ones.
final class QuantizationTests: XCTestCase {
    var generator = RandomGenerator(seed: 31)

    func testEveryInt8KernelMatchesTheNaiveLoopOnOddShapes() throws {
        for (m, n, k) in [(1, 1, 1), (5, 7, 37), (4, 2, 32), (9, 3, 64), (3, 11, 100), (128, 10, 784), (6, 5, 31)] {
            let a = (0..<(m * k)).map { _ in UInt8(generator.nextInt(below: 128)) }
            let b = (0..<(n * k)).map { _ in Int8(generator.nextInt(below: 255) - 127) }
            let reference = try Int8GEMM.multiply(m: m, n: n, k: k, a: a, b: b, path: .naive)
            // Extremes too: the largest products must not saturate.
            let high = [UInt8](repeating: 127, count: m * k), low = [Int8](repeating: -127, count: n * k)
            let extreme = try Int8GEMM.multiply(m: m, n: n, k: k, a: high, b: low, path: .naive)
            XCTAssertEqual(extreme.first, Int32(-127 * 127 * k))
            for path in Int8GEMM.Path.allCases where path.rawValue <= Int8GEMM.fastest.rawValue && path != .naive {
                XCTAssertEqual(try Int8GEMM.multiply(m: m, n: n, k: k, a: a, b: b, path: path), reference, "\(path) \(m)×\(n)×\(k)")
                XCTAssertEqual(try Int8GEMM.multiply(m: m, n: n, k: k, a: high, b: low, path: path), extreme, "\(path) extremes")
            }
        }
        XCTAssertThrowsError(try Int8GEMM.multiply(m: 1, n: 1, k: 1, a: [200], b: [1]), "activations above 127")
        XCTAssertThrowsError(try Int8GEMM.multiply(m: 2, n: 1, k: 1, a: [1], b: [1]), "sizes")
    }

    func testQuantizeDequantizeErrorIsAtMostHalfAStep() throws {
        let weight = Tensor.normal([6, 50], generator: &generator)
        let (q, scales) = QuantizedLinear.quantize(weight, rows: 6)
        for (index, value) in weight.scalars.enumerated() {
            let scale = scales[index / 50]
            XCTAssertLessThanOrEqual(Swift.abs(Float(q[index]) * scale - value), scale / 2 + 1e-6)
        }
        let x = Tensor.normal([300], generator: &generator)
        let (values, scale, zero) = Int8GEMM.quantizeActivations(x, rows: 1, k: 300, stride: 300)
        XCTAssertTrue(values.allSatisfy { $0 <= 127 })
        for (index, value) in x.scalars.enumerated() {
            XCTAssertLessThanOrEqual(Swift.abs(Float(Int32(values[index]) - zero) * scale - value), scale / 2 + 1e-5)
        }
    }

    func testQuantizedLinearAndMLPStayCloseToTheFloatOnes() throws {
        let linear = try Linear(40, 12, generator: &generator)
        let quantized = QuantizedLinear(linear)
        let x = Tensor.normal([9, 40], generator: &generator)
        let exact = try noGrad { try linear(x) }, approximate = try quantized(x)
        let largest = exact.scalars.map(Swift.abs).max()!
        assertClose(approximate, exact, rtol: 0, atol: 0.05 * largest, "int8 within 5 % of the output scale")
        let model = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        let images = Tensor.uniform([16, 1, 28, 28], generator: &generator)
        model.eval()
        let float = try noGrad { try model(images) }
        XCTAssertEqual(try Quantization.quantizeDynamic(model), 2)
        XCTAssertEqual(model.namedModules().filter { $0.1 is QuantizedLinear }.count, 2)
        let int8 = try model(images)
        assertClose(int8, float, rtol: 0, atol: 0.05 * float.scalars.map(Swift.abs).max()!, "int8 MLP within 5 % of the output scale")
        XCTAssertThrowsError(try quantized(Tensor.normal([2, 39], generator: &generator)))
    }

    /// A quantized model saves its int8 weights as safetensors I8 and loads back bitwise into a
    /// freshly quantized copy.
    func testQuantizedModelsSaveAsI8AndLoadBackBitwise() throws {
        let model = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &generator)
        try Quantization.quantizeDynamic(model)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("quantized-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        XCTAssertEqual(header.components(separatedBy: "\"dtype\":\"I8\"").count - 1, 2, "both weights as I8: \(header)")
        XCTAssertEqual(try SafeTensors.read(path).tensors.keys.sorted(), ["1.bias", "1.weight", "1.weight_scale", "3.bias", "3.weight", "3.weight_scale"])
        XCTAssertLessThan(bytes.count, 784 * 512 + 100_000, "int8 weights: about a byte each")
        var other = RandomGenerator(seed: 99)
        let fresh = try ModelSpec("mlp", inputShape: [1, 28, 28]).build(generator: &other)
        try Quantization.quantizeDynamic(fresh)
        let images = Tensor.uniform([4, 1, 28, 28], generator: &generator)
        XCTAssertNotEqual(try fresh(images).scalars, try model(images).scalars)
        try fresh.load(from: path)
        XCTAssertEqual(try fresh(images).scalars, try model(images).scalars, "bitwise")
        XCTAssertThrowsError(try SafeTensors.encode([("x", try Tensor([0.5]))], int8: ["x"]), "not an integer")
    }
}
