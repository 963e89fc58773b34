import XCTest
@testable import Dendrite

/// L-BFGS against torch.optim.LBFGS (fixed step and strong-Wolfe line search), and its saved history.
final class LBFGSTests: XCTestCase {
    var generator = RandomGenerator(seed: 4)

    private func mlp(initial: [String: Tensor]) throws -> Sequential {
        let model = try Sequential { try Linear(4, 5, generator: &generator); Tanh(); try Linear(5, 3, generator: &generator) }
        try model.load(stateDict: initial)
        return model
    }

    /// Three `step(closure:)` calls of up to 10 iterations: each returned loss, the evaluation count
    /// and every final parameter, element by element. The tolerance on the parameters is what
    /// PyTorch's own float32 and float64 runs differ by after 30 iterations (the fixed-step
    /// variant is the touchier one).
    func testThreeStepsMatchPyTorchWithAndWithoutTheLineSearch() throws {
        let fixture = try loadFixture("lbfgs")
        let inputs = try fixture.tensor("inputs"), targets = try fixture.tensor("targets")
        let cases: [(String, LBFGS.LineSearch, Float, Float)] = [("lbfgs", .none, 0.5, 5e-3), ("lbfgs_wolfe", .strongWolfe, 1, 1e-3)]
        for (name, lineSearch, rate, tolerance) in cases {
            let model = try mlp(initial: fixture.stripping("initial."))
            let optimizer = try LBFGS(model.parameters, learningRate: rate, maxIterations: 10, historySize: 5, lineSearch: lineSearch)
            var evaluations = 0
            let losses = try (0..<3).map { _ in
                try optimizer.step {
                    evaluations += 1
                    optimizer.zeroGrad()
                    let loss = try StandardLoss.meanSquaredError(try model(inputs), targets)
                    try loss.backward()
                    return loss
                }
            }
            assertClose(Tensor(losses), try fixture.tensor("\(name).losses"), rtol: 1e-4, atol: 1e-6, "\(name) losses")
            XCTAssertEqual(Float(evaluations), try fixture.tensor("\(name).evaluations").scalar, "\(name) closure evaluations")
            for (key, value) in model.stateDict() {
                assertClose(value, try fixture.tensor("\(name).final.\(key)"), rtol: tolerance, atol: tolerance, "\(name) \(key)")
            }
        }
    }

    /// A restored optimizer (history included) takes exactly the step the original takes.
    func testSavedHistoryResumesBitForBit() throws {
        let weights = try loadFixture("optimizers")
        let inputs = try weights.tensor("inputs"), targets = try weights.tensor("targets")
        let original = try mlp(initial: weights.stripping("initial.")), copy = try mlp(initial: weights.stripping("initial."))
        func closure(_ model: Sequential, _ optimizer: Optimizer) -> () throws -> Tensor {
            {
                optimizer.zeroGrad()
                let loss = try StandardLoss.crossEntropy(try model(inputs), targets)
                try loss.backward()
                return loss
            }
        }
        let first = try LBFGS(original.parameters, maxIterations: 4, historySize: 3, lineSearch: .strongWolfe)
        try first.step(closure: closure(original, first))
        let saved = Dictionary(uniqueKeysWithValues: first.stateDict())
        XCTAssertNotNil(saved["lbfgs.y.0"], "the curvature pairs are saved")
        try copy.load(stateDict: Dictionary(uniqueKeysWithValues: original.stateDict()))
        let second = try LBFGS(copy.parameters, maxIterations: 4, historySize: 3, lineSearch: .strongWolfe)
        try second.load(stateDict: saved)
        try first.step(closure: closure(original, first))
        try second.step(closure: closure(copy, second))
        for ((key, a), (_, b)) in zip(original.stateDict(), copy.stateDict()) {
            XCTAssertEqual(a.scalars, b.scalars, key)
        }
        // A history vector of the wrong length is named.
        var broken = saved
        broken["lbfgs.y.0"] = Tensor([1, 2, 3])
        XCTAssertThrowsError(try second.load(stateDict: broken)) { error in
            XCTAssertTrue("\(error)".contains("lbfgs.y.0"), "\(error)")
        }
    }
}
