// swift-tools-version:6.1
// The benchmark suites live in their own package so that `make test` does not build package-benchmark.

import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its directory, whatever the clone is called.
let spoorPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "SpoorBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SpoorBenchmarks",
            dependencies: [
                .product(name: "Spoor", package: spoorPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SpoorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
