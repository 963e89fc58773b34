import Foundation

/// A model described in one line — comma-separated layers, as the `dendrite` CLI takes them:
///
/// `conv:16:3x3:p1,relu,maxpool:2,conv:32:3x3:p1,relu,maxpool:2,flatten,dense:128,relu,dense:10`
///
/// Layers: `dense:N`, `conv:OUT:KxK[:sS][:pP|:same]`, `maxpool:K[:sS]`, `avgpool:K[:sS]`,
/// `flatten`, `relu`, `sigmoid`, `tanh`, `gelu`, `softmax`, `dropout:P`, `batchnorm`, and the
/// recurrent `lstm:H`, `gru:H`, `rnn:H` (options `:L` layers, `:bi`, `:relu` for rnn; batch-first,
/// a `[1, T, F]` image read as T steps of F features), `last` (the last step) and
/// `reshape:AxB`. Input sizes come from shape inference, so a spec plus an input shape is a whole model.
/// Presets: `mlp` (the course's Keras MNIST network) and `cnn` (the course's exercise-5 network
/// with batch normalization).
public struct ModelSpec: Codable, Equatable, Sendable {
    /// The layer list, e.g. `"flatten,dense:512,relu,dense:10"`.
    public let text: String
    /// Per-sample input shape, e.g. `[1, 28, 28]`.
    public let inputShape: [Int]

    /// Named presets and the specs they stand for.
    public static let presets: [String: String] = [
        "mlp": "flatten,dense:512,relu,dense:10",
        "cnn": "conv:16:3x3:p1,batchnorm,relu,maxpool:2,conv:32:3x3:p1,batchnorm,relu,maxpool:2,flatten,dense:128,relu,dense:10",
    ]

    /// Creates a spec from text or a preset name.
    public init(_ textOrPreset: String, inputShape: [Int]) {
        text = ModelSpec.presets[textOrPreset] ?? textOrPreset
        self.inputShape = inputShape
    }

    /// Builds the model, checking every layer's input shape.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` naming the layer
    ///   token that is unknown or malformed, ``DendriteError/shapeMismatch(operation:expected:got:)``
    ///   for shapes that do not fit; an input shape with a size below 1, an overflowing element
    ///   count or more elements than memory holds is refused first.
    public func build(generator: inout RandomGenerator) throws -> Sequential {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }) else {
            throw DendriteError.invalidArgument(operation: "model spec", argument: "input shape \(inputShape)",
                                                reason: "needs one or more sizes, each at least 1")
        }
        try Tensor.validate(shape: inputShape, operation: "model spec input")
        var layers: [any UnaryLayer] = []
        var shape = inputShape
        let tokens = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
        guard !tokens.isEmpty, !tokens.contains(where: { $0.isEmpty }) else {
            throw DendriteError.invalidArgument(operation: "model spec", argument: "\"\(text)\"", reason: "is empty or has an empty layer")
        }
        for (index, token) in tokens.enumerated() {
            // A recurrent layer reads a one-channel image [1, T, F] as T steps of F features.
            if ModelSpec.recurrentKinds.contains(token.split(separator: ":").first.map { $0.lowercased() } ?? ""),
               shape.count == 3, shape[0] == 1 {
                let reshape = try Reshape([shape[1], shape[2]])
                shape = try reshape.outputShape(forInput: shape)
                layers.append(reshape)
            }
            let layer = try makeLayer(token, position: index, inputShape: shape, generator: &generator)
            do {
                shape = try layer.outputShape(forInput: shape)
            } catch let DendriteError.shapeMismatch(operation, expected, got) {
                throw DendriteError.shapeMismatch(operation: "model spec layer \(index) \"\(token)\" (\(operation))", expected: expected, got: got)
            }
            layers.append(layer)
        }
        return Sequential(layers)
    }

    private func makeLayer(_ token: String, position: Int, inputShape shape: [Int], generator: inout RandomGenerator) throws -> any UnaryLayer {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func fail(_ reason: String) -> DendriteError {
            .invalidArgument(operation: "model spec", argument: "layer \(position) \"\(token)\"", reason: reason)
        }
        func integer(_ text: String, _ what: String) throws -> Int {
            guard let value = Int(text), value > 0 else { throw fail("\(what) \"\(text)\" is not a positive integer") }
            return value
        }
        func kernel(_ text: String) throws -> Size2D {
            let sides = text.lowercased().split(separator: "x").map(String.init)
            if sides.count == 1 { let k = try integer(sides[0], "kernel size"); return Size2D(k, k) }
            guard sides.count == 2 else { throw fail("kernel \"\(text)\" is not K or KxK") }
            return Size2D(try integer(sides[0], "kernel height"), try integer(sides[1], "kernel width"))
        }
        func options(_ rest: ArraySlice<String>) throws -> (stride: Int?, padding: Padding) {
            var stride: Int?, padding: Padding = 0
            for option in rest {
                if option == "same" { padding = .same }
                else if option.hasPrefix("s") { stride = try integer(String(option.dropFirst()), "stride") }
                else if option.hasPrefix("p"), let value = Int(option.dropFirst()), value >= 0 { padding = .explicit(height: value, width: value) }
                else { throw fail("option \"\(option)\" is not sN, pN or same") }
            }
            return (stride, padding)
        }
        /// Checks that the parameters `terms` (products of sizes, summed) fit in memory before
        /// anything is allocated: a count that overflows, or needs more bytes than the machine has.
        func affordable(_ terms: [[Int]]) throws {
            var total = 0
            for term in terms {
                var product = 1
                for factor in term {
                    let (next, overflow) = product.multipliedReportingOverflow(by: factor)
                    guard !overflow else { throw fail("its parameter count overflows a 64-bit integer") }
                    product = next
                }
                let (sum, overflow) = total.addingReportingOverflow(product)
                guard !overflow else { throw fail("its parameter count overflows a 64-bit integer") }
                total = sum
            }
            let (bytes, overflow) = total.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
            let memory = ProcessInfo.processInfo.physicalMemory
            guard !overflow, UInt64(bytes) <= memory else {
                throw fail("needs \(ModelSpec.formatted(bytes: overflow ? Double(total) * 4 : Double(bytes))) of parameters; "
                           + "this machine has \(ModelSpec.formatted(bytes: Double(memory)))")
            }
        }
        func arity(_ range: ClosedRange<Int>) throws {
            guard range.contains(parts.count - 1) else { throw fail("takes \(range.lowerBound)…\(range.upperBound) arguments") }
        }
        switch parts[0].lowercased() {
        case "dense", "linear":
            try arity(1...1)
            guard let features = shape.last, shape.count == 1 else {
                throw DendriteError.shapeMismatch(operation: "model spec layer \(position) \"\(token)\"", expected: "a flat input (add flatten first)",
                                                  got: "\(shape)")
            }
            let units = try integer(parts[1], "units")
            try affordable([[features, units], [units]])
            return try Linear(features, units, generator: &generator)
        case "conv":
            try arity(2...4)
            guard shape.count == 3 else {
                throw DendriteError.shapeMismatch(operation: "model spec layer \(position) \"\(token)\"", expected: "[C, H, W]", got: "\(shape)")
            }
            let (stride, padding) = try options(parts[3...])
            let filters = try integer(parts[1], "filters"), size = try kernel(parts[2])
            try affordable([[filters, shape[0], size.height, size.width], [filters]])
            return try Conv2D(shape[0], filters, kernelSize: size,
                              stride: Size2D(stride ?? 1, stride ?? 1), padding: padding, generator: &generator)
        case "maxpool", "avgpool":
            try arity(1...2)
            let size = try kernel(parts[1])
            let stride = try options(parts[2...]).stride.map { Size2D($0, $0) }
            return parts[0].lowercased() == "maxpool" ? MaxPool2D(kernelSize: size, stride: stride) : AvgPool2D(kernelSize: size, stride: stride)
        case "dropout":
            try arity(1...1)
            guard let p = Float(parts[1]), p >= 0, p < 1 else { throw fail("probability \"\(parts[1])\" is not in [0, 1)") }
            return try Dropout(p)
        case "batchnorm":
            try arity(0...0)
            switch shape.count {
            case 1: return BatchNorm1D(shape[0])
            case 3: return BatchNorm2D(shape[0])
            default:
                throw DendriteError.shapeMismatch(operation: "model spec layer \(position) \"batchnorm\"", expected: "[C] or [C, H, W]", got: "\(shape)")
            }
        case "lstm", "gru", "rnn":
            guard shape.count == 2 else {
                throw DendriteError.shapeMismatch(operation: "model spec layer \(position) \"\(token)\"", expected: "a sequence [T, F]",
                                                  got: "\(shape)")
            }
            let options = try RecurrentSpecOptions(parts, fail: fail)
            let gates = ["lstm": 4, "gru": 3, "rnn": 1][parts[0].lowercased()]!, directions = options.bidirectional ? 2 : 1
            guard options.hidden <= Int.max / 8, shape[1] <= Int.max / 8 else { throw fail("its parameter count overflows a 64-bit integer") }
            try affordable([[options.layers, directions, gates, options.hidden, Swift.max(shape[1], directions * options.hidden) + options.hidden + 2]])
            return try options.build(parts[0].lowercased(), inputSize: shape[1], generator: &generator)
        case "last": try arity(0...0); return LastStep()
        case "reshape":
            try arity(1...1)
            return try Reshape(try parts[1].lowercased().split(separator: "x").map { try integer(String($0), "size") })
        case "flatten": try arity(0...0); return Flatten()
        case "relu": try arity(0...0); return ReLU()
        case "sigmoid", "logistic": try arity(0...0); return Sigmoid()
        case "tanh": try arity(0...0); return Tanh()
        case "gelu": try arity(0...0); return GELU()
        case "softmax": try arity(0...0); return Softmax()
        default:
            throw fail("unknown layer (known: dense, conv, maxpool, avgpool, flatten, relu, sigmoid, tanh, gelu, softmax, dropout, "
                       + "batchnorm, lstm, gru, rnn, last, reshape)")
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var result = Substring(self)
        while result.first?.isWhitespace == true { result.removeFirst() }
        while result.last?.isWhitespace == true { result.removeLast() }
        return String(result)
    }
}

extension ModelSpec {
    /// `313 GB`, `1.5 MB`: a byte count in decimal units, for messages.
    static func formatted(bytes: Double) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return value >= 10 || unit == 0 ? "\(Int(value.rounded())) \(units[unit])" : "\(Double(Int(value * 10)) / 10) \(units[unit])"
    }
}
