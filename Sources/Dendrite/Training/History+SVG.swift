import Foundation

/// Learning curves as a standalone SVG: loss (training and validation) and accuracy per epoch,
/// side by side, with labelled axes. Opens in any browser.
extension History {
    /// The SVG document; `title` heads it.
    public func learningCurvesSVG(title: String = "Learning curves") -> String {
        let epochs = records.map { Double($0.epoch) }
        let panels: [(String, [(String, String, [Double?])])] = [
            ("Loss", [("training", "#1f77b4", records.map { Double($0.loss) }),
                      ("validation", "#ff7f0e", records.map { $0.validationLoss.map(Double.init) })]),
            ("Accuracy", [("training", "#1f77b4", records.map { $0.metrics["accuracy"].map(Double.init) }),
                          ("validation", "#ff7f0e", records.map { $0.validationMetrics["accuracy"].map(Double.init) })]),
        ]
        let width = 1000.0, height = 380.0, panelWidth = 400.0, panelHeight = 260.0
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="24" text-anchor="middle" font-size="16">\(escape(title))</text>

        """
        for (index, panel) in panels.enumerated() {
            let left = 70.0 + Double(index) * (panelWidth + 100), top = 50.0
            svg += plot(panel.0, series: panel.1, epochs: epochs, left: left, top: top, width: panelWidth, height: panelHeight)
        }
        // Legend.
        svg += """
        <line x1="\(width / 2 - 110)" y1="\(height - 16)" x2="\(width / 2 - 85)" y2="\(height - 16)" stroke="#1f77b4" stroke-width="2"/>
        <text x="\(width / 2 - 80)" y="\(height - 12)">training</text>
        <line x1="\(width / 2 + 10)" y1="\(height - 16)" x2="\(width / 2 + 35)" y2="\(height - 16)" stroke="#ff7f0e" stroke-width="2" stroke-dasharray="6 3"/>
        <text x="\(width / 2 + 40)" y="\(height - 12)">validation</text>
        </svg>

        """
        return svg
    }

    private func plot(_ name: String, series: [(String, String, [Double?])], epochs: [Double],
                      left: Double, top: Double, width: Double, height: Double) -> String {
        let values = series.flatMap { $0.2.compactMap { $0 } }.filter(\.isFinite)
        var low = values.min() ?? 0, high = values.max() ?? 1
        if high - low < 1e-9 { low -= 0.5; high += 0.5 }
        let pad = (high - low) * 0.05
        low -= pad
        high += pad
        let firstEpoch = epochs.first ?? 1, lastEpoch = Swift.max(epochs.last ?? 1, firstEpoch + 1)
        func x(_ epoch: Double) -> Double { left + (epoch - firstEpoch) / (lastEpoch - firstEpoch) * width }
        func y(_ value: Double) -> Double { top + height - (value - low) / (high - low) * height }
        var text = "<g>\n<rect x=\"\(left)\" y=\"\(top)\" width=\"\(width)\" height=\"\(height)\" fill=\"none\" stroke=\"#888\"/>\n"
        text += "<text x=\"\(left + width / 2)\" y=\"\(top - 8)\" text-anchor=\"middle\" font-weight=\"bold\">\(name)</text>\n"
        for tick in 0...4 {
            let value = low + (high - low) * Double(tick) / 4
            text += "<line x1=\"\(left - 4)\" y1=\"\(y(value))\" x2=\"\(left + width)\" y2=\"\(y(value))\" stroke=\"#eee\"/>\n"
            text += "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\">\(format(value))</text>\n"
        }
        let step = Swift.max(1, Int((lastEpoch - firstEpoch) / 8))
        for epoch in stride(from: Int(firstEpoch), through: Int(lastEpoch), by: step) {
            text += "<text x=\"\(x(Double(epoch)))\" y=\"\(top + height + 16)\" text-anchor=\"middle\">\(epoch)</text>\n"
        }
        text += "<text x=\"\(left + width / 2)\" y=\"\(top + height + 34)\" text-anchor=\"middle\">epoch</text>\n"
        text += "<text x=\"\(left - 52)\" y=\"\(top + height / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 \(left - 52) \(top + height / 2))\">\(name.lowercased())</text>\n"
        for (index, (_, color, points)) in series.enumerated() {
            let coordinates = zip(epochs, points).compactMap { epoch, value in value.map { "\(x(epoch)),\(y($0))" } }
            guard !coordinates.isEmpty else { continue }
            let dash = index == 1 ? " stroke-dasharray=\"6 3\"" : ""
            text += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(coordinates.joined(separator: " "))\"/>\n"
            for point in coordinates {
                let xy = point.split(separator: ",")
                text += "<circle cx=\"\(xy[0])\" cy=\"\(xy[1])\" r=\"3\" fill=\"\(color)\"/>\n"
            }
        }
        return text + "</g>\n"
    }

    private func format(_ value: Double) -> String {
        let magnitude = Swift.abs(value)
        let digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        // Whole numbers print without a fraction; beyond 2⁵³ (no longer exact, and past Int's range
        // from 2⁶³) Double's own description is used.
        return digits == 0 && magnitude < 9.0e15 ? "\(Int(rounded))" : "\(rounded)"
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
