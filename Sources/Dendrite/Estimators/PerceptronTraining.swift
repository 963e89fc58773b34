import Foundation

/// A perceptron estimator's training state and loop — scikit-learn's `_fit_stochastic`,
/// `_fit_lbfgs` and `_update_no_improvement_count`, step for step — shared by ``MLPClassifier``
/// and ``MLPRegressor``.
struct PerceptronTraining {
    var network: Perceptron?
    var optimizer: PerceptronOptimizer?
    var lossCurve: [Double] = []
    var loss: Double?
    var bestLoss: Double?
    var validationScores: [Double] = []
    var bestValidationScore: Double?
    var iterationCount = 0
    var samplesSeen = 0
    var warnings: [String] = []
    private var noImprovementCount = 0
    private var best: (coefs: [Tensor], intercepts: [Tensor])?

    /// The data of one `fit` or `partial_fit` call, targets already encoded (one-hot, 0/1 or values).
    struct Batch {
        var inputs: Tensor, targets: Tensor
        /// Held-out data and how to score it (accuracy or R²), for early stopping.
        var validation: (inputs: Tensor, score: (Perceptron) throws -> Double)?
    }

    /// Sets up a new network (first fit, or not a warm start) with scikit-learn's fresh state.
    mutating func start(_ network: Perceptron, earlyStopping: Bool) {
        self.network = network
        optimizer = nil
        lossCurve = []
        loss = nil
        iterationCount = 0
        samplesSeen = 0
        noImprovementCount = 0
        validationScores = []
        bestValidationScore = earlyStopping ? -.infinity : nil
        bestLoss = earlyStopping ? nil : .infinity
        best = (network.coefs, network.intercepts)
    }

    mutating func fit(_ data: Batch, _ h: MLPHyperparameters, incremental: Bool, generator: inout RandomGenerator,
                      progress: ProgressBar? = nil) throws {
        switch h.solver {
        case .lbfgs: try fitLBFGS(data, h)
        case .sgd, .adam: try fitStochastic(data, h, incremental: incremental, generator: &generator, progress: progress)
        }
        let finite = (network!.coefs + network!.intercepts).allSatisfy { $0.scalars.allSatisfy(\.isFinite) }
        guard finite else {
            throw DendriteError.invalidArgument(operation: "MLP fit", argument: "inputs",
                                                reason: "the solver produced non-finite weights; scale the inputs (StandardScaler)")
        }
    }

    private mutating func fitStochastic(_ data: Batch, _ h: MLPHyperparameters, incremental: Bool,
                                        generator: inout RandomGenerator, progress: ProgressBar?) throws {
        var network = self.network!
        var parameters = network.coefs + network.intercepts
        if !incremental || optimizer == nil { optimizer = PerceptronOptimizer(h, parameters: parameters) }
        let samples = data.inputs.shape[0], layers = network.coefs.count
        let batchSize: Int
        switch h.batchSize {
        case .auto: batchSize = Swift.min(200, samples)
        case .fixed(let size):
            if size > samples { warnings.append("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped") }
            batchSize = Swift.min(Swift.max(size, 1), samples)
        }
        var order = Array(0..<samples)
        iterationCount = incremental ? iterationCount : 0
        for _ in 0..<h.maxIterations {
            if h.shuffle { generator.shuffle(&order) }
            var accumulated = 0.0
            progress?.begin("iteration \(iterationCount + 1)/\(h.maxIterations)", total: (samples + batchSize - 1) / batchSize)
            for start in stride(from: 0, to: samples, by: batchSize) {
                let rows = start..<Swift.min(start + batchSize, samples)
                let x = h.shuffle ? data.inputs.gatheringRows(Array(order[rows])) : try data.inputs.slice(rows)
                let y = h.shuffle ? data.targets.gatheringRows(Array(order[rows])) : try data.targets.slice(rows)
                let (batchLoss, coefGrads, interceptGrads) = try network.lossAndGradients(x, y, alpha: h.alpha)
                accumulated += batchLoss * Double(rows.count)
                try optimizer!.update(&parameters, gradients: coefGrads + interceptGrads)
                network.coefs = Array(parameters[0..<layers])
                network.intercepts = Array(parameters[layers...])
                progress?.update(done: start / batchSize + 1, items: rows.upperBound,
                                 note: "loss " + String(format: "%.6f", accumulated / Double(rows.upperBound)))
            }
            self.network = network
            iterationCount += 1
            let epochLoss = accumulated / Double(samples)
            loss = epochLoss
            samplesSeen += samples
            lossCurve.append(epochLoss)
            if h.verbose { print("Iteration \(iterationCount), loss = \(String(format: "%.8f", epochLoss))") }
            try updateNoImprovementCount(data, h)
            progress?.finish("iteration \(iterationCount)/\(h.maxIterations) · loss " + String(format: "%.6f", epochLoss)
                             + (data.validation != nil ? " · validation " + String(format: "%.4f", validationScores.last ?? .nan) : ""))
            optimizer!.iterationEnds(samplesSeen: samplesSeen)
            if noImprovementCount > h.iterationsWithoutChange {
                let reason = data.validation != nil
                    ? "Validation score did not improve more than tol=\(String(format: "%f", h.tolerance)) for \(h.iterationsWithoutChange) consecutive epochs."
                    : "Training loss did not improve more than tol=\(String(format: "%f", h.tolerance)) for \(h.iterationsWithoutChange) consecutive epochs."
                var message = ""
                let stopping = optimizer!.triggerStopping(reason, message: &message)
                if h.verbose { print(message) }
                if stopping { break }
                noImprovementCount = 0
            }
            if incremental { break }
            if iterationCount == h.maxIterations {
                warnings.append("Stochastic Optimizer: Maximum iterations (\(h.maxIterations)) reached and the optimization hasn't converged yet.")
            }
        }
        if data.validation != nil, let best {
            self.network!.coefs = best.coefs
            self.network!.intercepts = best.intercepts
        }
    }

    private mutating func updateNoImprovementCount(_ data: Batch, _ h: MLPHyperparameters) throws {
        let tolerance = Double(h.tolerance)
        if let validation = data.validation {
            let score = try validation.score(network!)
            validationScores.append(score)
            if h.verbose { print("Validation score: \(String(format: "%f", score))") }
            let bestScore = bestValidationScore ?? -.infinity
            noImprovementCount = score < bestScore + tolerance ? noImprovementCount + 1 : 0
            if score > bestScore {
                bestValidationScore = score
                best = (network!.coefs, network!.intercepts)
            }
        } else {
            let last = lossCurve.last!, bestSoFar = bestLoss ?? .infinity
            noImprovementCount = last > bestSoFar - tolerance ? noImprovementCount + 1 : 0
            if last < bestSoFar { bestLoss = last }
        }
    }

    /// L-BFGS on the whole set (scikit-learn's `scipy.optimize.minimize(method="L-BFGS-B")` with
    /// `maxiter`, `maxfun` and `gtol = tol`): Dendrite's ``LBFGS`` with a strong-Wolfe line search.
    private mutating func fitLBFGS(_ data: Batch, _ h: MLPHyperparameters) throws {
        var network = self.network!
        let layers = network.coefs.count
        let parameters = (network.coefs + network.intercepts).map { Parameter($0) }
        let solver = try LBFGS(parameters, maxIterations: h.maxIterations, maxEvaluations: h.maxFunctionEvaluations,
                               toleranceGradient: h.tolerance, toleranceChange: 1e-9, historySize: 10, lineSearch: .strongWolfe)
        var last = 0.0
        _ = try solver.step {
            network.coefs = parameters[0..<layers].map(\.value)
            network.intercepts = parameters[layers...].map(\.value)
            let (value, coefGrads, interceptGrads) = try network.lossAndGradients(data.inputs, data.targets, alpha: h.alpha)
            for (parameter, gradient) in zip(parameters, coefGrads + interceptGrads) { parameter.gradient = gradient }
            last = value
            return Tensor(Float(value))
        }
        network.coefs = parameters[0..<layers].map(\.value)
        network.intercepts = parameters[layers...].map(\.value)
        self.network = network
        iterationCount = solver.iterationCount
        loss = (try? network.lossAndGradients(data.inputs, data.targets, alpha: h.alpha).loss) ?? last
        if iterationCount >= h.maxIterations {
            warnings.append("lbfgs failed to converge after \(iterationCount) iteration(s) (status=1): STOP: TOTAL NO. OF ITERATIONS REACHED LIMIT")
        }
    }
}
