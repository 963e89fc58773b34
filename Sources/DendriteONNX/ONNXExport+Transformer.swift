import Dendrite

// The transformer's layers and the GPT, as ONNX nodes over `[N, T, E]` sequences.

extension MultiHeadAttention: ONNXExportable {
    /// Self-attention: the packed projection, split into heads, scaled scores (with the causal mask
    /// when `isCausal`), softmax, the weighted values merged and projected.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        guard input.shape.count == 2, input.shape[1] == embedDimension else {
            throw DendriteError.shapeMismatch(operation: "ONNX export of \(graph.path) (MultiHeadAttention)",
                                              expected: "[T, \(embedDimension)]", got: "\(input.shape)")
        }
        let (t, e, h) = (input.shape[0], embedDimension, headCount), d = e / h
        let weight = graph.apply("Transpose", graph.initializer(inProjWeight, named: "in_proj_weight"), attributes: [.ints("perm", [1, 0])])
        var packed = graph.apply("MatMul", input.name, weight)
        if let inProjBias { packed = graph.apply("Add", packed, graph.initializer(inProjBias, named: "in_proj_bias")) }
        let parts = graph.node("Split", [packed, graph.constant(int64s: [e, e, e], named: "split")], attributes: [.int("axis", 2)], outputs: 3)
        let headShape = graph.constant(int64s: [0, 0, h, d], named: "head_shape")
        func heads(_ x: String, perm: [Int]) -> String {
            graph.apply("Transpose", graph.apply("Reshape", x, headShape), attributes: [.ints("perm", perm)])
        }
        let query = heads(parts[0], perm: [0, 2, 1, 3]), key = heads(parts[1], perm: [0, 2, 3, 1]), value = heads(parts[2], perm: [0, 2, 1, 3])
        var scores = graph.apply("Mul", graph.apply("MatMul", query, key),
                                 graph.constant(floats: [1 / Float(d).squareRoot()], shape: [], named: "scale"))
        if isCausal {
            var mask = [Float](repeating: 0, count: t * t)
            for row in 0..<t { for column in (row + 1)..<max(row + 1, t) { mask[row * t + column] = -.infinity } }
            scores = graph.apply("Add", scores, graph.constant(floats: mask, shape: [t, t], named: "causal_mask"))
        }
        let attended = graph.apply("MatMul", graph.apply("Softmax", scores, attributes: [.int("axis", -1)]), value)
        let merged = graph.apply("Reshape", graph.apply("Transpose", attended, attributes: [.ints("perm", [0, 2, 1, 3])]),
                                 graph.constant(int64s: [0, 0, e], named: "merged_shape"))
        return try graph.export(outProj, named: "out_proj", ONNXValue(name: merged, shape: input.shape)).name
    }
}

extension FeedForward: ONNXExportable {
    /// `linear2(activation(linear1(x)))`.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        try graph.feedForward(input, linear1: linear1, linear2: linear2, gelu: usesGELU).name
    }
}

extension TransformerEncoderBlock: ONNXExportable {
    /// Self-attention and feed-forward, each with its residual and layer norm (before or after).
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        func attention(_ x: ONNXValue) throws -> ONNXValue { try graph.export(selfAttn, named: "self_attn", x) }
        func feedForward(_ x: ONNXValue) throws -> ONNXValue {
            try graph.feedForward(x, linear1: linear1, linear2: linear2, gelu: usesGELU)
        }
        if normFirst {
            let x = graph.sum(input, try attention(try graph.export(norm1, named: "norm1", input)))
            return graph.sum(x, try feedForward(try graph.export(norm2, named: "norm2", x))).name
        }
        let x = try graph.export(norm1, named: "norm1", graph.sum(input, try attention(input)))
        return try graph.export(norm2, named: "norm2", graph.sum(x, try feedForward(x))).name
    }
}

extension SinusoidalPositionalEncoding: ONNXExportable {
    /// Adds the table's first `T` rows (a constant).
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let rows = try table.slice(0..<input.shape[0])
        return graph.apply("Add", input.name, graph.constant(floats: rows.scalars, shape: rows.shape, named: "table"))
    }
}

extension GPT: ONNXExportable {
    /// Token and position embeddings, the blocks, the final norm and the (tied) head; the input is
    /// `[N, T]` int64 token ids, the output `[N, T, vocabulary]` logits.
    public func exportONNX(_ input: ONNXValue, into graph: ONNXGraph) throws -> String {
        let t = input.shape[0], e = configuration.embedDimension
        let tokens = try graph.export(tokenEmbedding, named: "token_embedding", input)
        let positions = graph.within("position_embedding") {
            graph.node("Slice", [graph.initializer(positionEmbedding.weight, named: "weight"), graph.constant(int64s: [0], named: "start"),
                                 graph.constant(int64s: [t], named: "end"), graph.constant(int64s: [0], named: "axis")])[0]
        }
        var x = ONNXValue(name: graph.apply("Add", tokens.name, positions), shape: [t, e])
        x = try graph.export(finalNorm, named: "final_norm", try graph.export(blocks, named: "blocks", x))
        if let head { return try graph.export(head, named: "head", x).name }
        let table = graph.within("token_embedding") { graph.initializer(tokenEmbedding.weight, named: "weight") }
        return graph.apply("MatMul", x.name, graph.apply("Transpose", table, attributes: [.ints("perm", [1, 0])]))
    }
}

extension ONNXGraph {
    /// `linear2(GELU or ReLU(linear1(x)))`, the linears named `linear1` and `linear2`.
    func feedForward(_ x: ONNXValue, linear1: Linear, linear2: Linear, gelu usesGELU: Bool) throws -> ONNXValue {
        let hidden = try export(linear1, named: "linear1", x)
        let activated = usesGELU ? gelu(hidden.name, tanhApproximation: false) : apply("Relu", hidden.name)
        return try export(linear2, named: "linear2", ONNXValue(name: activated, shape: hidden.shape))
    }
}
