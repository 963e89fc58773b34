#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Unary elementwise math. Each returns a new tensor of the same shape.

extension Tensor {
    /// `eˣ` elementwise.
    public func exp() -> Tensor { ElementwiseKernels.map(self) { expf($0) } }
    /// Natural logarithm elementwise (`-inf` at 0, NaN below, as IEEE).
    public func log() -> Tensor { ElementwiseKernels.map(self) { logf($0) } }
    /// Square root elementwise.
    public func sqrt() -> Tensor { ElementwiseKernels.map(self) { $0.squareRoot() } }
    /// `x²` elementwise.
    public func squared() -> Tensor { ElementwiseKernels.map(self) { $0 * $0 } }
    /// `xᵖ` elementwise for a scalar exponent.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return squared() }
        return ElementwiseKernels.map(self) { powf($0, exponent) }
    }
    /// `xᵉ` elementwise with broadcasting of the exponent tensor.
    public func pow(_ exponent: Tensor) throws -> Tensor {
        ElementwiseKernels.zip(self, exponent, shape: try broadcastShape(with: exponent, operation: "pow")) { powf($0, $1) }
    }
    /// `|x|` elementwise.
    public func abs() -> Tensor { ElementwiseKernels.map(self) { Swift.abs($0) } }
    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor { ElementwiseKernels.map(self) { tanhf($0) } }
    /// The logistic function `1 / (1 + e⁻ˣ)`, computed without overflow for large |x|.
    public func sigmoid() -> Tensor {
        ElementwiseKernels.map(self) { x in
            if x >= 0 { return 1 / (1 + expf(-x)) }
            let e = expf(x)
            return e / (1 + e)
        }
    }
    /// `Swift.max(x, 0)` elementwise (NaN stays NaN).
    public func relu() -> Tensor { ElementwiseKernels.map(self) { $0 < 0 ? 0 : $0 } }
    /// Clamps every element into `[minimum, maximum]`.
    public func clamped(min minimum: Float = -.infinity, max maximum: Float = .infinity) -> Tensor {
        ElementwiseKernels.map(self) { Swift.min(Swift.max($0, minimum), maximum) }
    }
    /// `sign(x)`: −1, 0 or 1 elementwise.
    public func sign() -> Tensor { ElementwiseKernels.map(self) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) } }
    /// Whether every element is finite (no NaN, no ±∞).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}
