// swift-tools-version:6.1

import PackageDescription

let package = Package(
    name: "Spoor",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Spoor", targets: ["Spoor"]),
        .executable(name: "spoor", targets: ["spoor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"]), .brew(["lmdb"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]
        ),
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
        ),
        .target(
            name: "SpoorStore",
            dependencies: [
                "CLMDB",
                "CZstd",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SpoorIngest",
            dependencies: [
                "SpoorStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SpoorAnalytics",
            dependencies: ["SpoorStore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "SpoorQuery",
            dependencies: [
                "SpoorStore",
                "SpoorAnalytics",
                .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        .target(
            name: "Spoor",
            dependencies: [
                "SpoorStore",
                "SpoorIngest",
                "SpoorAnalytics",
                "SpoorQuery",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "spoor",
            dependencies: [
                "Spoor",
                "CLibEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SpoorTestSupport",
            dependencies: ["Spoor"],
            path: "Tests/SpoorTestSupport"
        ),
        .testTarget(name: "SpoorStoreTests", dependencies: ["SpoorStore", "SpoorTestSupport"]),
        .testTarget(name: "SpoorIngestTests", dependencies: ["SpoorIngest", "SpoorTestSupport"]),
        .testTarget(name: "SpoorAnalyticsTests", dependencies: ["SpoorAnalytics", "SpoorTestSupport"]),
        .testTarget(name: "SpoorQueryTests", dependencies: ["SpoorQuery", "SpoorTestSupport"]),
        .testTarget(name: "SpoorTests", dependencies: ["Spoor", "SpoorTestSupport"]),
        .testTarget(name: "SpoorCLITests", dependencies: ["SpoorTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    if target.type != .test {
        // Expensive invariant checks (chunk re-decode after encode, and the like) compile in only
        // when the build defines SPOOR_INTERNAL_CHECKS; CI runs the tests once with it on.
        settings.append(.define("SPOOR_INTERNAL_CHECKS", .when(configuration: .debug)))
    }
    target.swiftSettings = settings
}
