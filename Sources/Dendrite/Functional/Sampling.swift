/// Draws one class index from `logits` scaled by `1/temperature`, among the `topK` highest when
/// given (ties at the k-th value stay in): the sampling step of text generation.
///
/// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for a temperature that
///   is not positive, `topK` below 1, or no logits.
public func sampleIndex(logits: [Float], temperature: Float = 1, topK: Int? = nil, generator: inout RandomGenerator) throws -> Int {
    guard temperature > 0 else {
        throw DendriteError.invalidArgument(operation: "sampleIndex", argument: "temperature \(temperature)", reason: "must be positive")
    }
    guard !logits.isEmpty, topK.map({ $0 >= 1 }) ?? true else {
        throw DendriteError.invalidArgument(operation: "sampleIndex", argument: "logits, topK",
                                            reason: "\(logits.count) logits and top-k \(topK.map(String.init) ?? "nil"): need at least one of each")
    }
    var scaled = logits.map { $0 / temperature }
    if let topK, topK < scaled.count {
        let threshold = scaled.sorted(by: >)[topK - 1]
        scaled = scaled.map { $0 < threshold ? -.infinity : $0 }
    }
    let probabilities = try softmax(Tensor(scaled)).scalars
    var draw = generator.nextUniform()
    for (index, probability) in probabilities.enumerated() {
        draw -= probability
        if draw < 0 { return index }
    }
    return probabilities.count - 1
}
