import Foundation

/// scikit-learn's `LogisticRegression` (penalty L2, solver lbfgs): minimizes the mean log-loss
/// plus `‖W‖² / (2·C·n)` (the intercept unpenalized) — a logistic model for two classes, a
/// multinomial (softmax) one for more — by L-BFGS until the largest gradient entry is at most
/// `tolerance` or `maxIterations` run out.
public final class LogisticRegression {
    /// Inverse regularization strength.
    public let C: Float
    /// L-BFGS iterations at most (`max_iter`).
    public let maxIterations: Int
    /// Stop when every gradient entry is at most this (`tol`).
    public let tolerance: Float
    /// Whether an intercept is fitted.
    public let fitIntercept: Bool
    /// `classes_`.
    public private(set) var classes: [Float] = []
    /// `coef_`: `[1, features]` for two classes, `[classes, features]` for more.
    public private(set) var coefficients = Tensor(0)
    /// `intercept_`: `[1]` or `[classes]`.
    public private(set) var intercept = Tensor(0)
    /// `n_iter_`.
    public private(set) var iterationCount = 0
    /// The `ConvergenceWarning` when `maxIterations` ran out.
    public private(set) var warnings: [String] = []

    /// Creates the estimator with scikit-learn's defaults.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for C ≤ 0, no iterations or a negative tolerance.
    public init(C: Float = 1, maxIterations: Int = 100, tolerance: Float = 1e-4, fitIntercept: Bool = true) throws {
        guard C > 0, maxIterations >= 1, tolerance >= 0 else {
            throw DendriteError.invalidArgument(operation: "LogisticRegression", argument: "C \(C), maxIterations \(maxIterations), tolerance \(tolerance)",
                                                reason: "needs C > 0, maxIterations ≥ 1 and tolerance ≥ 0")
        }
        self.C = C
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.fitIntercept = fitIntercept
    }

    private var isBinary: Bool { classes.count == 2 }

    /// Fits inputs `[N, features]` to labels `[N]` (at least two distinct values).
    public func fit(_ x: Tensor, _ labels: Tensor) throws {
        _ = try linearModelData(x, labels, "LogisticRegression")
        guard labels.rank == 1 else {
            throw DendriteError.shapeMismatch(operation: "LogisticRegression", expected: "labels [N]", got: "\(labels.shape)")
        }
        classes = Array(Set(labels.scalars)).sorted()
        guard classes.count >= 2 else {
            throw DendriteError.invalidArgument(operation: "LogisticRegression", argument: "labels", reason: "needs at least 2 classes, got \(classes)")
        }
        let (n, features) = (x.shape[0], x.shape[1]), outputs = isBinary ? 1 : classes.count
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var encoded = [Float](repeating: 0, count: n * outputs)
        for (row, label) in labels.scalars.enumerated() {
            if isBinary { encoded[row] = Float(index[label]!) } else { encoded[row * outputs + index[label]!] = 1 }
        }
        let targets = try Tensor(shape: [n, outputs], scalars: encoded)
        let weight = Parameter(Tensor.filled([features, outputs], 0)), bias = Parameter(Tensor.filled([outputs], 0))
        let solver = try LBFGS(fitIntercept ? [weight, bias] : [weight], maxIterations: maxIterations, maxEvaluations: maxIterations * 20,
                               toleranceGradient: tolerance, toleranceChange: 0, historySize: 10, lineSearch: .strongWolfe)
        let strength = 1 / (C * Float(n)), binary = isBinary
        _ = try solver.step {
            let z = try x.matmul(weight.value) + bias.value
            let p = binary ? z.sigmoid() : try softmax(z)
            let residual = try p - targets
            var gradient = Tensor.gemmOutput([features, outputs])
            try gemm(transposeA: true, m: features, n: outputs, k: n, a: x, b: residual, c: &gradient)
            weight.gradient = try gradient / Float(n) + weight.value * strength
            bias.gradient = try residual.sum(alongAxes: [0]) / Float(n)
            let penalty = 0.5 * Double(strength) * OptimizerKernels.sumOfSquares(weight.value)
            return Tensor(Float(Self.meanLogLoss(z: z, probabilities: p, targets: targets, binary: binary) + penalty))
        }
        iterationCount = solver.iterationCount
        warnings = iterationCount >= maxIterations
            ? ["lbfgs failed to converge after \(maxIterations) iteration(s) (status=1): STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT"] : []
        coefficients = weight.value.transposed()
        intercept = bias.value
    }

    /// The mean log-loss from the logits (stable: log σ(z) = −log(1 + e⁻ᶻ), log-softmax).
    static func meanLogLoss(z: Tensor, probabilities: Tensor, targets: Tensor, binary: Bool) -> Double {
        let logits = z.scalars, y = targets.scalars
        let rows = targets.shape[0], width = targets.shape[1]
        var total = 0.0
        for row in 0..<rows {
            if binary {
                let value = Double(logits[row]), label = Double(y[row])
                // −[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + eᶻ) − y·z
                total += Swift.max(value, 0) + Foundation.log(1 + Foundation.exp(-Swift.abs(value))) - label * value
            } else {
                let slice = (0..<width).map { Double(logits[row * width + $0]) }
                let top = slice.max()!, logSum = top + Foundation.log(slice.reduce(0) { $0 + Foundation.exp($1 - top) })
                for column in 0..<width where y[row * width + column] != 0 { total += Double(y[row * width + column]) * (logSum - slice[column]) }
            }
        }
        return total / Double(rows)
    }

    /// Class probabilities `[N, classes]`.
    public func predictProbabilities(_ x: Tensor) throws -> Tensor {
        guard !classes.isEmpty else { throw DendriteError.invalidArgument(operation: "LogisticRegression", argument: "model", reason: "is not fitted yet") }
        guard x.rank == 2, x.shape[1] == coefficients.shape[1] else {
            throw DendriteError.shapeMismatch(operation: "LogisticRegression", expected: "inputs [N, \(coefficients.shape[1])]", got: "\(x.shape)")
        }
        let z = try x.matmul(coefficients.transposed()) + intercept
        if isBinary {
            let p = z.sigmoid()
            return try Tensor.concat([1 - p, p], alongAxis: 1)
        }
        return try softmax(z)
    }

    /// Predicted labels `[N]`.
    public func predict(_ x: Tensor) throws -> Tensor {
        try Tensor(try predictProbabilities(x).argmax(alongAxis: 1).map { classes[$0] })
    }

    /// Mean accuracy.
    public func score(_ x: Tensor, _ labels: Tensor) throws -> Double {
        try accuracyScore(predicted: try predict(x), labels: labels)
    }
}

/// The share of `predicted` labels equal to `labels` (same shape).
public func accuracyScore(predicted: Tensor, labels: Tensor) throws -> Double {
    guard predicted.shape == labels.shape, predicted.count > 0 else {
        throw DendriteError.shapeMismatch(operation: "accuracyScore", expected: "two label tensors of one shape", got: "\(predicted.shape) and \(labels.shape)")
    }
    return Double(zip(predicted.scalars, labels.scalars).filter { $0 == $1 }.count) / Double(predicted.count)
}
