import Foundation

/// Paths resolved from this file's location: `<repo>/Tests/SpoorIngestTests/IngestTestPaths.swift`.
enum IngestTestPaths {
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var fixtures: String { repository + "/Tests/Fixtures" }
    /// `<repo>/../shared/data`.
    static var sharedData: String { URL(fileURLWithPath: repository + "/../shared/data").standardized.path }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory(_ label: String) -> String {
        let path = NSTemporaryDirectory() + "/spoor-ingest-\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
