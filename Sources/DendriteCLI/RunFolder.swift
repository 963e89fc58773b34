import Dendrite
import Foundation

/// A training run's folder: `model.safetensors`, `model.json`, `optimizer.safetensors`,
/// `history.csv`, `history.json`, `curves.svg` and, after the run, `test.json`. Every file is
/// written atomically, after every epoch, so an interrupted run can resume.
struct RunFolder {
    let path: String

    /// What a checkpoint holds.
    struct Checkpoint {
        var configuration: RunConfiguration
        var weights: [String: Tensor]
        var optimizerState: [String: Tensor]
        var randomStates: [String: [UInt64]]
        var history: History
    }

    init(path: String, creating: Bool = false) throws {
        self.path = path
        if creating {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw DendriteError.invalidFile(path: path, offset: nil, reason: "cannot create the folder (\(error.localizedDescription))")
            }
        }
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func write<T: Encodable>(json value: T, to name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(value), to: file(name))
    }

    func writeCheckpoint(model: Module, optimizer: Optimizer, history: History, configuration: RunConfiguration) throws {
        try model.save(to: file("model.safetensors"), metadata: ["format": "pt", "spec": configuration.spec])
        var metadata: [String: String] = [:]
        for (name, dropout) in model.namedDropouts() {
            metadata["rng.\(name)"] = dropout.generatorState.map(String.init).joined(separator: ",")
        }
        try SafeTensors.write(optimizer.stateDict(), metadata: metadata, to: file("optimizer.safetensors"))
        try write(json: configuration, to: "model.json")
        try write(json: history, to: "history.json")
        try writeAtomically(Data(history.csv.utf8), to: file("history.csv"))
        try writeAtomically(Data(history.learningCurvesSVG(title: "Dendrite · \(configuration.spec)").utf8), to: file("curves.svg"))
    }

    func readConfiguration() throws -> RunConfiguration {
        try decode(RunConfiguration.self, from: "model.json")
    }

    func readCheckpoint() throws -> Checkpoint {
        let configuration = try readConfiguration()
        let weights = try SafeTensors.read(file("model.safetensors")).tensors
        let optimizer = try SafeTensors.read(file("optimizer.safetensors"))
        var randomStates: [String: [UInt64]] = [:]
        for (key, value) in optimizer.metadata where key.hasPrefix("rng.") {
            randomStates[String(key.dropFirst(4))] = value.split(separator: ",").compactMap { UInt64($0) }
        }
        return Checkpoint(configuration: configuration, weights: weights, optimizerState: optimizer.tensors,
                          randomStates: randomStates, history: try decode(History.self, from: "history.json"))
    }

    /// Rebuilds the trained model from the folder (architecture, then weights, strictly).
    func loadModel() throws -> (Sequential, RunConfiguration) {
        let configuration = try readConfiguration()
        guard let inputShape = configuration.inputShape, let classCount = configuration.classCount else {
            throw DendriteError.invalidFile(path: file("model.json"), offset: nil, reason: "has no input shape or class count")
        }
        var generator = RandomGenerator(seed: configuration.seed)
        let model = try ModelSpec(configuration.resolvedSpec(classCount: classCount), inputShape: inputShape).build(generator: &generator)
        try model.load(from: file("model.safetensors"))
        model.eval()
        return (model, configuration)
    }

    private func decode<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        let location = file(name)
        guard let data = FileManager.default.contents(atPath: location) else {
            throw DendriteError.invalidFile(path: location, offset: nil, reason: "not found (is \(path) a dendrite run folder?)")
        }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw DendriteError.invalidFile(path: location, offset: nil, reason: "is not valid (\(error))")
        }
    }
}
