#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Weight initializers, with PyTorch's meaning of fan-in, fan-out and gain.
///
/// Fan-in of a `[out, in, kh, kw]` weight is `in·kh·kw`, fan-out `out·kh·kw`.
public enum Initializer {
    /// All zeros.
    case zeros
    /// All equal to a constant.
    case constant(Float)
    /// Uniform in `[low, high)` — the course's `(−0.5, 0.5)` is `.uniform(low: -0.5, high: 0.5)`.
    case uniform(low: Float, high: Float)
    /// Normal with mean and standard deviation.
    case normal(mean: Float, standardDeviation: Float)
    /// Glorot/Xavier uniform: `U(±gain·√(6 / (fanIn + fanOut)))`.
    case xavierUniform(gain: Float = 1)
    /// Glorot/Xavier normal: `N(0, gain·√(2 / (fanIn + fanOut)))`.
    case xavierNormal(gain: Float = 1)
    /// He/Kaiming uniform on fan-in: `U(±gain·√(3 / fanIn))` with `gain = √(2 / (1 + a²))`.
    case kaimingUniform(negativeSlope: Float = 0)
    /// He/Kaiming normal on fan-in: `N(0, gain / √fanIn)`.
    case kaimingNormal(negativeSlope: Float = 0)
    /// A (semi-)orthogonal matrix from the QR decomposition of a normal one, scaled by `gain`.
    case orthogonal(gain: Float = 1)

    /// PyTorch's default for `Linear` and `Conv2d` weights and biases: `U(±1/√fanIn)`.
    public static func pytorchDefault(fanIn: Int) -> Initializer {
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return .uniform(low: -bound, high: bound)
    }

    /// Fan-in and fan-out of a weight shape.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        guard shape.count >= 2 else { return (shape.first ?? 1, shape.first ?? 1) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// A new tensor of `shape` drawn from this initializer.
    public func make(_ shape: [Int], generator: inout RandomGenerator) throws -> Tensor {
        let (fanIn, fanOut) = Initializer.fans(shape)
        switch self {
        case .zeros: return Tensor.filled(shape, 0)
        case .constant(let value): return Tensor.filled(shape, value)
        case let .uniform(low, high): return Tensor.uniform(shape, low: low, high: high, generator: &generator)
        case let .normal(mean, standardDeviation):
            return Tensor.normal(shape, mean: mean, standardDeviation: standardDeviation, generator: &generator)
        case .xavierUniform(let gain):
            let bound = gain * (6 / Float(fanIn + fanOut)).squareRoot()
            return Tensor.uniform(shape, low: -bound, high: bound, generator: &generator)
        case .xavierNormal(let gain):
            return Tensor.normal(shape, standardDeviation: gain * (2 / Float(fanIn + fanOut)).squareRoot(), generator: &generator)
        case .kaimingUniform(let slope):
            let bound = (2 / (1 + slope * slope)).squareRoot() * (3 / Float(fanIn)).squareRoot()
            return Tensor.uniform(shape, low: -bound, high: bound, generator: &generator)
        case .kaimingNormal(let slope):
            return Tensor.normal(shape, standardDeviation: (2 / (1 + slope * slope)).squareRoot() / Float(fanIn).squareRoot(),
                                 generator: &generator)
        case .orthogonal(let gain):
            let rows = shape.first ?? 1, columns = Swift.max(shape.dropFirst().reduce(1, *), 1)
            let tall = rows >= columns
            let sample = Tensor.normal(tall ? [rows, columns] : [columns, rows], generator: &generator)
            let (orthonormal, r) = try LinearAlgebra.qr(sample)
            // Make the decomposition unique (positive diagonal of R), as PyTorch does.
            let k = Swift.min(rows, columns)
            let signs = try Tensor((0..<k).map { try r.scalar(at: [$0, $0]) < 0 ? -1 : 1 })
            let q = try orthonormal * signs
            let matrix = tall ? q : q.transposed()
            return try (matrix * gain).reshaped(to: shape)
        }
    }
}
