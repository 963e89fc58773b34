import XCTest
@testable import Dendrite

/// Gradual magnitude pruning: the cubic schedule's values, and a `fit` that ends at the final
/// sparsity through the masks, rising at every pruning step.
final class GradualPruningTests: XCTestCase {
    func testScheduleIsZhuAndGuptasCubic() throws {
        var generator = RandomGenerator(seed: 1)
        let linear = try Linear(4, 4, generator: &generator)
        let schedule = try GradualPruning([(linear, "weight")], initialSparsity: 0.1, finalSparsity: 0.9,
                                          beginStep: 10, endStep: 110, frequency: 10)
        XCTAssertEqual(schedule.targetSparsity(atStep: 5), 0)
        XCTAssertEqual(schedule.targetSparsity(atStep: 10), 0.1, accuracy: 1e-12)
        XCTAssertEqual(schedule.targetSparsity(atStep: 60), 0.9 - 0.8 * 0.125, accuracy: 1e-12)
        XCTAssertEqual(schedule.targetSparsity(atStep: 110), 0.9, accuracy: 1e-12)
        XCTAssertEqual(schedule.targetSparsity(atStep: 500), 0.9, accuracy: 1e-12)
        XCTAssertThrowsError(try GradualPruning([(linear, "weight")], finalSparsity: 1.2, endStep: 10))
        XCTAssertThrowsError(try GradualPruning([(linear, "weight")], finalSparsity: 0.5, beginStep: 5, endStep: 5))
        XCTAssertThrowsError(try GradualPruning([(linear, "nothing")], finalSparsity: 0.5, endStep: 5))
    }

    func testFitPrunesGraduallyToTheFinalSparsity() throws {
        var generator = RandomGenerator(seed: 2)
        let model = Sequential([try Linear(6, 16, generator: &generator), ReLU(), try Linear(16, 3, generator: &generator)])
        let inputs = Tensor.normal([64, 6], generator: &generator)
        let targets = Tensor((0..<64).map { Float($0 % 3) })
        let data = try TensorDataset(inputs: inputs, targets: targets)
        let linears = model.modules().compactMap { $0 as? Linear }
        let global = try GradualPruning(linears.map { ($0, "weight") }, finalSparsity: 0.8, endStep: 12, frequency: 3)
        try model.fit(data, epochs: 4, batchSize: 16, loss: .crossEntropy,
                      optimizer: try SGD(model.parameters, learningRate: 0.1), callbacks: [global])
        XCTAssertEqual(global.log.map(\.step), [0, 3, 6, 9, 12])
        let sparsities = global.log.map(\.sparsity)
        XCTAssertEqual(sparsities, sparsities.sorted(), "the sparsity only rises")
        let report = Pruning.sparsity(of: model).filter { $0.name.hasSuffix("weight") }
        let zeros = report.reduce(0) { $0 + $1.zeros }, total = report.reduce(0) { $0 + $1.count }
        XCTAssertEqual(zeros, Int((0.8 * Double(total)).rounded(.toNearestOrEven)), "global sparsity reached: \(report)")
        // Pruned entries stayed pruned while training went on: the masks only lose ones.
        for linear in linears { XCTAssertNotNil(linear.weight.pruningMask) }

        let each = Sequential([try Linear(6, 16, generator: &generator), ReLU(), try Linear(16, 3, generator: &generator)])
        let eachLinears = each.modules().compactMap { $0 as? Linear }
        let perParameter = try GradualPruning(eachLinears.map { ($0, "weight") }, initialSparsity: 0.2, finalSparsity: 0.5,
                                              endStep: 8, frequency: 4, scope: .perParameter)
        try each.fit(data, epochs: 2, batchSize: 16, loss: .crossEntropy,
                     optimizer: try SGD(each.parameters, learningRate: 0.1), callbacks: [perParameter])
        XCTAssertEqual(Pruning.sparsity(of: each).filter { $0.name.hasSuffix("weight") }.map(\.zeros), [48, 24])
    }
}
