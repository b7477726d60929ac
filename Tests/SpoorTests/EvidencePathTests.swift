import Foundation
import Spoor
import SpoorAnalytics
import SpoorTestSupport
import Testing

/// Evidence paths and their DOT picture on `Tests/Fixtures/investigation.csv` (S tagged `ofac`), worked by hand:
///
/// ```
/// block  99  D → S 10000        block 101  A → C 2000, B → C 1000 (log 3), B → D 500 of T (log 4)
/// block 100  S → A 5000, S → B 3000       block 102  C → D 2500       block 103  S → C 2^256−1 of T
/// ```
@Suite struct EvidencePathTests {
    static let s = FixtureIngestTests.sanctioned
    static func a(_ suffix: String) -> String { FixtureIngestTests.address(suffix) }

    @Test func shortestTimeRespectingPathsFromTheWatchlist() throws {
        let directory = TemporaryDirectory("evidence")
        let graph = try FixtureQueryTests.graph(directory)
        try graph.read { reader in
            // C: S → C directly (block 103, 1 hop) beats S → A → C (2 hops).
            let c = try EvidencePathFinder().explain(Self.a("c3"), watchlist: "ofac", in: reader)
            #expect(c.paths.map(\.addresses) == [[Self.s, Self.a("c3")]])
            #expect(c.paths.first?.transfers.first?.value == .max && c.paths.first?.transfers.first?.block == 103)
            // D: one hop back are C (block 102) and B (block 101, log 4); S reaches B at block 100, so S → B → D
            // in 2 hops (S → A → C → D and S → B → C → D take 3). D → S (block 99) leads away from D.
            let d = try EvidencePathFinder().explain(Self.a("d4"), watchlist: "ofac", in: reader)
            #expect(d.paths.map(\.addresses) == [[Self.s, Self.a("b2"), Self.a("d4")]])
            #expect(d.paths.first?.transfers.map(\.value) == [Amount(3000), Amount(500)])
            #expect(d.paths.first?.transfers.map(\.time) == [1000, 1012])
            #expect(d.minimalHops == 2)
            // Within 1 hop nothing listed reaches D.
            let near = try EvidencePathFinder(maxHops: 1).explain(Self.a("d4"), watchlist: "ofac", in: reader)
            #expect(near.paths.isEmpty && near.minimalHops == nil)
            // S itself is the only listed address; as the target it has no other source.
            #expect(try EvidencePathFinder().explain(Self.s, watchlist: "ofac", in: reader).paths.isEmpty)
            #expect(throws: TypologyError.self) {
                try EvidencePathFinder().explain(Self.a("ff"), watchlist: "ofac", in: reader)
            }
            #expect(throws: TypologyError.self) {
                try EvidencePathFinder(maxHops: 0).explain(Self.a("d4"), watchlist: "ofac", in: reader)
            }
        }
    }

    @Test func dotNamesSourcesTargetAmountsAndTimes() throws {
        let directory = TemporaryDirectory("evidence")
        let graph = try FixtureQueryTests.graph(directory)
        let subgraph = try graph.read { reader in
            try EvidencePathFinder().explain(Self.a("d4"), watchlist: "ofac", in: reader)
        }
        let dot = subgraph.dot()
        #expect(dot.hasPrefix("digraph evidence {"))
        #expect(dot.contains("\"\(Self.s)\" [label=\"0x01e2…5bb1\\nofac\""))
        #expect(dot.contains("\"\(Self.a("d4"))\" [label=\"0x0000…00d4\\nexplained\""))
        // 1000 s and 1012 s after the epoch.
        #expect(
            dot.contains(
                "\"\(Self.s)\" -> \"\(Self.a("b2"))\" [label=\"3,000\\n1970-01-01 00:16:40 UTC\\ntx 0x0000…0002\"]"))
        #expect(
            dot.contains(
                "\"\(Self.a("b2"))\" -> \"\(Self.a("d4"))\" [label=\"500 of 0x0000…7070\\n1970-01-01 00:16:52 UTC"))
        #expect(dot.components(separatedBy: " -> ").count - 1 == 2)
        #expect(EvidenceSubgraph.grouped("1381648375889258") == "1,381,648,375,889,258")
        #expect(EvidenceSubgraph.grouped("500") == "500" && EvidenceSubgraph.grouped("1000") == "1,000")
        #expect(EvidenceSubgraph.utc(1_660_000_000) == "2022-08-08 23:06:40 UTC")  // date -u -d @1660000000
        #expect(EvidenceSubgraph.utc(951_782_400) == "2000-02-29 00:00:00 UTC")  // date -u -d @951782400
    }
}
