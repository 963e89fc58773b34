// swift-tools-version:6.0
// A package that uses Dendrite the way a user's package does: by path (or by git URL).
import PackageDescription

let package = Package(
    name: "Downstream",
    dependencies: [.package(name: "Dendrite", path: "../..")],
    targets: [
        .executableTarget(
            name: "DownstreamExample",
            dependencies: [.product(name: "Dendrite", package: "Dendrite"),
                           .product(name: "DendriteDistributed", package: "Dendrite")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
