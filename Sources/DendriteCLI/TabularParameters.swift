import ArgumentParser
import Dendrite

/// `--param name=value` in scikit-learn's names, applied to an estimator's settings; an unknown
/// name or a bad value is an error naming it.
struct TabularParameters {
    private var values: [String: String] = [:]

    init(_ pairs: [String]) throws {
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--param \(pair): expected name=value") }
            values[parts[0]] = parts[1]
        }
    }

    /// Takes `name` (removing it), parsed by `parse`.
    mutating func take<T>(_ name: String, _ parse: (String) -> T?) throws -> T? {
        guard let text = values.removeValue(forKey: name) else { return nil }
        guard let value = parse(text) else { throw ValidationError("--param \(name)=\(text): not a valid value for \(name)") }
        return value
    }

    /// Fails on any name no estimator setting took.
    func checkAllUsed(by estimator: String) throws {
        if let name = values.keys.sorted().first {
            throw ValidationError("--param \(name): \(estimator) has no parameter \(name)")
        }
    }

    static func flag(_ text: String) -> Bool? { ["true": true, "false": false, "1": true, "0": false][text.lowercased()] }

    /// `(100,)`, `100`, `64,32` or `[64, 32]`.
    static func sizes(_ text: String) -> [Int]? {
        let cleaned = text.filter { !"()[] ".contains($0) }.split(separator: ",").map { Int($0) }
        guard !cleaned.isEmpty, cleaned.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return cleaned.map { $0! }
    }

    /// scikit-learn's MLP parameters onto `settings`.
    mutating func applyMLP(to settings: inout MLPHyperparameters) throws {
        if let v = try take("hidden_layer_sizes", Self.sizes) { settings.hiddenLayerSizes = v }
        if let v = try take("activation", MLPActivation.init(rawValue:)) { settings.activation = v }
        if let v = try take("solver", MLPSolver.init(rawValue:)) { settings.solver = v }
        if let v = try take("alpha", Float.init) { settings.alpha = v }
        if let v = try take("batch_size", { $0 == "auto" ? MLPBatchSize.auto : Int($0).map(MLPBatchSize.fixed) }) { settings.batchSize = v }
        if let v = try take("learning_rate", MLPLearningRateSchedule.init(rawValue:)) { settings.learningRate = v }
        if let v = try take("learning_rate_init", Float.init) { settings.learningRateInit = v }
        if let v = try take("power_t", Float.init) { settings.powerT = v }
        if let v = try take("max_iter", Int.init) { settings.maxIterations = v }
        if let v = try take("shuffle", Self.flag) { settings.shuffle = v }
        if let v = try take("random_state", UInt64.init) { settings.randomState = v }
        if let v = try take("tol", Float.init) { settings.tolerance = v }
        if let v = try take("verbose", Self.flag) { settings.verbose = v }
        if let v = try take("warm_start", Self.flag) { settings.warmStart = v }
        if let v = try take("momentum", Float.init) { settings.momentum = v }
        if let v = try take("nesterovs_momentum", Self.flag) { settings.nesterovsMomentum = v }
        if let v = try take("early_stopping", Self.flag) { settings.earlyStopping = v }
        if let v = try take("validation_fraction", Double.init) { settings.validationFraction = v }
        if let v = try take("beta_1", Float.init) { settings.beta1 = v }
        if let v = try take("beta_2", Float.init) { settings.beta2 = v }
        if let v = try take("epsilon", Float.init) { settings.epsilon = v }
        if let v = try take("n_iter_no_change", Int.init) { settings.iterationsWithoutChange = v }
        if let v = try take("max_fun", Int.init) { settings.maxFunctionEvaluations = v }
    }
}
