import XCTest
@testable import Dendrite

/// The course's worked example (seed 003): one backpropagation step on a 2-2-1 sigmoid network.
final class CourseBackpropagationTests: XCTestCase {
    func testWorkedExampleOneStepOfPlainSGD() throws {
        var generator = RandomGenerator(seed: 0)
        let hidden = try Linear(2, 2, bias: false, generator: &generator)
        let output = try Linear(2, 1, bias: false, generator: &generator)
        // weight[out, in]: h1 ← (x1 0.2, x2 0.2), h2 ← (x1 0.3, x2 0.3); o ← (h1 0.3, h2 0.9).
        hidden.weight.value = try Tensor(shape: [2, 2], scalars: [0.2, 0.2, 0.3, 0.3])
        output.weight.value = try Tensor(shape: [1, 2], scalars: [0.3, 0.9])
        let model = Sequential { hidden; Sigmoid(); output; Sigmoid() }
        let x = try Tensor(shape: [1, 2], scalars: [0.35, 0.7])
        let target = try Tensor.full([1, 1], 0.5)

        let prediction = try model(x)
        XCTAssertEqual(prediction.scalar!, 0.66507, accuracy: 1e-4)
        let loss = try (target - prediction).squared().sum() * 0.5        // ½(y − o)²
        try loss.backward()
        // Plain SGD, learning rate 1: w ← w − ∂E/∂w.
        for parameter in model.parameters {
            parameter.value = try parameter.value - parameter.gradient!
        }
        assertClose(hidden.weight.value, try Tensor(shape: [2, 2], scalars: [0.19905, 0.19809, 0.29718, 0.29435]), atol: 1e-4)
        assertClose(output.weight.value, try Tensor(shape: [1, 2], scalars: [0.27969, 0.87874]), atol: 1e-4)
        XCTAssertEqual(try model(x).scalar!, 0.65955, accuracy: 1e-4)
    }
}
