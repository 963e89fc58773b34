import Dendrite
import DendriteONNX
import DendriteRun
import Foundation

/// One parser of untrusted input, fed the fuzzer's bytes.
enum FuzzTarget: String, CaseIterable {
    case idx, safetensors, csv, spec, history, optimizer, model, onnx

    /// The target named by `DENDRITE_FUZZ_TARGET` (IDX when unset).
    static let current: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["DENDRITE_FUZZ_TARGET"] ?? "idx"
        guard let target = FuzzTarget(rawValue: name) else { fatalError("unknown DENDRITE_FUZZ_TARGET \(name)") }
        return target
    }()

    func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .idx: _ = try? IDX.parse(bytes, source: "fuzz")
        case .safetensors: _ = try? SafeTensors.decode(bytes, source: "fuzz")
        case .csv: _ = try? CSV.parse(text, source: "fuzz")
        case .spec:
            // A layer spec, then an input shape on the second line: `flatten,dense:10\n1x28x28`.
            // Numbers above 1024 and inputs above 2¹⁶ elements are skipped, so the fuzzer explores
            // the parser rather than the allocator (specs too large for memory are refused before
            // allocating; CLITests).
            guard !text.split(whereSeparator: { !$0.isNumber }).contains(where: { $0.count > 4 || (Int($0) ?? 0) > 1024 }) else { return }
            let lines = text.split(separator: "\n", maxSplits: 1).map(String.init)
            let shape = (lines.count > 1 ? lines[1] : "784").split(separator: "x").compactMap { Int($0) }
            // Legitimately large models (within memory, beyond the fuzzer's 4 GB limit) are not bugs.
            guard shape.count <= 4, shape.reduce(1, { $0 * Swift.max($1, 1) }) <= 1 << 16 else { return }
            var generator = RandomGenerator(seed: 0)
            _ = try? ModelSpec(lines.first ?? "", inputShape: shape).build(generator: &generator)
        case .model:
            // A run folder's `model.json`: decoded, validated, its architecture rebuilt when small.
            guard let configuration = try? RunConfiguration.decode(Data(bytes), path: "fuzz/model.json") else { return }
            _ = configuration.resolvedSpec(classCount: configuration.classCount ?? 10)
            guard let shape = configuration.inputShape, shape.count <= 4, (configuration.classCount ?? 0) <= 1024,
                  !configuration.spec.split(whereSeparator: { !$0.isNumber }).contains(where: { $0.count > 4 || (Int($0) ?? 0) > 1024 }),
                  shape.reduce(1.0, { $0 * Double($1) }) <= 65536 else { return }
            _ = try? configuration.buildModel(path: "fuzz/model.json")
        case .history:
            guard let history = try? JSONDecoder().decode(History.self, from: Data(bytes)) else { return }
            _ = history.csv
            _ = history.learningCurvesSVG(title: "fuzz")
        case .onnx:
            // An ONNX file imported as a chain of layers (weights come from the file's own bytes).
            _ = try? ONNXImport.decode(Data(bytes), source: "fuzz.onnx")
        case .optimizer:
            // An optimizer state file loaded into Adam over two small parameters, then a step.
            guard let file = try? SafeTensors.decode(bytes, source: "fuzz") else { return }
            let parameters = [Parameter(Tensor([1, 2, 3])), Parameter(Tensor([0.5]))]
            guard let adam = try? Adam(parameters, learningRate: 0.01), (try? adam.load(stateDict: file.tensors)) != nil else { return }
            for parameter in parameters { parameter.gradient = parameter.value }
            _ = try? adam.step()
        }
    }
}
