import Foundation

/// Reader of numeric CSV files into a ``TensorDataset``: one example per row, one column chosen
/// as the label (class index or regression target), an optional header row.
///
/// Every row is checked: a row with a different number of fields, or a field that is not a
/// number, is an error naming the file, the line and the column.
public enum CSV {
    /// Where the label is.
    public enum LabelColumn: Sendable {
        /// The first column.
        case first
        /// The last column.
        case last
        /// A 0-based column index.
        case index(Int)
        /// A column named in the header.
        case named(String)
        /// No label (targets are zeros).
        case none
    }

    /// Reads `path`.
    ///
    /// - Parameters:
    ///   - path: the CSV file.
    ///   - label: which column holds the target.
    ///   - hasHeader: whether the first row names the columns (detected when `nil`: a first row
    ///     with any non-numeric field is a header).
    ///   - separator: the field separator.
    /// - Throws: ``DendriteError/invalidFile(path:offset:reason:)``.
    public static func read(_ path: String, label: LabelColumn = .last, hasHeader: Bool? = nil,
                            separator: Character = ",") throws -> TensorDataset {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DendriteError.invalidFile(path: path, offset: nil, reason: "is not UTF-8 text")
        }
        return try parse(text, source: path, label: label, hasHeader: hasHeader, separator: separator)
    }

    /// Parses CSV text; `source` names it in errors.
    public static func parse(_ text: String, source: String, label: LabelColumn = .last, hasHeader: Bool? = nil,
                             separator: Character = ",") throws -> TensorDataset {
        func fail(_ line: Int, _ reason: String) -> DendriteError {
            .invalidFile(path: source, offset: nil, reason: "line \(line): \(reason)")
        }
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            .map { (number: $0.offset + 1, fields: $0.element.split(separator: separator, omittingEmptySubsequences: false)
                .map { String($0).trimmingWhitespace() }) }
            .filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }
        guard let first = lines.first else { throw DendriteError.invalidFile(path: source, offset: nil, reason: "is empty") }
        let header = hasHeader ?? first.fields.contains { Float($0) == nil }
        var names: [String] = []
        if header {
            names = first.fields
            lines.removeFirst()
        }
        let width = first.fields.count
        let labelIndex: Int?
        switch label {
        case .first: labelIndex = 0
        case .last: labelIndex = width - 1
        case .index(let index):
            guard index >= 0 && index < width else { throw fail(first.number, "label column \(index) is outside the \(width) columns") }
            labelIndex = index
        case .named(let name):
            guard let index = names.firstIndex(of: name) else {
                throw fail(first.number, "no column named \"\(name)\" in the header \(names)")
            }
            labelIndex = index
        case .none: labelIndex = nil
        }
        var features: [Float] = [], targets: [Float] = []
        features.reserveCapacity(lines.count * width)
        for line in lines {
            guard line.fields.count == width else {
                throw fail(line.number, "has \(line.fields.count) fields, expected \(width)")
            }
            for (column, field) in line.fields.enumerated() {
                guard let value = Float(field), value.isFinite else {
                    throw fail(line.number, "column \(column + 1) \"\(field)\" is not a finite number")
                }
                if column == labelIndex { targets.append(value) } else { features.append(value) }
            }
            if labelIndex == nil { targets.append(0) }
        }
        let featureCount = width - (labelIndex == nil ? 0 : 1)
        return try TensorDataset(inputs: Tensor(shape: [lines.count, featureCount], scalars: features),
                                 targets: Tensor(shape: [lines.count], scalars: targets))
    }
}

extension TensorDataset {
    /// Inputs scaled to zero mean and unit variance per feature, with the statistics used
    /// (apply the same to validation and test data with ``standardized(mean:standardDeviation:)``).
    public func standardized() throws -> (dataset: TensorDataset, mean: Tensor, standardDeviation: Tensor) {
        let mean = try inputs.mean(alongAxes: [0])
        let deviation = try inputs.variance(alongAxes: [0]).sqrt().clamped(min: 1e-12)
        return (try standardized(mean: mean, standardDeviation: deviation), mean, deviation)
    }

    /// Inputs as `(x − mean) / standardDeviation` with given per-feature statistics.
    public func standardized(mean: Tensor, standardDeviation: Tensor) throws -> TensorDataset {
        try TensorDataset(inputs: (inputs - mean) / standardDeviation, targets: targets)
    }
}

extension Tensor {
    /// One-hot rows `[N, classCount]` from class indices `[N]`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for an index out of range.
    public func oneHot(classCount: Int) throws -> Tensor {
        let labels = try classIndices(self, classes: classCount, operation: "oneHot")
        var values = [Float](repeating: 0, count: labels.count * classCount)
        for (row, label) in labels.enumerated() { values[row * classCount + label] = 1 }
        return try Tensor(shape: [labels.count, classCount], scalars: values)
    }
}
