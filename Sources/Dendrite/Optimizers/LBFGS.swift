/// L-BFGS (`torch.optim.LBFGS`, the course's `solver='lbfgs'`): quasi-Newton steps from the last
/// `historySize` curvature pairs (two-loop recursion), either of fixed length `learningRate`
/// (PyTorch's default) or chosen by a strong-Wolfe line search (`lineSearch: .strongWolfe`,
/// PyTorch's `line_search_fn="strong_wolfe"`). Each ``step(closure:)`` runs up to
/// `maxIterations` iterations and re-evaluates the loss through the closure.
///
/// ``stateDict()`` includes the curvature history, so a restored optimizer continues exactly.
public final class LBFGS: Optimizer {
    /// How each iteration's step length is chosen.
    public enum LineSearch: String, Sendable {
        /// The fixed step `learningRate` (after a first step scaled by the gradient's 1-norm).
        case none
        /// A step satisfying the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9), as PyTorch's.
        case strongWolfe
    }

    /// Iterations per `step(closure:)`.
    public let maxIterations: Int
    /// Most closure evaluations per step (PyTorch: 1.25 × maxIterations).
    public let maxEvaluations: Int
    /// Stop when the largest gradient entry is at most this.
    public let toleranceGradient: Float
    /// Stop when the loss or the step changes by less than this.
    public let toleranceChange: Float
    /// Curvature pairs kept.
    public let historySize: Int
    /// The step-length rule.
    public let lineSearch: LineSearch

    private var directions: [[Float]] = [], steps: [[Float]] = [], inverseCurvatures: [Float] = []
    private var previousGradient: [Float]?
    private var direction: [Float] = [], stepLength: Float = 0, hessianDiagonal: Float = 1
    private var iterations = 0
    /// Iterations run so far, over every `step(closure:)`.
    public var iterationCount: Int { iterations }

    /// Creates the optimizer with PyTorch's defaults.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when `maxIterations`
    ///   or `historySize` is not positive.
    public init(_ parameters: [Parameter], learningRate: Float = 1, maxIterations: Int = 20, maxEvaluations: Int? = nil,
                toleranceGradient: Float = 1e-7, toleranceChange: Float = 1e-9, historySize: Int = 100,
                lineSearch: LineSearch = .none) throws {
        guard maxIterations > 0, historySize > 0 else {
            throw DendriteError.invalidArgument(operation: "LBFGS", argument: "maxIterations \(maxIterations), historySize \(historySize)",
                                                reason: "must be positive")
        }
        self.maxIterations = maxIterations
        self.maxEvaluations = maxEvaluations ?? maxIterations * 5 / 4
        self.toleranceGradient = toleranceGradient
        self.toleranceChange = toleranceChange
        self.historySize = historySize
        self.lineSearch = lineSearch
        try super.init(groups: [ParameterGroup(parameters, learningRate: learningRate)])
        packsParameters = false   // not elementwise: it works on the flattened parameters itself
    }

    /// L-BFGS needs the loss re-evaluated: use ``step(closure:)``.
    public override func step() throws {
        throw DendriteError.invalidArgument(operation: "LBFGS", argument: "step()",
                                            reason: "needs a closure that recomputes the loss: call step(closure:)")
    }

    private var trainable: [Parameter] { parameters.filter(\.requiresGradient) }

    private func flatGradient() -> [Float] {
        trainable.flatMap { $0.gradient?.scalars ?? [Float](repeating: 0, count: $0.value.count) }
    }

    private func addToParameters(_ delta: [Float], scale: Float) throws {
        var offset = 0
        for parameter in trainable {
            let count = parameter.value.count
            let values = zip(parameter.value.scalars, delta[offset..<(offset + count)]).map { $0 + scale * $1 }
            parameter.value = try Tensor(shape: parameter.shape, scalars: values)
            offset += count
        }
    }

    @discardableResult
    public override func step(closure: () throws -> Tensor) throws -> Float {
        let rate = learningRate
        var loss = try closure().scalar ?? .nan
        let originalLoss = loss
        var gradient = flatGradient()
        guard (gradient.map(Swift.abs).max() ?? 0) > toleranceGradient else { return originalLoss }
        var evaluations = 1
        for iteration in 1...maxIterations {
            iterations += 1
            if iterations == 1 {
                direction = gradient.map { -$0 }
                directions = []; steps = []; inverseCurvatures = []
                hessianDiagonal = 1
            } else if let previous = previousGradient {
                updateHistory(gradient: gradient, previous: previous)
                direction = twoLoopDirection(gradient: gradient)
            }
            previousGradient = gradient
            let previousLoss = loss
            stepLength = iterations == 1 ? Swift.min(1, 1 / gradient.reduce(0) { $0 + Swift.abs($1) }) * rate : rate
            let slope = dot(gradient, direction)
            if slope > -toleranceChange { break }
            var converged = false
            switch lineSearch {
            case .strongWolfe:
                let origin = trainable.map(\.value)
                let start = StrongWolfeLineSearch.Point(step: 0, loss: loss, gradient: gradient, slope: slope)
                // PyTorch's budget: the evaluations this step has left.
                let search = StrongWolfeLineSearch(toleranceChange: toleranceChange, maxEvaluations: maxEvaluations - evaluations)
                let (accepted, used) = try search.search(from: start, step: stepLength, direction: direction) { t in
                    try noGrad { try addToParameters(direction, scale: t) }
                    let value = try closure().scalar ?? .nan
                    let evaluatedGradient = flatGradient()
                    for (parameter, value) in zip(trainable, origin) { parameter.value = value }
                    return (value, evaluatedGradient)
                }
                stepLength = accepted.step
                loss = accepted.loss
                gradient = accepted.gradient
                try noGrad { try addToParameters(direction, scale: stepLength) }
                converged = (gradient.map(Swift.abs).max() ?? 0) <= toleranceGradient
                evaluations += used
            case .none:
                try noGrad { try addToParameters(direction, scale: stepLength) }
                if iteration != maxIterations {
                    loss = try closure().scalar ?? .nan
                    gradient = flatGradient()
                    converged = (gradient.map(Swift.abs).max() ?? 0) <= toleranceGradient
                    evaluations += 1
                }
            }
            if iteration == maxIterations || evaluations >= maxEvaluations || converged { break }
            if (direction.map { Swift.abs($0 * stepLength) }.max() ?? 0) <= toleranceChange { break }
            if Swift.abs(loss - previousLoss) < toleranceChange { break }
        }
        return originalLoss
    }

    /// Adds the curvature pair of the last step when it is positive enough (`yᵀs > 1e-10`).
    private func updateHistory(gradient: [Float], previous: [Float]) {
        let y = zip(gradient, previous).map { $0 - $1 }
        let s = direction.map { $0 * stepLength }
        let ys = dot(y, s)
        guard ys > 1e-10 else { return }
        if directions.count == historySize { directions.removeFirst(); steps.removeFirst(); inverseCurvatures.removeFirst() }
        directions.append(y); steps.append(s); inverseCurvatures.append(1 / ys)
        hessianDiagonal = ys / dot(y, y)
    }

    /// `−H·g` by the two-loop recursion over the stored pairs.
    private func twoLoopDirection(gradient: [Float]) -> [Float] {
        var q = gradient.map { -$0 }
        var alphas = [Float](repeating: 0, count: directions.count)
        for i in stride(from: directions.count - 1, through: 0, by: -1) {
            alphas[i] = dot(steps[i], q) * inverseCurvatures[i]
            for j in q.indices { q[j] -= alphas[i] * directions[i][j] }
        }
        var r = q.map { $0 * hessianDiagonal }
        for i in directions.indices {
            let beta = dot(directions[i], r) * inverseCurvatures[i]
            for j in r.indices { r[j] += steps[i][j] * (alphas[i] - beta) }
        }
        return r
    }

    /// The base state plus the history under `lbfgs.*`: iteration count, last direction, step,
    /// Hessian scale, previous gradient and the curvature pairs `lbfgs.y.<i>`, `lbfgs.s.<i>`.
    public override func stateDict() -> [(String, Tensor)] {
        func vector(_ values: [Float]) -> Tensor { (try? Tensor(shape: [values.count], scalars: values)) ?? Tensor.filled([0], 0) }
        var entries = super.stateDict()
        entries.append(("lbfgs.iterations", Tensor(Float(iterations))))
        entries.append(("lbfgs.step_length", Tensor(stepLength)))
        entries.append(("lbfgs.hessian_diagonal", Tensor(hessianDiagonal)))
        if !direction.isEmpty { entries.append(("lbfgs.direction", vector(direction))) }
        if let previousGradient { entries.append(("lbfgs.previous_gradient", vector(previousGradient))) }
        entries.append(("lbfgs.rho", vector(inverseCurvatures)))
        for i in directions.indices {
            entries.append(("lbfgs.y.\(i)", vector(directions[i])))
            entries.append(("lbfgs.s.\(i)", vector(steps[i])))
        }
        return entries
    }

    /// Restores ``stateDict()``, history included.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when the history's
    ///   vectors do not have one entry per trainable scalar or the pairs are incomplete.
    public override func load(stateDict: [String: Tensor]) throws {
        try super.load(stateDict: stateDict.filter { !$0.key.hasPrefix("lbfgs.") })
        let size = trainable.reduce(0) { $0 + $1.value.count }
        func vector(_ key: String) throws -> [Float]? {
            guard let tensor = stateDict[key] else { return nil }
            guard tensor.count == size else {
                throw DendriteError.invalidArgument(operation: "LBFGS.load(stateDict:)", argument: "key \"\(key)\"",
                                                    reason: "holds \(tensor.count) values for \(size) trainable scalars")
            }
            return tensor.scalars
        }
        let rho = stateDict["lbfgs.rho"]?.scalars ?? []
        var ys: [[Float]] = [], ss: [[Float]] = []
        for i in rho.indices {
            guard let y = try vector("lbfgs.y.\(i)"), let s = try vector("lbfgs.s.\(i)") else {
                throw DendriteError.invalidArgument(operation: "LBFGS.load(stateDict:)", argument: "lbfgs.y.\(i) / lbfgs.s.\(i)",
                                                    reason: "missing for the \(rho.count) saved curvature pairs")
            }
            ys.append(y); ss.append(s)
        }
        iterations = Int(stateDict["lbfgs.iterations"]?.scalar ?? 0)
        stepLength = stateDict["lbfgs.step_length"]?.scalar ?? 0
        hessianDiagonal = stateDict["lbfgs.hessian_diagonal"]?.scalar ?? 1
        direction = try vector("lbfgs.direction") ?? []
        previousGradient = try vector("lbfgs.previous_gradient")
        (directions, steps, inverseCurvatures) = (ys, ss, rho)
    }

    private func dot(_ a: [Float], _ b: [Float]) -> Float {
        var total: Double = 0
        for i in a.indices { total += Double(a[i]) * Double(b[i]) }
        return Float(total)
    }
}
