import Foundation
@testable import SpoorStore
import SpoorTestSupport
import Testing

/// A store of another format version is refused with both versions named (exit 1).
///
/// The CLI cannot write another version, so the test rewrites the `format_version` meta key through the store's
/// internals, as the store tests do.
@Suite struct VersionCLITests {
    @Test func otherFormatVersionIsAUserError() throws {
        let directory = TemporaryDirectory("cli-version")
        let csv = try directory.write(CLIFixtures.small, to: "small.csv")
        let store = directory.appending("store")
        try #require(try Spoor.run(["ingest", store, "--format", "transfers-csv", csv]).status == 0)
        do {
            let opened = try Store.open(at: store, mode: .readWrite)
            try opened.write { transaction in
                try transaction.put(opened.tables.meta, key: Array("format_version".utf8), value: Array("7".utf8))
            }
        }
        for arguments in [["stats", store], ["verify", store], ["ingest", store, "--format", "transfers-csv", csv]] {
            let result = try Spoor.run(arguments)
            #expect(result.status == 1, "\(arguments[0]): \(result)")
            #expect(result.stdout == "")
            #expect(
                result.stderr == "error: store '\(store)' has format version 7, but this Spoor reads format version 3\n",
                "\(result)")
        }
    }
}
