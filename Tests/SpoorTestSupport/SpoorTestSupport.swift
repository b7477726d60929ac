import Foundation

/// A fresh directory under the system temporary directory, removed when the value is released.
///
/// Swift Testing runs tests in parallel and LMDB forbids opening one environment twice in a process, so every test
/// uses its own directory.
public final class TemporaryDirectory: @unchecked Sendable {  // Safe because `path` is immutable.
    /// The directory's path.
    public let path: String

    /// Creates a new empty directory named after `label` and a UUID.
    public init(_ label: String = "spoor") {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func appending(_ component: String) -> String {
        (path as NSString).appendingPathComponent(component)
    }

    /// Writes `text` to a file inside the directory and returns its path.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        let file = appending(name)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A seeded, repeatable random number generator (SplitMix64). Tests print the seed when they fail.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// The seed it started from.
    public let seed: UInt64

    /// Starts from `seed`.
    public init(seed: UInt64) {
        self.seed = seed
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Paths of the repository, the fixtures and the shared data beside it.
public enum TestPaths {
    /// The repository root (two folders above this file's folder).
    public static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `Tests/Fixtures`.
    public static var fixtures: String { repository + "/Tests/Fixtures" }

    /// `../shared/data` beside the repository.
    public static var sharedData: String { repository + "/../shared/data" }

    /// `Queries/`.
    public static var queries: String { repository + "/Queries" }
}
