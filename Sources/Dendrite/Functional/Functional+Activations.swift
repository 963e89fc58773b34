#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

extension Tensor {
    /// `x` for `x > 0`, `slope·x` otherwise (PyTorch's default slope 0.01).
    public func leakyRelu(negativeSlope slope: Float = 0.01) -> Tensor {
        unary("leakyRelu", parameter: slope, { x, slope in x > 0 ? x : slope * x }) { g, x, y in
            ElementwiseKernels.zip3(g, x, y, parameter: slope) { g, x, _, slope in x > 0 ? g : slope * g }
        }
    }

    /// `x` for `x > 0`, `α·(eˣ − 1)` otherwise.
    public func elu(alpha: Float = 1) -> Tensor {
        unary("elu", parameter: alpha, { x, alpha in x > 0 ? x : alpha * (expf(x) - 1) }) { g, x, y in
            ElementwiseKernels.zip3(g, x, y, parameter: alpha) { g, x, y, alpha in x > 0 ? g : g * (y + alpha) }
        }
    }

    /// The exact GELU `x·Φ(x) = ½x·(1 + erf(x/√2))`, PyTorch's default; `tanhApproximation`
    /// switches to `½x·(1 + tanh(√(2/π)·(x + 0.044715x³)))`.
    public func gelu(tanhApproximation: Bool = false) -> Tensor {
        if tanhApproximation {
            let c: Float = 0.797_884_56   // √(2/π)
            return unary("gelu(tanh)", parameter: c, { x, c in 0.5 * x * (1 + tanhf(c * (x + 0.044715 * x * x * x))) }) { g, x, y in
                ElementwiseKernels.zip3(g, x, y, parameter: c) { g, x, _, c in
                    let t = tanhf(c * (x + 0.044715 * x * x * x))
                    return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x))
                }
            }
        }
        // One vectorized pass computes the output and, when a gradient will flow, the derivative
        // Φ(x) + x·φ(x) for the backward pass (Φ from A&S 7.1.26: |error| ≤ 1.5e-7).
        let recording = requiresGradient && GradientMode.isEnabled
        let (y, slope) = ActivationKernels.gelu(self, slope: recording)
        guard recording, let slope else { return y }
        return y.recorded("gelu", [self]) { g in [ElementwiseKernels.zip(g, slope, shape: g.shape) { $0 * $1 }] }
    }
}

extension Tensor {
    /// `log(1 + eˣ)`, computed without overflow: `max(x, 0) + log(1 + e^{−|x|})`.
    public func softplus() -> Tensor {
        unary("softplus", { x, _ in Swift.max(x, 0) + log1pf(expf(-Swift.abs(x))) }) { g, x, y in
            ElementwiseKernels.zip3(g, x, y, parameter: 0) { g, x, _, _ in g * (x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))) }
        }
    }
}
