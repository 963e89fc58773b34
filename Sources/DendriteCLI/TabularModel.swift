import ArgumentParser
import Dendrite

/// One of `dendrite tabular`'s estimators behind one interface.
struct TabularModel {
    private enum Model {
        case classifier(MLPClassifier), regressor(MLPRegressor), logistic(LogisticRegression), linear(LinearPredictor)
    }
    private let model: Model
    private var fitLinear: ((Tensor, Tensor) throws -> Void)?

    init(_ kind: Tabular.Kind, parameters: TabularParameters) throws {
        var parameters = parameters
        switch kind {
        case .mlpClassifier, .mlpRegressor:
            var settings = MLPHyperparameters()
            try parameters.applyMLP(to: &settings)
            model = kind == .mlpClassifier ? .classifier(MLPClassifier(settings)) : .regressor(MLPRegressor(settings))
        case .logistic:
            model = .logistic(try LogisticRegression(C: try parameters.take("C", Float.init) ?? 1,
                                                     maxIterations: try parameters.take("max_iter", Int.init) ?? 100,
                                                     tolerance: try parameters.take("tol", Float.init) ?? 1e-4,
                                                     fitIntercept: try parameters.take("fit_intercept", TabularParameters.flag) ?? true))
        case .linear:
            let linear = LinearRegression(fitIntercept: try parameters.take("fit_intercept", TabularParameters.flag) ?? true)
            model = .linear(linear)
            fitLinear = linear.fit
        case .ridge:
            let ridge = try Ridge(alpha: try parameters.take("alpha", Float.init) ?? 1,
                                  fitIntercept: try parameters.take("fit_intercept", TabularParameters.flag) ?? true)
            model = .linear(ridge)
            fitLinear = ridge.fit
        }
        try parameters.checkAllUsed(by: kind.rawValue)
    }

    /// Fits the estimator; the stochastic MLP solvers show their progress on `progress`.
    func fit(_ x: Tensor, _ y: Tensor, progress: ProgressBar? = nil) throws {
        if case .classifier(let m as MLPEstimator) = model { m.progress = progress }
        if case .regressor(let m as MLPEstimator) = model { m.progress = progress }
        switch model {
        case .classifier(let m): try m.fit(x, y)
        case .regressor(let m): try m.fit(x, y)
        case .logistic(let m): try m.fit(x, y)
        case .linear: try fitLinear!(x, y)
        }
    }

    func score(_ x: Tensor, _ y: Tensor) throws -> Double {
        switch model {
        case .classifier(let m): return try m.score(x, y)
        case .regressor(let m): return try m.score(x, y)
        case .logistic(let m): return try m.score(x, y)
        case .linear(let m): return try m.score(x, y)
        }
    }

    func predict(_ x: Tensor) throws -> Tensor {
        switch model {
        case .classifier(let m): return try m.predict(x)
        case .regressor(let m): return try m.predict(x)
        case .logistic(let m): return try m.predict(x)
        case .linear(let m): return try m.predict(x)
        }
    }

    var classes: [Float] {
        switch model {
        case .classifier(let m): return m.classes
        case .logistic(let m): return m.classes
        default: return []
        }
    }

    var iterations: Int? {
        switch model {
        case .classifier(let m): return m.iterationCount
        case .regressor(let m): return m.iterationCount
        case .logistic(let m): return m.iterationCount
        case .linear: return nil
        }
    }

    /// The fitted weights by name, for model.safetensors.
    var tensors: [(String, Tensor)] {
        switch model {
        case .classifier(let m as MLPEstimator), .regressor(let m as MLPEstimator):
            return m.coefs.enumerated().map { ("coefs.\($0.offset)", $0.element) }
                + m.intercepts.enumerated().map { ("intercepts.\($0.offset)", $0.element) }
        case .logistic(let m): return [("coef", m.coefficients), ("intercept", m.intercept)]
        case .linear(let m): return [("coef", m.coefficients), ("intercept", m.intercept)]
        }
    }

    func lossCurveSVG(title: String) -> String? {
        switch model {
        case .classifier(let m as MLPEstimator), .regressor(let m as MLPEstimator):
            return m.lossCurve.isEmpty ? nil : m.lossCurveSVG(title: title)
        default: return nil
        }
    }
}
