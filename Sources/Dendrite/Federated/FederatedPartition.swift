/// How a federated simulation splits the training examples among its clients (McMahan et al.
/// 2017, "Communication-Efficient Learning of Deep Networks from Decentralized Data", §3).
public enum FederatedPartition: Sendable, Equatable {
    /// The examples shuffled and dealt out evenly: every client sees every class.
    case iid
    /// Pathological non-IID: the examples sorted by label, cut into `clients × shardsPerClient`
    /// shards of equal size and each client given `shardsPerClient` shards at random — the
    /// paper's 200 shards of 300 with two per client for 100 clients, so most clients hold
    /// examples of only two classes.
    case shards(perClient: Int)

    /// The paper's non-IID split: two shards per client.
    public static let pathologicalNonIID = FederatedPartition.shards(perClient: 2)

    /// Each client's example indices into a dataset whose labels are `labels`.
    ///
    /// - Throws: ``DendriteError/invalidArgument(operation:argument:reason:)`` for fewer than one
    ///   client, more clients (or shards) than examples, or fewer than one shard per client.
    public func assign(labels: [Int], clients: Int, generator: inout RandomGenerator) throws -> [[Int]] {
        func fail(_ argument: String, _ reason: String) -> DendriteError {
            .invalidArgument(operation: "FederatedPartition", argument: argument, reason: reason)
        }
        guard clients >= 1, clients <= labels.count else {
            throw fail("clients \(clients)", "must be in 1…\(labels.count) (one example each at least)")
        }
        switch self {
        case .iid:
            var order = Array(labels.indices)
            generator.shuffle(&order)
            let share = labels.count / clients
            return (0..<clients).map { Array(order[($0 * share)..<(($0 + 1) * share)]) }
        case .shards(let perClient):
            guard perClient >= 1, clients * perClient <= labels.count else {
                throw fail("shards per client \(perClient)", "need 1 or more, and at most \(labels.count) shards in all")
            }
            // Sorted by label (ties by index, so the order is reproducible), then cut.
            let sorted = labels.indices.sorted { (labels[$0], $0) < (labels[$1], $1) }
            let shardCount = clients * perClient, shardSize = labels.count / shardCount
            var shards = Array(0..<shardCount)
            generator.shuffle(&shards)
            return (0..<clients).map { client in
                shards[(client * perClient)..<((client + 1) * perClient)].flatMap { sorted[($0 * shardSize)..<(($0 + 1) * shardSize)] }
            }
        }
    }
}
