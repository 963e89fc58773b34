import Dendrite

// RNN, GRU and LSTM as ONNX's own recurrent operators, one node per layer.
//
// ONNX orders the gates differently from PyTorch: LSTM i, o, f, c (PyTorch i, f, g, o) and GRU
// z, r, h (PyTorch r, z, n, with `linear_before_reset = 1` for PyTorch's reset gate); the weights are
// reordered into ONNX's `W [D, G·H, I]`, `R [D, G·H, H]` and `B [D, 2·G·H]` tensors.

extension RNN: ONNXExportable {
    /// One `RNN` node per layer (`Tanh` or `Relu`).
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let activation = nonlinearity == .tanh ? "Tanh" : "Relu"
        return try graph.recurrent(self, op: "RNN", gateOrder: [0],
                                   attributes: [.strings("activations", Array(repeating: activation, count: directionCount))], input: input)
    }
}

extension GRU: ONNXExportable {
    /// One `GRU` node per layer, `linear_before_reset = 1` as PyTorch computes the candidate.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        try graph.recurrent(self, op: "GRU", gateOrder: [1, 0, 2], attributes: [.int("linear_before_reset", 1)], input: input)
    }
}

extension LSTM: ONNXExportable {
    /// One `LSTM` node per layer.
    ///
    /// - Throws: for a projection (`proj_size`), which ONNX's LSTM does not have.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        guard projectionSize == 0 else {
            throw DendriteError.invalidArgument(operation: "ONNX export", argument: "\(graph.path) (LSTM projection size \(projectionSize))",
                                                reason: "ONNX's LSTM operator has no projection (PyTorch's proj_size)")
        }
        return try graph.recurrent(self, op: "LSTM", gateOrder: [0, 3, 1, 2], attributes: [], input: input)
    }
}

extension ONNXGraph {
    /// `[N, T, F]` → time-major, one `op` node per layer, back to `[N, T, D·H]`.
    func recurrent(_ network: RecurrentNetwork, op: String, gateOrder: [Int], attributes: [ONNXAttribute], input: ONNXValue) throws -> String {
        guard network.batchFirst else {
            throw DendriteError.invalidArgument(operation: "ONNX export", argument: "\(path) (\(network.typeName), batchFirst: false)",
                                                reason: "the exported graph takes the batch first; build the layer with batchFirst: true")
        }
        let parameters = Dictionary(network.localParameters.map { ($0.0, $0.1.value) }, uniquingKeysWith: { first, _ in first })
        let directions = network.directionCount, hidden = network.hiddenSize
        var sequence = apply("Transpose", input.name, attributes: [.ints("perm", [1, 0, 2])])
        for layer in 0..<network.layerCount {
            let suffixes = (0..<directions).map { "_l\(layer)" + ($0 == 1 ? "_reverse" : "") }
            func stacked(_ prefix: String) -> (values: [Float], shape: [Int])? {
                var values: [Float] = [], shape: [Int] = []
                for suffix in suffixes {
                    guard let tensor = parameters[prefix + suffix] else { return nil }
                    values += Self.reorderingGates(tensor.scalars, order: gateOrder)
                    shape = tensor.shape
                }
                return (values, [directions] + shape)
            }
            guard let w = stacked("weight_ih"), let r = stacked("weight_hh") else {
                throw DendriteError.invalidArgument(operation: "ONNX export", argument: "\(path) (\(network.typeName))",
                                                    reason: "layer \(layer) has no weight_ih/weight_hh parameters")
            }
            let names = within("l\(layer)") { () -> [String] in
                var inputs = [sequence, constant(floats: w.values, shape: w.shape, named: "W"), constant(floats: r.values, shape: r.shape, named: "R")]
                if let bi = stacked("bias_ih"), let bh = stacked("bias_hh") {
                    let gates = bi.shape[1]
                    var bias: [Float] = []
                    for direction in 0..<directions {
                        bias += bi.values[(direction * gates)..<((direction + 1) * gates)]
                        bias += bh.values[(direction * gates)..<((direction + 1) * gates)]
                    }
                    inputs.append(constant(floats: bias, shape: [directions, 2 * gates], named: "B"))
                }
                return node(op, inputs, attributes: attributes + [
                    .int("hidden_size", hidden), .string("direction", directions == 2 ? "bidirectional" : "forward"),
                ])
            }
            // Y [T, D, N, H] → [T, N, D, H] → [T, N, D·H]
            let merged = apply("Transpose", names[0], attributes: [.ints("perm", [0, 2, 1, 3])])
            sequence = apply("Reshape", merged, constant(int64s: [0, 0, directions * hidden], named: "merged_shape"))
        }
        return apply("Transpose", sequence, attributes: [.ints("perm", [1, 0, 2])])
    }

    /// A `[G·H, …]` weight's rows with its `G` gate blocks in `order`.
    static func reorderingGates(_ values: [Float], order: [Int]) -> [Float] {
        let block = values.count / order.count
        return order.flatMap { values[($0 * block)..<(($0 + 1) * block)] }
    }
}
