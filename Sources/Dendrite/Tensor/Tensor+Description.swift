// NumPy-like printing: nested brackets for small tensors, edges and "..." for large ones.

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// Elements beyond which printing is summarized, as NumPy's `threshold`.
    static let summaryThreshold = 1000
    /// Entries shown at each edge of a summarized axis.
    static let summaryEdgeItems = 3

    /// The values in nested brackets, e.g. `[[1, 2], [3, 4]]`; large tensors show their edges.
    public var description: String {
        if rank == 0 { return format(storage[0]) }
        let summarize = count > Tensor.summaryThreshold
        var text = ""
        render(axis: 0, offset: 0, summarize: summarize, indent: 1, into: &text)
        return text
    }

    /// The description with the shape, e.g. `Tensor([2, 2]) [[1, 2], [3, 4]]`.
    public var debugDescription: String { "Tensor(\(shape)) \(description)" }

    private func format(_ value: Float) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded() && Swift.abs(value) < 1e7 { return String(Int(value)) }
        let text = "\(value)"
        return text
    }

    private func render(axis: Int, offset: Int, summarize: Bool, indent: Int, into text: inout String) {
        let size = shape[axis]
        let stride = shape[(axis + 1)...].reduce(1, *)
        let edge = Tensor.summaryEdgeItems
        let indices: [Int?] = summarize && size > 2 * edge
            ? Array(0..<edge).map { Optional($0) } + [nil] + Array((size - edge)..<size).map { Optional($0) }
            : Array(0..<size).map { Optional($0) }
        text += "["
        let separator = axis == rank - 1 ? ", " : ",\n" + String(repeating: "\n", count: Swift.max(rank - axis - 2, 0))
            + String(repeating: " ", count: indent)
        for (position, index) in indices.enumerated() {
            if position > 0 { text += separator }
            guard let index else { text += "..."; continue }
            if axis == rank - 1 {
                text += format(storage[offset + index])
            } else {
                render(axis: axis + 1, offset: offset + index * stride, summarize: summarize, indent: indent + 1, into: &text)
            }
        }
        text += "]"
    }
}
