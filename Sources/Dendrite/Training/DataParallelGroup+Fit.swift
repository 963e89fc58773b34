extension DataParallelGroup {
    /// Replaces this process's running loss total, example count and metric sums by their sums
    /// over the processes (one reduction).
    func reduce(loss: inout Double, seen: inout Int, metrics: inout MetricSums) throws {
        let summed = try sum([loss, Double(seen)] + metrics.vector)
        loss = summed[0]
        seen = Int(summed[1])
        metrics.vector = Array(summed[2...])
    }

    /// Gives each process's dropout layers their own stream (a rank's masks must not repeat
    /// another's), derived deterministically from each layer's current state and the rank.
    func seedDropoutPerRank(in module: Module) {
        guard rank > 0 else { return }
        for case let dropout as Dropout in module.namedModules().map(\.1) {
            let mixed = (dropout.generatorState.first ?? 0) ^ (UInt64(rank) &* 0x9E37_79B9_7F4A_7C15)
            dropout.generatorState = RandomGenerator(seed: mixed).state
        }
    }
}

/// Every `step`-th example of `base` from `start`: one process's part of an evaluation.
struct DatasetStride: Dataset {
    let base: Dataset
    let start: Int, step: Int

    init(_ base: Dataset, start: Int, step: Int) {
        self.base = base
        self.start = start
        self.step = step
    }

    var count: Int { start < base.count ? (base.count - start + step - 1) / step : 0 }
    var inputShape: [Int] { base.inputShape }

    func batch(at indices: [Int]) throws -> (inputs: Tensor, targets: Tensor) {
        try base.batch(at: indices.map { start + $0 * step })
    }
}
