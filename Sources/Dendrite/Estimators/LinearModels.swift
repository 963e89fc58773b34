/// Inputs `[N, features]` and targets `[N]` or `[N, outputs]`, checked; targets as `[N, outputs]`.
func linearModelData(_ x: Tensor, _ y: Tensor, _ name: String) throws -> Tensor {
    guard x.rank == 2, x.shape[0] >= 1, y.shape.first == x.shape[0], y.rank == 1 || y.rank == 2 else {
        throw DendriteError.shapeMismatch(operation: name, expected: "inputs [N, features] and targets [N] or [N, outputs]",
                                          got: "\(x.shape) and \(y.shape)")
    }
    guard ReductionKernels.allFinite(x), ReductionKernels.allFinite(y) else {
        throw DendriteError.invalidArgument(operation: name, argument: "data", reason: "contains NaN or infinite values")
    }
    return y.rank == 1 ? try y.reshaped(to: [x.shape[0], 1]) : y
}

/// What ``LinearRegression`` and ``Ridge`` share: `coef_` and `intercept_`, `predict`, `score`.
public class LinearPredictor {
    /// `coef_`: `[features]` for 1-D targets, else `[outputs, features]` (scikit-learn's layout).
    public internal(set) var coefficients = Tensor(0)
    /// `intercept_`: a scalar for 1-D targets, else `[outputs]`.
    public internal(set) var intercept = Tensor(0)
    /// Whether an intercept is fitted (else the line passes through the origin).
    public let fitIntercept: Bool
    var weights: Tensor?   // [features, outputs]
    var offsets = Tensor(0)
    var targetRank = 1
    let name: String

    init(fitIntercept: Bool, name: String) {
        self.fitIntercept = fitIntercept
        self.name = name
    }

    /// Predictions `[N]` (or `[N, outputs]`).
    public func predict(_ x: Tensor) throws -> Tensor {
        guard let weights else { throw DendriteError.invalidArgument(operation: name, argument: "model", reason: "is not fitted yet") }
        guard x.rank == 2, x.shape[1] == weights.shape[0] else {
            throw DendriteError.shapeMismatch(operation: name, expected: "inputs [N, \(weights.shape[0])]", got: "\(x.shape)")
        }
        let p = try x.matmul(weights) + offsets
        return targetRank == 1 ? try p.reshaped(to: [x.shape[0]]) : p
    }

    /// R² (averaged over outputs).
    public func score(_ x: Tensor, _ y: Tensor) throws -> Double {
        let p = try predict(x)
        return try coefficientOfDetermination(predicted: try p.reshaped(to: [x.shape[0], p.count / x.shape[0]]),
                                              targets: try linearModelData(x, y, name))
    }

    /// Solves for centered data with `solve(xc, yc)` and sets the intercept `ȳ − x̄·w`.
    func fit(_ x: Tensor, _ y: Tensor, solve: (Tensor, Tensor) throws -> Tensor) throws {
        let targets = try linearModelData(x, y, name)
        targetRank = y.rank
        let xMean = fitIntercept ? try x.mean(alongAxes: [0]) : Tensor.filled([x.shape[1]], 0)
        let yMean = fitIntercept ? try targets.mean(alongAxes: [0]) : Tensor.filled([targets.shape[1]], 0)
        let w = try solve(try x - xMean, try targets - yMean)      // [features, outputs]
        weights = w
        offsets = try yMean - (try xMean.reshaped(to: [1, x.shape[1]]).matmul(w)).reshaped(to: [targets.shape[1]])
        coefficients = targetRank == 1 ? try w.reshaped(to: [x.shape[1]]) : w.transposed()
        intercept = targetRank == 1 ? Tensor(offsets.scalars[0]) : offsets
    }
}

/// scikit-learn's `LinearRegression`: ordinary least squares on centered data through LAPACKE's
/// SVD solver (`sgelsd`: the minimum-norm solution when the inputs are rank deficient, with
/// NumPy's rank cutoff ε·max(m, n)), the intercept from the means.
public final class LinearRegression: LinearPredictor {
    /// Creates the estimator.
    public init(fitIntercept: Bool = true) { super.init(fitIntercept: fitIntercept, name: "LinearRegression") }

    /// Fits inputs `[N, features]` to targets `[N]` or `[N, outputs]`.
    ///
    /// - Throws: shape errors naming the estimator.
    public func fit(_ x: Tensor, _ y: Tensor) throws {
        try fit(x, y) { xc, yc in
            // Singular values below ε·max(m, n)·σ_max count as zero (NumPy's `lstsq` cutoff): in
            // single precision, rounding leaves directions of exactly dependent columns near 1e-5·σ_max.
            let (solution, rank) = try LinearAlgebra.minimumNormLeastSquares(xc, yc, rcond: Float.ulpOfOne * Float(Swift.max(xc.shape[0], xc.shape[1])))
            self.rank = rank
            return solution
        }
    }

    /// `rank_`: the effective rank of the centered inputs.
    public private(set) var rank = 0
}

/// scikit-learn's `Ridge` (solver `cholesky`): `min ‖y − Xw‖² + alpha·‖w‖²`, solved as
/// `(XᵀX + alpha·I)·w = Xᵀy` by Cholesky through LAPACKE (`sposv`) on centered data.
public final class Ridge: LinearPredictor {
    /// The L2 strength.
    public let alpha: Float

    /// Creates the estimator.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a negative alpha.
    public init(alpha: Float = 1, fitIntercept: Bool = true) throws {
        guard alpha >= 0 else { throw DendriteError.invalidArgument(operation: "Ridge", argument: "alpha \(alpha)", reason: "must be ≥ 0") }
        self.alpha = alpha
        super.init(fitIntercept: fitIntercept, name: "Ridge")
    }

    /// Fits inputs `[N, features]` to targets `[N]` or `[N, outputs]`.
    public func fit(_ x: Tensor, _ y: Tensor) throws {
        let alpha = self.alpha
        try fit(x, y) { xc, yc in
            let features = xc.shape[1]
            var gram = Tensor.gemmOutput([features, features])
            try gemm(transposeA: true, m: features, n: features, k: xc.shape[0], a: xc, b: xc, c: &gram)
            var right = Tensor.gemmOutput([features, yc.shape[1]])
            try gemm(transposeA: true, m: features, n: yc.shape[1], k: xc.shape[0], a: xc, b: yc, c: &right)
            let regularized = try gram + Tensor.identity(features) * alpha
            return try LinearAlgebra.solvePositiveDefinite(regularized, right)
        }
    }
}
