// swift-tools-version:6.1
import PackageDescription
let package = Package(
    name: "OneHop",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Spoor", path: "../..")],
    targets: [.executableTarget(name: "OneHop", dependencies: [.product(name: "Spoor", package: "Spoor")])]
)
