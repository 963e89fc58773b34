import XCTest
@testable import Dendrite

final class TransformerTests: XCTestCase {
    var generator = RandomGenerator(seed: 12)

    /// Large enough (≥ `parallelElementThreshold` elements) for the fused layer norm to split its
    /// rows over the cores: output and every gradient against the same math composed from tensor
    /// operations.
    func testLayerNormSplitOverCoresMatchesComposedOps() throws {
        var generator = RandomGenerator(seed: 41)
        let input = Tensor.normal([1031, 256], generator: &generator) * 3 + 1
        let gammaValue = Tensor.normal([256], generator: &generator), betaValue = Tensor.normal([256], generator: &generator)
        let upstream = Tensor.normal([1031, 256], generator: &generator)
        let (x1, g1, b1) = (input.requiringGradient(), gammaValue.requiringGradient(), betaValue.requiringGradient())
        let fused = try layerNorm(x1, weight: g1, bias: b1)
        try fused.backward(seed: upstream)
        let (x2, g2, b2) = (input.requiringGradient(), gammaValue.requiringGradient(), betaValue.requiringGradient())
        let mean = try x2.mean(alongAxes: [1], keepingDimensions: true)
        let variance = try x2.variance(alongAxes: [1], keepingDimensions: true)
        let composed = try (x2 - mean) / (variance + 1e-5).sqrt() * g2 + b2
        try composed.backward(seed: upstream)
        assertClose(fused, composed, rtol: 1e-4, atol: 1e-4)
        assertClose(try XCTUnwrap(x1.gradient), try XCTUnwrap(x2.gradient), rtol: 1e-3, atol: 1e-4)
        assertClose(try XCTUnwrap(g1.gradient), try XCTUnwrap(g2.gradient), rtol: 1e-3, atol: 1e-3)
        assertClose(try XCTUnwrap(b1.gradient), try XCTUnwrap(b2.gradient), rtol: 1e-4, atol: 1e-3)
    }

    func testGradientChecksForAttentionNormEmbeddingAndABlock() throws {
        let q = Tensor.normal([2, 3, 4], generator: &generator), k = Tensor.normal([2, 5, 4], generator: &generator)
        let v = Tensor.normal([2, 5, 3], generator: &generator)
        try checkGradients([q, k, v], "attention") { try scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2]) }
        let mask = causalMask(queryLength: 3, keyLength: 5)
        try checkGradients([q, k, v], "masked attention") {
            try scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], additiveMask: mask)
        }
        try checkModuleGradients(LayerNorm(6), input: Tensor.normal([3, 6], generator: &generator), "LayerNorm")
        let norm = LayerNorm(4)
        norm.weight!.value = Tensor.normal([4], mean: 1, standardDeviation: 0.3, generator: &generator)
        try checkModuleGradients(norm, input: Tensor.normal([2, 3, 4], generator: &generator), "LayerNorm affine 3-D")
        let indices = try Tensor(shape: [2, 2], scalars: [1, 4, 1, 6])
        try checkGradients([Tensor.normal([7, 3], generator: &generator)], "embedding") {
            try embedding(indices, weight: $0[0]).tanh()
        }
        let attention = try MultiHeadAttention(embedDimension: 8, headCount: 2, isCausal: true, generator: &generator)
        try checkModuleGradients(attention, input: Tensor.normal([2, 4, 8], generator: &generator), "MultiHeadAttention causal")
        for normFirst in [false, true] {
            let block = try TransformerEncoderBlock(embedDimension: 8, headCount: 2, feedForward: 12, normFirst: normFirst,
                                                    causal: true, generator: &generator)
            try checkModuleGradients(block, input: Tensor.normal([2, 3, 8], generator: &generator), "block normFirst \(normFirst)")
        }
    }

    func testEmbeddingPaddingRowStaysZeroAndGetsNoGradient() throws {
        let table = Embedding(5, 2, paddingIndex: 0, generator: &generator)
        XCTAssertEqual(try table.weight.value[0].scalars, [0, 0])
        try table(Tensor([0, 3, 0])).sum().backward()
        XCTAssertEqual(try table.weight.gradient![0].scalars, [0, 0])
        XCTAssertEqual(try table.weight.gradient![3].scalars, [1, 1])
        XCTAssertThrowsError(try table(Tensor([5]))) { error in
            guard case .invalidArgument(let operation, _, _)? = error as? DendriteError else { return XCTFail() }
            XCTAssertEqual(operation, "Embedding(5, 2)")
        }
    }

    func testKeyPaddingMaskIgnoresPaddedKeys() throws {
        let attention = try MultiHeadAttention(embedDimension: 4, headCount: 2, generator: &generator)
        let x = Tensor.normal([1, 3, 4], generator: &generator)
        let padded = try Tensor.concat([x, Tensor.normal([1, 2, 4], generator: &generator)], alongAxis: 1)
        let mask = try Tensor(shape: [1, 5], scalars: [0, 0, 0, 1, 1])
        let full = try attention(query: x, key: x, value: x)
        let masked = try attention(query: x, key: padded, value: padded, keyPaddingMask: mask)
        assertClose(masked, full, atol: 1e-5)
    }

    /// Weights, outputs and every parameter gradient against PyTorch.
    func checkAgainstPyTorch(_ name: String, _ module: Module, forward: (Tensor) throws -> Tensor) throws {
        let fixture = try loadFixture(name)
        try module.load(stateDict: fixture.stripping("param."))
        let input = try fixture.tensor("input").requiringGradient()
        let output = try forward(input)
        assertClose(output, try fixture.tensor("output"), rtol: 1e-4, atol: 1e-5, "\(name) output")
        try output.backward(seed: try fixture.tensor("seed_gradient"))
        assertClose(try XCTUnwrap(input.gradient), try fixture.tensor("input.grad"), rtol: 1e-4, atol: 1e-5, "\(name) input gradient")
        for (key, parameter) in module.namedParameters() {
            assertClose(try XCTUnwrap(parameter.gradient, key), try fixture.tensor("grad.\(key)"), rtol: 1e-4, atol: 1e-5, "\(name) \(key)")
        }
    }

    func testMultiHeadAttentionWithCausalMaskMatchesPyTorch() throws {
        let attention = try MultiHeadAttention(embedDimension: 8, headCount: 2, isCausal: true, generator: &generator)
        try checkAgainstPyTorch("mha_causal", attention) { try attention($0) }
    }

    func testEncoderLayerPostNormAndPreNormMatchPyTorch() throws {
        for (name, normFirst) in [("encoder_layer_postnorm", false), ("encoder_layer_prenorm", true)] {
            let block = try TransformerEncoderBlock(embedDimension: 8, headCount: 2, feedForward: 16, gelu: true, normFirst: normFirst,
                                                    generator: &generator)
            try checkAgainstPyTorch(name, block) { try block($0) }
        }
    }

    func testParameterCountsWithoutAllocating() throws {
        XCTAssertEqual(GPTConfiguration.gpt2Small.parameterCount, 124_439_808)
        XCTAssertEqual(GPTConfiguration.gpt3.parameterCount, 174_604_259_328)
        // The counted total is what real models allocate, for several widths and depths.
        for (width, feedForward, layers) in [(8, nil, 2), (12, 20, 3), (6, 6, 1)] as [(Int, Int?, Int)] {
            let configuration = GPTConfiguration(vocabularySize: 11, contextLength: 6, embedDimension: width, headCount: 2,
                                                 layerCount: layers, feedForwardDimension: feedForward)
            XCTAssertEqual(try GPT(configuration, generator: &generator).parameterCount, configuration.parameterCount)
        }
        let small = GPTConfiguration(vocabularySize: 11, contextLength: 6, embedDimension: 8, headCount: 2, layerCount: 2)
        let model = try GPT(small, generator: &generator)
        var untied = small
        untied.tiedHead = false
        XCTAssertEqual(untied.parameterCount, small.parameterCount + 11 * 8)
        let summary = try model.summary(input: [6])
        XCTAssertEqual(summary.outputShape, [6, 11])
        XCTAssertEqual(summary.totalParameters, small.parameterCount)
    }

    func testDecoderBlockAndSinusoidalEncoding() throws {
        let decoder = try TransformerDecoderBlock(embedDimension: 8, headCount: 2, feedForward: 16, generator: &generator)
        let memory = Tensor.normal([2, 5, 8], generator: &generator)
        XCTAssertEqual(try decoder(Tensor.normal([2, 3, 8], generator: &generator), memory: memory).shape, [2, 3, 8])
        XCTAssertEqual(decoder.namedParameters().map(\.0).filter { $0.hasPrefix("multihead_attn.") }.count, 4)
        try checkGradients([Tensor.normal([1, 3, 8], generator: &generator), memory], "decoder block") {
            try decoder($0[0], memory: try $0[1].slice(0..<1))
        }
        let encoding = SinusoidalPositionalEncoding(maximumLength: 10, embedDimension: 4)
        XCTAssertEqual(try encoding.table[0].scalars, [0, 1, 0, 1])
        XCTAssertEqual(try encoding.table.scalar(at: [3, 0]), sinf(3), accuracy: 1e-6)
        XCTAssertEqual(try encoding.table.scalar(at: [3, 3]), cosf(3 / 100), accuracy: 1e-6)
    }

    /// A 200-step character-level GPT run on a small text (the start of the GPL-3 license)
    /// brings the held-out loss below 2.5 nats per character (a uniform guess is ≈ 4).
    func testCharacterGPTReducesValidationLossBelow2Point5In200Steps() throws {
        let path = "/usr/share/common-licenses/GPL-3"
        guard let full = try? String(contentsOfFile: path, encoding: .utf8) else { throw XCTSkip("\(path) is not on this machine") }
        let text = Array(full.unicodeScalars.prefix(20_000))
        let vocabulary = Array(Set(text)).sorted { $0.value < $1.value }
        let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Float($0)) })
        let ids = text.map { index[$0]! }
        let boundary = ids.count * 9 / 10, length = 32
        func batch(_ range: Range<Int>, _ size: Int) throws -> (Tensor, Tensor) {
            var inputs: [Float] = [], targets: [Float] = []
            for _ in 0..<size {
                let start = range.lowerBound + generator.nextInt(below: range.count - length - 1)
                inputs += ids[start..<(start + length)]
                targets += ids[(start + 1)..<(start + length + 1)]
            }
            return (try Tensor(shape: [size, length], scalars: inputs), try Tensor(shape: [size, length], scalars: targets))
        }
        let model = try GPT(GPTConfiguration(vocabularySize: vocabulary.count, contextLength: length, embedDimension: 48,
                                             headCount: 4, layerCount: 1), generator: &generator)
        let optimizer = try AdamW(model.parameters, learningRate: 3e-3)
        for _ in 0..<200 {
            let (inputs, targets) = try batch(0..<boundary, 16)
            optimizer.zeroGrad()
            try model.loss(inputs: inputs, targets: targets).backward()
            try clipGradientNorm(model.parameters, maxNorm: 1)
            try optimizer.step()
        }
        model.eval()
        var validation: Float = 0
        for _ in 0..<4 {
            let (inputs, targets) = try batch(boundary..<ids.count, 16)
            validation += try noGrad { try model.loss(inputs: inputs, targets: targets).scalar! } / 4
        }
        XCTAssertLessThan(validation, 2.5, "validation nats per character after 200 steps")
        let sample = try model.generate(prompt: [Int(ids[0])], count: 20, temperature: 0.8, topK: 5, generator: &generator)
        XCTAssertEqual(sample.count, 20)
        XCTAssertTrue(sample.allSatisfy { (0..<vocabulary.count).contains($0) })
    }
}
