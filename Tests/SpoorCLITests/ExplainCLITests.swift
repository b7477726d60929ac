import Foundation
import SpoorTestSupport
import Testing

/// `spoor explain` on the investigation fixture (S tagged `ofac`); the path S → B → D is worked out by hand in
/// EvidencePathTests.
@Suite struct ExplainCLITests {
    static let d = "0x00000000000000000000000000000000000000d4"

    static func store(_ directory: TemporaryDirectory) throws -> String {
        let store = directory.appending("store")
        let ingest = try Spoor.run([
            "ingest", store, "--format", "transfers-csv", TestPaths.fixtures + "/investigation.csv",
        ])
        try #require(ingest.status == 0, "\(ingest)")
        let list = try directory.write("0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1\n", to: "ofac.txt")
        try #require(try Spoor.run(["tags", "import", store, list, "--tag", "ofac"]).status == 0)
        return store
    }

    @Test func dotToStdoutAndFile() throws {
        let directory = TemporaryDirectory("cli-explain")
        let store = try Self.store(directory)
        let result = try Spoor.run(["explain", store, Self.d, "--watchlist", "ofac"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("digraph evidence {"))
        #expect(result.stdout.components(separatedBy: " -> ").count - 1 == 2, "two transfers: S → B, B → D")
        #expect(result.stderr.contains("fewest hops 2"), "\(result)")

        let file = directory.appending("d.dot")
        let toFile = try Spoor.run([
            "explain", store, Self.d.uppercased().replacingOccurrences(of: "0X", with: "0x"),
            "--watchlist", "ofac", "--dot", file,
        ])
        #expect(toFile.status == 0 && toFile.stdout.isEmpty, "\(toFile)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == result.stdout)

        let none = try Spoor.run(["explain", store, Self.d, "--watchlist", "ofac", "--max-hops", "1"])
        #expect(none.status == 0 && none.stderr.contains("no 'ofac' address reaches"), "\(none)")
    }

    @Test func errorsAreUserErrors() throws {
        let directory = TemporaryDirectory("cli-explain")
        let store = try Self.store(directory)
        let unknown = try Spoor.run([
            "explain", store, "0x00000000000000000000000000000000000000ff", "--watchlist", "ofac",
        ])
        #expect(unknown.status == 1 && unknown.stderr.contains("not in the store"), "\(unknown)")
        let badHops = try Spoor.run(["explain", store, Self.d, "--watchlist", "ofac", "--max-hops", "0"])
        #expect(badHops.status == 64, "\(badHops)")
    }

    @Test func svgWhenGraphvizIsInstalled() throws {
        let dotInstalled = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: $0 + "/dot")
        }
        let directory = TemporaryDirectory("cli-explain")
        let store = try Self.store(directory)
        let file = directory.appending("d.svg")
        let result = try Spoor.run(["explain", store, Self.d, "--watchlist", "ofac", "--svg", file])
        guard dotInstalled else {
            // Without Graphviz the command says so and fails as a user error.
            #expect(result.status == 1 && result.stderr.contains("dot"), "\(result)")
            return
        }
        #expect(result.status == 0, "\(result)")
        let svg = try String(contentsOfFile: file, encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("3,000") && svg.contains("explained"))
    }
}
