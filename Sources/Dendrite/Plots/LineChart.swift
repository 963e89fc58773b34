import Foundation

/// A line chart as a standalone SVG document (opens in any browser): one or more named series
/// of points, labelled axes with ticks, a legend, and optionally a logarithmic x axis — for
/// accuracy per federated round, accuracy against fault rate and the like.
public struct LineChart: Sendable {
    /// One named line.
    public struct Series: Sendable {
        /// Legend text.
        public var name: String
        /// `(x, y)` points, drawn in order; non-finite ones are skipped.
        public var points: [(x: Double, y: Double)]
        /// Drawn dashed.
        public var dashed: Bool

        /// Creates a series.
        public init(_ name: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
            self.name = name
            self.points = points
            self.dashed = dashed
        }
    }

    /// Heading, and the axes' titles.
    public var title: String, xLabel: String, yLabel: String
    /// The lines.
    public var series: [Series]
    /// A base-10 logarithmic x axis (positive x only).
    public var logarithmicX: Bool
    /// Fixed y range, or `nil` to fit the data.
    public var yRange: ClosedRange<Double>?

    /// Creates a chart.
    public init(title: String, xLabel: String, yLabel: String, series: [Series], logarithmicX: Bool = false,
                yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logarithmicX = logarithmicX
        self.yRange = yRange
    }

    static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]

    /// The SVG document.
    public func svg(width: Double = 720, height: Double = 440) -> String {
        let left = 70.0, right = 200.0, top = 44.0, bottom = 56.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logarithmicX || $0.x > 0) }
        func tx(_ x: Double) -> Double { logarithmicX ? Foundation.log10(x) : x }
        let xs = points.map { tx($0.x) }, ys = points.map(\.y)
        var (xLow, xHigh) = (xs.min() ?? 0, xs.max() ?? 1)
        var (yLow, yHigh) = yRange.map { ($0.lowerBound, $0.upperBound) } ?? (ys.min() ?? 0, ys.max() ?? 1)
        if xHigh <= xLow { (xLow, xHigh) = (xLow - 0.5, xHigh + 0.5) }
        if yHigh <= yLow { (yLow, yHigh) = (yLow - 0.5, yHigh + 0.5) }
        func px(_ x: Double) -> Double { left + (tx(x) - xLow) / (xHigh - xLow) * plotWidth }
        func py(_ y: Double) -> Double { top + (1 - (y - yLow) / (yHigh - yLow)) * plotHeight }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left + plotWidth / 2)" y="24" text-anchor="middle" font-size="15">\(Self.escape(title))</text>
        <rect x="\(left)" y="\(top)" width="\(plotWidth)" height="\(plotHeight)" fill="none" stroke="#444"/>

        """
        for tick in 0...4 {
            let y = yLow + (yHigh - yLow) * Double(tick) / 4, position = py(y)
            svg += "<line x1=\"\(left)\" y1=\"\(position)\" x2=\"\(left + plotWidth)\" y2=\"\(position)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(position + 4)\" text-anchor=\"end\">\(Self.format(y))</text>\n"
        }
        let xTicks: [Double] = logarithmicX
            ? stride(from: Foundation.floor(xLow), through: Foundation.ceil(xHigh), by: 1).map { Foundation.pow(10, $0) }
            : (0...4).map { xLow + (xHigh - xLow) * Double($0) / 4 }
        for x in xTicks where tx(x) >= xLow - 1e-9 && tx(x) <= xHigh + 1e-9 {
            let position = px(x)
            svg += "<line x1=\"\(position)\" y1=\"\(top + plotHeight)\" x2=\"\(position)\" y2=\"\(top + plotHeight + 5)\" stroke=\"#444\"/>"
            svg += "<text x=\"\(position)\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\">\(Self.format(x))</text>\n"
        }
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 14)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(18 \(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for (index, line) in series.enumerated() {
            let color = Self.colors[index % Self.colors.count]
            let drawn = line.points.filter { $0.x.isFinite && $0.y.isFinite && (!logarithmicX || $0.x > 0) }
            let path = drawn.map { "\(px($0.x)),\(py(Swift.min(Swift.max($0.y, yLow), yHigh)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6 3\"" : "") points=\"\(path)\"/>\n"
            let legendY = top + 10 + Double(index) * 20
            svg += "<line x1=\"\(left + plotWidth + 14)\" y1=\"\(legendY)\" x2=\"\(left + plotWidth + 38)\" y2=\"\(legendY)\" stroke=\"\(color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6 3\"" : "")/>"
            svg += "<text x=\"\(left + plotWidth + 44)\" y=\"\(legendY + 4)\">\(Self.escape(line.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func format(_ value: Double) -> String {
        if value != 0 && (Swift.abs(value) < 1e-3 || Swift.abs(value) >= 1e5) { return String(format: "%.0e", value) }
        return String(format: Swift.abs(value) >= 100 ? "%.0f" : (Swift.abs(value) >= 1 ? "%.2g" : "%.3g"), value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
