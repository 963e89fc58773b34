import Dendrite
import Foundation

// dendrite-bench: Dendrite's kernels against raw OpenBLAS and the naive twins.
// Usage: dendrite-bench [--quick] [--filter gemm|conv|training] [--threads N] [--json FILE]

struct Options {
    var quick = false
    var filter: String?
    var threads: Int?
    var jsonPath: String?
    var peersPath: String?
    var chartsPath: String?

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick": quick = true
            case "--filter": filter = iterator.next()
            case "--threads": threads = iterator.next().flatMap(Int.init)
            case "--json": jsonPath = iterator.next()
            case "--peers": peersPath = iterator.next()
            case "--charts": chartsPath = iterator.next()
            case "-h", "--help":
                print("""
                usage: dendrite-bench [--quick] [--filter gemm|conv|kernels|training] [--threads N] [--json FILE]
                                      [--peers FILE] [--charts DIR]
                  --peers FILE   JSON lines from Benchmarks/pytorch_twin.py: adds PyTorch's figure and the ratio
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
    print("Dendrite benchmarks · \(Dendrite.backendDescription)")
    var rows: [Row] = []
    let suites: [(String, String, (Bool) throws -> [Row])] = [
        ("gemm", "GEMM (GFLOP/s; ratio = Dendrite ÷ baseline)", runGEMMSuite),
        ("conv", "Convolution (GFLOP/s; ratio = im2col+GEMM ÷ naive)", runConvolutionSuite),
        ("kernels", "Fused kernels (million elements/s; ratio = fused ÷ composed)", runKernelSuite),
        ("training", "Training steps (samples/s)", runTrainingSuite),
    ]
    let peers = try options.peersPath.map(PeerResults.init(path:))
    for (name, title, run) in suites where options.filter == nil || options.filter == name {
        var suiteRows = try run(options.quick)
        if let peers { suiteRows = peers.compare(suiteRows) }
        printTable(title: title, rows: suiteRows)
        rows += suiteRows
    }
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
