/// What ``MLPClassifier`` and ``MLPRegressor`` share (scikit-learn's `BaseMultilayerPerceptron`):
/// the hyperparameters, the fitted weights and the training record.
public class MLPEstimator {
    /// The hyperparameters, scikit-learn's names in Swift spelling (set before `fit`).
    public var hyperparameters: MLPHyperparameters
    var training = PerceptronTraining()
    var generator: RandomGenerator
    /// Where the stochastic solvers (`sgd`, `adam`) show their progress: each iteration's batches on
    /// the bar (on a terminal), then a line `iteration 3/200 · loss 0.412731 [· validation 0.8712]`.
    /// `nil` (the default) shows nothing; `verbose` prints scikit-learn's own lines either way.
    public var progress: ProgressBar?
    let name: String

    init(_ hyperparameters: MLPHyperparameters, name: String) {
        self.hyperparameters = hyperparameters
        self.name = name
        generator = RandomGenerator(seed: hyperparameters.randomState ?? UInt64.random(in: 0...UInt64.max))
    }

    /// `coefs_`: each layer's weights `[fan in, fan out]` (empty before `fit`).
    public var coefs: [Tensor] { training.network?.coefs ?? [] }
    /// `intercepts_`: each layer's biases.
    public var intercepts: [Tensor] { training.network?.intercepts ?? [] }
    /// `loss_`: the last epoch's mean training loss (lbfgs: the final loss), with the L2 term.
    public var loss: Double? { training.loss }
    /// `best_loss_`: the lowest `loss` so far (stochastic solvers without early stopping).
    public var bestLoss: Double? { training.bestLoss }
    /// `loss_curve_`: `loss` after every epoch (stochastic solvers).
    public var lossCurve: [Double] { training.lossCurve }
    /// `validation_scores_`: the held-out score after every epoch (early stopping).
    public var validationScores: [Double] { training.validationScores }
    /// `best_validation_score_`.
    public var bestValidationScore: Double? { training.bestValidationScore }
    /// `n_iter_`: epochs run (lbfgs: iterations).
    public var iterationCount: Int { training.iterationCount }
    /// `t_`: training samples seen by the stochastic solvers.
    public var samplesSeen: Int { training.samplesSeen }
    /// `n_layers_`: input, hidden and output layers.
    public var layerCount: Int { coefs.count + 1 }
    /// `out_activation_`: `identity`, `logistic` or `softmax`.
    public var outputActivation: String? { training.network?.output.rawValue }
    /// The warnings of the last `fit` — scikit-learn's `ConvergenceWarning` text when `maxIterations`
    /// ran out — also printed to standard error.
    public private(set) var warnings: [String] = []

    /// Validates inputs `[N, features]` against the fitted network.
    func checkInputs(_ x: Tensor, fitted: Bool) throws {
        guard x.rank == 2, x.shape[0] >= 1 else {
            throw DendriteError.shapeMismatch(operation: name, expected: "inputs [samples ≥ 1, features]", got: "\(x.shape)")
        }
        guard ReductionKernels.allFinite(x) else {
            throw DendriteError.invalidArgument(operation: name, argument: "inputs", reason: "contain NaN or infinite values")
        }
        if fitted {
            guard let network = training.network else {
                throw DendriteError.invalidArgument(operation: name, argument: "model", reason: "is not fitted yet: call fit first")
            }
            guard x.shape[1] == network.inputCount else {
                throw DendriteError.shapeMismatch(operation: name, expected: "\(network.inputCount) features", got: "\(x.shape[1])")
            }
        }
    }

    /// Fits on encoded targets: new weights unless `warmStart` (or `incremental`) and already fitted.
    func fitEncoded(_ x: Tensor, _ targets: Tensor, output: Perceptron.Output, incremental: Bool,
                    validation: ((Perceptron) throws -> Double)?, validationInputs: Tensor?) throws {
        try hyperparameters.validate(name)
        if hyperparameters.earlyStopping && incremental {
            throw DendriteError.invalidArgument(operation: "\(name).partialFit", argument: "earlyStopping", reason: "partial_fit does not support early stopping")
        }
        let firstPass = training.network == nil || (!hyperparameters.warmStart && !incremental)
        if let network = training.network, !firstPass, network.inputCount != x.shape[1] || network.outputCount != targets.shape[1] {
            throw DendriteError.shapeMismatch(operation: name, expected: "\(network.inputCount) features → \(network.outputCount) outputs",
                                              got: "\(x.shape[1]) → \(targets.shape[1])")
        }
        if firstPass {
            if let seed = hyperparameters.randomState { generator = RandomGenerator(seed: seed) }
            let units = [x.shape[1]] + hyperparameters.hiddenLayerSizes + [targets.shape[1]]
            let network = Perceptron(layerUnits: units, activation: hyperparameters.activation, output: output, generator: &generator)
            training.start(network, earlyStopping: hyperparameters.earlyStopping)
        }
        training.warnings = []
        let data = PerceptronTraining.Batch(inputs: x, targets: targets, validation: validation.map { (validationInputs!, $0) })
        try training.fit(data, hyperparameters, incremental: incremental, generator: &generator, progress: progress)
        warnings = training.warnings
        for warning in warnings { FileHandleOutput.standardError("ConvergenceWarning: \(warning)") }
    }

    /// Replaces the weights (shapes `[fan in, fan out]` and `[fan out]`, chained) and clears the
    /// training record: a `fit` with `warmStart` then starts from them — as from weights another
    /// library drew.
    func install(coefs: [Tensor], intercepts: [Tensor], output: Perceptron.Output) throws {
        guard coefs.count == intercepts.count, !coefs.isEmpty,
              zip(coefs, intercepts).allSatisfy({ $0.rank == 2 && $1.shape == [$0.shape[1]] }),
              zip(coefs, coefs.dropFirst()).allSatisfy({ $0.shape[1] == $1.shape[0] }) else {
            throw DendriteError.shapeMismatch(operation: "\(name).setWeights", expected: "chained [fan in, fan out] weights with [fan out] biases",
                                              got: "\(coefs.map(\.shape)) and \(intercepts.map(\.shape))")
        }
        training.start(Perceptron(coefs: coefs, intercepts: intercepts, activation: hyperparameters.activation, output: output),
                       earlyStopping: hyperparameters.earlyStopping)
    }
}

import Foundation

/// Writes a line to standard error (scikit-learn's warnings go there).
enum FileHandleOutput {
    static func standardError(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
