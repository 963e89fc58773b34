/// A hardware fault as it hits a float32 value.
public enum FaultModel: Sendable, Equatable, CustomStringConvertible {
    /// The IEEE-754 bits at `positions` flipped (0 = the mantissa's lowest, 23…30 the exponent,
    /// 31 the sign): one position is a single bit flip, several a multiple one.
    case bitFlips(positions: [Int])
    /// `count` distinct bits drawn at random flipped.
    case randomBitFlips(count: Int)
    /// The value stuck at zero.
    case stuckAtZero
    /// Gaussian noise of standard deviation `standardDeviation` added.
    case gaussianNoise(standardDeviation: Float)

    public var description: String {
        switch self {
        case .bitFlips(let positions): return "bit flip at \(positions.map(String.init).joined(separator: "+"))"
        case .randomBitFlips(let count): return "\(count) random bit flip\(count == 1 ? "" : "s")"
        case .stuckAtZero: return "stuck at zero"
        case .gaussianNoise(let sigma): return "Gaussian noise σ = \(sigma)"
        }
    }

    func validate() throws {
        switch self {
        case .bitFlips(let positions):
            guard !positions.isEmpty, positions.allSatisfy({ (0...31).contains($0) }), Set(positions).count == positions.count else {
                throw DendriteError.invalidArgument(operation: "FaultModel", argument: "bit positions \(positions)", reason: "need distinct positions in 0…31")
            }
        case .randomBitFlips(let count):
            guard (1...32).contains(count) else {
                throw DendriteError.invalidArgument(operation: "FaultModel", argument: "count \(count)", reason: "must be in 1…32")
            }
        case .stuckAtZero: break
        case .gaussianNoise(let sigma):
            guard sigma >= 0, sigma.isFinite else {
                throw DendriteError.invalidArgument(operation: "FaultModel", argument: "σ \(sigma)", reason: "must be finite and ≥ 0")
            }
        }
    }

    /// `value` after the fault.
    func apply(to value: Float, generator: inout RandomGenerator) -> Float {
        switch self {
        case .bitFlips(let positions):
            return Float(bitPattern: positions.reduce(value.bitPattern) { $0 ^ (UInt32(1) << UInt32($1)) })
        case .randomBitFlips(let count):
            var bits = Array(0..<32)
            generator.shuffle(&bits)
            return Float(bitPattern: bits.prefix(count).reduce(value.bitPattern) { $0 ^ (UInt32(1) << UInt32($1)) })
        case .stuckAtZero: return 0
        case .gaussianNoise(let sigma): return value + sigma * generator.nextNormal()
        }
    }
}

/// Fault injection for the course's fault-tolerance line: a `rate` share of the values of a
/// tensor, a model's weights, or a layer's activations (``FaultyActivations``) hit by a
/// ``FaultModel``, reproducibly from a seed.
public enum FaultInjection {
    /// `values` with `round(rate · count)` distinct entries, drawn uniformly, faulted.
    ///
    /// - Returns: the faulted values and the indices hit.
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a rate outside
    ///   0…1 or an invalid fault.
    public static func corrupt(_ values: [Float], rate: Double, fault: FaultModel,
                               generator: inout RandomGenerator) throws -> (values: [Float], indices: [Int]) {
        guard (0...1).contains(rate) else {
            throw DendriteError.invalidArgument(operation: "FaultInjection", argument: "rate \(rate)", reason: "must be in 0…1")
        }
        try fault.validate()
        let hits = Int((rate * Double(values.count)).rounded(.toNearestOrEven))
        // A partial Fisher–Yates draws the hit indices without replacement.
        var pool = Array(values.indices), chosen: [Int] = []
        chosen.reserveCapacity(hits)
        for i in 0..<hits {
            pool.swapAt(i, i + generator.nextInt(below: pool.count - i))
            chosen.append(pool[i])
        }
        var result = values
        for index in chosen { result[index] = fault.apply(to: result[index], generator: &generator) }
        return (result, chosen)
    }

    /// Faults a `rate` share of all the weights of `model` (every parameter, counted together),
    /// in place; ``Module/stateDict()`` before and ``Module/load(stateDict:strict:)`` after undo it.
    ///
    /// - Returns: the number of values hit.
    @discardableResult
    public static func injectIntoWeights(of model: Module, rate: Double, fault: FaultModel, generator: inout RandomGenerator) throws -> Int {
        let parameters = model.parameters
        let (values, hit) = try corrupt(parameters.flatMap(\.value.scalars), rate: rate, fault: fault, generator: &generator)
        var offset = 0
        for parameter in parameters {
            let count = parameter.value.count
            parameter.value = try Tensor(shape: parameter.shape, scalars: Array(values[offset..<(offset + count)]))
            offset += count
        }
        return hit.count
    }
}

/// Transient faults in a layer's outputs: every forward pass, a `rate` share of the wrapped
/// layer's output values is faulted (a fresh draw each time, from `seed`).
public final class FaultyActivations: Module, UnaryLayer {
    /// The layer whose outputs are hit.
    public let wrapped: any UnaryLayer
    /// Share of the output values hit per forward pass.
    public let rate: Double
    /// The fault.
    public let fault: FaultModel
    private var generator: RandomGenerator
    /// Values hit so far.
    public private(set) var hits = 0

    /// Wraps `layer`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a rate
    ///   outside 0…1 or an invalid fault.
    public init(_ layer: any UnaryLayer, rate: Double, fault: FaultModel, seed: UInt64) throws {
        guard (0...1).contains(rate) else {
            throw DendriteError.invalidArgument(operation: "FaultyActivations", argument: "rate \(rate)", reason: "must be in 0…1")
        }
        try fault.validate()
        wrapped = layer
        self.rate = rate
        self.fault = fault
        generator = RandomGenerator(seed: seed)
        super.init()
    }

    public func forward(_ input: Tensor) throws -> Tensor {
        let output = try wrapped(input)
        let (values, hit) = try FaultInjection.corrupt(output.scalars, rate: rate, fault: fault, generator: &generator)
        hits += hit.count
        return try Tensor(shape: output.shape, scalars: values)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { try wrapped.outputShape(forInput: shape) }
}
