import Foundation
import Spoor
import SpoorTestSupport
import Testing

/// EXPLAIN's estimates and PROFILE's store reads on the LMDB store of `Tests/Fixtures/investigation.csv`: 5 addresses,
/// 7 transactions, 8 transfers (see ``FixtureIngestTests``); the sanctioned address has 4 transfers in its stream
/// (1 in, 3 out, to a1, b2 and c3).
struct ExplainProfileStoreTests {
    @Test func explainEstimatesFromStoreCounts() throws {
        let directory = TemporaryDirectory("explain")
        let (graph, _) = try FixtureIngestTests.ingestedGraph(directory)
        // 1 seek; out-degree 8 transfers / 5 addresses = 1.6 → 2.
        let seek = try graph.explain(
            "MATCH (s:Address {address: '\(FixtureIngestTests.sanctioned)'})-[:TRANSFER]->(r) RETURN r.address")
        #expect(seek.contains("Expand(Neighbors) (s)-[anon_2:TRANSFER]->(r)  estimated rows: 2\n"), "\(seek)")
        #expect(seek.contains("NodeIndexSeek (s:Address {address: '\(FixtureIngestTests.sanctioned)'})  estimated rows: 1\n"), "\(seek)")
        // 5 addresses, both directions 5 × 2 × 8/5 = 16.
        let scan = try graph.explain("MATCH (a:Address)-[:TRANSFER]-(b) RETURN count(*) AS n")
        #expect(scan.contains("Expand(Neighbors) (a)-[anon_2:TRANSFER]-(b)  estimated rows: 16\n"), "\(scan)")
        #expect(scan.contains("NodeByLabelScan (a:Address)  estimated rows: 5\n"), "\(scan)")
        // Two hops: 1.6, the label filter on the expanded b keeps them, then 1.6 × 1.6 = 2.56 → 3.
        let twoHops = try graph.explain(
            "MATCH (s:Address {address: '\(FixtureIngestTests.sanctioned)'})-[:TRANSFER]->(b:Address)-[:TRANSFER]->(c) RETURN c")
        #expect(twoHops.contains("Filter b:Address  estimated rows: 2\n"), "\(twoHops)")
        #expect(twoHops.contains(")-[anon_4:TRANSFER]->(c)  estimated rows: 3\n"), "\(twoHops)")
        // All nodes: 5 addresses + 7 transactions.
        let all = try graph.explain("MATCH (n) RETURN n")
        #expect(all.contains("AllNodesScan (n)  estimated rows: 12\n"), "\(all)")
    }

    @Test func profileCountsStoreReads() throws {
        let directory = TemporaryDirectory("profile")
        let (graph, _) = try FixtureIngestTests.ingestedGraph(directory)
        let result = try graph.query(
            "PROFILE MATCH (s:Address {address: '\(FixtureIngestTests.sanctioned)'})-[:TRANSFER]->(r) RETURN r.address")
        #expect(try result.all().count == 3)
        let profile = try #require(result.profile)
        let lines = profile.split(separator: "\n").map { String($0.drop { $0 == " " }) }
        func reads(_ prefix: String) -> String {
            String(lines.first { $0.hasPrefix(prefix) }?.split(separator: "store reads: ").last ?? "")
        }
        // The seek: one address-index look-up, no record.
        #expect(reads("NodeIndexSeek") == "adjacency: 0 lists / 0 records, node records: 0, index seeks: 1", "\(profile)")
        // The expansion: the sanctioned address's stream, all 4 incidences walked (neighbours only; 3 kept).
        #expect(reads("Expand(Neighbors)") == "adjacency: 1 lists / 4 records, node records: 0, index seeks: 0", "\(profile)")
        #expect(lines.contains { $0.hasPrefix("Expand(Neighbors) (s)-[anon_2:TRANSFER]->(r)  rows: 3, time: ") }, "\(profile)")
        // r.address: the records of a1, b2 and c3.
        #expect(reads("Projection") == "adjacency: 0 lists / 0 records, node records: 3, index seeks: 0", "\(profile)")
    }
}
