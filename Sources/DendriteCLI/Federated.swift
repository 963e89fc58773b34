import ArgumentParser
import Dendrite
import Foundation

/// `dendrite federated`: a FedAvg simulation on an MNIST-format folder, accuracy per round
/// printed and drawn; `--compare` runs the paper's four settings side by side.
struct Federated: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate federated averaging (FedAvg, FedSGD, FedProx) and draw test accuracy per round.",
        discussion: """
        K clients (--clients) each hold part of the training set (--partition iid, or non-iid: sorted \
        by label, two shards per client). Each round a fraction C (--fraction) of them train \
        --local-epochs E with batch --local-batch B ('inf': the whole local data, so E = 1, B = inf \
        is FedSGD) from the global weights, and the server averages them. --compare runs FedSGD and \
        FedAvg (E = 5, B = 10), IID and non-IID, and reports the rounds each needs to reach --target.
        """
    )

    @Option(help: "Model spec or preset (default: the paper's 2NN, two hidden layers of 200).")
    var model = "flatten,dense:200,relu,dense:200,relu,dense:10"
    @Option(help: "MNIST-format folder.") var data = FashionMNIST.defaultRoot
    @Option(help: "Use the first N training images.") var limit: Int?
    @Option(help: "Clients, K.") var clients = 100
    @Option(help: "Fraction of clients per round, C (0: one).") var fraction = 0.1
    @Option(name: .customLong("local-epochs"), help: "Local epochs, E.") var localEpochs = 5
    @Option(name: .customLong("local-batch"), help: "Local batch size, B, or inf.") var localBatch = "10"
    @Option(name: .customLong("learning-rate"), help: "Clients' SGD learning rate.") var learningRate: Float = 0.05
    @Option(help: "FedProx μ (0: FedAvg).") var proximal: Float = 0
    @Option(help: "iid or non-iid.") var partition = "iid"
    @Option(help: "Communication rounds (at most).") var rounds = 50
    @Option(help: "Stop a run once the test accuracy reaches this.") var target: Float?
    @Flag(help: "Run FedSGD and FedAvg (E = 5, B = 10), IID and non-IID, and compare rounds to --target.") var compare = false
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Folder for federated.svg and federated.json.") var out = "runs/federated"

    func run() throws {
        do { try execute() } catch let error as DendriteError { throw ValidationError(error.description) }
    }

    private func execute() throws {
        guard ["iid", "non-iid"].contains(partition) else { throw ValidationError("--partition \(partition): must be iid or non-iid") }
        let batch: Int? = localBatch == "inf" ? nil : Int(localBatch)
        guard localBatch == "inf" || (batch ?? 0) >= 1 else { throw ValidationError("--local-batch \(localBatch): a positive integer or inf") }
        if let limit, limit < clients { throw ValidationError("--limit \(limit): fewer images than --clients \(clients)") }
        let folder = MNIST(root: data)
        let train = try folder.load(.train, limit: limit), test = try folder.load(.test)
        let shape = Array(train.inputs.shape.dropFirst())
        var base = FederatedConfiguration(clients: clients, fraction: fraction, localEpochs: localEpochs, localBatchSize: batch,
                                          learningRate: learningRate, proximal: proximal,
                                          partition: partition == "iid" ? .iid : .pathologicalNonIID, seed: seed)
        var settings: [(String, FederatedConfiguration)] = [("\(partition), E=\(localEpochs), B=\(localBatch)", base)]
        if compare {
            settings = []
            for (name, kind) in [("IID", FederatedPartition.iid), ("non-IID", .pathologicalNonIID)] {
                base.partition = kind
                var sgd = base
                (sgd.localEpochs, sgd.localBatchSize) = (1, nil)
                var avg = base
                (avg.localEpochs, avg.localBatchSize) = (5, 10)
                settings += [("FedSGD \(name) (E=1, B=∞)", sgd), ("FedAvg \(name) (E=5, B=10)", avg)]
            }
        }
        print("\(train.count) training images over \(clients) clients, C = \(fraction), lr \(learningRate)"
              + (proximal > 0 ? ", FedProx μ = \(proximal)" : "") + ", model \(model)")
        var results: [(name: String, rounds: [FederatedRound])] = []
        for (name, configuration) in settings {
            // Every setting starts from the same initial weights (the same seed builds them).
            let simulation = try FederatedAveraging(configuration, train: train) {
                var generator = RandomGenerator(seed: seed)
                return try ModelSpec(model, inputShape: shape).build(generator: &generator)
            }
            let started = ContinuousClock.now
            // On a terminal a bar over the rounds; elsewhere one line per round.
            let progress = ProgressBar(unit: "rounds")
            progress.begin(name, total: rounds)
            let history = try simulation.run(rounds: rounds, test: test, targetAccuracy: target) { record in
                let accuracy = "test accuracy \(String(format: "%.4f", record.testAccuracy ?? .nan))"
                if progress.style == .terminal {
                    progress.update(done: record.round, items: record.round, note: accuracy)
                } else {
                    print("\(name) · round \(record.round): \(accuracy)")
                }
            }
            let seconds = (ContinuousClock.now - started).components
            progress.finish("\(name): \(history.count) rounds in \(seconds.seconds) s")
            results.append((name, history))
        }
        if let target {
            print("\nrounds to test accuracy \(target):")
            for result in results {
                let reached = result.rounds.first { ($0.testAccuracy ?? 0) >= target }?.round
                print("  \(result.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(reached.map(String.init) ?? "not within \(rounds)")")
            }
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let chart = LineChart(title: "Federated averaging on \(URL(fileURLWithPath: data).lastPathComponent), K = \(clients), C = \(fraction)",
                              xLabel: "communication round", yLabel: "test accuracy",
                              series: results.map { result in
                                  .init(result.name, points: result.rounds.map { (Double($0.round), Double($0.testAccuracy ?? .nan)) },
                                        dashed: result.name.contains("non-IID"))
                              })
        try Data(chart.svg().utf8).write(to: URL(fileURLWithPath: "\(out)/federated.svg"), options: .atomic)
        let json = results.map { ["setting": $0.name, "accuracy": $0.rounds.map { Double($0.testAccuracy ?? .nan) }] as [String: Any] }
        try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: "\(out)/federated.json"), options: .atomic)
        print("wrote \(out)/federated.svg and federated.json")
    }
}
