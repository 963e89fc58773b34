import XCTest
@testable import Dendrite

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
    func loss(_ values: [Tensor]) throws -> Double {
        let y = try noGrad { try function(values) }
        return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    for (index, input) in inputs.enumerated() {
        guard let analytic = leaves[index].gradient else {
            XCTFail("\(label): input \(index) got no gradient", file: file, line: line)
            continue
        }
        XCTAssertEqual(analytic.shape, input.shape, "\(label): gradient shape of input \(index)", file: file, line: line)
        var values = inputs
        var worst: (element: Int, analytic: Float, numeric: Float)?
        for element in 0..<input.count {
            var plus = input, minus = input
            var flat = input.scalars
            let original = flat[element]
            flat[element] = original + step
            plus = try Tensor(shape: input.shape, scalars: flat)
            flat[element] = original - step
            minus = try Tensor(shape: input.shape, scalars: flat)
            values[index] = plus
            let up = try loss(values)
            values[index] = minus
            let down = try loss(values)
            let numeric = Float((up - down) / (2 * Double(step)))
            let a = analytic.scalars[element]
            if abs(a - numeric) > tolerance * max(abs(a), abs(numeric), 1) || a.isNaN {
                if worst == nil || abs(a - numeric) > abs(worst!.analytic - worst!.numeric) { worst = (element, a, numeric) }
            }
        }
        values[index] = input
        if let worst {
            XCTFail("\(label): input \(index) element \(worst.element): analytic \(worst.analytic) vs numeric \(worst.numeric)",
                    file: file, line: line)
        }
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
    func compare(_ name: String, analytic: Tensor?, count: Int, perturb: (Int, Float) throws -> Void) throws {
        guard let analytic else { return XCTFail("\(label): \(name) got no gradient", file: file, line: line) }
        for element in 0..<count {
            try perturb(element, step)
            let up = try loss()
            try perturb(element, -2 * step)
            let down = try loss()
            try perturb(element, step)
            let numeric = Float((up - down) / (2 * Double(step)))
            let a = analytic.scalars[element]
            if abs(a - numeric) > tolerance * max(abs(a), abs(numeric), 1) || a.isNaN {
                return XCTFail("\(label): \(name) element \(element): analytic \(a) vs numeric \(numeric)", file: file, line: line)
            }
        }
    }
    try compare("input", analytic: leaf.gradient, count: input.count) { element, delta in
        var flat = current.scalars
        flat[element] += delta
        current = try Tensor(shape: input.shape, scalars: flat)
    }
    for (name, parameter) in module.namedParameters() where parameter.requiresGradient {
        try compare(name, analytic: parameter.gradient, count: parameter.value.count) { element, delta in
            var flat = parameter.value.scalars
            flat[element] += delta
            parameter.value = try Tensor(shape: parameter.shape, scalars: flat)
        }
    }
}
