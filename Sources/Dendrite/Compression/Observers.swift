/// How a statically quantized layer maps its float input to 7-bit integers:
/// `q = clamp(round(x/scale) + zeroPoint, 0, 127)`, `x ≈ scale·(q − zeroPoint)` (PyTorch's
/// `quint8` with `reduce_range`, so AVX2's pairwise products cannot saturate).
public struct ActivationQuantization: Equatable, Sendable {
    /// The step between two levels.
    public let scale: Float
    /// The level that stands for 0.0 (exactly representable: padding and ReLU zeros stay exact).
    public let zeroPoint: Int32

    /// The quantization with `scale` and `zeroPoint`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a scale that is
    ///   not finite and positive or a zero point outside 0…127.
    public init(scale: Float, zeroPoint: Int32) throws {
        guard scale.isFinite, scale > 0, (0...127).contains(zeroPoint) else {
            throw DendriteError.invalidArgument(operation: "ActivationQuantization", argument: "scale \(scale), zero point \(zeroPoint)",
                                                reason: "needs a finite positive scale and a zero point in 0…127")
        }
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// The quantization covering `[low, high]` widened to include 0 in 128 levels (an empty range: scale 1).
    public init(low: Float, high: Float) {
        let low = Swift.min(low, 0), high = Swift.max(high, 0)
        scale = high > low ? (high - low) / 127 : 1
        zeroPoint = Int32(Swift.min(Swift.max((-low / scale).rounded(), 0), 127))
    }

    /// The quantization read from a layer's `input_scale` / `input_zero_point` buffers (`nil` when absent).
    init?(scale: Buffer?, zeroPoint: Buffer?, layer: String) throws {
        guard let scale, let zeroPoint else { return nil }
        let s = scale.value.scalars, z = zeroPoint.value.scalars
        guard s.count == 1, z.count == 1, s[0].isFinite, s[0] > 0, z[0] == z[0].rounded(), (0...127).contains(z[0]) else {
            throw DendriteError.invalidArgument(operation: layer, argument: "input_scale \(s), input_zero_point \(z)",
                                                reason: "must be one finite positive scale and one integral zero point in 0…127")
        }
        try self.init(scale: s[0], zeroPoint: Int32(z[0]))
    }

    /// `x` quantized and dequantized again (what the layer computes with).
    public func roundTrip(_ x: Float) -> Float {
        let q = Swift.min(Swift.max((x / scale).rounded() + Float(zeroPoint), 0), 127)
        return scale * (q - Float(zeroPoint))
    }
}

/// Watches a layer's inputs during calibration and proposes their quantization.
public protocol Observer: AnyObject {
    /// Records one batch of inputs.
    func observe(_ input: Tensor)
    /// The quantization for what was observed.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` when nothing was observed.
    func quantization() throws -> ActivationQuantization
}

/// The range from the smallest to the largest value seen (PyTorch's `MinMaxObserver`).
public final class MinMaxObserver: Observer {
    /// The extremes so far (`nil` before the first batch).
    public private(set) var range: (low: Float, high: Float)?

    /// Creates an empty observer.
    public init() {}

    public func observe(_ input: Tensor) {
        let values = input.scalars
        guard let low = values.min(), let high = values.max() else { return }
        range = range.map { (Swift.min($0.low, low), Swift.max($0.high, high)) } ?? (low, high)
    }

    public func quantization() throws -> ActivationQuantization {
        guard let range else { throw ObserverError.nothingObserved("MinMaxObserver") }
        return ActivationQuantization(low: range.low, high: range.high)
    }
}

enum ObserverError {
    static func nothingObserved(_ observer: String) -> DendriteError {
        .invalidArgument(operation: observer, argument: "calibration", reason: "saw no values; run calibration batches through the model first")
    }
}
