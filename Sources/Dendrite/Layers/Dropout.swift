/// Inverted dropout (`nn.Dropout`): in training mode each element is zeroed with probability
/// `probability` and the survivors are scaled by `1 / (1 − probability)`; in eval mode it is the
/// identity.
public final class Dropout: Module, UnaryLayer {
    /// Probability of zeroing an element.
    public let probability: Float
    private var generator: RandomGenerator

    /// Creates the layer; masks are drawn from a generator seeded by `seed` (or from the global one).
    public init(_ probability: Float, seed: UInt64? = nil) throws {
        guard probability >= 0 && probability < 1 else {
            throw DendriteError.invalidArgument(operation: "Dropout", argument: "probability \(probability)",
                                                reason: "must be in [0, 1)")
        }
        self.probability = probability
        generator = RandomGenerator(seed: seed ?? RandomGenerator.global.next())
        super.init()
    }

    /// The mask generator's state (saved with checkpoints so a resumed run draws the same masks).
    public var generatorState: [UInt64] {
        get { generator.state }
        set { if let restored = try? RandomGenerator(state: newValue) { generator = restored } }
    }

    /// Restarts the mask sequence from `seed` (reproducible masks, e.g. for gradient checks).
    public func reseed(_ seed: UInt64) { generator = RandomGenerator(seed: seed) }

    public func forward(_ input: Tensor) throws -> Tensor {
        guard isTraining && probability > 0 else { return input }
        let keep = 1 - probability, scale = 1 / keep
        let mask = RandomKernels.dropoutMask(shape: input.shape, keep: keep, scale: scale, generator: &generator)
        return try dropout(input, mask: mask)
    }

    /// The input shape: the layer is elementwise.
    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }
}

/// Multiplies by a dropout mask whose entries are `0` or `1 / (1 − p)`: one fused op.
public func dropout(_ x: Tensor, mask: Tensor) throws -> Tensor {
    guard mask.shape == x.shape else {
        throw DendriteError.shapeMismatch(operation: "dropout mask", expected: "\(x.shape)", got: "\(mask.shape)")
    }
    return ElementwiseKernels.zip(x, mask, shape: x.shape) { $0 * $1 }.recorded("dropout", [x]) { g in
        [ElementwiseKernels.zip(g, mask, shape: g.shape) { $0 * $1 }]
    }
}
