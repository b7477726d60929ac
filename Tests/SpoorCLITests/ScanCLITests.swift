import Foundation
import SpoorTestSupport
import Testing

/// `spoor scan`: the same report byte for byte across runs and after an interruption and a resume.
@Suite struct ScanCLITests {
    /// A generated chain of 20,000 transfers with the first 5 OFAC ETH addresses planted as senders, tagged `ofac`;
    /// the top hubs are tagged `exchange` by a small CSV.
    static func store(_ directory: TemporaryDirectory) throws -> String {
        let csv = directory.appending("transfers.csv")
        let ofac = TestPaths.sharedData + "/ofac/sanctioned_addresses_ETH.txt"
        let generated = try Spoor.run([
            "generate", "transfers", "--count", "20000", "--seed", "7", "--plant", ofac, "--out", csv,
        ])
        try #require(generated.status == 0, "\(generated)")
        let store = directory.appending("store")
        let ingested = try Spoor.run(["ingest", store, "--format", "transfers-csv", csv, "--quiet"])
        try #require(ingested.status == 0, "\(ingested)")
        let tagged = try Spoor.run(["tags", "import", store, ofac, "--tag", "ofac"])
        try #require(tagged.status == 0, "\(tagged)")
        return store
    }

    @Test func reportIsByteIdenticalAcrossRunsAndAfterResume() throws {
        let directory = TemporaryDirectory("scan")
        let store = try Self.store(directory)
        let arguments = [
            "scan", store, "--watchlist", "ofac", "--policy", "haircut", "--max-hops", "3", "--checkpoint-every",
            "2000",
        ]
        let first = directory.appending("first.jsonl")
        let second = directory.appending("second.jsonl")
        let resumed = directory.appending("resumed.jsonl")
        try #require(try Spoor.run(arguments + ["--out", first]).status == 0)
        try #require(try Spoor.run(arguments + ["--out", second]).status == 0)
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: first))
        #expect(firstBytes == (try Data(contentsOf: URL(fileURLWithPath: second))))

        // Interrupted after 3 checkpoints (the test hook), then after 4 more, then run to the end.
        setenv("SPOOR_SCAN_STOP_AFTER_CHECKPOINTS", "3", 1)
        let stopped = try Spoor.run(arguments + ["--out", resumed])
        #expect(stopped.status == 75, "\(stopped)")
        #expect(FileManager.default.fileExists(atPath: resumed + ".checkpoint"))
        #expect(!FileManager.default.fileExists(atPath: resumed))
        setenv("SPOOR_SCAN_STOP_AFTER_CHECKPOINTS", "4", 1)
        #expect(try Spoor.run(arguments + ["--out", resumed]).status == 75)
        unsetenv("SPOOR_SCAN_STOP_AFTER_CHECKPOINTS")
        let finished = try Spoor.run(arguments + ["--out", resumed])
        #expect(finished.status == 0, "\(finished)")
        #expect(!FileManager.default.fileExists(atPath: resumed + ".checkpoint"))
        #expect(firstBytes == (try Data(contentsOf: URL(fileURLWithPath: resumed))))

        // The header and the planted senders: every planted address is listed (hop 0, severe).
        let lines = String(decoding: firstBytes, as: UTF8.self).split(separator: "\n")
        let header = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(header?["format"] as? String == "spoor-scan")
        #expect(header?["version"] as? Int == 1)
        let parameters = header?["parameters"] as? [String: Any]
        #expect(parameters?["policy"] as? String == "haircut")
        #expect(parameters?["maxHops"] as? Int == 3)
        // The watchlist is what the store has tagged: all 152 OFAC ETH addresses (5 of them in the graph).
        // python3: sha256("".join(a + "\n" for a in sorted(set(line.strip().lower() for line in the list file)))).
        #expect((header?["watchlistSize"] as? Int) == 152)
        #expect(
            header?["watchlistSHA256"] as? String == "d6e31502d707361843850bd7727e3a82c3e850de80470963b1a0f939c4118249"
        )
        let rows = lines.dropFirst().compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let listed = rows.filter { $0["listed"] as? Bool == true }
        #expect(listed.count == 5)
        #expect(listed.allSatisfy { $0["risk"] as? String == "severe" && $0["minimalHop"] as? Int == 0 })
        let addresses = rows.compactMap { $0["address"] as? String }
        #expect(addresses == addresses.sorted())
        // 50 planted transfers (5 × 10) leave the listed addresses: at least one receiver has direct exposure.
        #expect(rows.contains { ($0["directIn"] as? String).map { $0 != "0" } == true })

        // csv: header comment, column line, one line per address.
        let csvOut = directory.appending("report.csv")
        #expect(try Spoor.run(arguments + ["--out", csvOut, "--format", "csv"]).status == 0)
        let csvLines = try String(contentsOfFile: csvOut, encoding: .utf8).split(separator: "\n")
        #expect(csvLines[0].hasPrefix("# {"))
        #expect(csvLines[1].hasPrefix("address,listed,directIn"))
        #expect(csvLines.count == lines.count + 1)
    }

    /// A checkpoint of the older format 1 is refused with a message naming it and what to do; without
    /// --checkpoint-every the scan writes no checkpoint when it finishes within --checkpoint-seconds (default 30) and
    /// gives the same bytes as one checkpointing every 2,000 transfers.
    @Test func oldCheckpointRefusedAndTimeGatedCheckpoints() throws {
        let directory = TemporaryDirectory("scan-checkpoint")
        let store = try Self.store(directory)
        let arguments = ["scan", store, "--watchlist", "ofac", "--policy", "haircut", "--max-hops", "3"]
        let output = directory.appending("report.jsonl")
        // The stop hook is set in the child's environment only (the other test sets it in this process's, which
        // children inherit: an empty value overrides it).
        func run(_ arguments: [String], stopAfter: String = "") throws -> RunResult {
            let running = try Spoor.start(arguments, environment: ["SPOOR_SCAN_STOP_AFTER_CHECKPOINTS": stopAfter])
            running.process.waitUntilExit()
            return running.finish()
        }
        // Format 1 began with this line (ScanCheckpointCodec before this change).
        try Data("spoor-scan-checkpoint 1\n{}".utf8).write(to: URL(fileURLWithPath: output + ".checkpoint"))
        let refused = try run(arguments + ["--out", output])
        #expect(refused.status != 0, "\(refused)")
        #expect(refused.stderr.contains("format 1"), "\(refused)")
        #expect(refused.stderr.contains("delete it"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: output))
        try FileManager.default.removeItem(atPath: output + ".checkpoint")

        let gated = try run(arguments + ["--out", output], stopAfter: "1")
        #expect(gated.status == 0, "\(gated)")  // No checkpoint written in the first 30 s: never stopped.
        let every = directory.appending("every.jsonl")
        #expect(try run(arguments + ["--out", every, "--checkpoint-every", "2000"]).status == 0)
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: output)) == (try Data(contentsOf: URL(fileURLWithPath: every)))
        )
    }
}
