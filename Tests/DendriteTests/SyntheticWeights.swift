import Foundation
@testable import Dendrite

/// The deterministic weights of make_model_fixtures.py, bit for bit: each state-dict entry is a pure
/// function of its name, shape and element index, so the parity fixtures need not carry the weights
/// of networks with up to 133 M parameters.
enum SyntheticWeights {
    /// 32-bit FNV-1a of the UTF-8 name.
    static func fnv1a(_ name: String) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return hash
    }

    /// murmur3's fmix32 of `index·0x9E3779B1 + seed`, top 24 bits scaled to `[0, 1)`.
    @inline(__always)
    static func uniform01(seed: UInt32, index: Int) -> Float {
        var x = UInt32(truncatingIfNeeded: index) &* 0x9E37_79B1 &+ seed
        x ^= x >> 16
        x = x &* 0x85EB_CA6B
        x ^= x >> 13
        x = x &* 0xC2B2_AE35
        x ^= x >> 16
        return Float(x >> 8) / Float(1 << 24)
    }

    /// The value of the entry `name` of `shape` (see `synthetic_tensor` in the script), with the
    /// script's float32 operations in the script's order.
    static func tensor(named name: String, shape: [Int]) throws -> Tensor {
        let count = shape.reduce(1, *)
        if name.hasSuffix("num_batches_tracked") { return try Tensor.zeros(shape) }
        enum Rule { case variance, centeredTimes(Float), onePlusCenteredTimes(Float) }
        let rule: Rule
        if name.hasSuffix("running_var") {
            rule = .variance
        } else if name.hasSuffix("running_mean") {
            rule = .centeredTimes(0.1)
        } else if shape.count == 1 && name.hasSuffix("weight") {
            rule = .onePlusCenteredTimes(0.2)
        } else if shape.count == 1 {
            rule = .centeredTimes(0.1)
        } else {
            rule = .centeredTimes(Float((6.0 / Double(shape.dropFirst().reduce(1, *))).squareRoot()))
        }
        let seed = fnv1a(name)
        var values = [Float](repeating: 0, count: count)
        switch rule {
        case .variance:
            for index in 0..<count { values[index] = 0.5 + uniform01(seed: seed, index: index) }
        case .centeredTimes(let scale):
            for index in 0..<count { values[index] = (2 * uniform01(seed: seed, index: index) - 1) * scale }
        case .onePlusCenteredTimes(let scale):
            for index in 0..<count { values[index] = 1 + (2 * uniform01(seed: seed, index: index) - 1) * scale }
        }
        return try Tensor(shape: shape, scalars: values)
    }
}
