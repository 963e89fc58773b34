import Dendrite
import Foundation

// dendrite-bench: Dendrite's kernels against raw OpenBLAS and the naive twins.
// Usage: dendrite-bench [--quick] [--filter SUITE] [--threads N] [--conv-gemm KERNEL] [--conv-algorithm ALGORITHM] [--json FILE] [--pytorch PYTHON] [--charts DIR]

struct Options {
    var quick = false
    var filter: String?
    var threads: Int?
    var jsonPath: String?
    var pythonPath: String?
    var chartsPath: String?
    var convolutionGEMM: ConvolutionGEMM?
    var convolutionAlgorithm: ConvolutionAlgorithm?

    /// The value named `name` among `choices`, for `option`; an error listing them otherwise.
    static func choice<Value>(_ option: String, _ name: String?, _ choices: [String: Value]) throws -> Value {
        guard let name, let value = choices[name] else {
            throw DendriteError.invalidArgument(operation: "dendrite-bench \(option)", argument: name ?? "(missing)",
                                                reason: "choose one of \(choices.keys.sorted().joined(separator: ", "))")
        }
        return value
    }

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick": quick = true
            case "--filter": filter = iterator.next()
            case "--threads": threads = iterator.next().flatMap(Int.init)
            case "--json": jsonPath = iterator.next()
            case "--pytorch": pythonPath = iterator.next()
            case "--charts": chartsPath = iterator.next()
            case "--conv-gemm":
                convolutionGEMM = try Self.choice(argument, iterator.next(),
                                                  ["automatic": .automatic, "openblas": .openBLAS, "avx512": .avx512])
            case "--conv-algorithm":
                convolutionAlgorithm = try Self.choice(argument, iterator.next(),
                                                       ["automatic": .automatic, "im2col": .im2col, "winograd": .winograd])
            case "-h", "--help":
                print("""
                usage: dendrite-bench [--quick] [--filter SUITE] [--threads N] [--conv-gemm KERNEL] [--conv-algorithm ALGORITHM] [--json FILE] [--pytorch PYTHON] [--charts DIR]
                  --filter SUITE gemm, conv, conv-gemm, kernels (softmax, layer norm, pool), pool, module (tree walks), compression, conv-layers, estimators, or training
                                 (all of: mlp, cnn, transformer, lstm, gru, resnet, vgg, epoch), or one of those
                  --pytorch PYTHON  times each end-to-end workload against Benchmarks/pytorch_twin.py run by this
                                 Python (torch installed), interleaved round by round; ratio = median per round
                  --conv-gemm KERNEL  the GEMM of every convolution: automatic (default), openblas or avx512
                  --conv-algorithm ALGORITHM  every convolution's forward pass: automatic (default), im2col or winograd
                  --charts DIR   writes gemm.svg and training.svg
                """)
                exit(0)
            default:
                throw DendriteError.invalidArgument(operation: "dendrite-bench", argument: argument,
                                                    reason: "unknown option (see --help)")
            }
        }
    }
}

do {
    let options = try Options(arguments: CommandLine.arguments)
    if let threads = options.threads { Dendrite.threadCount = threads }
    if let kernel = options.convolutionGEMM { ConvolutionGEMM.current = kernel }
    if let algorithm = options.convolutionAlgorithm { ConvolutionAlgorithm.current = algorithm }
    print("Dendrite benchmarks · \(Dendrite.backendDescription)")
    var rows: [Row] = []
    // (filter keys, table title, run): a filter selects every entry that lists it.
    let kernelsTitle = "Fused kernels (million elements/s; ratio = fused ÷ straightforward)"
    let trainingTitle = "Training steps (samples/s)"
    var suites: [(Set<String>, String, (Bool) throws -> [Row])] = [
        (["gemm"], "GEMM (GFLOP/s; ratio = Dendrite ÷ baseline)", runGEMMSuite),
        (["conv"], "Convolution (GFLOP/s; ratio = im2col+GEMM ÷ naive)", runConvolutionSuite),
        (["conv-gemm"], "Convolutions' AVX-512 GEMM, one core (GFLOP/s; ratio = kernel ÷ OpenBLAS)", runConvolutionGEMMSuite),
        (["kernels"], kernelsTitle, runKernelSuite),
        (["kernels", "pool"], kernelsTitle, runPoolingSuite),
        (["module"], "Module tree (µs per call; ratio = baseline ÷ Dendrite)", runModuleSuite),
        (["estimators"], "Estimators (one fit; ratio = scikit-learn's time ÷ Dendrite's)",
         { quick in try runEstimatorSuite(quick: quick, python: options.pythonPath) }),
    ]
    // The twin script sits next to this target's folder: Benchmarks/pytorch_twin.py.
    let twinScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pytorch_twin.py").path
    let peer = try options.pythonPath.map { try PyTorchPeer(python: $0, script: twinScript, threads: Dendrite.threadCount) }
    suites += trainingWorkloads(quick: options.quick).map { workload in
        (Set(["training", workload.filter]), trainingTitle, { quick in
            try runEndToEnd(workload, quick: quick, peer: peer).map { [$0] } ?? []
        })
    }
    suites.append((["compression"], "Compressed models (ms per inference call; ratio = float ÷ compressed, or PyTorch ÷ Dendrite; interleaved)",
                   { quick in try runCompressionSuite(quick: quick, peer: peer) }))
    suites.append((["conv-layers"], "ResNet-18 convolutions, forward (GFLOP/s; ratio = Dendrite ÷ PyTorch conv2d, interleaved)",
                   { quick in try runConvolutionLayerSuite(quick: quick, peer: peer) }))
    let known = suites.reduce(into: Set<String>()) { $0.formUnion($1.0) }
    if let filter = options.filter, !known.contains(filter) {
        throw DendriteError.invalidArgument(operation: "dendrite-bench --filter", argument: filter,
                                            reason: "choose one of \(known.sorted().joined(separator: ", "))")
    }
    var tables: [(title: String, rows: [Row])] = []
    for (keys, title, run) in suites where options.filter.map(keys.contains) ?? true {
        let suiteRows = try run(options.quick)
        if tables.last?.title == title { tables[tables.count - 1].rows += suiteRows } else { tables.append((title, suiteRows)) }
        rows += suiteRows
    }
    for table in tables { printTable(title: table.title, rows: table.rows) }
    if let directory = options.chartsPath {
        try writeCharts(rows, to: directory)
        print("\nwrote the charts of these suites into \(directory)/ (gemm.svg, training.svg)")
    }
    if let path = options.jsonPath {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let report: [String: AnyCodable] = [
            "machine": .machine(Machine.current()),
            "rows": .rows(rows),
        ]
        try encoder.encode(report).write(to: URL(fileURLWithPath: path), options: .atomic)
        print("\nwrote \(path)")
    }
} catch {
    FileHandle.standardError.write("dendrite-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}

/// Minimal heterogeneous JSON value for the report.
enum AnyCodable: Encodable {
    case string(String)
    case rows([Row])
    case machine(Machine)
    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .rows(let value): try container.encode(value)
        case .machine(let value): try container.encode(value)
        }
    }
}
