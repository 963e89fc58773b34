import XCTest
@testable import Dendrite

/// Federated averaging: one client with E = 1, B = ∞ is full-batch gradient descent; partitions
/// have the label structure asked; FedProx keeps clients near the global model; rounds sample
/// C·K clients.
final class FederatedTests: XCTestCase {
    /// `count` examples of 6 features in 10 classes (20 per class for 200).
    func data(count: Int, seed: UInt64) throws -> TensorDataset {
        var generator = RandomGenerator(seed: seed)
        return try TensorDataset(inputs: Tensor.normal([count, 6], generator: &generator), targets: Tensor((0..<count).map { Float($0 % 10) }))
    }

    func mlp(seed: UInt64) throws -> Module & UnaryLayer {
        var generator = RandomGenerator(seed: seed)
        return Sequential([try Linear(6, 8, generator: &generator), ReLU(), try Linear(8, 10, generator: &generator)])
    }

    func testOneClientWithOneFullBatchEpochIsGradientDescent() throws {
        let train = try data(count: 64, seed: 1)
        let configuration = FederatedConfiguration(clients: 1, fraction: 1, localEpochs: 1, localBatchSize: nil, learningRate: 0.2)
        let federated = try FederatedAveraging(configuration, train: train) { try mlp(seed: 5) }
        let reference = try mlp(seed: 5)
        let local = federated.clientData[0]
        let optimizer = try SGD(reference.parameters, learningRate: 0.2)
        for _ in 0..<5 {
            try federated.runRound()
            try reference.trainStep(inputs: local.inputs, targets: local.targets, loss: .crossEntropy, optimizer: optimizer)
        }
        for (a, b) in zip(federated.global.parameters, reference.parameters) { assertClose(a.value, b.value, rtol: 1e-6, atol: 1e-7) }
        XCTAssertEqual(federated.history.map(\.clients), Array(repeating: [0], count: 5))
    }

    func testPartitionsHaveTheLabelStructureAsked() throws {
        let labels = (0..<200).map { $0 % 10 }
        var generator = RandomGenerator(seed: 2)
        let shards = try FederatedPartition.pathologicalNonIID.assign(labels: labels, clients: 10, generator: &generator)
        XCTAssertEqual(shards.map(\.count), Array(repeating: 20, count: 10))
        XCTAssertEqual(Set(shards.flatMap { $0 }).count, 200, "every example once")
        for client in shards { XCTAssertLessThanOrEqual(Set(client.map { labels[$0] }).count, 2, "two shards of one label each") }
        XCTAssertGreaterThan(shards.filter { Set($0.map { labels[$0] }).count == 2 }.count, 5, "most clients hold two classes")
        let iid = try FederatedPartition.iid.assign(labels: labels, clients: 10, generator: &generator)
        XCTAssertEqual(Set(iid.flatMap { $0 }).count, 200)
        XCTAssertGreaterThan(iid.map { Set($0.map { labels[$0] }).count }.min() ?? 0, 5, "IID clients see most classes")
        XCTAssertThrowsError(try FederatedPartition.shards(perClient: 30).assign(labels: labels, clients: 10, generator: &generator))
        XCTAssertThrowsError(try FederatedPartition.iid.assign(labels: labels, clients: 0, generator: &generator))
    }

    func testRoundsSampleTheFractionAndFedProxStaysNearTheGlobalModel() throws {
        let train = try data(count: 200, seed: 3)
        func oneRound(_ mu: Float) throws -> (FederatedAveraging, Float) {
            let configuration = FederatedConfiguration(clients: 10, fraction: 0.3, localEpochs: 5, localBatchSize: 5, learningRate: 0.2,
                                                       proximal: mu, partition: .pathologicalNonIID, seed: 4)
            let federated = try FederatedAveraging(configuration, train: train) { try mlp(seed: 6) }
            let before = federated.global.parameters.flatMap(\.value.scalars)
            try federated.runRound(test: train)
            let after = federated.global.parameters.flatMap(\.value.scalars)
            return (federated, zip(before, after).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) })
        }
        let (fedAvg, moved) = try oneRound(0)
        let (_, movedProx) = try oneRound(10)
        XCTAssertEqual(fedAvg.history.first?.clients.count, 3, "C·K clients")
        XCTAssertNotNil(fedAvg.history.first?.testAccuracy)
        XCTAssertGreaterThan(moved, 0)
        XCTAssertLessThan(movedProx, moved / 2, "μ = 10 keeps the clients near the global weights")
        XCTAssertThrowsError(try FederatedAveraging(FederatedConfiguration(fraction: 2), train: train) { try mlp(seed: 1) })
        XCTAssertThrowsError(try FederatedAveraging(FederatedConfiguration(clients: 10, localBatchSize: 0), train: train) { try mlp(seed: 1) })
    }

    func testTheRoundIsTheSameOnOneCoreAndOnTwo() throws {
        let train = try data(count: 200, seed: 7)
        let configuration = FederatedConfiguration(clients: 10, fraction: 0.5, localEpochs: 2, localBatchSize: 10, learningRate: 0.1, seed: 8)
        let saved = Dendrite.threadCount
        defer { Dendrite.threadCount = saved }
        var results: [[Float]] = []
        for threads in [1, 2] {
            Dendrite.threadCount = threads
            let federated = try FederatedAveraging(configuration, train: train) { try mlp(seed: 9) }
            try federated.run(rounds: 2)
            results.append(federated.global.parameters.flatMap(\.value.scalars))
        }
        assertClose(results[1], results[0], rtol: 1e-5, atol: 1e-6)
    }
}
