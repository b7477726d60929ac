import Foundation
import SpoorTestSupport
import Testing

/// Bad command lines exit 64 (EX_USAGE) with the parser's message on stderr; help exits 0 on stdout.
@Suite struct CommandLineTests {
    @Test(arguments: [
        ["frobnicate"],
        ["ingest"],
        ["ingest", "/tmp/x", "--format", "transfers-csv"],
        ["ingest", "/tmp/x", "--format", "transfers-csv", "--batch-size", "0", "a.csv"],
        ["query", "/tmp/x"],
        ["query", "/tmp/x", "MATCH (a) RETURN a", "-f", "q.cypher"],
        ["query", "/tmp/x", "MATCH (a) RETURN a", "--param", "novalue"],
        ["query", "/tmp/x", "MATCH (a) RETURN a", "--format", "xml"],
        ["stats", "/tmp/x", "--bogus"],
        ["tags", "import", "/tmp/x", "f.txt", "--confidence", "2"],
        ["generate", "transfers", "--count", "10", "--seed", "1"],
    ])
    func badCommandLineExits64(arguments: [String]) throws {
        let result = try Spoor.run(arguments)
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("Error: "), "\(result)")
    }

    @Test func unknownFormatListsTheAcceptedOnes() throws {
        let result = try Spoor.run(["ingest", "/tmp/x", "--format", "parquet", "a.csv"])
        #expect(result.status == 64, "\(result)")
        for format in ["transfers-csv", "bitcoin-blk", "bitcoin-raw", "ethereum-etl"] {
            #expect(result.stderr.contains("'\(format)'"), "\(result)")
        }
    }

    @Test func formatsToComeAreNotSupportedYet() throws {
        let directory = TemporaryDirectory("cli-format")
        let store = directory.appending("store")
        let result = try Spoor.run(["ingest", store, "--format", "bitcoin-blk", "blk00000.dat"])
        #expect(result.status == 64, "\(result)")
        #expect(
            result.stderr.hasPrefix("Error: --format bitcoin-blk is not supported yet (supported now: transfers-csv"),
            "\(result)")
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test func helpDocumentsTheExitCodes() throws {
        let result = try Spoor.run(["--help"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr == "")
        for text in ["ingest", "tags", "query", "stats", "verify", "generate", "64", "internal"] {
            #expect(result.stdout.contains(text), "\(text): \(result)")
        }
    }

    @Test func queryHelpDocumentsParameterParsing() throws {
        let result = try Spoor.run(["query", "--help"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("--param"))
        #expect(result.stdout.contains("true / false / null"), "\(result)")
    }
}
