import XCTest
@testable import Dendrite

/// The one central-difference comparison every gradient check uses: for each of `count` elements,
/// `perturb(element, ±step)` shifts it, `loss()` is evaluated on both sides, and the analytic
/// gradient must satisfy `|g − ĝ| ≤ tolerance · max(|g|, |ĝ|, 1)`; the worst element is reported.
func compareWithCentralDifferences(_ name: String, analytic: Tensor?, count: Int, step: Float, tolerance: Float,
                                   file: StaticString, line: UInt, perturb: (_ element: Int, _ delta: Float) throws -> Void,
                                   loss: () throws -> Double) throws {
    guard let analytic else { return XCTFail("\(name) got no gradient", file: file, line: line) }
    XCTAssertEqual(analytic.count, count, "\(name): gradient size", file: file, line: line)
    var worst: (element: Int, analytic: Float, numeric: Float)?
    for element in 0..<Swift.min(count, analytic.count) {
        try perturb(element, step)
        let up = try loss()
        try perturb(element, -2 * step)
        let down = try loss()
        try perturb(element, step)
        let numeric = Float((up - down) / (2 * Double(step)))
        let a = analytic.scalars[element]
        if abs(a - numeric) > tolerance * max(abs(a), abs(numeric), 1) || a.isNaN {
            if worst == nil || abs(a - numeric) > abs(worst!.analytic - worst!.numeric) { worst = (element, a, numeric) }
        }
    }
    if let worst {
        XCTFail("\(name) element \(worst.element): analytic \(worst.analytic) vs numeric \(worst.numeric)", file: file, line: line)
    }
}

/// Adds `delta` to element `element` of `tensor` (a new value; the old one is untouched).
func shifted(_ tensor: Tensor, element: Int, by delta: Float) throws -> Tensor {
    var flat = tensor.scalars
    flat[element] += delta
    return try Tensor(shape: tensor.shape, scalars: flat)
}

/// Central-difference gradient check of `function` at `inputs`, with loss `sum(y ⊙ r)` for a fixed
/// random `r`. Passes when `|g − ĝ| ≤ 1e-3 · max(|g|, |ĝ|, 1)` for every element of every input.
func checkGradients(_ inputs: [Tensor], step: Float = 1e-2, tolerance: Float = 1e-3, seed: UInt64 = 99,
                    _ label: String = "", file: StaticString = #filePath, line: UInt = #line,
                    _ function: ([Tensor]) throws -> Tensor) throws {
    let leaves = inputs.map { $0.requiringGradient() }
    let output = try function(leaves)
    var generator = RandomGenerator(seed: seed)
    let weights = Tensor.normal(output.shape, generator: &generator)
    try (output * weights).sum().backward()
    var values = inputs
    for (index, input) in inputs.enumerated() {
        XCTAssertEqual(leaves[index].gradient?.shape, input.shape, "\(label): gradient shape of input \(index)", file: file, line: line)
        try compareWithCentralDifferences("\(label): input \(index)", analytic: leaves[index].gradient, count: input.count,
                                          step: step, tolerance: tolerance, file: file, line: line,
                                          perturb: { element, delta in values[index] = try shifted(values[index], element: element, by: delta) },
                                          loss: {
                                              let y = try noGrad { try function(values) }
                                              return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
                                          })
        values[index] = input
    }
}

/// Values at least `gap` away from 0 (for ops with a kink at 0: relu, abs, leaky relu).
func awayFromZero(_ shape: [Int], gap: Float = 0.1, generator: inout RandomGenerator) -> Tensor {
    let raw = Tensor.normal(shape, generator: &generator)
    return Tensor(raw.scalars.map { $0 >= 0 ? $0 + gap : $0 - gap }).reshapedUnchecked(shape)
}

/// Distinct values spaced `spacing` apart in random order (for max pooling: no near-ties).
func distinctValues(_ shape: [Int], spacing: Float = 0.05, generator: inout RandomGenerator) -> Tensor {
    var values = (0..<shape.reduce(1, *)).map { Float($0) * spacing }
    values.shuffle(using: &generator)
    return Tensor(values).reshapedUnchecked(shape)
}

extension Tensor {
    func reshapedUnchecked(_ shape: [Int]) -> Tensor { try! reshaped(to: shape) }
}

/// Gradient check of a module: the input gradient and every trainable parameter's gradient
/// against central differences of `sum(module(x) ⊙ r)`. `beforeEachForward` runs before every
/// forward pass (e.g. to reset a dropout layer's generator so the mask is fixed).
func checkModuleGradients(_ module: any UnaryLayer, input: Tensor, step: Float = 1e-2, tolerance: Float = 1e-3,
                          _ label: String = "", file: StaticString = #filePath, line: UInt = #line,
                          beforeEachForward: () -> Void = {}) throws {
    module.zeroGrad()
    let leaf = input.requiringGradient()
    beforeEachForward()
    let output = try module(leaf)
    var generator = RandomGenerator(seed: 123)
    let weights = Tensor.normal(output.shape, generator: &generator)
    try (output * weights).sum().backward()
    var current = input
    func loss() throws -> Double {
        beforeEachForward()
        let y = try noGrad { try module(current) }
        return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    try compareWithCentralDifferences("\(label): input", analytic: leaf.gradient, count: input.count, step: step,
                                      tolerance: tolerance, file: file, line: line,
                                      perturb: { element, delta in current = try shifted(current, element: element, by: delta) },
                                      loss: loss)
    for (name, parameter) in module.namedParameters() where parameter.requiresGradient {
        try compareWithCentralDifferences("\(label): \(name)", analytic: parameter.gradient, count: parameter.value.count,
                                          step: step, tolerance: tolerance, file: file, line: line,
                                          perturb: { element, delta in
                                              parameter.value = try shifted(parameter.value, element: element, by: delta)
                                          }, loss: loss)
    }
}
