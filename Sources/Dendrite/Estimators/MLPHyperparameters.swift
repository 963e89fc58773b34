/// The hidden layers' activation of a multilayer-perceptron estimator (scikit-learn's `activation`).
public enum MLPActivation: String, Sendable, CaseIterable {
    /// `f(x) = x`.
    case identity
    /// `f(x) = 1 / (1 + e⁻ˣ)`.
    case logistic
    /// `f(x) = tanh(x)`.
    case tanh
    /// `f(x) = max(0, x)`.
    case relu
}

/// How a multilayer-perceptron estimator minimizes its loss (scikit-learn's `solver`).
public enum MLPSolver: String, Sendable, CaseIterable {
    /// Quasi-Newton on the whole training set (full batch).
    case lbfgs
    /// Stochastic gradient descent with momentum (Nesterov's by default).
    case sgd
    /// Adam, scikit-learn's update rule.
    case adam
}

/// The step size schedule of the `sgd` solver (scikit-learn's `learning_rate`).
public enum MLPLearningRateSchedule: String, Sendable, CaseIterable {
    /// `learningRateInit` throughout.
    case constant
    /// `learningRateInit / (t + 1)^powerT` after each epoch, `t` the samples seen so far.
    case invscaling
    /// `learningRateInit` until more than `iterationsWithoutChange` epochs in a row fail to
    /// improve by `tolerance`, then divided by 5 each time; training stops once it is ≤ 1e-6.
    case adaptive
}

/// Samples per minibatch of the stochastic solvers (scikit-learn's `batch_size`).
public enum MLPBatchSize: Sendable, Equatable {
    /// `min(200, samples)`.
    case auto
    /// This many, clipped to `1…samples`.
    case fixed(Int)
}

/// The hyperparameters of ``MLPClassifier`` and ``MLPRegressor``, named as Swift names
/// scikit-learn's, with its defaults (Docs/ScikitLearn.md has the table).
public struct MLPHyperparameters: Sendable, Equatable {
    /// `hidden_layer_sizes`: the width of each hidden layer.
    public var hiddenLayerSizes: [Int] = [100]
    /// `activation`.
    public var activation: MLPActivation = .relu
    /// `solver`.
    public var solver: MLPSolver = .adam
    /// `alpha`: the L2 penalty, added to the loss as `½·alpha·‖W‖²` divided by the batch's sample count.
    public var alpha: Float = 1e-4
    /// `batch_size`.
    public var batchSize: MLPBatchSize = .auto
    /// `learning_rate` (sgd only).
    public var learningRate: MLPLearningRateSchedule = .constant
    /// `learning_rate_init` (sgd and adam).
    public var learningRateInit: Float = 1e-3
    /// `power_t` (sgd with invscaling).
    public var powerT: Float = 0.5
    /// `max_iter`: epochs of the stochastic solvers, iterations of lbfgs.
    public var maxIterations = 200
    /// `shuffle`: reorder the samples every epoch (stochastic solvers).
    public var shuffle = true
    /// `random_state`: the seed of initialization, shuffling and the validation split (`nil`: a fresh one).
    public var randomState: UInt64?
    /// `tol`.
    public var tolerance: Float = 1e-4
    /// `verbose`: print the loss after every epoch.
    public var verbose = false
    /// `warm_start`: `fit` continues from the current weights instead of new ones.
    public var warmStart = false
    /// `momentum` (sgd).
    public var momentum: Float = 0.9
    /// `nesterovs_momentum` (sgd).
    public var nesterovsMomentum = true
    /// `early_stopping`: hold out `validationFraction` (stratified for classifiers) and stop on its score.
    public var earlyStopping = false
    /// `validation_fraction`.
    public var validationFraction: Double = 0.1
    /// `beta_1`, `beta_2`, `epsilon` (adam).
    public var beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
    /// `n_iter_no_change`.
    public var iterationsWithoutChange = 10
    /// `max_fun` (lbfgs): the most loss evaluations.
    public var maxFunctionEvaluations = 15_000

    /// scikit-learn's defaults.
    public init() {}

    /// Checks the ranges scikit-learn checks, naming the parameter at fault.
    func validate(_ estimator: String) throws {
        func fail(_ name: String, _ reason: String) -> DendriteError {
            DendriteError.invalidArgument(operation: estimator, argument: name, reason: reason)
        }
        if hiddenLayerSizes.contains(where: { $0 <= 0 }) { throw fail("hiddenLayerSizes \(hiddenLayerSizes)", "every size must be > 0") }
        if !(alpha >= 0) { throw fail("alpha \(alpha)", "must be ≥ 0") }
        if !(learningRateInit > 0) { throw fail("learningRateInit \(learningRateInit)", "must be > 0") }
        if maxIterations < 1 { throw fail("maxIterations \(maxIterations)", "must be ≥ 1") }
        if !(tolerance >= 0) { throw fail("tolerance \(tolerance)", "must be ≥ 0") }
        if !(momentum >= 0 && momentum <= 1) { throw fail("momentum \(momentum)", "must be in [0, 1]") }
        if !(validationFraction > 0 && validationFraction < 1) { throw fail("validationFraction \(validationFraction)", "must be in (0, 1)") }
        if !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) { throw fail("beta1 \(beta1), beta2 \(beta2)", "must be in [0, 1)") }
        if !(epsilon > 0) { throw fail("epsilon \(epsilon)", "must be > 0") }
        if iterationsWithoutChange < 1 { throw fail("iterationsWithoutChange \(iterationsWithoutChange)", "must be ≥ 1") }
        if maxFunctionEvaluations < 1 { throw fail("maxFunctionEvaluations \(maxFunctionEvaluations)", "must be ≥ 1") }
        if case .fixed(let size) = batchSize, size < 1 { throw fail("batchSize \(size)", "must be ≥ 1") }
    }
}
