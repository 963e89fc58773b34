import Dendrite

// The layers the CLI's spec grammar builds, as ONNX nodes (evaluation mode).

extension Linear: ONNXExportable {
    /// `Gemm` (transB) on `[N, F]`; `MatMul` with the transposed weight and `Add` on sequences.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let weightName = graph.initializer(weight, named: "weight")
        let biasName = bias.map { graph.initializer($0, named: "bias") }
        if input.shape.count == 1 {
            return graph.node("Gemm", [input.name, weightName] + (biasName.map { [$0] } ?? []), attributes: [.int("transB", 1)])[0]
        }
        let transposed = graph.apply("Transpose", weightName, attributes: [.ints("perm", [1, 0])])
        let product = graph.apply("MatMul", input.name, transposed)
        return biasName.map { graph.apply("Add", product, $0) } ?? product
    }
}

extension Conv2D: ONNXExportable {
    /// `Conv` with PyTorch's pads, strides, dilations and groups; a fused ReLU follows as `Relu`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let inputs = [input.name, graph.initializer(weight, named: "weight")] + (bias.map { [graph.initializer($0, named: "bias")] } ?? [])
        let output = graph.node("Conv", inputs, attributes: [
            .ints("kernel_shape", [kernelSize.height, kernelSize.width]),
            .ints("strides", [stride.height, stride.width]),
            .ints("pads", [padding.height, padding.width, padding.height, padding.width]),
            .ints("dilations", [dilation.height, dilation.width]),
            .int("group", groups),
        ])[0]
        return fusedReLU ? graph.apply("Relu", output) : output
    }
}

extension Pool2D {
    func poolAttributes() -> [ONNXAttribute] {
        [.ints("kernel_shape", [kernelSize.height, kernelSize.width]), .ints("strides", [stride.height, stride.width]),
         .ints("pads", [padding.height, padding.width, padding.height, padding.width]), .int("ceil_mode", ceilMode ? 1 : 0)]
    }
}

extension MaxPool2D: ONNXExportable {
    /// `MaxPool`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.apply("MaxPool", input.name, attributes: poolAttributes())
    }
}

extension AvgPool2D: ONNXExportable {
    /// `AveragePool` counting padding (PyTorch's `count_include_pad=True`).
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.apply("AveragePool", input.name, attributes: poolAttributes() + [.int("count_include_pad", 1)])
    }
}

extension AdaptiveAvgPool2D: ONNXExportable {
    /// `GlobalAveragePool` for a 1×1 output, nothing when the sizes match, and otherwise PyTorch's
    /// windows (`floor(i·H/h)` to `ceil((i+1)·H/h)`, uneven ones included) as two `MatMul`s with
    /// constant averaging matrices: `A [h, H] · x [N, C, H, W] · Bᵀ [W, w]`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        guard input.shape.count == 3 else {
            throw DendriteError.shapeMismatch(operation: "ONNX export of \(graph.path) (AdaptiveAvgPool2D)", expected: "[C, H, W]", got: "\(input.shape)")
        }
        let (h, w) = (input.shape[1], input.shape[2])
        if outputSize.height == 1 && outputSize.width == 1 { return graph.apply("GlobalAveragePool", input.name) }
        if outputSize.height == h && outputSize.width == w { return input.name }
        let rows = Self.averagingMatrix(from: h, to: outputSize.height)
        let columns = Self.averagingMatrix(from: w, to: outputSize.width, transposed: true)
        let pooledColumns = graph.apply("MatMul", input.name, graph.constant(floats: columns, shape: [w, outputSize.width], named: "columns"))
        return graph.apply("MatMul", graph.constant(floats: rows, shape: [outputSize.height, h], named: "rows"), pooledColumns)
    }

    /// `[out, size]` (or its transpose): row `i` averages PyTorch's adaptive window `i`.
    static func averagingMatrix(from size: Int, to out: Int, transposed: Bool = false) -> [Float] {
        var matrix = [Float](repeating: 0, count: out * size)
        for i in 0..<out {
            let start = (i * size) / out, end = ((i + 1) * size + out - 1) / out
            for j in start..<end {
                matrix[transposed ? j * out + i : i * size + j] = 1 / Float(end - start)
            }
        }
        return matrix
    }
}

extension BatchNorm: ONNXExportable {
    /// `BatchNormalization` with the running statistics (ones and zeros for a non-affine norm).
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let scale = weight.map { graph.initializer($0, named: "weight") }
            ?? graph.constant(floats: Array(repeating: 1, count: featureCount), shape: [featureCount], named: "scale")
        let shift = bias.map { graph.initializer($0, named: "bias") }
            ?? graph.constant(floats: Array(repeating: 0, count: featureCount), shape: [featureCount], named: "shift")
        let mean = graph.initializer(runningMean.value, named: "running_mean")
        let variance = graph.initializer(runningVar.value, named: "running_var")
        return graph.node("BatchNormalization", [input.name, scale, shift, mean, variance], attributes: [.float("epsilon", epsilon)])[0]
    }
}

extension Dropout: ONNXExportable {
    /// The identity (dropout is off in evaluation mode): no node.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String { input.name }
}

extension Identity: ONNXExportable {
    /// No node.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String { input.name }
}

extension Flatten: ONNXExportable {
    /// `Flatten` from axis 1 (`[N, …] → [N, F]`).
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.apply("Flatten", input.name, attributes: [.int("axis", 1)])
    }
}

extension Reshape: ONNXExportable {
    /// `Reshape` to `[N] + shape`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.apply("Reshape", input.name, graph.constant(int64s: [-1] + shape, named: "shape"))
    }
}

extension LastStep: ONNXExportable {
    /// `Gather` of the last step along the time axis (`[N, T, F] → [N, F]`).
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let last = graph.constant(int64s: [input.shape[0] - 1], shape: [], named: "last")
        return graph.apply("Gather", input.name, last, attributes: [.int("axis", 1)])
    }
}

extension Sequential: ONNXExportable {
    /// Each layer in turn, named by its index.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        var value = input
        for (index, layer) in layers.enumerated() { value = try graph.export(layer, named: "\(index)", value) }
        return value.name
    }
}

extension Residual: ONNXExportable {
    /// `body(x) + shortcut(x)`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let main = try graph.export(body, named: "body", input), skip = try graph.export(shortcut, named: "shortcut", input)
        return graph.apply("Add", main.name, skip.name)
    }
}

extension LayerNorm: ONNXExportable {
    /// `LayerNormalization` over the last axis.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let scale = weight.map { graph.initializer($0, named: "weight") }
            ?? graph.constant(floats: Array(repeating: 1, count: featureCount), shape: [featureCount], named: "scale")
        let inputs = [input.name, scale] + (bias.map { [graph.initializer($0, named: "bias")] } ?? [])
        return graph.node("LayerNormalization", inputs, attributes: [.int("axis", -1), .float("epsilon", epsilon)])[0]
    }
}

extension Embedding: ONNXExportable {
    /// `Gather` of rows of the table by the (int64) token ids.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.apply("Gather", graph.initializer(weight, named: "weight"), input.name, attributes: [.int("axis", 0)])
    }
}
