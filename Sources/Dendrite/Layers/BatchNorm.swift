/// Batch normalization (PyTorch's `nn.BatchNorm1d`/`nn.BatchNorm2d`): in training mode each
/// channel is normalized with the batch's mean and biased variance, and the running statistics
/// move by `momentum` (running variance uses the unbiased estimate); in eval mode the running
/// statistics are used. `y = γ·(x − μ)/√(σ² + ε) + β`.
///
/// Parameters `weight` (γ) and `bias` (β), buffers `running_mean`, `running_var`,
/// `num_batches_tracked`, all `[C]` (the last `[]`), as in PyTorch.
public class BatchNorm: Module, UnaryLayer {
    /// γ, `[C]`, initialized to 1 (nil when not affine).
    public let weight: Parameter?
    /// β, `[C]`, initialized to 0 (nil when not affine).
    public let bias: Parameter?
    /// Running mean, `[C]`.
    public let runningMean: Buffer
    /// Running (unbiased) variance, `[C]`.
    public let runningVar: Buffer
    /// Number of training batches seen.
    public let numBatchesTracked: Buffer
    /// Channels (C).
    public let featureCount: Int
    /// Weight of the newest batch in the running statistics.
    public let momentum: Float
    /// Added to the variance for stability.
    public let epsilon: Float
    let spatialRank: Int
    /// The processes whose batches this layer normalizes together in training (PyTorch's
    /// `SyncBatchNorm`): mean and variance over all of them, and ∂L/∂x through the global
    /// statistics. `nil` (the default, as PyTorch's DDP): each process its own batch's.
    /// ``Module/synchronizeBatchNorm(over:)`` sets it on a whole model.
    public var synchronization: DataParallelGroup?

    init(featureCount: Int, spatialRank: Int, momentum: Float, epsilon: Float, affine: Bool) {
        self.featureCount = featureCount
        self.spatialRank = spatialRank
        self.momentum = momentum
        self.epsilon = epsilon
        weight = affine ? Parameter(Tensor.filled([featureCount], 1)) : nil
        bias = affine ? Parameter(Tensor.filled([featureCount], 0)) : nil
        runningMean = Buffer(Tensor.filled([featureCount], 0))
        runningVar = Buffer(Tensor.filled([featureCount], 1))
        numBatchesTracked = Buffer(Tensor(0))
        super.init()
    }

    var name: String { "\(typeName)(\(featureCount))" }

    public func forward(_ input: Tensor) throws -> Tensor {
        try checkInput(input.shape, withBatch: true)
        let batch = input.shape[0], spatial = input.shape.dropFirst(2).reduce(1, *)
        let mean: [Float], inverseStd: [Float]
        let group = isTraining ? synchronization.flatMap { $0.size > 1 ? $0 : nil } : nil
        var count = batch * spatial
        if isTraining {
            let local = NormalizationKernels.channelStatistics(input, batch: batch, channels: featureCount, spatial: spatial)
            var variance = local.variance
            if let group {
                (mean, variance, count) = try synchronizedStatistics(local, count: count, over: group)
            } else {
                mean = local.mean
            }
            guard count > 1 else {
                throw DendriteError.invalidArgument(operation: name, argument: "input \(input.shape)",
                                                    reason: "training mode needs more than one value per channel")
            }
            inverseStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
            let unbiased = Float(count) / Float(count - 1)
            runningMean.value = try runningMean.value * (1 - momentum) + Tensor(mean) * momentum
            runningVar.value = try runningVar.value * (1 - momentum) + Tensor(variance.map { $0 * unbiased }) * momentum
            numBatchesTracked.value = numBatchesTracked.value + 1
        } else {
            mean = runningMean.value.scalars
            inverseStd = runningVar.value.scalars.map { 1 / ($0 + epsilon).squareRoot() }
        }
        let gamma = weight?.tensor, beta = bias?.tensor
        let channels = featureCount, batchStatistics = isTraining, total = count
        let y = NormalizationKernels.normalize(input, mean: mean, inverseStd: inverseStd, gamma: gamma, beta: beta,
                                               batch: batch, channels: channels, spatial: spatial)
        let inputs = [input] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
        return y.recorded(name, inputs) { g in
            let grads: (dInput: Tensor, dGamma: Tensor, dBeta: Tensor)
            if let group {
                // Σ dy and Σ dy·x̂ over every process's batch for ∂L/∂x; γ's and β's gradients stay
                // this process's sums (the data-parallel average then makes them the global ones).
                let sums = NormalizationKernels.gradientSums(g, input: input, mean: mean, inverseStd: inverseStd,
                                                             batch: batch, channels: channels, spatial: spatial)
                var dInput = Tensor(0)
                if input.requiresGradient {
                    let global = try group.sum(sums.sumDy.map(Double.init) + sums.sumDyXhat.map(Double.init))
                    dInput = NormalizationKernels.inputGradient(g, input: input, mean: mean, inverseStd: inverseStd, gamma: gamma,
                                                                batch: batch, channels: channels, spatial: spatial,
                                                                sumDy: Array(global[0..<channels]), sumDyXhat: Array(global[channels...]),
                                                                count: total)
                }
                grads = (dInput, Tensor(sums.sumDyXhat), Tensor(sums.sumDy))
            } else {
                grads = NormalizationKernels.backward(g, input: input, mean: mean, inverseStd: inverseStd, gamma: gamma,
                                                      batch: batch, channels: channels, spatial: spatial,
                                                      batchStatistics: batchStatistics)
            }
            return [input.requiresGradient ? grads.dInput : nil] + (gamma.map { _ in [grads.dGamma] } ?? [])
                + (beta.map { _ in [grads.dBeta] } ?? [])
        }
    }

    /// The mean and (biased) variance over every process's batch, from each process's count,
    /// mean and variance (one sum of `1 + 2·C` numbers, in `Double`).
    private func synchronizedStatistics(_ local: (mean: [Float], variance: [Float]), count: Int,
                                        over group: DataParallelGroup) throws -> ([Float], [Float], Int) {
        let n = Double(count), channels = featureCount
        var moments = [Double](repeating: 0, count: 1 + 2 * channels)
        moments[0] = n
        for c in 0..<channels {
            let m = Double(local.mean[c]), v = Double(local.variance[c])
            moments[1 + c] = n * m
            moments[1 + channels + c] = n * (v + m * m)
        }
        let summed = try group.sum(moments)
        let total = summed[0]
        var mean = [Double](repeating: 0, count: channels), variance = [Double](repeating: 0, count: channels)
        for c in 0..<channels {
            mean[c] = summed[1 + c] / total
            variance[c] = Swift.max(0, summed[1 + channels + c] / total - mean[c] * mean[c])
        }
        return (mean.map(Float.init), variance.map(Float.init), Int(total))
    }

    func checkInput(_ shape: [Int], withBatch: Bool) throws {
        let channelAxis = withBatch ? 1 : 0
        let ranks = spatialRank == 2 ? [2 + channelAxis + 1] : [channelAxis + 1, channelAxis + 2]
        guard ranks.contains(shape.count), shape[channelAxis] == featureCount else {
            let expected = spatialRank == 2 ? "[N, \(featureCount), H, W]" : "[N, \(featureCount)] or [N, \(featureCount), L]"
            throw DendriteError.shapeMismatch(operation: name, expected: expected, got: "\(shape)")
        }
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try checkInput(shape, withBatch: false)
        return shape
    }
}

/// Batch normalization of `[N, C]` or `[N, C, L]` (`nn.BatchNorm1d`).
public final class BatchNorm1D: BatchNorm {
    /// Creates the layer with PyTorch's defaults (momentum 0.1, ε 1e-5, affine).
    public init(_ featureCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true) {
        super.init(featureCount: featureCount, spatialRank: 1, momentum: momentum, epsilon: epsilon, affine: affine)
    }
}

/// Batch normalization of `[N, C, H, W]` (`nn.BatchNorm2d`).
public final class BatchNorm2D: BatchNorm {
    /// Creates the layer with PyTorch's defaults (momentum 0.1, ε 1e-5, affine).
    public init(_ featureCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, affine: Bool = true) {
        super.init(featureCount: featureCount, spatialRank: 2, momentum: momentum, epsilon: epsilon, affine: affine)
    }
}

extension Module {
    /// Makes every batch-norm layer under this module normalize over all of `group`'s processes
    /// (PyTorch's `SyncBatchNorm.convert_sync_batchnorm`); `nil` returns them to per-process
    /// statistics. Every process must call it alike.
    public func synchronizeBatchNorm(over group: DataParallelGroup?) {
        for case let layer as BatchNorm in namedModules().map(\.1) { layer.synchronization = group }
    }
}
