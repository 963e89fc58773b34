/// scikit-learn's `MLPRegressor` with its parameters, defaults and numbers: a multilayer
/// perceptron with an identity output trained on the squared error `½·mean((y − ŷ)²)`.
///
/// ```swift
/// let regressor = MLPRegressor()
/// try regressor.fit(x, y)                        // y [N] or [N, outputs]
/// let r2 = try regressor.score(xTest, yTest)
/// ```
public final class MLPRegressor: MLPEstimator {
    private var targetRank = 1

    /// Creates the regressor (scikit-learn's defaults unless given).
    public init(_ hyperparameters: MLPHyperparameters = MLPHyperparameters()) {
        super.init(hyperparameters, name: "MLPRegressor")
    }

    /// Fits on inputs `[N, features]` and targets `[N]` or `[N, outputs]`; with `earlyStopping`,
    /// `validation` replaces the random `validationFraction` split.
    ///
    /// - Throws: ``DendriteError`` naming the estimator for bad shapes, non-finite values or
    ///   invalid hyperparameters.
    public func fit(_ x: Tensor, _ y: Tensor, validation: (inputs: Tensor, targets: Tensor)? = nil) throws {
        try fitTargets(x, y, incremental: false, validation: validation)
    }

    /// One epoch over `x` (scikit-learn's `partial_fit`).
    public func partialFit(_ x: Tensor, _ y: Tensor) throws { try fitTargets(x, y, incremental: true, validation: nil) }

    /// Starts from these weights (scikit-learn's layout); a `fit` with `warmStart` continues from them.
    public func setWeights(coefs: [Tensor], intercepts: [Tensor]) throws {
        targetRank = (coefs.last?.shape[1] ?? 1) == 1 ? 1 : 2
        try install(coefs: coefs, intercepts: intercepts, output: .identity)
    }

    /// Predictions `[N]` (or `[N, outputs]` for 2-D targets).
    public func predict(_ x: Tensor) throws -> Tensor {
        try checkInputs(x, fitted: true)
        let p = try training.network!.predict(x)
        return targetRank == 1 ? try p.reshaped(to: [x.shape[0]]) : p
    }

    /// R², averaged over the outputs (scikit-learn's `score`).
    public func score(_ x: Tensor, _ y: Tensor) throws -> Double {
        try checkInputs(x, fitted: true)
        return try coefficientOfDetermination(predicted: try training.network!.predict(x), targets: try columns(y, rows: x.shape[0]))
    }

    private func columns(_ y: Tensor, rows: Int) throws -> Tensor {
        guard y.shape.first == rows, y.rank == 1 || y.rank == 2, y.scalars.allSatisfy(\.isFinite) else {
            throw DendriteError.shapeMismatch(operation: name, expected: "finite targets [\(rows)] or [\(rows), outputs]", got: "\(y.shape)")
        }
        return y.rank == 1 ? try y.reshaped(to: [rows, 1]) : y
    }

    private func fitTargets(_ x: Tensor, _ y: Tensor, incremental: Bool, validation: (inputs: Tensor, targets: Tensor)?) throws {
        try checkInputs(x, fitted: false)
        var targets = try columns(y, rows: x.shape[0])
        if training.network == nil || (!hyperparameters.warmStart && !incremental) { targetRank = y.rank }
        var trainX = x
        var held = try validation.map { ($0.inputs, try columns($0.targets, rows: $0.inputs.shape[0])) }
        if hyperparameters.earlyStopping && held == nil {
            let split = try trainTestSplit(count: x.shape[0], testFraction: hyperparameters.validationFraction, generator: &generator)
            guard split.test.count >= 2 else {
                throw DendriteError.invalidArgument(operation: name, argument: "validationFraction",
                                                    reason: "the validation set is too small; increase it or the data")
            }
            held = (x.gatheringRows(split.test), targets.gatheringRows(split.test))
            (trainX, targets) = (x.gatheringRows(split.train), targets.gatheringRows(split.train))
        }
        let score: ((Perceptron) throws -> Double)? = hyperparameters.earlyStopping ? { network in
            try coefficientOfDetermination(predicted: try network.predict(held!.0), targets: held!.1)
        } : nil
        try fitEncoded(trainX, targets, output: .identity, incremental: incremental, validation: score, validationInputs: held?.0)
    }
}

/// R² of `predicted` against `targets` (both `[N, outputs]`), averaged over outputs: `1 − SSres/SStot`
/// (an output with no variance scores 1 when predicted exactly, else 0 — scikit-learn's convention).
public func coefficientOfDetermination(predicted: Tensor, targets: Tensor) throws -> Double {
    guard predicted.shape == targets.shape, targets.rank == 2, targets.shape[0] >= 1 else {
        throw DendriteError.shapeMismatch(operation: "coefficientOfDetermination", expected: "two [N, outputs] tensors",
                                          got: "\(predicted.shape) and \(targets.shape)")
    }
    let (rows, outputs) = (targets.shape[0], targets.shape[1])
    let (p, y) = (predicted.scalars, targets.scalars)
    var total = 0.0
    for column in 0..<outputs {
        var mean = 0.0
        for row in 0..<rows { mean += Double(y[row * outputs + column]) }
        mean /= Double(rows)
        var residual = 0.0, spread = 0.0
        for row in 0..<rows {
            let t = Double(y[row * outputs + column])
            residual += (t - Double(p[row * outputs + column])) * (t - Double(p[row * outputs + column]))
            spread += (t - mean) * (t - mean)
        }
        total += spread > 0 ? 1 - residual / spread : (residual == 0 ? 1 : 0)
    }
    return total / Double(outputs)
}
