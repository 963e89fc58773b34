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
        let count = batch * spatial
        let mean: [Float], inverseStd: [Float]
        if isTraining {
            guard count > 1 else {
                throw DendriteError.invalidArgument(operation: name, argument: "input \(input.shape)",
                                                    reason: "training mode needs more than one value per channel")
            }
            let statistics = NormalizationKernels.channelStatistics(input, batch: batch, channels: featureCount, spatial: spatial)
            mean = statistics.mean
            inverseStd = statistics.variance.map { 1 / ($0 + epsilon).squareRoot() }
            let unbiased = Float(count) / Float(count - 1)
            runningMean.value = try runningMean.value * (1 - momentum) + Tensor(mean) * momentum
            runningVar.value = try runningVar.value * (1 - momentum) + Tensor(statistics.variance.map { $0 * unbiased }) * momentum
            numBatchesTracked.value = numBatchesTracked.value + 1
        } else {
            mean = runningMean.value.scalars
            inverseStd = runningVar.value.scalars.map { 1 / ($0 + epsilon).squareRoot() }
        }
        let gamma = weight?.tensor, beta = bias?.tensor
        let channels = featureCount, batchStatistics = isTraining
        let y = NormalizationKernels.normalize(input, mean: mean, inverseStd: inverseStd, gamma: gamma, beta: beta,
                                               batch: batch, channels: channels, spatial: spatial)
        let inputs = [input] + (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? [])
        return y.recorded(name, inputs) { g in
            let grads = NormalizationKernels.backward(g, input: input, mean: mean, inverseStd: inverseStd, gamma: gamma,
                                                      batch: batch, channels: channels, spatial: spatial,
                                                      batchStatistics: batchStatistics)
            return [input.requiresGradient ? grads.dInput : nil] + (gamma.map { _ in [grads.dGamma] } ?? [])
                + (beta.map { _ in [grads.dBeta] } ?? [])
        }
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
