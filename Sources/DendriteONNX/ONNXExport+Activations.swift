import Dendrite

// Activation layers as ONNX nodes.

extension ReLU: ONNXExportable {
    /// `Relu`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String { graph.apply("Relu", input.name) }
}

extension LeakyReLU: ONNXExportable {
    /// `LeakyRelu` with the negative slope as `alpha`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.apply("LeakyRelu", input.name, attributes: [.float("alpha", negativeSlope)])
    }
}

extension ELU: ONNXExportable {
    /// `Elu`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.apply("Elu", input.name, attributes: [.float("alpha", alpha)])
    }
}

extension Sigmoid: ONNXExportable {
    /// `Sigmoid`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String { graph.apply("Sigmoid", input.name) }
}

extension Tanh: ONNXExportable {
    /// `Tanh`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String { graph.apply("Tanh", input.name) }
}

extension Softmax: ONNXExportable {
    /// `Softmax` along the same axis.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.apply("Softmax", input.name, attributes: [.int("axis", axis)])
    }
}

extension LogSoftmax: ONNXExportable {
    /// `LogSoftmax` along the same axis.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.apply("LogSoftmax", input.name, attributes: [.int("axis", axis)])
    }
}

extension GELU: ONNXExportable {
    /// GELU from opset-17 operators (`Gelu` arrived in opset 20): `x·½(1 + erf(x/√2))`, or the tanh form.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        graph.gelu(input.name, tanhApproximation: tanhApproximation)
    }
}

extension BoundedReLU: ONNXExportable {
    /// `Clip` to `[0, bound]`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let low = graph.constant(floats: [0], shape: [], named: "low"), high = graph.constant(floats: [upperBound], shape: [], named: "high")
        return graph.node("Clip", [input.name, low, high])[0]
    }
}

extension ONNXGraph {
    /// GELU of `x`, exact (`erf`) or with the tanh approximation, from opset-17 operators.
    public func gelu(_ x: String, tanhApproximation: Bool) -> String {
        let half = constant(floats: [0.5], shape: [], named: "half"), one = constant(floats: [1], shape: [], named: "one")
        let inner: String
        if tanhApproximation {
            let cube = apply("Mul", x, apply("Mul", x, x))
            let cubic = apply("Add", x, apply("Mul", cube, constant(floats: [0.044715], shape: [], named: "cubic")))
            inner = apply("Tanh", apply("Mul", cubic, constant(floats: [0.797_884_56], shape: [], named: "sqrt_2_over_pi")))
        } else {
            inner = apply("Erf", apply("Div", x, constant(floats: [Float(2).squareRoot()], shape: [], named: "sqrt2")))
        }
        return apply("Mul", apply("Mul", x, half), apply("Add", inner, one))
    }
}
