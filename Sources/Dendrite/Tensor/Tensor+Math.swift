#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Unary elementwise math, differentiable. Each returns a new tensor of the same shape.

extension Tensor {
    /// `y = f(x)` with `∂y/∂x` computed from `x` and `y` by `derivative`.
    @inline(__always)
    func unary(_ name: String, _ f: (Float) -> Float,
                       derivative: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let y = ElementwiseKernels.map(self, f)
        guard requiresGradient && GradientMode.isEnabled else { return y }
        let x = self.detached(), output = y
        return y.recorded(name, [self]) { g in
            [ElementwiseKernels.zip3(g, x, output) { gradient, x, y in gradient * derivative(x, y) }]
        }
    }

    /// `eˣ` elementwise.
    public func exp() -> Tensor { unary("exp", { expf($0) }, derivative: { _, y in y }) }
    /// Natural logarithm elementwise (`-inf` at 0, NaN below, as IEEE).
    public func log() -> Tensor { unary("log", { logf($0) }, derivative: { x, _ in 1 / x }) }
    /// Square root elementwise.
    public func sqrt() -> Tensor { unary("sqrt", { $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    /// `x²` elementwise.
    public func squared() -> Tensor { unary("squared", { $0 * $0 }, derivative: { x, _ in 2 * x }) }
    /// `xᵖ` elementwise for a scalar exponent.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return squared() }
        return unary("pow", { powf($0, exponent) }, derivative: { x, _ in exponent * powf(x, exponent - 1) })
    }
    /// `xᵉ` elementwise with broadcasting of the exponent tensor.
    public func pow(_ exponent: Tensor) throws -> Tensor {
        let shape = try broadcastShape(with: exponent, operation: "pow")
        let base = self
        return ElementwiseKernels.zip(self, exponent, shape: shape) { powf($0, $1) }.recorded("pow", [self, exponent]) { g in
            let zeros = Tensor.zeros(shape)
            let x = try base.detached() + zeros, e = try exponent.detached() + zeros
            let dBase = ElementwiseKernels.zip3(g, x, e) { g, x, e in g * e * powf(x, e - 1) }
            let dExponent = ElementwiseKernels.zip3(g, x, e) { g, x, e in x > 0 ? g * powf(x, e) * logf(x) : 0 }
            return [base.requiresGradient ? try dBase.unbroadcast(to: base.shape) : nil,
                    exponent.requiresGradient ? try dExponent.unbroadcast(to: exponent.shape) : nil]
        }
    }
    /// `|x|` elementwise (gradient 0 at 0, as PyTorch).
    public func abs() -> Tensor {
        unary("abs", { Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }
    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor { unary("tanh", { tanhf($0) }, derivative: { _, y in 1 - y * y }) }
    /// The logistic function `1 / (1 + e⁻ˣ)`, computed without overflow for large |x|.
    public func sigmoid() -> Tensor {
        unary("sigmoid", { x in
            if x >= 0 { return 1 / (1 + expf(-x)) }
            let e = expf(x)
            return e / (1 + e)
        }, derivative: { _, y in y * (1 - y) })
    }
    /// `max(x, 0)` elementwise (NaN stays NaN); gradient 0 at 0, as PyTorch.
    public func relu() -> Tensor {
        // Written out rather than through `unary`, so that the backward loop is specialized too
        // (a stored derivative closure would be called per element): the gradient passes where y > 0.
        let y = ElementwiseKernels.map(self) { $0 < 0 ? 0 : $0 }
        guard requiresGradient && GradientMode.isEnabled else { return y }
        let output = y
        return y.recorded("relu", [self]) { g in [ElementwiseKernels.zip(g, output, shape: g.shape) { $1 > 0 ? $0 : 0 }] }
    }
    /// Clamps every element into `[minimum, maximum]`; the gradient passes where the input is inside.
    public func clamped(min minimum: Float = -.infinity, max maximum: Float = .infinity) -> Tensor {
        unary("clamped", { Swift.min(Swift.max($0, minimum), maximum) },
              derivative: { x, _ in x >= minimum && x <= maximum ? 1 : 0 })
    }
    /// `sign(x)`: −1, 0 or 1 elementwise (zero gradient).
    public func sign() -> Tensor { unary("sign", { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, derivative: { _, _ in 0 }) }
    /// Whether every element is finite (no NaN, no ±∞).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}
