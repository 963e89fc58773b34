import Foundation

/// Writes `gemm.svg` (GFLOP/s against matrix size for BLAS and the naive loop) and `training.svg`
/// (Dendrite against PyTorch per training workload, when peers were given).
func writeCharts(_ rows: [Row], to directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let gemm = rows.filter { $0.suite == "gemm" && $0.workload.contains("³") && $0.workload.hasSuffix("vs naive") }
    let blas = rows.filter { $0.suite == "gemm" && $0.workload.contains("³") && $0.workload.hasSuffix("vs raw cblas") }
    if !blas.isEmpty {
    let lineChart = lines(title: "GEMM throughput (GFLOP/s) against matrix size n (n×n×n)",
                          xLabels: blas.map { String($0.workload.split(separator: " ")[1].dropLast()) },
                          series: [("Dendrite gemm (OpenBLAS)", "#1f77b4", blas.map(\.value)),
                                   ("naive triple loop", "#d62728", blas.map { row in
                                       gemm.first { $0.workload.split(separator: " ")[1] == row.workload.split(separator: " ")[1] }?
                                           .baselineValue ?? .nan })])
    try lineChart.write(toFile: "\(directory)/gemm.svg", atomically: true, encoding: .utf8)
    }
    let training = rows.filter { $0.suite == "training" }
    guard !training.isEmpty else { return }
    try bars(title: "Training throughput: Dendrite and PyTorch, same machine and threads", rows: training)
        .write(toFile: "\(directory)/training.svg", atomically: true, encoding: .utf8)
}

private func lines(title: String, xLabels: [String], series: [(String, String, [Double])]) -> String {
    let width = 720.0, height = 420.0, left = 70.0, top = 50.0, plotWidth = 600.0, plotHeight = 300.0
    let values = series.flatMap { $0.2 }.filter { $0.isFinite && $0 > 0 }
    let high = log10((values.max() ?? 1) * 1.5), low = log10((values.min() ?? 1) / 1.5)
    func x(_ index: Int) -> Double { left + plotWidth * Double(index) / Double(max(xLabels.count - 1, 1)) }
    func y(_ value: Double) -> Double { top + plotHeight * (1 - (log10(value) - low) / (high - low)) }
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"\(width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(title)</text>\n"
    svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#888\"/>\n"
    var tick = pow(10, floor(low))
    while log10(tick) <= high {
        if log10(tick) >= low {
            svg += "<line x1=\"\(left)\" y1=\"\(y(tick))\" x2=\"\(left + plotWidth)\" y2=\"\(y(tick))\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(tick) + 4)\" text-anchor=\"end\">\(tick >= 1 ? String(Int(tick)) : String(tick))</text>\n"
        }
        tick *= 10
    }
    for (index, label) in xLabels.enumerated() {
        svg += "<text x=\"\(x(index))\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\">\(label)</text>\n"
    }
    svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(top + plotHeight + 38)\" text-anchor=\"middle\">n</text>\n"
    svg += "<text x=\"20\" y=\"\(top + plotHeight / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 20 \(top + plotHeight / 2))\">GFLOP/s (log scale)</text>\n"
    for (position, (name, color, points)) in series.enumerated() {
        let coordinates = points.enumerated().filter { $0.element.isFinite && $0.element > 0 }.map { "\(x($0.offset)),\(y($0.element))" }
        svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>\n"
        let legendY = top + plotHeight + 60 + Double(position) * 0
        let legendX = left + Double(position) * 300
        svg += "<line x1=\"\(legendX)\" y1=\"\(legendY - 4)\" x2=\"\(legendX + 24)\" y2=\"\(legendY - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
        svg += "<text x=\"\(legendX + 30)\" y=\"\(legendY)\">\(name)</text>\n"
    }
    return svg + "</svg>\n"
}

private func bars(title: String, rows: [Row]) -> String {
    let width = 860.0, rowHeight = 54.0, left = 330.0, barWidth = 440.0
    let height = 70 + rowHeight * Double(rows.count) + 30
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"\(width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(title)</text>\n"
    for (index, row) in rows.enumerated() {
        let y = 50 + rowHeight * Double(index)
        let scale = max(row.value, row.baselineValue ?? 0)
        svg += "<text x=\"\(left - 8)\" y=\"\(y + 20)\" text-anchor=\"end\">\(row.workload)</text>\n"
        svg += "<rect x=\"\(left)\" y=\"\(y + 4)\" width=\"\(barWidth * row.value / scale)\" height=\"18\" fill=\"#1f77b4\"/>\n"
        svg += "<text x=\"\(left + 6)\" y=\"\(y + 17)\" fill=\"white\">Dendrite \(Int(row.value)) \(row.unit)</text>\n"
        if let peer = row.baselineValue {
            svg += "<rect x=\"\(left)\" y=\"\(y + 24)\" width=\"\(barWidth * peer / scale)\" height=\"18\" fill=\"#ff7f0e\"/>\n"
            svg += "<text x=\"\(left + 6)\" y=\"\(y + 37)\" fill=\"white\">PyTorch \(Int(peer))</text>\n"
            svg += "<text x=\"\(left + barWidth + 10)\" y=\"\(y + 27)\">\(String(format: "%.2f×", row.ratio ?? 0))</text>\n"
        }
    }
    svg += "<text x=\"\(width / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">bars scaled per workload; ratio = Dendrite ÷ PyTorch</text>\n"
    return svg + "</svg>\n"
}
