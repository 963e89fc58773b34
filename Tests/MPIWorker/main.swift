// The program DistributedTests starts under `mpirun` (and alone, for the one-process reference).
//   DendriteMPIWorker train MODEL OPTIMIZER BATCH OUT [STEPS]
//       STEPS (20) steps of MODEL (mlp; cnn: the preset, with synchronized batch norm) on fixed data,
//       per-rank batch BATCH; rank 0 writes the weights and buffers to OUT (safetensors)
//   DendriteMPIWorker broadcast                  differently seeded ranks, then broadcastState:
//                                                prints "identical" on rank 0 when all agree
//   DendriteMPIWorker fail                       rank 1 throws in its second epoch; never returns
import Dendrite
import DendriteDistributed
import Foundation

/// `count` examples of `shape` in 4 classes.
func fixedData(count: Int = 320, shape: [Int] = [12]) throws -> TensorDataset {
    var generator = RandomGenerator(seed: 42)
    let inputs = Tensor.normal([count] + shape, generator: &generator)
    let labels = (0..<count).map { Float($0 % 4) }
    return try TensorDataset(inputs: inputs, targets: try Tensor(shape: [count], scalars: labels))
}

func model(seed: UInt64) throws -> Sequential {
    var generator = RandomGenerator(seed: seed)
    return Sequential([try Linear(12, 16, generator: &generator), ReLU(), try Linear(16, 4, generator: &generator)])
}

func convolutional(seed: UInt64) throws -> Module & UnaryLayer {
    var generator = RandomGenerator(seed: seed)
    return try ModelSpec("cnn", inputShape: [1, 28, 28]).build(generator: &generator)
}

func optimizer(_ name: String, _ parameters: [Parameter]) throws -> Optimizer {
    switch name {
    case "momentum": return try SGD(parameters, learningRate: 0.05, momentum: 0.9)
    case "adam": return try Adam(parameters, learningRate: 0.01)
    default: throw MPIError.invalidArgument(operation: "worker", reason: "unknown optimizer \(name)")
    }
}

let arguments = CommandLine.arguments
let launched = MPICommunicator.isLaunchedByMPI
// Small buckets, so that even these models' gradients go in several allreduces.
let ddp = launched ? try DistributedDataParallel(bucketBytes: 4096, firstBucketBytes: 256) : nil
let rank = ddp?.rank ?? 0
switch arguments.dropFirst().first {
case "train":
    print("rank \(rank) on \(ProcessInfo.processInfo.hostName)")
    let (kind, name, batch, out) = (arguments[2], arguments[3], Int(arguments[4])!, arguments[5])
    // Ranks start from different weights: the broadcast must make them rank 0's.
    let network: Module & UnaryLayer = kind == "cnn" ? try convolutional(seed: 7 + UInt64(rank)) : try model(seed: 7 + UInt64(rank))
    let stepCount = arguments.count > 6 ? Int(arguments[6])! : 20
    let count = stepCount * batch * (ddp?.size ?? 1)   // that many steps of the global batch
    let data = try fixedData(count: count, shape: kind == "cnn" ? [1, 28, 28] : [12])
    if kind == "cnn" { network.synchronizeBatchNorm(over: ddp) }
    let steps = try optimizer(name, network.parameters)
    try network.fit(data, epochs: 1, batchSize: batch, loss: .crossEntropy, optimizer: steps, metrics: [], seed: 3, distributed: ddp)
    if rank == 0 {
        try network.save(to: out)
        if let ddp { print("buckets started during backward: \(ddp.reductionsStartedInBackward) of \(ddp.reductions)") }
    }
case "broadcast":
    let network = try model(seed: 100 + UInt64(rank))
    try ddp!.broadcastState(of: network)
    let mine = network.stateDict().flatMap { $0.1.scalars }
    let root = try ddp!.broadcast(mine, root: 0)
    let differing = try ddp!.sum([mine == root ? 0 : 1])[0]
    if rank == 0 { print(differing == 0 ? "identical" : "different on \(Int(differing)) ranks") }
case "fail":
    let network = try model(seed: 1)
    let failing = LambdaCallback(onEpochEnd: { record, _ in
        if rank == 1 && record.epoch == 2 { throw DendriteError.invalidFile(path: "shard-1.idx", offset: nil, reason: "injected failure") }
    })
    try network.fit(try fixedData(), epochs: 50, batchSize: 8, loss: .crossEntropy, optimizer: try optimizer("adam", network.parameters),
                    callbacks: [failing], distributed: ddp)
    print("finished without the failure")
default:
    FileHandle.standardError.write(Data("usage: DendriteMPIWorker train|broadcast|fail …\n".utf8))
    exit(2)
}
