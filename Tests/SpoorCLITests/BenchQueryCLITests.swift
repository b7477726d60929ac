import Foundation
import SpoorTestSupport
import Testing

/// `spoor bench-query` (hidden; used by `Benchmarks/peers/peers.py`): the rows of the warm-up run as CSV on stdout,
/// one `bench: {...}` JSON line of timings on stderr.
@Suite struct BenchQueryCLITests {
    static func store() throws -> (TemporaryDirectory, String) {
        let directory = TemporaryDirectory("cli-bench-query")
        let csv = try directory.write(CLIFixtures.small, to: "small.csv")
        let path = directory.appending("store")
        let result = try Spoor.run(["ingest", path, "--format", "transfers-csv", csv])
        try #require(result.status == 0, "\(result)")
        return (directory, path)
    }

    /// The JSON object after `bench: ` on stderr.
    static func timings(_ stderr: String) throws -> [String: Any] {
        let line = try #require(stderr.split(separator: "\n").first { $0.hasPrefix("bench: ") }, "\(stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(line.dropFirst("bench: ".count).utf8))
        return try #require(object as? [String: Any])
    }

    @Test func twoHopDistinctFromA() throws {
        let (directory, path) = try Self.store()
        _ = directory
        let query = "MATCH (a:Address {address: $a})-[:TRANSFER]->(b:Address) WITH DISTINCT b "
            + "MATCH (b)-[:TRANSFER]->(c:Address) RETURN count(DISTINCT c)"
        let result = try Spoor.run(["bench-query", path, query, "--param", "a=\(CLIFixtures.a)", "--repeat", "3"])
        #expect(result.status == 0, "\(result)")
        // By hand from CLIFixtures.small: A sends to B and C; B sends to C, C sends to A: {C, A}, 2 addresses.
        #expect(result.stdout == "count(DISTINCT c)\r\n2\r\n", "\(result)")
        let timings = try Self.timings(result.stderr)
        #expect(timings["rows"] as? Int == 1)
        #expect(timings["runs"] as? Int == 3)
        let times = try #require(timings["times_us"] as? [Double])
        #expect(times.count == 3)
        #expect(times == times.sorted())
        let p50 = try #require(timings["p50_us"] as? Double)
        let p95 = try #require(timings["p95_us"] as? Double)
        // Nearest rank over 3 sorted runs: p50 is the 2nd (⌈1.5⌉), p95 the 3rd (⌈2.85⌉).
        #expect(p50 == times[1] && p95 == times[2], "\(timings)")
    }

    @Test func oneHopRowsOfA() throws {
        let (directory, path) = try Self.store()
        _ = directory
        let query = "MATCH (a:Address {address: $a})-[t:TRANSFER]->(b:Address) RETURN b.address, t.value ORDER BY t.value"
        let result = try Spoor.run(["bench-query", path, query, "--param", "a=\(CLIFixtures.a)", "--repeat", "1"])
        #expect(result.status == 0, "\(result)")
        // CLIFixtures.small: A→B 100, A→C 250.
        #expect(result.stdout == "b.address,t.value\r\n\(CLIFixtures.b),100\r\n\(CLIFixtures.c),250\r\n", "\(result)")
        #expect(try Self.timings(result.stderr)["rows"] as? Int == 2)
    }

    @Test func badInput() throws {
        let (directory, path) = try Self.store()
        _ = directory
        let zero = try Spoor.run(["bench-query", path, "RETURN 1", "--repeat", "0"])
        #expect(zero.status == 64, "\(zero)")
        let bad = try Spoor.run(["bench-query", path, "MATCH (a RETURN a"])
        #expect(bad.status == 1, "\(bad)")
        #expect(bad.stderr.contains("^"), "\(bad)")
        #expect(bad.stdout.isEmpty, "\(bad)")
    }
}
