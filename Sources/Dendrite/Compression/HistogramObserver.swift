/// A histogram of the values seen, and the clipping range that minimizes the expected squared
/// quantization error over it (the idea of PyTorch's `HistogramObserver`): a few outliers no
/// longer stretch the scale for everyone, at the price of clipping them.
///
/// Candidate ranges come from walking the two ends inward, one bin at a time from the side that
/// holds less of the histogram; each is scored as rounding error (`Δ²/12` per value inside,
/// `Δ = width/127`) plus clipping error (squared distance to the range, per value outside).
public final class HistogramObserver: Observer {
    /// Bin counts over ``range``.
    public private(set) var counts: [Double]
    /// The span the bins cover (`nil` before the first batch).
    public private(set) var range: (low: Float, high: Float)?

    /// Creates an observer with `bins` bins (at least 16).
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for fewer than 16 bins.
    public init(bins: Int = 2048) throws {
        guard bins >= 16 else {
            throw DendriteError.invalidArgument(operation: "HistogramObserver", argument: "bins \(bins)", reason: "must be at least 16")
        }
        counts = [Double](repeating: 0, count: bins)
    }

    public func observe(_ input: Tensor) {
        let values = input.scalars.filter(\.isFinite)
        guard let low = values.min(), let high = values.max() else { return }
        let bins = counts.count
        let merged = range.map { (Swift.min($0.low, low), Swift.max($0.high, high)) } ?? (low, high)
        let span = merged.1 > merged.0 ? merged.1 - merged.0 : 1
        if let old = range, old != merged {
            // The range grew: move the old counts into the new bins by their centers.
            let oldWidth = (old.high > old.low ? old.high - old.low : 1) / Float(bins)
            var moved = [Double](repeating: 0, count: bins)
            for (bin, count) in counts.enumerated() where count > 0 {
                let center = old.low + (Float(bin) + 0.5) * oldWidth
                moved[Swift.min(bins - 1, Swift.max(0, Int((center - merged.0) / span * Float(bins))))] += count
            }
            counts = moved
        }
        range = merged
        for value in values { counts[Swift.min(bins - 1, Swift.max(0, Int((value - merged.0) / span * Float(bins))))] += 1 }
    }

    public func quantization() throws -> ActivationQuantization {
        guard let range else { throw ObserverError.nothingObserved("HistogramObserver") }
        guard range.high > range.low else { return ActivationQuantization(low: range.low, high: range.high) }
        let bins = counts.count, width = Double(range.high - range.low) / Double(bins), low = Double(range.low)
        // Prefix sums of h, h·c and h·c² make every candidate's clipping error O(1).
        var h = [0.0], hc = [0.0], hc2 = [0.0]
        for (bin, count) in counts.enumerated() {
            let center = low + (Double(bin) + 0.5) * width
            h.append(h.last! + count)
            hc.append(hc.last! + count * center)
            hc2.append(hc2.last! + count * center * center)
        }
        func error(_ start: Int, _ end: Int) -> Double {   // bins start..<end kept
            let a = low + Double(start) * width, b = low + Double(end) * width
            let step = (Swift.max(b, 0) - Swift.min(a, 0)) / 127
            let inside = (h[end] - h[start]) * step * step / 12
            let below = hc2[start] - 2 * a * hc[start] + a * a * h[start]
            let above = (hc2[bins] - hc2[end]) - 2 * b * (hc[bins] - hc[end]) + b * b * (h[bins] - h[end])
            return inside + below + above
        }
        var start = 0, end = bins
        var best = (error: error(start, end), start: start, end: end)
        while end - start > 1 {
            if counts[start] <= counts[end - 1] { start += 1 } else { end -= 1 }
            let candidate = error(start, end)
            if candidate < best.error { best = (candidate, start, end) }
        }
        return ActivationQuantization(low: Float(low + Double(best.start) * width), high: Float(low + Double(best.end) * width))
    }
}
