import Foundation

/// Wall-clock statistics of repeated runs, in seconds.
struct Measurement {
    let samples: [Double]
    var median: Double {
        let sorted = samples.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
    var minimum: Double { samples.min() ?? 0 }
    var maximum: Double { samples.max() ?? 0 }
    /// More than 20 % between the fastest and the slowest run.
    var isNoisy: Bool { minimum > 0 && (maximum - minimum) / minimum > 0.20 }
}

/// Runs `body` `warmup` times untimed, then `runs` times timed (each run may repeat the body
/// `inner` times to get above timer resolution; the figure is per body call).
func measure(warmup: Int = 2, runs: Int = 5, inner: Int = 1, _ body: () throws -> Void) rethrows -> Measurement {
    for _ in 0..<warmup { try body() }
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<inner { try body() }
        let end = DispatchTime.now().uptimeNanoseconds
        samples.append(Double(end - start) / 1e9 / Double(inner))
    }
    return Measurement(samples: samples)
}

/// Picks an inner repetition count so one timed run lasts about `target` seconds.
func calibrate(target: Double = 0.05, _ body: () throws -> Void) rethrows -> Int {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    let once = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return max(1, min(10_000, Int(target / max(once, 1e-7))))
}
