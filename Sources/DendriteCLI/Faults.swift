import ArgumentParser
import Dendrite
import Foundation

/// `dendrite faults --checkpoint DIR`: test accuracy against fault rate, printed and drawn, with
/// and without bounded activations.
struct Faults: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inject faults into a trained run's weights or activations; draw accuracy against fault rate.",
        discussion: """
        --fault is bitflip:P[+P…] (IEEE-754 bit positions, 0-31; 30 is the exponent's top bit), \
        random-bits:N, stuck-at-zero or noise:SIGMA. At each of --rates (shares of the values hit) \
        the test accuracy is the mean over --trials seeded draws. --target weights corrupts the \
        parameters once per draw; activations hits the output of every ReLU on every forward pass. \
        --mitigate also measures the model with each ReLU bounded by the largest value it produced \
        on --profile-batches training batches (Ranger).
        """)

    @Option(help: "A run folder written by 'dendrite train'.") var checkpoint: String
    @Option(help: "bitflip:30, bitflip:30+22, random-bits:1, stuck-at-zero or noise:0.1.") var fault = "bitflip:30"
    @Option(help: "weights or activations.") var target = "weights"
    @Option(help: "Comma-separated shares of the values hit.") var rates = "1e-6,1e-5,1e-4,1e-3,1e-2"
    @Option(help: "Seeded draws per rate.") var trials = 3
    @Option(help: "Test images evaluated per draw.") var limit = 2000
    @Flag(help: "Also measure the model with profiled, bounded ReLUs.") var mitigate = false
    @Option(name: .customLong("profile-batches"), help: "Training batches of 128 that profile the ReLU bounds.") var profileBatches = 8
    @Option(help: "Seed of the draws.") var seed: UInt64 = 0
    @Option(help: "Output chart (.svg).") var out = "faults.svg"

    func run() throws {
        do { try execute() } catch let error as DendriteError { throw ValidationError(error.description) }
    }

    private func parsedFault() throws -> FaultModel {
        let parts = fault.split(separator: ":", maxSplits: 1).map(String.init)
        switch parts[0] {
        case "bitflip" where parts.count == 2:
            let positions = parts[1].split(separator: "+").compactMap { Int($0) }
            guard positions.count == parts[1].split(separator: "+").count else { break }
            return .bitFlips(positions: positions)
        case "random-bits" where parts.count == 2: if let n = Int(parts[1]) { return .randomBitFlips(count: n) }
        case "stuck-at-zero" where parts.count == 1: return .stuckAtZero
        case "noise" where parts.count == 2: if let sigma = Float(parts[1]) { return .gaussianNoise(standardDeviation: sigma) }
        default: break
        }
        throw ValidationError("--fault \(fault): bitflip:P[+P…], random-bits:N, stuck-at-zero or noise:SIGMA")
    }

    private func execute() throws {
        let faultModel = try parsedFault()
        guard ["weights", "activations"].contains(target) else { throw ValidationError("--target \(target): weights or activations") }
        let shares = rates.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !shares.isEmpty, shares.allSatisfy({ $0.map { (0...1).contains($0) } ?? false }) else {
            throw ValidationError("--rates \(rates): comma-separated numbers in 0…1")
        }
        guard trials >= 1, limit >= 1, profileBatches >= 1 else { throw ValidationError("--trials, --limit and --profile-batches must be at least 1") }
        let folder = try RunFolder(path: checkpoint)
        let (model, configuration) = try folder.loadModel()
        let data = MNIST(root: configuration.dataFolder)
        let test = try data.load(.test, limit: limit)
        var variants: [(String, Sequential)] = [("unprotected", model)]
        if mitigate {
            let (bounded, _) = try folder.loadModel()
            let train = try data.load(.train, limit: profileBatches * 128)
            let batches = try stride(from: 0, to: train.count, by: 128).map { try train.inputs.slice($0..<Swift.min($0 + 128, train.count)) }
            let count = try bounded.boundActivations(profiledOn: batches)
            print("bounded \(count) ReLU\(count == 1 ? "" : "s") to their ranges on \(train.count) training images")
            variants.append(("bounded ReLUs", bounded))
        }
        print("\(faultModel) in the \(target), \(trials) draws per rate, \(test.count) test images")
        var curves: [(String, [(Double, Double)])] = []
        for (name, network) in variants {
            let clean = try network.evaluate(test, loss: .crossEntropy)["accuracy"] ?? .nan
            print("\(name): fault-free accuracy \(String(format: "%.4f", clean))")
            var points: [(Double, Double)] = []
            let state = Dictionary(uniqueKeysWithValues: network.stateDict())
            for rate in shares.map({ $0! }) {
                var accuracies: [Float] = []
                for trial in 0..<trials {
                    var generator = RandomGenerator(seed: seed &+ UInt64(trial) &* 7919)
                    accuracies.append(try faultyAccuracy(network, test, rate: rate, fault: faultModel, state: state, generator: &generator))
                }
                let mean = accuracies.reduce(0, +) / Float(accuracies.count)
                print("  rate \(String(format: "%.0e", rate)): accuracy \(String(format: "%.4f", mean)) "
                      + "(\(accuracies.map { String(format: "%.4f", $0) }.joined(separator: ", ")))")
                points.append((rate, Double(mean)))
            }
            curves.append((name, points))
        }
        let chart = LineChart(title: "\(configuration.spec): \(faultModel) in the \(target)", xLabel: "share of values hit",
                              yLabel: "test accuracy", series: curves.map { .init($0.0, points: $0.1.map { (x: $0.0, y: $0.1) }, dashed: $0.0 != "unprotected") },
                              logarithmicX: true, yRange: 0...1)
        let directory = URL(fileURLWithPath: out).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(chart.svg().utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        print("wrote \(out)")
    }

    /// The accuracy of `network` with one draw of faults, its weights restored afterwards.
    private func faultyAccuracy(_ network: Sequential, _ test: TensorDataset, rate: Double, fault: FaultModel, state: [String: Tensor],
                                generator: inout RandomGenerator) throws -> Float {
        if target == "weights" {
            try FaultInjection.injectIntoWeights(of: network, rate: rate, fault: fault, generator: &generator)
            defer { _ = try? network.load(stateDict: state) }
            return try network.evaluate(test, loss: .crossEntropy)["accuracy"] ?? .nan
        }
        // Activations: every ReLU-like layer of the Sequential wrapped, then put back.
        let positions = network.layers.indices.filter { network.layers[$0] is ReLU || network.layers[$0] is BoundedReLU }
        let originals = positions.map { network.layers[$0] }
        for (offset, index) in positions.enumerated() {
            try network.replaceLayer(at: index, with: try FaultyActivations(originals[offset], rate: rate, fault: fault,
                                                                            seed: generator.next() &+ UInt64(offset)))
        }
        defer { for (offset, index) in positions.enumerated() { try? network.replaceLayer(at: index, with: originals[offset]) } }
        return try network.evaluate(test, loss: .crossEntropy)["accuracy"] ?? .nan
    }
}
