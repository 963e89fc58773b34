import Dendrite
import DendriteRun
import Foundation

/// A training run's folder: `model.safetensors`, `model.json`, `optimizer.safetensors`,
/// `history.csv`, `history.json`, `curves.svg` and, after the run, `test.json`.
///
/// A checkpoint is written after every epoch as one transaction, so a run killed at any moment
/// leaves a checkpoint whose files all belong to the same epoch: each file is first written
/// (atomically) as `<name>.next`; then `checkpoint.commit` is written — the commit point — and the
/// `.next` files are renamed over the old ones, and the marker removed. Opening the folder finishes
/// a committed checkpoint whose renames were interrupted, and discards an uncommitted one.
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

    /// The files of one checkpoint, renamed together.
    static let checkpointFiles = ["model.safetensors", "optimizer.safetensors", "model.json", "history.json", "history.csv",
                                  "curves.svg"]
    /// Present between a checkpoint's commit point and the end of its renames.
    static let commitMarker = "checkpoint.commit"

    init(path: String, creating: Bool = false) throws {
        self.path = path
        if creating {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                throw DendriteError.invalidFile(path: path, offset: nil, reason: "cannot create the folder (\(error.localizedDescription))")
            }
        }
        try recoverInterruptedCheckpoint()
    }

    /// Finishes a committed checkpoint (its marker exists) or discards an uncommitted one, and
    /// removes temporary files of interrupted atomic writes.
    private func recoverInterruptedCheckpoint() throws {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: path) else { return }
        if names.contains(RunFolder.commitMarker) { return try finishCommit() }
        for name in names where name.hasSuffix(".next") || (name.hasPrefix(".") && name.contains(".tmp-")) {
            try? manager.removeItem(atPath: file(name))
        }
    }

    /// Renames every `<name>.next` over `<name>` (each rename atomic), then removes the marker.
    private func finishCommit() throws {
        for name in RunFolder.checkpointFiles where FileManager.default.fileExists(atPath: file(name + ".next")) {
            guard rename(file(name + ".next"), file(name)) == 0 else {
                throw DendriteError.invalidFile(path: file(name), offset: nil, reason: "cannot be replaced (errno \(errno))")
            }
        }
        try? FileManager.default.removeItem(atPath: file(RunFolder.commitMarker))
        // The renames reach the disk with the directory (each file was flushed when written).
        if let folder = FileHandle(forReadingAtPath: path) {
            try? folder.synchronize()
            try? folder.close()
        }
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func write<T: Encodable>(json value: T, to name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(value), to: file(name))
    }

    /// Writes the checkpoint as one transaction (see the type's documentation). A write that
    /// fails (a full disk, a file-size limit) leaves the previous checkpoint as it was.
    ///
    /// - Throws: ``DendriteError/invalidFile(path:offset:reason:)`` naming the file that could not be written.
    func writeCheckpoint(model: Module, optimizer: Optimizer, history: History, configuration: RunConfiguration) throws {
        func next(_ name: String) -> String { name + ".next" }
        do {
            try model.save(to: file(next("model.safetensors")), metadata: ["format": "pt", "spec": configuration.spec])
            var metadata: [String: String] = [:]
            for (name, dropout) in model.namedDropouts() {
                metadata["rng.\(name)"] = dropout.generatorState.map(String.init).joined(separator: ",")
            }
            try SafeTensors.write(optimizer.stateDict(), metadata: metadata, to: file(next("optimizer.safetensors")))
            try write(json: configuration, to: next("model.json"))
            try write(json: history, to: next("history.json"))
            try writeAtomically(Data(history.csv.utf8), to: file(next("history.csv")))
            try writeAtomically(Data(history.learningCurvesSVG(title: "Dendrite · \(configuration.spec)").utf8), to: file(next("curves.svg")))
        } catch {
            for name in RunFolder.checkpointFiles { try? FileManager.default.removeItem(atPath: file(next(name))) }
            throw error
        }
        try writeAtomically(Data(RunFolder.checkpointFiles.joined(separator: "\n").utf8), to: file(RunFolder.commitMarker))
        try finishCommit()
    }

    func readConfiguration() throws -> RunConfiguration {
        try RunConfiguration.decode(try contents(of: "model.json"), path: file("model.json"))
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
        let model = try configuration.buildModel(path: file("model.json"))
        model.eval()
        // A compressed run's layers are rebuilt as `dendrite compress` left them, then loaded.
        for step in configuration.compression ?? [] {
            switch step {
            case _ where step.hasPrefix("channels:"):
                try ChannelPruning.resize(model, inputShape: configuration.inputShape ?? [], channels: try channelCounts(step))
            case "fuse": try model.foldBatchNorm(); model.fuseReLU()
            case "quantize:dynamic": try Quantization.quantizeDynamic(model)
            case "quantize:static": try Quantization.convertStatic(model)
            default: throw DendriteError.invalidFile(path: file("model.json"), offset: nil, reason: "unknown compression step \"\(step)\"")
            }
        }
        try model.load(from: file("model.safetensors"))
        return (model, configuration)
    }

    /// The layer → channel counts of a `channels:0=8,4=16` compression step.
    private func channelCounts(_ step: String) throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for entry in step.dropFirst("channels:".count).split(separator: ",") {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let layer = Int(parts[0]), let count = Int(parts[1]), counts[layer] == nil else {
                throw DendriteError.invalidFile(path: file("model.json"), offset: nil, reason: "compression step \"\(step)\" is not channels:LAYER=COUNT,…")
            }
            counts[layer] = count
        }
        return counts
    }

    private func contents(of name: String) throws -> Data {
        let location = file(name)
        guard let data = FileManager.default.contents(atPath: location) else {
            throw DendriteError.invalidFile(path: location, offset: nil, reason: "not found (is \(path) a dendrite run folder?)")
        }
        return data
    }

    private func decode<T: Decodable>(_ type: T.Type, from name: String) throws -> T {
        let location = file(name)
        let data = try contents(of: name)
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw DendriteError.invalidFile(path: location, offset: nil, reason: "is not valid (\(error))")
        }
    }
}
