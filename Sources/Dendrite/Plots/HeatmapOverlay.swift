import Foundation

/// An input image with an attribution heatmap laid over it — what `dendrite explain` draws: the
/// image in gray, the heat in a red–yellow ramp whose opacity grows with the (normalized)
/// attribution (scaled to its 98th percentile), so the evidence stands out and the picture shows
/// through where there is none.
public struct HeatmapOverlay {
    /// The image, `[H, W]` (one channel) or `[C, H, W]` (channels averaged).
    public let image: Tensor
    /// The attribution, the image's height and width (`[H, W]`); negative values count as 0.
    public let heat: Tensor
    /// Pixels per input pixel in the picture.
    public var scale: Int

    /// Creates the overlay.
    ///
    /// - Throws: ``DendriteError/shapeMismatch(operation:expected:got:)`` when the heatmap's
    ///   shape is not the image's height and width.
    public init(image: Tensor, heat: Tensor, scale: Int = 12) throws {
        let spatial = Array(image.shape.suffix(2))
        guard image.rank == 2 || image.rank == 3, heat.shape == spatial, scale >= 1 else {
            throw DendriteError.shapeMismatch(operation: "HeatmapOverlay", expected: "image [H, W] or [C, H, W], heat [H, W], scale ≥ 1",
                                              got: "image \(image.shape), heat \(heat.shape)")
        }
        self.image = image
        self.heat = heat
        self.scale = scale
    }

    /// `(height, width, rgb)`: 3 bytes per input pixel.
    func colors() -> (Int, Int, [UInt8]) {
        let (h, w) = (heat.shape[0], heat.shape[1])
        let channels = image.rank == 3 ? image.shape[0] : 1
        let pixels = image.scalars, heats = heat.scalars.map { Swift.max($0, 0) }
        let gray = (0..<(h * w)).map { p in (0..<channels).reduce(Float(0)) { $0 + pixels[$1 * h * w + p] } / Float(channels) }
        // The heat is scaled to its 98th percentile (Captum's visualizer clips 2 % of outliers), so
        // one extreme pixel does not wash the rest out.
        let sorted = heats.sorted(), top = sorted.isEmpty ? 0 : (sorted[Int(Double(sorted.count - 1) * 0.98)] > 0
            ? sorted[Int(Double(sorted.count - 1) * 0.98)] : (sorted.last ?? 0))
        let (low, high) = (gray.min() ?? 0, gray.max() ?? 1)
        var rgb = [UInt8](repeating: 0, count: h * w * 3)
        for p in 0..<(h * w) {
            let g = high > low ? (gray[p] - low) / (high - low) : 0
            let t = top > 0 ? Swift.min(heats[p] / top, 1) : 0
            // Red → yellow as the heat rises; opacity √t so weak evidence still shows.
            let (r, gg, b): (Float, Float, Float) = (1, t, 0)
            let alpha = t.squareRoot() * 0.8
            rgb[3 * p] = UInt8(255 * ((1 - alpha) * g + alpha * r))
            rgb[3 * p + 1] = UInt8(255 * ((1 - alpha) * g + alpha * gg))
            rgb[3 * p + 2] = UInt8(255 * ((1 - alpha) * g + alpha * b))
        }
        return (h, w, rgb)
    }

    /// The picture as PNG bytes, each input pixel a `scale × scale` square.
    public func png() throws -> [UInt8] {
        let (h, w, rgb) = colors()
        var big = [UInt8](repeating: 0, count: h * scale * w * scale * 3)
        for y in 0..<(h * scale) {
            for x in 0..<(w * scale) {
                let source = 3 * ((y / scale) * w + x / scale), target = 3 * (y * w * scale + x)
                big[target] = rgb[source]; big[target + 1] = rgb[source + 1]; big[target + 2] = rgb[source + 2]
            }
        }
        return try PNGEncoder.encode(width: w * scale, height: h * scale, rgb: big)
    }

    /// The picture as an SVG document (one square per input pixel), with `caption` under it.
    public func svg(caption: String = "") -> String {
        let (h, w, rgb) = colors()
        let size = Double(scale), height = Double(h) * size + (caption.isEmpty ? 0 : 28)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Double(w) * size)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"13\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for y in 0..<h {
            for x in 0..<w {
                let p = 3 * (y * w + x)
                let color = String(format: "#%02x%02x%02x", rgb[p], rgb[p + 1], rgb[p + 2])
                svg += "<rect x=\"\(Double(x) * size)\" y=\"\(Double(y) * size)\" width=\"\(size)\" height=\"\(size)\" fill=\"\(color)\"/>"
            }
            svg += "\n"
        }
        if !caption.isEmpty {
            svg += "<text x=\"4\" y=\"\(Double(h) * size + 19)\">\(LineChart.escape(caption))</text>\n"
        }
        return svg + "</svg>\n"
    }
}
