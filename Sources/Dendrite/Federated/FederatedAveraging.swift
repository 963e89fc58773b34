import Foundation

/// The settings of a federated simulation, in McMahan et al.'s names.
public struct FederatedConfiguration: Sendable, Equatable {
    /// Clients, K.
    public var clients: Int
    /// Fraction of the clients that train each round, C (0: one client per round, as the paper's C = 0).
    public var fraction: Double
    /// Local epochs per round, E.
    public var localEpochs: Int
    /// Local batch size, B; `nil` is B = ∞ (each client's whole data as one batch). E = 1 with
    /// B = ∞ is FedSGD: one gradient step per client per round.
    public var localBatchSize: Int?
    /// The clients' SGD learning rate.
    public var learningRate: Float
    /// FedProx's μ (Li et al. 2020): each client minimizes its loss plus μ/2·‖w − w_global‖²; 0 is FedAvg.
    public var proximal: Float
    /// How the training examples are split among the clients.
    public var partition: FederatedPartition
    /// Seed of the partition, the client sampling and the local shuffles.
    public var seed: UInt64

    /// The paper's MNIST 2NN setting with FedAvg's E = 5, B = 10, unless told otherwise.
    public init(clients: Int = 100, fraction: Double = 0.1, localEpochs: Int = 5, localBatchSize: Int? = 10,
                learningRate: Float = 0.1, proximal: Float = 0, partition: FederatedPartition = .iid, seed: UInt64 = 0) {
        self.clients = clients
        self.fraction = fraction
        self.localEpochs = localEpochs
        self.localBatchSize = localBatchSize
        self.learningRate = learningRate
        self.proximal = proximal
        self.partition = partition
        self.seed = seed
    }
}

/// One communication round: who trained and how the averaged model does.
public struct FederatedRound: Sendable, Equatable {
    /// 1-based round number.
    public let round: Int
    /// The clients that trained this round.
    public let clients: [Int]
    /// The global model's test accuracy after the round (`nil` without test data).
    public let testAccuracy: Float?
    /// The global model's test loss after the round (`nil` without test data).
    public let testLoss: Float?
}

/// Federated averaging (FedAvg, McMahan et al. 2017), simulated in one process: each round a
/// fraction C of the K clients start from the global weights, train E local epochs of SGD with
/// batch B on their own examples, and the server replaces the global weights (and buffers) by
/// the clients' average weighted by their example counts. The round's clients train in
/// parallel over the cores, each core with its own replica of the model.
public final class FederatedAveraging {
    /// The settings.
    public let configuration: FederatedConfiguration
    /// The server's model.
    public let global: Module & UnaryLayer
    /// Each client's examples.
    public let clientData: [TensorDataset]
    /// Rounds so far.
    public private(set) var history: [FederatedRound] = []
    private let replicas: [Module & UnaryLayer]
    private var generator: RandomGenerator

    /// Builds the server's model and one replica per core with `makeModel` (the same
    /// architecture each time) and splits `train` among the clients.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for settings out of
    ///   range or labels that are not class indices; errors of `makeModel` and the partition.
    public init(_ configuration: FederatedConfiguration, train: TensorDataset, makeModel: () throws -> Module & UnaryLayer) throws {
        func fail(_ argument: String, _ reason: String) -> DendriteError {
            .invalidArgument(operation: "FederatedAveraging", argument: argument, reason: reason)
        }
        guard (0...1).contains(configuration.fraction) else { throw fail("fraction \(configuration.fraction)", "must be in 0…1") }
        guard configuration.localEpochs >= 1 else { throw fail("localEpochs \(configuration.localEpochs)", "must be at least 1") }
        if let batch = configuration.localBatchSize, batch < 1 { throw fail("localBatchSize \(batch)", "must be at least 1 (nil: B = ∞)") }
        guard configuration.learningRate > 0, configuration.learningRate.isFinite, configuration.proximal >= 0 else {
            throw fail("learningRate \(configuration.learningRate), proximal \(configuration.proximal)", "need a positive rate and μ ≥ 0")
        }
        let labels = train.targets.scalars
        guard train.targets.rank == 1, labels.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0 < 1e6 }) else {
            throw fail("train.targets \(train.targets.shape)", "must be one class index per example")
        }
        self.configuration = configuration
        generator = RandomGenerator(seed: configuration.seed)
        let parts = try configuration.partition.assign(labels: labels.map { Int($0) }, clients: configuration.clients, generator: &generator)
        clientData = try parts.map { try train.subset($0) }
        global = try makeModel()
        replicas = try (0..<Swift.max(1, threadCount)).map { _ in try makeModel() }
        for replica in replicas {
            guard replica.parameters.map(\.shape) == global.parameters.map(\.shape) else {
                throw fail("makeModel", "built models of different shapes; it must build the same architecture each time")
            }
        }
    }

    /// The clients that train in round `round` (m = max(C·K, 1) of them, drawn without replacement).
    private func sample() -> [Int] {
        let m = Swift.max(1, Int((configuration.fraction * Double(configuration.clients)).rounded(.down)))
        var order = Array(0..<configuration.clients)
        generator.shuffle(&order)
        return Array(order.prefix(m)).sorted()
    }

    /// Runs one round and evaluates the global model on `test`.
    @discardableResult
    public func runRound(test: TensorDataset? = nil) throws -> FederatedRound {
        let chosen = sample(), round = history.count + 1
        let start = (global.parameters.map(\.value), global.namedBuffers().map(\.1.value))
        let seeds = chosen.map { _ in generator.next() }
        // Each core trains a share of the round's clients and sums n_k · w_k.
        let workers = Swift.min(replicas.count, chosen.count)
        var sums = [[[Float]]?](repeating: nil, count: workers), errors = [Error?](repeating: nil, count: workers)
        let lock = NSLock()
        concurrentlyWithSingleThreadedBLAS(chunks: workers) { worker in
            do {
                var total: [[Float]]?
                for index in stride(from: worker, to: chosen.count, by: workers) {
                    let weights = try train(replicas[worker], client: chosen[index], from: start, seed: seeds[index])
                    let n = Float(clientData[chosen[index]].count)
                    total = total.map { zip($0, weights).map { zip($0, $1).map { $0 + n * $1 } } } ?? weights.map { $0.map { n * $0 } }
                }
                lock.lock(); sums[worker] = total; lock.unlock()
            } catch {
                lock.lock(); errors[worker] = error; lock.unlock()
            }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
        let examples = Float(chosen.reduce(0) { $0 + clientData[$1].count })
        let summed = sums.compactMap { $0 }.reduce(into: [[Float]]()) { result, part in
            result = result.isEmpty ? part : zip(result, part).map { zip($0, $1).map(+) }
        }
        let states = global.parameters.map(\.value) + global.namedBuffers().map(\.1.value)
        let averaged = try zip(states, summed).map { try Tensor(shape: $0.shape, scalars: $1.map { $0 / examples }) }
        for (parameter, value) in zip(global.parameters, averaged) { parameter.value = value }
        for ((_, buffer), value) in zip(global.namedBuffers(), averaged.dropFirst(global.parameters.count)) { buffer.value = value }
        let metrics = try test.map { try global.evaluate($0, loss: .crossEntropy) }
        let record = FederatedRound(round: round, clients: chosen, testAccuracy: metrics?["accuracy"], testLoss: metrics?["loss"])
        history.append(record)
        return record
    }

    /// Runs `rounds` rounds (stopping early once the test accuracy reaches `targetAccuracy`),
    /// calling `onRound` after each.
    @discardableResult
    public func run(rounds: Int, test: TensorDataset? = nil, targetAccuracy: Float? = nil,
                    onRound: (FederatedRound) throws -> Void = { _ in }) throws -> [FederatedRound] {
        for _ in 0..<rounds {
            let record = try runRound(test: test)
            try onRound(record)
            if let targetAccuracy, let accuracy = record.testAccuracy, accuracy >= targetAccuracy { break }
        }
        return history
    }

    /// E local epochs of SGD on one client's data from the global `start`; returns the
    /// replica's parameters and buffers.
    private func train(_ model: Module & UnaryLayer, client: Int, from start: ([Tensor], [Tensor]), seed: UInt64) throws -> [[Float]] {
        for (parameter, value) in zip(model.parameters, start.0) { parameter.value = value }
        for ((_, buffer), value) in zip(model.namedBuffers(), start.1) { buffer.value = value }
        model.train()
        let data = clientData[client], batch = configuration.localBatchSize ?? data.count
        let optimizer = try SGD(model.parameters, learningRate: configuration.learningRate)
        let anchors = start.0, mu = configuration.proximal
        var generator = RandomGenerator(seed: seed)
        for _ in 0..<configuration.localEpochs {
            var order = Array(0..<data.count)
            if configuration.localBatchSize != nil { generator.shuffle(&order) }   // B = ∞: one batch, in order
            for first in stride(from: 0, to: order.count, by: batch) {
                let (x, y) = try data.batch(at: Array(order[first..<Swift.min(first + batch, order.count)]))
                _ = try model.runStep(inputs: x, targets: y, optimizer: optimizer, clipGradientNorm: nil, context: nil) { x, y in
                    let outputs = try model(x)
                    var loss = try StandardLoss.crossEntropy(outputs, y)
                    if mu > 0 {
                        // FedProx: + μ/2 · Σ ‖w − w_global‖².
                        for (parameter, anchor) in zip(model.parameters, anchors) {
                            let difference = try parameter.tensor - anchor
                            loss = try loss + (try (difference * difference).sum()) * (mu / 2)
                        }
                    }
                    return (loss, outputs)
                }
            }
        }
        return model.parameters.map(\.value.scalars) + model.namedBuffers().map(\.1.value.scalars)
    }
}
