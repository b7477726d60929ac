import Foundation
import Testing
import Spoor
import SpoorTestSupport

/// Queries on the store built from `Tests/Fixtures/investigation.csv`; answers worked out by hand (see its README).
struct FixtureQueryTests {
    static let s = FixtureIngestTests.sanctioned
    static func a(_ suffix: String) -> String { FixtureIngestTests.address(suffix) }
    static let maximum = Amount.max

    static func graph(_ directory: TemporaryDirectory) throws -> Graph {
        let (graph, _) = try FixtureIngestTests.ingestedGraph(directory)
        try graph.importTags([TagRecord(address: s, tag: "ofac", source: "OFAC SDN")])
        return graph
    }

    func rows(_ graph: Graph, _ text: String, _ parameters: [String: Value] = [:]) throws -> [[Value]] {
        try graph.query(text, parameters: parameters).all()
    }

    @Test func directReceiversOfTheSanctionedAddressByValue() throws {
        let directory = TemporaryDirectory("query")
        let graph = try Self.graph(directory)
        let result = try rows(graph, """
            MATCH (s:Address {address: $s})-[t:TRANSFER]->(r:Address)
            RETURN r.address AS receiver, t.value AS value ORDER BY value DESC
            """, ["s": .string(Self.s)])
        #expect(result == [
            [.string(Self.a("c3")), .amount(Self.maximum)],
            [.string(Self.a("a1")), .amount(Amount(5000))],
            [.string(Self.a("b2")), .amount(Amount(3000))],
        ])
    }

    @Test func nativeTotalsPerTaggedSender() throws {
        let directory = TemporaryDirectory("query")
        let graph = try Self.graph(directory)
        let result = try rows(graph, """
            MATCH (s:Address)-[t:TRANSFER]->(r:Address)
            WHERE 'ofac' IN s.tags AND t.asset IS NULL
            RETURN s.address, sum(t.value) AS total, count(DISTINCT r) AS receivers
            """)
        #expect(result == [[.string(Self.s), .amount(Amount(8000)), .integer(2)]])
    }

    @Test func scanWithoutAnchorCountsBlock101() throws {
        let directory = TemporaryDirectory("query")
        let graph = try Self.graph(directory)
        #expect(try rows(graph, "MATCH (a:Address)-[t:TRANSFER]->(b:Address) WHERE t.block = 101 RETURN count(*)")
            == [[.integer(3)]])
    }

    @Test func twoHopsFromTheSanctionedAddress() throws {
        let directory = TemporaryDirectory("query")
        let graph = try Self.graph(directory)
        let result = try rows(graph, """
            MATCH (s:Address {address: $s})-[:TRANSFER]->(x:Address)-[:TRANSFER]->(y:Address)
            RETURN DISTINCT y.address ORDER BY y.address
            """, ["s": .string(Self.s)])
        #expect(result == [[.string(Self.a("c3"))], [.string(Self.a("d4"))]])
    }

    @Test func transactionHalvesThroughSent() throws {
        let directory = TemporaryDirectory("query")
        let graph = try Self.graph(directory)
        let txid = "0x" + String(repeating: "0", count: 63) + "4"
        let result = try rows(graph, """
            MATCH (t:Transaction {txid: $tx})<-[:SENT]-(a:Address) RETURN a.address, count(*) AS transfers
            """, ["tx": .string(txid)])
        #expect(result == [[.string(Self.a("b2")), .integer(2)]])
    }

    @Test func incomingTransfersWithTokenAndTime() throws {
        let directory = TemporaryDirectory("query")
        let graph = try Self.graph(directory)
        let result = try rows(graph, """
            MATCH (d:Address {address: $d})<-[t:TRANSFER]-(b:Address)
            RETURN b.address, t.value, t.asset, t.time ORDER BY t.block
            """, ["d": .string(Self.a("d4"))])
        #expect(result == [
            [.string(Self.a("b2")), .amount(Amount(500)), .string(Self.a("7070")), .integer(1012)],
            [.string(Self.a("c3")), .amount(Amount(2500)), .null, .integer(1024)],
        ])
    }

    @Test func summingPastTwoTo256IsAnErrorNeverAWrap() throws {
        let directory = TemporaryDirectory("query")
        let graph = try Self.graph(directory)
        let error = #expect(throws: QueryError.self) {
            try rows(graph, "MATCH (s:Address {address: $s})-[t:TRANSFER]->() RETURN sum(t.value)", ["s": .string(Self.s)])
        }
        #expect(error?.kind == .runtime)
    }

    @Test func addressPropertiesComeFromTheRecord() throws {
        let directory = TemporaryDirectory("query")
        let graph = try Self.graph(directory)
        let result = try rows(graph, """
            MATCH (s:Address {address: $s})
            RETURN s.sent, s.received, s.balance, s.txCount, s.firstSeen, s.lastSeen, s.tags
            """, ["s": .string(Self.s)])
        #expect(result == [[.amount(Amount(8000)), .amount(Amount(10000)), .amount(Amount(2000)), .integer(4),
                            .integer(988), .integer(1036), .list([.string("ofac")])]])
    }

    @Test func malformedQueryPointsAtTheMistake() throws {
        let directory = TemporaryDirectory("query")
        let graph = try Self.graph(directory)
        let text = "MATCH (a:Address\nRETURN a"
        let error = #expect(throws: QueryError.self) { try graph.query(text) }
        let rendered = error?.rendered(in: text) ?? ""
        #expect(rendered.contains("2:1"))
        #expect(rendered.contains("RETURN a"))
        #expect(rendered.contains("^"))
    }
}
