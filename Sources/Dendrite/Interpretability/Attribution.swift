import Foundation

/// Which pixels a classifier's decision rests on (the course's interpretability line): gradient
/// attributions of one output — a class's logit — with respect to the input, per sample, with
/// Captum's definitions so results compare with PyTorch's usual tool. Every method runs the model
/// in eval mode with its parameters frozen (their gradients are left alone) and restores both.
public enum Attribution {
    /// How integrated gradients approximate the path integral.
    public enum IntegrationRule: Sendable, Equatable {
        /// Riemann sums at the left ends, right ends or middles of `steps` equal intervals, or the
        /// trapezoid rule over `steps` points.
        case riemannLeft, riemannRight, riemannMiddle, riemannTrapezoid
        /// Gauss–Legendre quadrature with `steps` nodes (Captum's default).
        case gaussLegendre

        /// The points `α_i ∈ [0, 1]` and weights of the rule.
        func nodes(_ steps: Int) -> (alphas: [Double], weights: [Double]) {
            let n = Double(steps)
            switch self {
            case .riemannLeft: return ((0..<steps).map { Double($0) / n }, Array(repeating: 1 / n, count: steps))
            case .riemannRight: return ((1...steps).map { Double($0) / n }, Array(repeating: 1 / n, count: steps))
            case .riemannMiddle: return ((0..<steps).map { (Double($0) + 0.5) / n }, Array(repeating: 1 / n, count: steps))
            case .riemannTrapezoid:
                guard steps > 1 else { return ([0.5], [1]) }
                let h = 1 / (n - 1)
                return ((0..<steps).map { Double($0) * h }, (0..<steps).map { $0 == 0 || $0 == steps - 1 ? h / 2 : h })
            case .gaussLegendre:
                let (x, w) = GaussLegendre.nodes(steps)
                return (x.map { ($0 + 1) / 2 }, w.map { $0 / 2 })
            }
        }
    }

    /// Integrated gradients' attributions and how well they add up.
    public struct IntegratedGradientsResult {
        /// Same shape as the input.
        public let attributions: Tensor
        /// Per sample, `F(x) − F(baseline)` of the target output.
        public let outputDifference: [Float]
        /// Per sample, the completeness gap `Σ attributions − (F(x) − F(baseline))`; 0 for the exact integral.
        public let completenessGap: [Float]
    }

    /// `∂F_target/∂x` for each sample of `input` (`[N, …]`), `targets` one class per sample.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when `targets` does
    ///   not hold one valid class per sample; errors of the model.
    public static func inputGradient(_ model: Module & UnaryLayer, input: Tensor, targets: [Int]) throws -> Tensor {
        let restore = freeze(model)
        defer { restore() }
        return try gradient(model, input, targets).gradient
    }

    /// Saliency (Simonyan et al. 2014, Captum's `Saliency(abs=True)`): `|∂F_target/∂x|`, per input element.
    public static func saliency(_ model: Module & UnaryLayer, input: Tensor, targets: [Int]) throws -> Tensor {
        try inputGradient(model, input: input, targets: targets).abs()
    }

    /// Integrated gradients (Sundararajan et al. 2017): `(x − x′) ⊙ ∫₀¹ ∂F(x′ + α(x − x′))/∂x dα`,
    /// the integral approximated by `rule` with `steps` points (Captum's `n_steps`, default 50).
    /// `baseline` (zeros by default) has the input's shape.
    public static func integratedGradients(_ model: Module & UnaryLayer, input: Tensor, targets: [Int], baseline: Tensor? = nil,
                                           steps: Int = 50, rule: IntegrationRule = .gaussLegendre) throws -> IntegratedGradientsResult {
        guard steps >= 1 else {
            throw DendriteError.invalidArgument(operation: "integratedGradients", argument: "steps \(steps)", reason: "must be at least 1")
        }
        let reference = try baseline ?? Tensor.zeros(input.shape)
        guard reference.shape == input.shape else {
            throw DendriteError.shapeMismatch(operation: "integratedGradients baseline", expected: "\(input.shape)", got: "\(reference.shape)")
        }
        let restore = freeze(model)
        defer { restore() }
        let difference = try input - reference
        var total = try Tensor.zeros(input.shape)
        let (alphas, weights) = rule.nodes(steps)
        for (alpha, weight) in zip(alphas, weights) {
            let point = try reference + difference * Float(alpha)
            total = try total + (try gradient(model, point, targets).gradient) * Float(weight)
        }
        let attributions = try difference * total
        let atInput = try gradient(model, input, targets).outputs, atBaseline = try gradient(model, reference, targets).outputs
        let sums = perSampleSums(attributions)
        let change = zip(atInput, atBaseline).map { $0 - $1 }
        return IntegratedGradientsResult(attributions: attributions, outputDifference: change, completenessGap: zip(sums, change).map { $0 - $1 })
    }

    /// SmoothGrad (Smilkov et al. 2017): the mean saliency over `samples` copies of the input with
    /// Gaussian noise of standard deviation `noise · (max − min)` of each sample added.
    public static func smoothGrad(_ model: Module & UnaryLayer, input: Tensor, targets: [Int], samples: Int = 50, noise: Float = 0.15,
                                  generator: inout RandomGenerator) throws -> Tensor {
        guard samples >= 1, noise >= 0 else {
            throw DendriteError.invalidArgument(operation: "smoothGrad", argument: "samples \(samples), noise \(noise)", reason: "need 1 or more samples and noise ≥ 0")
        }
        let n = input.shape.first ?? 1, size = input.count / Swift.max(n, 1), values = input.scalars
        let sigmas = (0..<n).map { sample -> Float in
            let slice = values[(sample * size)..<((sample + 1) * size)]
            return noise * ((slice.max() ?? 0) - (slice.min() ?? 0))
        }
        let scale = try Tensor(shape: input.shape, scalars: (0..<input.count).map { sigmas[$0 / size] })
        var total = try Tensor.zeros(input.shape)
        for _ in 0..<samples {
            let noisy = try input + Tensor.normal(input.shape, generator: &generator) * scale
            total = try total + (try saliency(model, input: noisy, targets: targets))
        }
        return total * (1 / Float(samples))
    }

    /// Occlusion (Zeiler & Fergus 2014, Captum's `Occlusion`): a `window` of the spatial axes
    /// (the last two) set to `baseline` at every `stride` (the last window on each axis clipped at
    /// the edge, as Captum's); each element's attribution is the mean drop `F(x) − F(x occluded)`
    /// over the windows that cover it.
    public static func occlusion(_ model: Module & UnaryLayer, input: Tensor, targets: [Int], window: Size2D, stride: Size2D,
                                 baseline: Float = 0) throws -> Tensor {
        guard input.rank >= 3, window.height >= 1, window.width >= 1, stride.height >= 1, stride.width >= 1,
              window.height <= input.shape[input.rank - 2], window.width <= input.shape[input.rank - 1] else {
            throw DendriteError.invalidArgument(operation: "occlusion", argument: "window \(window), stride \(stride) on \(input.shape)",
                                                reason: "needs [N, …, H, W] and a window inside H × W")
        }
        let (h, w) = (input.shape[input.rank - 2], input.shape[input.rank - 1])
        let n = input.shape[0], size = input.count / n, planes = size / (h * w)
        let restore = freeze(model)
        defer { restore() }
        let reference = try scores(model, input, targets)
        var sums = [Float](repeating: 0, count: input.count), counts = [Float](repeating: 0, count: input.count)
        let original = input.scalars
        // Captum's windows: ⌈(H − h)/s⌉ + 1 positions per axis, the last one clipped at the edge.
        let rows = (h - window.height + stride.height - 1) / stride.height + 1
        let columns = (w - window.width + stride.width - 1) / stride.width + 1
        for top in (0..<rows).map({ $0 * stride.height }) {
            for left in (0..<columns).map({ $0 * stride.width }) {
                var covered: [Int] = []
                for sample in 0..<n {
                    for plane in 0..<planes {
                        for y in top..<Swift.min(top + window.height, h) {
                            for x in left..<Swift.min(left + window.width, w) { covered.append(sample * size + (plane * h + y) * w + x) }
                        }
                    }
                }
                var occluded = original
                for index in covered { occluded[index] = baseline }
                let drop = zip(reference, try scores(model, try Tensor(shape: input.shape, scalars: occluded), targets)).map { $0 - $1 }
                for index in covered { sums[index] += drop[index / size]; counts[index] += 1 }
            }
        }
        return try Tensor(shape: input.shape, scalars: zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 })
    }

    /// Runs the model at `input` (a leaf); the target outputs and their input gradient. The
    /// caller has put the model in eval mode with frozen parameters (``freeze(_:)``).
    static func gradient(_ model: Module & UnaryLayer, _ input: Tensor, _ targets: [Int]) throws -> (gradient: Tensor, outputs: [Float]) {
        let x = input.requiringGradient()
        let y = try model(x)
        let seed = try oneHot(targets, like: y)
        try y.backward(seed: seed)
        let classes = y.shape.last ?? 1
        let values = y.scalars
        return (try x.gradient ?? Tensor.zeros(input.shape), targets.enumerated().map { values[$0.offset * classes + $0.element] })
    }

    /// The target outputs, without gradients (the model frozen by the caller).
    static func scores(_ model: Module & UnaryLayer, _ input: Tensor, _ targets: [Int]) throws -> [Float] {
        let y = try noGrad { try model(input) }
        let classes = y.shape.last ?? 1, values = y.scalars
        return targets.enumerated().map { values[$0.offset * classes + $0.element] }
    }

    /// Eval mode and frozen parameters; returns what restores both.
    static func freeze(_ model: Module) -> () -> Void {
        let modes = model.enterEvaluationMode()
        let parameters = model.parameters, flags = parameters.map(\.requiresGradient)
        for parameter in parameters { parameter.requiresGradient = false }
        return {
            for (parameter, flag) in zip(parameters, flags) { parameter.requiresGradient = flag }
            modes()
        }
    }

    /// `[N, classes]` with a 1 at each sample's target.
    static func oneHot(_ targets: [Int], like y: Tensor) throws -> Tensor {
        let classes = y.shape.last ?? 1, n = y.count / Swift.max(classes, 1)
        guard y.rank == 2, targets.count == n, targets.allSatisfy({ (0..<classes).contains($0) }) else {
            throw DendriteError.invalidArgument(operation: "Attribution", argument: "targets \(targets)",
                                                reason: "need one class in 0..<\(classes) for each of the \(n) samples of output \(y.shape)")
        }
        var seed = [Float](repeating: 0, count: y.count)
        for (sample, target) in targets.enumerated() { seed[sample * classes + target] = 1 }
        return try Tensor(shape: y.shape, scalars: seed)
    }

    static func perSampleSums(_ t: Tensor) -> [Float] {
        let n = t.shape.first ?? 1, size = t.count / Swift.max(n, 1), values = t.scalars
        return (0..<n).map { sample in values[(sample * size)..<((sample + 1) * size)].reduce(0, +) }
    }
}
