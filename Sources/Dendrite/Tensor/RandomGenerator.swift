import Foundation

/// A seedable pseudo-random generator that yields the same numbers on every machine.
///
/// The state is advanced by xoshiro256** seeded through SplitMix64, so a seed fixes every
/// value bit for bit. Uniform floats use the top 24 bits; normals use Box–Muller in `Double`.
///
/// ```swift
/// var generator = RandomGenerator(seed: 42)
/// let weights = Tensor.normal([3, 3], generator: &generator)
/// ```
public struct RandomGenerator: RandomNumberGenerator {
    private var words: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Float?

    /// Creates a generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        words = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(words.1 &* 5, 7) &* 9
        let t = words.1 << 17
        words.2 ^= words.0
        words.3 ^= words.1
        words.1 ^= words.2
        words.0 ^= words.3
        words.2 ^= t
        words.3 = rotateLeft(words.3, 45)
        return result
    }

    /// The complete state, to save and later restore with ``init(state:)`` (resuming training).
    public var state: [UInt64] {
        [words.0, words.1, words.2, words.3] + (spareNormal.map { [1, UInt64($0.bitPattern)] } ?? [0, 0])
    }

    /// Restores a generator from ``state``.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a malformed state.
    public init(state words: [UInt64]) throws {
        guard words.count == 6, words[0...3].contains(where: { $0 != 0 }) else {
            throw DendriteError.invalidArgument(operation: "RandomGenerator(state:)", argument: "state",
                                                reason: "needs 6 words with a non-zero generator state")
        }
        self.words = (words[0], words[1], words[2], words[3])
        spareNormal = words[4] == 1 ? Float(bitPattern: UInt32(truncatingIfNeeded: words[5])) : nil
    }

    /// A uniform `Float` in `[0, 1)`.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Shuffles `elements` in place (Fisher–Yates, from the last position down): the order
    /// `DataLoader` uses for an epoch.
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) { elements.swapAt(i, nextInt(below: i + 1)) }
    }

    /// A standard normal `Float` (mean 0, standard deviation 1).
    public mutating func nextNormal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = (Double(next() >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spareNormal = Float(radius * sin(angle))
        return Float(radius * cos(angle))
    }

    /// A uniform integer in `0..<upperBound` without modulo bias.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextInt(below:) needs a positive bound")
        return Int(next(upperBound: UInt64(upperBound)))
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

extension RandomGenerator {
    /// The default generator used by layers created without an explicit generator (like
    /// `torch.manual_seed`'s state), one per thread: every thread's starts from seed 0, so work on
    /// one thread never changes the numbers another draws. Seed it with ``seedGlobal(_:)``.
    public static var global: RandomGenerator {
        get { DefaultGenerator.current.generator }
        set { DefaultGenerator.current.generator = newValue }
    }

    /// Reseeds this thread's ``global``.
    public static func seedGlobal(_ seed: UInt64) { global = RandomGenerator(seed: seed) }
}

/// The holder of a thread's default ``RandomGenerator``, kept in the thread's dictionary.
final class DefaultGenerator {
    var generator = RandomGenerator(seed: 0)
    private static let key = "Dendrite.RandomGenerator.global"

    static var current: DefaultGenerator {
        let dictionary = Thread.current.threadDictionary
        if let holder = dictionary[key] as? DefaultGenerator { return holder }
        let holder = DefaultGenerator()
        dictionary[key] = holder
        return holder
    }
}
