// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Dendrite",
    // MARK: - Public products
    products: [
        .library(name: "Dendrite", targets: ["Dendrite"]),
        // Data-parallel training over MPI; Open MPI is opened at run time (Docs/Distributed.md).
        .library(name: "DendriteDistributed", targets: ["DendriteDistributed"]),
        // ONNX export (and import) of Dendrite models, over swift-protobuf (Docs/Export.md).
        .library(name: "DendriteONNX", targets: ["DendriteONNX"]),
        .executable(name: "dendrite", targets: ["DendriteCLI"]),
        .executable(name: "dendrite-bench", targets: ["DendriteBenchmarks"]),
        .executable(name: "dendrite-mpi-bench", targets: ["DendriteMPIBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // ONNX files are protocol buffers; the generated code for ONNX's messages is committed.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        // `make docs`: the DocC archive and static site.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    // MARK: - Implementation
    targets: [
        // OpenBLAS (CBLAS) and LAPACKE from Debian's libopenblas-dev and liblapacke-dev.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // zlib, for gzipped IDX data sets.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Hot loops in C: im2col/col2im and the naive reference kernels.
        .target(
            name: "CDendrite",
            path: "Sources/CDendrite"
        ),
        // Open MPI's C API, opened with dlopen (no MPI needed to build or to run one process).
        .target(
            name: "CMPIShim",
            path: "Sources/CMPIShim",
            linkerSettings: [.linkedLibrary("dl")]
        ),
        .target(
            name: "DendriteDistributed",
            dependencies: ["Dendrite", "CMPIShim"],
            path: "Sources/DendriteDistributed",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // The one public Swift module users import.
        .target(
            name: "Dendrite",
            dependencies: ["COpenBLAS", "CDendrite", "CZlib"],
            path: "Sources/Dendrite",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // ONNX export: each layer's ONNX nodes, the graph builder and the generated protobuf messages.
        .target(
            name: "DendriteONNX",
            dependencies: ["Dendrite", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            path: "Sources/DendriteONNX",
            exclude: ["Proto/onnx_subset.proto"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // A training run's settings (`model.json`), shared by the CLI and the fuzz harness.
        .target(
            name: "DendriteRun",
            dependencies: ["Dendrite"],
            path: "Sources/DendriteRun",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "DendriteCLI",
            dependencies: ["Dendrite", "DendriteRun", "DendriteDistributed", "DendriteONNX",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/DendriteCLI",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // MARK: - Examples
        .executableTarget(
            name: "MNISTMLP",
            dependencies: ["Dendrite"],
            path: "Sources/Examples/MNISTMLP",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "FashionCNN",
            dependencies: ["Dendrite"],
            path: "Sources/Examples/FashionCNN",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "TransferFashion",
            dependencies: ["Dendrite"],
            path: "Sources/Examples/TransferFashion",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "DistillFashion",
            dependencies: ["Dendrite"],
            path: "Sources/Examples/DistillFashion",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "CharGPT",
            dependencies: ["Dendrite", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Examples/CharGPT",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "Surrogate",
            dependencies: ["Dendrite", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Examples/Surrogate",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "PruneFashion",
            dependencies: ["Dendrite", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Examples/PruneFashion",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "QuantizeFashion",
            dependencies: ["Dendrite", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Examples/QuantizeFashion",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "CharLSTM",
            dependencies: ["Dendrite", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Examples/CharLSTM",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "DendriteBenchmarks",
            dependencies: ["Dendrite", "COpenBLAS"],
            path: "Benchmarks/DendriteBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "DendriteMPIBenchmarks",
            dependencies: ["Dendrite", "DendriteDistributed"],
            path: "Benchmarks/DendriteMPIBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // libFuzzer harness over the parsers (`make fuzz`; see Docs/Reliability.md).
        .executableTarget(
            name: "DendriteFuzz",
            dependencies: ["Dendrite", "DendriteRun", "DendriteONNX"],
            path: "Fuzz/DendriteFuzz",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // MARK: - Tests
        // Started by DistributedTests under mpirun.
        .executableTarget(
            name: "DendriteMPIWorker",
            dependencies: ["Dendrite", "DendriteDistributed"],
            path: "Tests/MPIWorker",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "DendriteTests",
            dependencies: ["Dendrite", "DendriteRun", "DendriteDistributed", "DendriteONNX"],
            path: "Tests/DendriteTests",
            exclude: ["Fixtures/make_fixtures.py", "Fixtures/make_safetensors_fixture.py", "Fixtures/make_model_fixtures.py",
                      "Fixtures/make_module_fixtures.py", "Fixtures/make_recurrent_fixtures.py",
                      "Fixtures/make_sklearn_fixtures.py", "Fixtures/make_pruning_fixtures.py",
                      "Fixtures/make_attribution_fixtures.py", "Fixtures/make_onnx_import_fixture.py"],
            resources: [.copy("Fixtures/data")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
