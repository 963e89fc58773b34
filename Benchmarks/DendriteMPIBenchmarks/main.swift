// Data-parallel throughput and allreduce cost, run alone or under mpirun (`make bench-distributed`
// runs every configuration and PyTorch DDP's twin, Benchmarks/pytorch_ddp.py).
//
//   dendrite-mpi-bench train --model mlp|cnn [--global-batch 256] [--steps 40] [--runs 5] [--threads N]
//       samples/s of `fit` (SGD + momentum) on synthetic Fashion-MNIST-shaped data: the median over
//       `runs` epochs of `steps` global batches each, after one warm-up epoch; one JSON line from rank 0.
//   dendrite-mpi-bench allreduce --model mlp|cnn [--runs 300]
//       the gradient sum of that model's parameter arena as `fit` runs it (DistributedDataParallel)
//       against one raw MPI_Allreduce of the same bytes, interleaved; medians.
import Dendrite
import DendriteDistributed
import Foundation

struct Options {
    var mode = "train", model = "mlp", globalBatch = 256, steps = 40, threads: Int?
    var givenRuns: Int?
    /// Epochs for `train`, reductions for `allreduce` (microseconds each: many, for a stable median).
    var runs: Int { givenRuns ?? (mode == "allreduce" ? 300 : 5) }

    init(_ arguments: [String]) throws {
        var rest = arguments.dropFirst()
        if let first = rest.first, !first.hasPrefix("--") { mode = first; rest = rest.dropFirst() }
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw MPIError.invalidArgument(operation: "dendrite-mpi-bench", reason: "\(flag) needs a value") }
            switch flag {
            case "--model": model = value
            case "--global-batch": globalBatch = Int(value) ?? globalBatch
            case "--steps": steps = Int(value) ?? steps
            case "--runs": givenRuns = Int(value)
            case "--threads": threads = Int(value)
            default: throw MPIError.invalidArgument(operation: "dendrite-mpi-bench", reason: "unknown option \(flag)")
            }
        }
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func json(_ fields: [String: Any]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}

let options = try Options(CommandLine.arguments)
let ddp = MPICommunicator.isLaunchedByMPI ? try DistributedDataParallel() : nil
let (rank, ranks) = (ddp?.rank ?? 0, ddp?.size ?? 1)
if let threads = options.threads { Dendrite.threadCount = threads }
var generator = RandomGenerator(seed: 11)
let model = try ModelSpec(options.model, inputShape: [1, 28, 28]).build(generator: &generator)
let optimizer = try SGD(model.parameters, learningRate: 0.01, momentum: 0.9)

switch options.mode {
case "train":
    let count = options.steps * options.globalBatch
    let inputs = Tensor.normal([count, 1, 28, 28], generator: &generator)
    let labels = try Tensor(shape: [count], scalars: (0..<count).map { Float($0 % 10) })
    let data = try TensorDataset(inputs: inputs, targets: labels)
    let history = try model.fit(data, epochs: 1 + options.runs, batchSize: options.globalBatch / ranks, loss: .crossEntropy,
                                optimizer: optimizer, metrics: [], distributed: ddp)
    let rates = history.records.dropFirst().map(\.samplesPerSecond)
    if rank == 0 {
        print(json(["model": options.model, "ranks": ranks, "threads": Dendrite.threadCount, "global_batch": options.globalBatch,
                    "samples_per_second": median(rates), "min": rates.min() ?? 0, "max": rates.max() ?? 0]))
    }
case "allreduce":
    guard let ddp, ranks > 1 else { print("allreduce needs mpirun -np 2 or more"); exit(2) }
    optimizer.zeroGrad()   // builds the arena
    try crossEntropy(logits: try model(Tensor.normal([8, 1, 28, 28], generator: &generator)),
                     labels: try Tensor(shape: [8], scalars: (0..<8).map { Float($0) })).backward()
    guard let arena = optimizer.arena, arena.isIntact else { exit(3) }
    var raw = [Float](repeating: 1, count: arena.count)
    var ours: [Double] = [], theirs: [Double] = []
    for run in 0..<(options.runs + 5) {
        try ddp.communicator.barrier()
        var start = ddp.communicator.wallTime
        try ddp.sumGradients(of: optimizer)
        let bucketed = ddp.communicator.wallTime - start
        try ddp.communicator.barrier()
        start = ddp.communicator.wallTime
        try ddp.communicator.sum(&raw)
        let plain = ddp.communicator.wallTime - start
        if run >= 5 { ours.append(bucketed); theirs.append(plain) }
    }
    if rank == 0 {
        let bytes = arena.count * 4
        print(json(["model": options.model, "ranks": ranks, "bytes": bytes, "buckets": ddp.reductions / (options.runs + 5),
                    "arena_seconds": median(ours), "raw_seconds": median(theirs), "ratio": median(theirs) / median(ours),
                    "arena_gb_per_second": Double(bytes) / median(ours) / 1e9]))
    }
default:
    print("usage: dendrite-mpi-bench train|allreduce --model mlp|cnn …")
    exit(2)
}
