import Foundation

/// The network of ``MLPClassifier`` and ``MLPRegressor`` and its loss, computed as scikit-learn's
/// `BaseMultilayerPerceptron` computes them: weights `[fan in, fan out]`, Glorot-uniform
/// initialization, hidden activation, an output activation chosen by the task, and the loss with
/// its L2 term `½·alpha·‖W‖² / n` and gradients `(aᵀ·δ + alpha·W) / n`.
struct Perceptron {
    /// The output layer's activation and the loss that goes with it.
    enum Output: String, Sendable {
        /// Regression: identity output, squared error `½·mean((y − ŷ)²)` averaged over outputs.
        case identity
        /// Binary and multilabel classification: logistic outputs, binary log-loss summed over outputs.
        case logistic
        /// Multiclass classification: softmax output, log-loss.
        case softmax
    }

    var coefs: [Tensor]
    var intercepts: [Tensor]
    let activation: MLPActivation
    let output: Output

    /// Glorot-uniform weights and biases, bound `√(factor / (fan in + fan out))` with factor 6, or
    /// 2 for the logistic activation.
    init(layerUnits: [Int], activation: MLPActivation, output: Output, generator: inout RandomGenerator) {
        self.activation = activation
        self.output = output
        var coefs: [Tensor] = [], intercepts: [Tensor] = []
        for (fanIn, fanOut) in zip(layerUnits, layerUnits.dropFirst()) {
            let bound = (Float(activation == .logistic ? 2 : 6) / Float(fanIn + fanOut)).squareRoot()
            coefs.append(Tensor.uniform([fanIn, fanOut], low: -bound, high: bound, generator: &generator))
            intercepts.append(Tensor.uniform([fanOut], low: -bound, high: bound, generator: &generator))
        }
        self.coefs = coefs
        self.intercepts = intercepts
    }

    init(coefs: [Tensor], intercepts: [Tensor], activation: MLPActivation, output: Output) {
        self.coefs = coefs
        self.intercepts = intercepts
        self.activation = activation
        self.output = output
    }

    var inputCount: Int { coefs.first?.shape[0] ?? 0 }
    var outputCount: Int { coefs.last?.shape[1] ?? 0 }

    /// Every layer's activations, the input first.
    func activations(_ x: Tensor) throws -> [Tensor] {
        var layers = [x]
        for (index, (w, b)) in zip(coefs, intercepts).enumerated() {
            let z = try layers[index].matmul(w) + b
            layers.append(index == coefs.count - 1 ? try outputActivation(z) : hiddenActivation(z))
        }
        return layers
    }

    /// The output layer's activations `[N, outputs]`.
    func predict(_ x: Tensor) throws -> Tensor { try activations(x).last! }

    private func hiddenActivation(_ z: Tensor) -> Tensor {
        switch activation {
        case .identity: return z
        case .logistic: return z.sigmoid()
        case .tanh: return z.tanh()
        case .relu: return z.relu()
        }
    }

    private func outputActivation(_ z: Tensor) throws -> Tensor {
        switch output {
        case .identity: return z
        case .logistic: return z.sigmoid()
        case .softmax: return try softmax(z)
        }
    }

    /// `delta ⊙ f′`, with `f′` from the activated values `a` (as scikit-learn's in-place derivatives).
    private func hiddenDerivative(_ a: Tensor, _ delta: Tensor) throws -> Tensor {
        switch activation {
        case .identity: return delta
        case .logistic: return try delta * (a * (1 - a))
        case .tanh: return try delta * (1 - a * a)
        case .relu: return try delta * a.greater(0)
        }
    }

    /// The data term of the loss (no penalty) for outputs `predicted` against `targets`, in `Double`.
    func dataLoss(predicted: Tensor, targets: Tensor) -> Double {
        let p = predicted.scalars, y = targets.scalars
        let rows = Double(Swift.max(predicted.shape[0], 1)), columns = Double(Swift.max(predicted.shape.last ?? 1, 1))
        let eps = Double(Float.ulpOfOne)
        var total = 0.0
        switch output {
        case .identity:
            for index in p.indices { let d = Double(y[index]) - Double(p[index]); total += d * d }
            return 0.5 * total / rows / columns
        case .logistic:
            for index in p.indices {
                let q = Swift.min(Swift.max(Double(p[index]), eps), 1 - eps), t = Double(y[index])
                if t != 0 { total += t * Foundation.log(q) }
                if t != 1 { total += (1 - t) * Foundation.log(1 - q) }
            }
            return -total / rows
        case .softmax:
            for index in p.indices where y[index] != 0 {
                total += Double(y[index]) * Foundation.log(Swift.min(Swift.max(Double(p[index]), eps), 1 - eps))
            }
            return -total / rows
        }
    }

    /// `½·alpha·Σ‖W‖² / n`.
    func penalty(alpha: Float, samples: Int) -> Double {
        let squares = coefs.reduce(0.0) { $0 + OptimizerKernels.sumOfSquares($1) }
        return 0.5 * Double(alpha) * squares / Double(samples)
    }

    /// `op(a)·op(b)` through one GEMM (no transposed copies).
    private func product(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false) throws -> Tensor {
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        var c = Tensor.gemmOutput([m, n])
        try gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, c: &c)
        return c
    }

    /// The loss of a batch and its gradients (scikit-learn's `_backprop`): `δ_last = ŷ − y` (the
    /// canonical link of each output), weight gradients `(aᵀ·δ + alpha·W) / n`, bias gradients `Σδ / n`.
    func lossAndGradients(_ x: Tensor, _ y: Tensor, alpha: Float) throws -> (loss: Double, coefs: [Tensor], intercepts: [Tensor]) {
        let layers = try activations(x)
        let n = x.shape[0]
        let loss = dataLoss(predicted: layers.last!, targets: y) + penalty(alpha: alpha, samples: n)
        var coefGrads = [Tensor](repeating: Tensor(0), count: coefs.count), interceptGrads = coefGrads
        var delta = try layers.last! - y
        for index in stride(from: coefs.count - 1, through: 0, by: -1) {
            coefGrads[index] = try (product(layers[index], transposeA: true, delta) + coefs[index] * alpha) / Float(n)
            interceptGrads[index] = try delta.sum(alongAxes: [0]) / Float(n)
            if index > 0 { delta = try hiddenDerivative(layers[index], product(delta, coefs[index], transposeB: true)) }
        }
        return (loss, coefGrads, interceptGrads)
    }
}
