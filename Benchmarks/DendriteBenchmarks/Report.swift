import Foundation

/// One row of a suite's table.
struct Row: Codable {
    let suite: String
    let workload: String
    let unit: String
    /// Dendrite's figure (median) and its time range in seconds.
    let value: Double
    let medianSeconds: Double
    let minSeconds: Double
    let maxSeconds: Double
    let noisy: Bool
    /// The comparison's name and figure, and Dendrite's ratio over it.
    let baseline: String?
    let baselineValue: Double?
    let ratio: Double?
    /// Peak resident memory during the workload (MiB), for end-to-end workloads.
    var peakMemoryMiB: Double? = nil
    /// The lowest and highest per-round ratio, when the baseline ran interleaved (PyTorch).
    var ratioRange: (low: Double, high: Double)? = nil
    /// The PyTorch process's peak resident memory (MiB) after the workload.
    var baselinePeakMemoryMiB: Double? = nil

    enum CodingKeys: String, CodingKey {
        case suite, workload, unit, value, medianSeconds, minSeconds, maxSeconds, noisy, baseline, baselineValue, ratio
        case peakMemoryMiB, ratioLow, ratioHigh, baselinePeakMemoryMiB
    }
}

extension Row {
    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(suite: try c.decode(String.self, forKey: .suite), workload: try c.decode(String.self, forKey: .workload),
                  unit: try c.decode(String.self, forKey: .unit), value: try c.decode(Double.self, forKey: .value),
                  medianSeconds: try c.decode(Double.self, forKey: .medianSeconds),
                  minSeconds: try c.decode(Double.self, forKey: .minSeconds), maxSeconds: try c.decode(Double.self, forKey: .maxSeconds),
                  noisy: try c.decode(Bool.self, forKey: .noisy), baseline: try c.decodeIfPresent(String.self, forKey: .baseline),
                  baselineValue: try c.decodeIfPresent(Double.self, forKey: .baselineValue),
                  ratio: try c.decodeIfPresent(Double.self, forKey: .ratio),
                  peakMemoryMiB: try c.decodeIfPresent(Double.self, forKey: .peakMemoryMiB))
        if let low = try c.decodeIfPresent(Double.self, forKey: .ratioLow), let high = try c.decodeIfPresent(Double.self, forKey: .ratioHigh) {
            ratioRange = (low, high)
        }
        baselinePeakMemoryMiB = try c.decodeIfPresent(Double.self, forKey: .baselinePeakMemoryMiB)
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(suite, forKey: .suite)
        try c.encode(workload, forKey: .workload)
        try c.encode(unit, forKey: .unit)
        try c.encode(value, forKey: .value)
        try c.encode(medianSeconds, forKey: .medianSeconds)
        try c.encode(minSeconds, forKey: .minSeconds)
        try c.encode(maxSeconds, forKey: .maxSeconds)
        try c.encode(noisy, forKey: .noisy)
        try c.encodeIfPresent(baseline, forKey: .baseline)
        try c.encodeIfPresent(baselineValue, forKey: .baselineValue)
        try c.encodeIfPresent(ratio, forKey: .ratio)
        try c.encodeIfPresent(peakMemoryMiB, forKey: .peakMemoryMiB)
        try c.encodeIfPresent(ratioRange?.low, forKey: .ratioLow)
        try c.encodeIfPresent(ratioRange?.high, forKey: .ratioHigh)
        try c.encodeIfPresent(baselinePeakMemoryMiB, forKey: .baselinePeakMemoryMiB)
    }
}

/// Prints rows as an aligned text table.
func printTable(title: String, rows: [Row]) {
    print("\n== \(title) ==")
    let header = ["workload", "median ms", "min–max ms", "Dendrite", "baseline", "baseline fig.", "ratio", "peak MiB"]
    var lines = [header]
    for row in rows {
        let baselineFigure = row.baselineValue.map { String(format: "%.2f %@", $0, row.unit) } ?? "–"
        lines.append([
            row.workload,
            String(format: "%.3f", row.medianSeconds * 1e3),
            String(format: "%.3f–%.3f", row.minSeconds * 1e3, row.maxSeconds * 1e3) + (row.noisy ? " (noisy)" : ""),
            String(format: "%.2f %@", row.value, row.unit),
            row.baseline ?? "–",
            baselineFigure,
            (row.ratio.map { String(format: "%.2f×", $0) } ?? "–")
                + (row.ratioRange.map { String(format: " (%.2f–%.2f)", $0.low, $0.high) } ?? ""),
            (row.peakMemoryMiB.map { String(format: "%.0f", $0) } ?? "–")
                + (row.baselinePeakMemoryMiB.map { String(format: " (PyTorch %.0f)", $0) } ?? ""),
        ])
    }
    let widths = (0..<header.count).map { column in lines.map { $0[column].count }.max() ?? 0 }
    for (index, line) in lines.enumerated() {
        print(zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        if index == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
    }
}
