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
            row.ratio.map { String(format: "%.2f×", $0) } ?? "–",
            row.peakMemoryMiB.map { String(format: "%.0f", $0) } ?? "–",
        ])
    }
    let widths = (0..<header.count).map { column in lines.map { $0[column].count }.max() ?? 0 }
    for (index, line) in lines.enumerated() {
        print(zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        if index == 0 { print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
    }
}
