#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

// Unary elementwise math, differentiable. Each returns a new tensor of the same shape.

extension Tensor {
    /// `y = f(x, parameter)`, recorded with the backward pass `backward(g, x, y)` → `∂L/∂x`.
    ///
    /// Each call site writes `f` and `backward` as closure literals, the latter a `zip3` over a
    /// literal derivative that reads `parameter` from its last argument instead of capturing it:
    /// every loop is then specialized and vectorized. (A derivative stored in the tape and called
    /// per element cost an indirect call per element.)
    @inline(__always)
    func unary(_ name: String, parameter: Float = 0, _ f: (_ x: Float, _ parameter: Float) -> Float,
               backward: @escaping (_ g: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor) -> Tensor {
        let y = ElementwiseKernels.map(self, parameter: parameter, f)
        guard requiresGradient && GradientMode.isEnabled else { return y }
        let x = self.detached(), output = y
        return y.recorded(name, [self]) { g in [backward(g, x, output)] }
    }

    /// `eˣ` elementwise.
    public func exp() -> Tensor {
        unary("exp", { x, _ in expf(x) }) { g, x, y in ElementwiseKernels.zip3(g, x, y, parameter: 0) { g, _, y, _ in g * y } }
    }
    /// Natural logarithm elementwise (`-inf` at 0, NaN below, as IEEE).
    public func log() -> Tensor {
        unary("log", { x, _ in logf(x) }) { g, x, y in ElementwiseKernels.zip3(g, x, y, parameter: 0) { g, x, _, _ in g / x } }
    }
    /// Square root elementwise.
    public func sqrt() -> Tensor {
        unary("sqrt", { x, _ in x.squareRoot() }) { g, x, y in
            ElementwiseKernels.zip3(g, x, y, parameter: 0) { g, _, y, _ in g * (0.5 / y) }
        }
    }
    /// `x²` elementwise.
    public func squared() -> Tensor {
        unary("squared", { x, _ in x * x }) { g, x, y in ElementwiseKernels.zip3(g, x, y, parameter: 0) { g, x, _, _ in g * (2 * x) } }
    }
    /// `xᵖ` elementwise for a scalar exponent.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return squared() }
        return unary("pow", parameter: exponent, { x, p in powf(x, p) }) { g, x, y in
            ElementwiseKernels.zip3(g, x, y, parameter: exponent) { g, x, _, p in g * (p * powf(x, p - 1)) }
        }
    }
    /// `xᵉ` elementwise with broadcasting of the exponent tensor.
    public func pow(_ exponent: Tensor) throws -> Tensor {
        let shape = try broadcastShape(with: exponent, operation: "pow")
        let base = self
        return ElementwiseKernels.zip(self, exponent, shape: shape) { powf($0, $1) }.recorded("pow", [self, exponent]) { g in
            let zeros = Tensor.filled(shape, 0)
            let x = try base.detached() + zeros, e = try exponent.detached() + zeros
            let dBase = ElementwiseKernels.zip3(g, x, e) { g, x, e in g * e * powf(x, e - 1) }
            let dExponent = ElementwiseKernels.zip3(g, x, e) { g, x, e in x > 0 ? g * powf(x, e) * logf(x) : 0 }
            return [base.requiresGradient ? try dBase.unbroadcast(to: base.shape) : nil,
                    exponent.requiresGradient ? try dExponent.unbroadcast(to: exponent.shape) : nil]
        }
    }
    /// `|x|` elementwise (gradient 0 at 0, as PyTorch).
    public func abs() -> Tensor {
        unary("abs", { x, _ in Swift.abs(x) }) { g, x, y in
            ElementwiseKernels.zip3(g, x, y, parameter: 0) { g, x, _, _ in x > 0 ? g : (x < 0 ? -g : 0) }
        }
    }
    /// Hyperbolic tangent elementwise.
    public func tanh() -> Tensor {
        unary("tanh", { x, _ in tanhf(x) }) { g, x, y in ElementwiseKernels.zip3(g, x, y, parameter: 0) { g, _, y, _ in g * (1 - y * y) } }
    }
    /// The logistic function `1 / (1 + e⁻ˣ)`, computed without overflow for large |x|.
    public func sigmoid() -> Tensor {
        unary("sigmoid", { x, _ in
            if x >= 0 { return 1 / (1 + expf(-x)) }
            let e = expf(x)
            return e / (1 + e)
        }) { g, x, y in ElementwiseKernels.zip3(g, x, y, parameter: 0) { g, _, y, _ in g * (y * (1 - y)) } }
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
        // Two bounds: the lower travels as the parameter, the upper is captured (rarely hot).
        unary("clamped", parameter: minimum, { x, low in Swift.min(Swift.max(x, low), maximum) }) { g, x, y in
            ElementwiseKernels.zip3(g, x, y, parameter: minimum) { g, x, _, low in x >= low && x <= maximum ? g : 0 }
        }
    }
    /// `sign(x)`: −1, 0 or 1 elementwise (zero gradient).
    public func sign() -> Tensor {
        unary("sign", { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) { g, _, _ in Tensor.filled(g.shape, 0) }
    }
    /// Whether every element is finite (no NaN, no ±∞).
    public var isFinite: Bool { scalars.allSatisfy { $0.isFinite } }
}
