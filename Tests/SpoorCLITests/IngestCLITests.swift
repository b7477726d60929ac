import Foundation
import SpoorTestSupport
import Testing

/// `spoor ingest`, `spoor stats` and `spoor verify` on small hand-made files.
@Suite struct IngestCLITests {
    @Test func ingestPrintsTheSummaryOnStderrAndNothingOnStdout() throws {
        let directory = TemporaryDirectory("cli-ingest")
        let csv = try directory.write(CLIFixtures.small, to: "small.csv")
        let store = directory.appending("store")
        let result = try Spoor.run(["ingest", store, "--format", "transfers-csv", csv])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("rows 4, added 4, duplicates 0, rejected 0, "), "\(result)")
        #expect(result.stderr.hasSuffix(" rows/s\n"), "\(result)")
        #expect(!result.stderr.contains("\r"), "no progress line when stderr is not a terminal")
        #expect(try statsCounts(store) == CLIFixtures.smallCounts)
    }

    @Test func statsTableAndJSON() throws {
        let directory = TemporaryDirectory("cli-stats")
        let csv = try directory.write(CLIFixtures.small, to: "small.csv")
        let store = directory.appending("store")
        try #require(try Spoor.run(["ingest", store, "--format", "transfers-csv", csv]).status == 0)

        let table = try Spoor.run(["stats", store])
        #expect(table.status == 0, "\(table)")
        #expect(table.stderr == "")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("transfers ") && $0.hasSuffix(" 4") }, "\(table)")
        #expect(lines.contains { $0.hasPrefix("addresses ") && $0.hasSuffix(" 3") }, "\(table)")
        #expect(lines.contains { $0.hasPrefix("adjacency bytes/transfer") }, "\(table)")
        #expect(lines.contains { $0.hasPrefix("map size") }, "\(table)")
        #expect(lines.contains { $0.hasPrefix("adjacency ") }, "the adjacency table has a row: \(table)")
        #expect(lines.contains { $0.contains("transfers-csv:") && $0.contains("4 rows committed, complete") }, "\(table)")

        let json = try statsJSON(store)
        let sources = json["sources"] as? [[String: Any]] ?? []
        #expect(sources.count == 1)
        #expect((sources.first?["committedRows"] as? NSNumber)?.intValue == 4)
        #expect(sources.first?["complete"] as? Bool == true)
        let tables = json["tables"] as? [[String: Any]] ?? []
        #expect(tables.contains { $0["name"] as? String == "adjacency" && ($0["entries"] as? NSNumber)?.intValue ?? 0 > 0 })
        let perTransfer = json["bytesPerTransfer"] as? [String: Any]
        #expect((perTransfer?["file"] as? NSNumber)?.doubleValue ?? 0 > 0)
        #expect((json["mapSize"] as? NSNumber)?.intValue ?? 0 > 0)
    }

    @Test func badRowGoesToTheRejectsFileWithFileLineAndReason() throws {
        let directory = TemporaryDirectory("cli-rejects")
        let csv = try directory.write(CLIFixtures.withBadRow, to: "bad.csv")
        let store = directory.appending("store")
        let result = try Spoor.run(["ingest", store, "--format", "transfers-csv", csv])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("rows 4, added 4, duplicates 0, rejected 1, "), "\(result)")
        let prefix = "rejected rows written to "
        let line = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix(prefix) })
        let rejectsPath = String(line.dropFirst(prefix.count))
        #expect(rejectsPath.hasPrefix(store + "/rejects/"))
        let rejects = try String(contentsOfFile: rejectsPath, encoding: .utf8)
        let rejectLines = rejects.split(separator: "\n")
        #expect(rejectLines.count == 1, "\(rejects)")
        #expect(rejects.hasPrefix("\(csv):6: "), "\(rejects)")
        #expect(rejects.contains("to_address"), "the reason names the column: \(rejects)")
        #expect(try statsCounts(store)["transfers"] == 4)
    }

    @Test func strictStopsAtTheBadRowAndStoresNothing() throws {
        let directory = TemporaryDirectory("cli-strict")
        let csv = try directory.write(CLIFixtures.withBadRow, to: "bad.csv")
        let store = directory.appending("store")
        let result = try Spoor.run(["ingest", store, "--format", "transfers-csv", "--strict", csv])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("error: \(csv):6: "), "\(result)")
        #expect(result.stderr.contains("strict"), "\(result)")
        #expect(try statsCounts(store)["transfers"] == 0)
    }

    @Test func wrongHeaderFailsBeforeAnythingIsWritten() throws {
        let directory = TemporaryDirectory("cli-header")
        let csv = try directory.write("hash,from,to,value\n0x01,0xa,0xb,1\n", to: "wrong.csv")
        let store = directory.appending("store")
        let result = try Spoor.run(["ingest", store, "--format", "transfers-csv", csv])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout == "")
        #expect(result.stderr == "error: \(csv):1: bad header: expected '\(CLIFixtures.header)', found 'hash,from,to,value'\n")
        #expect(!FileManager.default.fileExists(atPath: store), "no store directory is created")
    }

    @Test func missingFileIsAUserError() throws {
        let directory = TemporaryDirectory("cli-missing")
        let result = try Spoor.run(["ingest", directory.appending("store"), "--format", "transfers-csv", directory.appending("nope.csv")])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix("error: \(directory.appending("nope.csv")): cannot read file"), "\(result)")
    }

    @Test func reingestingTheSameFileChangesNothing() throws {
        let directory = TemporaryDirectory("cli-reingest")
        let csv = try directory.write(CLIFixtures.small, to: "small.csv")
        let store = directory.appending("store")
        try #require(try Spoor.run(["ingest", store, "--format", "transfers-csv", csv]).status == 0)
        let before = try Spoor.run(["stats", store, "--format", "json"])
        let again = try Spoor.run(["ingest", store, "--format", "transfers-csv", csv])
        #expect(again.status == 0, "\(again)")
        #expect(again.stderr.hasPrefix("rows 0, added 0, duplicates 4, rejected 0, files already ingested 1, "), "\(again)")
        let after = try Spoor.run(["stats", store, "--format", "json"])
        #expect(before.status == 0 && after.status == 0)
        #expect(after.stdout == before.stdout)
    }

    @Test func verifyReportsASoundStore() throws {
        let directory = TemporaryDirectory("cli-verify")
        let csv = try directory.write(CLIFixtures.small, to: "small.csv")
        let store = directory.appending("store")
        try #require(try Spoor.run(["ingest", store, "--format", "transfers-csv", csv]).status == 0)
        let result = try Spoor.run(["verify", store])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr == "")
        #expect(result.stdout == "checked 3 addresses, 3 chunks, 8 incidences, 0 tags\nsound\n", "\(result)")
    }

    @Test func notAStoreIsAUserError() throws {
        let directory = TemporaryDirectory("cli-nostore")
        for command in [["stats"], ["verify"], ["query"]] {
            var arguments = command + [directory.appending("absent")]
            if command == ["query"] { arguments.append("MATCH (a) RETURN a") }
            let result = try Spoor.run(arguments)
            #expect(result.status == 1, "\(command): \(result)")
            #expect(result.stdout == "")
            #expect(result.stderr.hasPrefix("error: '\(directory.appending("absent"))' is not a Spoor store"), "\(result)")
        }
    }
}
