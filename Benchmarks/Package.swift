// swift-tools-version:6.1
import PackageDescription

// Benchmarks for TinyGraph, kept out of the root package so that building or testing
// TinyGraph never resolves ordo-one/benchmark. How to run: README.md here.
let package = Package(
    name: "TinyGraphBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "TinyGraph", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "TinyGraphBenchmarks",
            dependencies: [
                .product(name: "TinyGraph", package: "TinyGraph"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TinyGraphBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
