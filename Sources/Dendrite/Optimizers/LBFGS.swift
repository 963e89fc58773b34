/// L-BFGS (`torch.optim.LBFGS`, the course's `solver='lbfgs'`): quasi-Newton steps from the last
/// `historySize` curvature pairs, two-loop recursion, fixed step `learningRate` (PyTorch's
/// default, no line search). Each ``step(closure:)`` runs up to `maxIterations` iterations and
/// re-evaluates the loss through the closure.
public final class LBFGS: Optimizer {
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

    private var directions: [[Float]] = [], steps: [[Float]] = [], inverseCurvatures: [Float] = []
    private var previousGradient: [Float]?
    private var direction: [Float] = [], stepLength: Float = 0, hessianDiagonal: Float = 1
    private var iterations = 0

    /// Creates the optimizer with PyTorch's defaults.
    public init(_ parameters: [Parameter], learningRate: Float = 1, maxIterations: Int = 20, maxEvaluations: Int? = nil,
                toleranceGradient: Float = 1e-7, toleranceChange: Float = 1e-9, historySize: Int = 100) throws {
        guard maxIterations > 0, historySize > 0 else {
            throw DendriteError.invalidArgument(operation: "LBFGS", argument: "maxIterations \(maxIterations), historySize \(historySize)",
                                                reason: "must be positive")
        }
        self.maxIterations = maxIterations
        self.maxEvaluations = maxEvaluations ?? maxIterations * 5 / 4
        self.toleranceGradient = toleranceGradient
        self.toleranceChange = toleranceChange
        self.historySize = historySize
        try super.init(groups: [ParameterGroup(parameters, learningRate: learningRate)])
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
                let y = zip(gradient, previous).map { $0 - $1 }
                let s = direction.map { $0 * stepLength }
                let ys = dot(y, s)
                if ys > 1e-10 {
                    if directions.count == historySize { directions.removeFirst(); steps.removeFirst(); inverseCurvatures.removeFirst() }
                    directions.append(y); steps.append(s); inverseCurvatures.append(1 / ys)
                    hessianDiagonal = ys / dot(y, y)
                }
                // Two-loop recursion: direction = −H·g.
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
                direction = r
            }
            previousGradient = gradient
            let previousLoss = loss
            stepLength = iterations == 1 ? Swift.min(1, 1 / gradient.reduce(0) { $0 + Swift.abs($1) }) * rate : rate
            let slope = dot(gradient, direction)
            if slope > -toleranceChange { break }
            try noGrad { try addToParameters(direction, scale: stepLength) }
            var converged = false
            if iteration != maxIterations {
                loss = try closure().scalar ?? .nan
                gradient = flatGradient()
                converged = (gradient.map(Swift.abs).max() ?? 0) <= toleranceGradient
                evaluations += 1
            }
            if iteration == maxIterations || evaluations >= maxEvaluations || converged { break }
            if (direction.map { Swift.abs($0 * stepLength) }.max() ?? 0) <= toleranceChange { break }
            if Swift.abs(loss - previousLoss) < toleranceChange { break }
        }
        return originalLoss
    }

    private func dot(_ a: [Float], _ b: [Float]) -> Float {
        var total: Double = 0
        for i in a.indices { total += Double(a[i]) * Double(b[i]) }
        return Float(total)
    }
}
