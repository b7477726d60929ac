import Foundation
import Spoor
import SpoorTestSupport
import Testing

/// Every `Queries/*.cypher` recipe runs on the store of `Tests/Fixtures/investigation.csv` (S tagged `ofac`,
/// `$address` = S) and must give the rows worked out by hand below. A recipe without an entry here fails.
struct RecipeTests {
    static let s = FixtureIngestTests.sanctioned
    static func a(_ suffix: String) -> Value { .string(FixtureIngestTests.address(suffix)) }

    /// Expected rows per recipe file, from the fixture's README.
    static let expected: [String: [[Value]]] = [
        // S's transfers in time order: D→S 10000 (block 99), S→A 5000 and S→B 3000 (block 100), S→C 2^256−1 of T.
        "address-timeline.cypher": [
            [.integer(988), .integer(99), a("d4"), .string(s), .amount(Amount(10000)), .null],
            [.integer(1000), .integer(100), .string(s), a("a1"), .amount(Amount(5000)), .null],
            [.integer(1000), .integer(100), .string(s), a("b2"), .amount(Amount(3000)), .null],
            [.integer(1036), .integer(103), .string(s), a("c3"), .amount(.max), a("7070")],
        ],
        // Everything S sent, largest first.
        "direct-receivers.cypher": [
            [.string(s), a("c3"), .amount(.max), .integer(1036)],
            [.string(s), a("a1"), .amount(Amount(5000)), .integer(1000)],
            [.string(s), a("b2"), .amount(Amount(3000)), .integer(1000)],
        ],
        // Native only: 5000 + 3000 in 2 transfers to 2 receivers.
        "sanctioned-outflows.cypher": [[.string(s), .amount(Amount(8000)), .integer(2), .integer(2)]],
        // S's native counterparties: D sent it 10000, it sent A 5000 and B 3000 (C's transfer is a token).
        "top-counterparties.cypher": [
            [a("d4"), .integer(1), .integer(0), .amount(Amount(10000)), .amount(Amount(10000))],
            [a("a1"), .integer(1), .amount(Amount(5000)), .integer(0), .amount(Amount(5000))],
            [a("b2"), .integer(1), .amount(Amount(3000)), .integer(0), .amount(Amount(3000))],
        ],
        // S is the listed address itself: it has no listed counterparty.
        "direct-sanctions-exposure.cypher": [],
        // S is not clustered in this store: it is alone, and D is in no cluster with it.
        "cluster-and-why.cypher": [],
        // S is listed itself (minimal hop 0, severe). Native transfers only: D→S 10000 in (D unlisted), S→A 5000 and
        // S→B 3000 out; nothing S sent comes back to it later, and taint from S never reaches S again.
        "indirect-exposure.cypher": [[.amount(.zero), .amount(.zero), .amount(.zero), .amount(.zero),
                                      .amount(Amount(10000)), .amount(Amount(8000)), .integer(0), .string("severe"),
                                      .integer(0)]],
        // S's receipt of 10000 is followed by 5000 and 3000 out: a 30 % peel is above 25 %, so no step, no chain.
        "peel-chain-from.cypher": [],
        // S → D ($target): the shortest paths have 2 hops, S → B → D (blocks 100, 101) and S → C → D; the latter
        // runs backwards (S → C is block 103, C → D block 102), so one row.
        "funds-flow-between.cypher": [
            [.integer(2), .list([.string(s), a("b2"), a("d4")]), .list([.amount(Amount(3000)), .amount(Amount(500))]),
                .list([.integer(1000), .integer(1012)])],
        ],
    ]

    /// Recipes run again with other parameters or on `Tests/Fixtures/typologies.csv` (answers in the fixtures'
    /// README): (recipe, fixture, parameters, rows).
    static let moreCases: [(String, String, [String: Value], [[Value]])] = [
        // C received 2^256 − 1 of token 0x…7070 from S.
        ("direct-sanctions-exposure.cypher", "investigation.csv", ["address": a("c3")],
            [[.string("in"), .string(s), a("7070"), .integer(1), .amount(.max)]]),
        // D sent S 10000 of the native coin (block 99).
        ("direct-sanctions-exposure.cypher", "investigation.csv", ["address": a("d4")],
            [[.string("out"), .string(s), .null, .integer(1), .amount(Amount(10000))]]),
        // The peel chain funded by F: P0 → P1 → P2 receive 100000, 95000, 80000 and peel 5000, 10000, 8000.
        ("peel-chain-from.cypher", "typologies.csv", ["address": a("f0")], [peelRow]),
        ("peel-chain-from.cypher", "typologies.csv", ["address": a("a0")], [peelRow]),
        // P1 starts only two steps (fewer than 3).
        ("peel-chain-from.cypher", "typologies.csv", ["address": a("a1")], []),
        // G → c_i → H for i = 1…5, 100·i each way, at 2260 and 2284.
        ("funds-flow-between.cypher", "typologies.csv", ["address": a("b0"), "target": a("d0")],
            (1...5).map { i in
                [.integer(2), .list([a("b0"), a("c\(i)"), a("d0")]),
                    .list([.amount(Amount(UInt64(100 * i))), .amount(Amount(UInt64(100 * i)))]),
                    .list([.integer(2260), .integer(2284)])]
            }),
        // Q1 → Q2 (block 212) is the only way; Q2 → Q1 → Q2 is not a path from Q1 and Q1 → Q2 → Q1 runs backwards.
        ("funds-flow-between.cypher", "typologies.csv", ["address": a("f1"), "target": a("f2")],
            [[.integer(1), .list([a("f1"), a("f2")]), .list([.amount(Amount(700))]), .list([.integer(2344)])]]),
        // K2 → K1: the only shortest path K2 → R → K1 runs backwards (block 210, then 208): no row.
        ("funds-flow-between.cypher", "typologies.csv", ["address": a("de"), "target": a("dd")], []),
        // R → K1 → K2 (blocks 208, 209).
        ("funds-flow-between.cypher", "typologies.csv", ["address": a("cc"), "target": a("de")],
            [[.integer(2), .list([a("cc"), a("dd"), a("de")]), .list([.amount(Amount(50000)), .amount(Amount(45000))]),
                .list([.integer(2296), .integer(2308)])]]),
    ]

    static let peelRow: [Value] = [
        .integer(3), a("f0"), .list([a("a0"), a("a1"), a("a2")]),
        .list([.amount(Amount(100000)), .amount(Amount(95000)), .amount(Amount(80000))]),
        .list([.amount(Amount(5000)), .amount(Amount(10000)), .amount(Amount(8000))]),
        .list([a("e0"), a("e1"), a("e2")]),
    ]

    static let recipes: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: TestPaths.queries)) ?? [])
            .filter { $0.hasSuffix(".cypher") }.sorted()
    }()

    @Test(arguments: recipes)
    func recipeGivesTheHandWorkedRows(name: String) throws {
        let expected = try #require(Self.expected[name], "no hand-worked answer for Queries/\(name): add one")
        let text = try String(contentsOfFile: TestPaths.queries + "/" + name, encoding: .utf8)
        let directory = TemporaryDirectory("recipe")
        let graph = try FixtureQueryTests.graph(directory)
        let rows = try graph.query(text, parameters: ["address": .string(Self.s), "target": Self.a("d4")]).all()
        #expect(rows == expected, "\(name)")
    }

    /// C's indirect exposure (haircut from S): S pays A 5000 and B 3000 (hop 1, fully tainted), A pays C 2000 and
    /// B pays C 1000 (hop 2, fully tainted): indirect in 3000 of total in 3000; C pays D 2500, which never reaches S
    /// (D paid S before): total out 2500. Share 3000/5500 ≥ 0.25: severe; two evidence paths (via A, via B).
    @Test func indirectExposureOfAnAddressTwoHopsAway() throws {
        let text = try String(contentsOfFile: TestPaths.queries + "/indirect-exposure.cypher", encoding: .utf8)
        let directory = TemporaryDirectory("recipe")
        let graph = try FixtureQueryTests.graph(directory)
        let rows = try graph.query(text, parameters: ["address": Self.a("c3")]).all()
        #expect(rows == [[.amount(.zero), .amount(Amount(3000)), .amount(.zero), .amount(.zero), .amount(Amount(3000)),
                          .amount(Amount(2500)), .integer(2), .string("severe"), .integer(2)]])
    }

    /// Deposit-address clustering with D tagged `exchange`: C sends only to D, so C is a deposit address and its
    /// payers A (tx …03), B (tx …04) and S (tx …06, a token payment) join it: {A, B, C, S}. Why S and A: S–C (tx …06),
    /// then C–A (tx …03).
    @Test func clusterRecipeExplainsTheMerges() throws {
        let text = try String(contentsOfFile: TestPaths.queries + "/cluster-and-why.cypher", encoding: .utf8)
        let directory = TemporaryDirectory("recipe")
        let graph = try FixtureQueryTests.graph(directory)
        try graph.importTags([TagRecord(address: FixtureIngestTests.address("d4"), tag: "exchange")])
        _ = try AddressClustering(store: graph.store, options: ClusteringOptions(heuristics: [.depositAddress])).run()
        let rows = try graph.query(text, parameters: ["address": .string(Self.s), "target": Self.a("a1")]).all()
        let cluster = try #require(rows.first?.first)
        func tx(_ n: Int) -> Value { .string("0x" + String(repeating: "0", count: 63) + "\(n)") }
        #expect(rows == [
            [cluster, .integer(4), .integer(1), .string(Self.s), Self.a("c3"), tx(6), .string("deposit-address")],
            [cluster, .integer(4), .integer(2), Self.a("c3"), Self.a("a1"), tx(3), .string("deposit-address")],
        ])
    }

    @Test func recipesGiveTheHandWorkedRowsForOtherParametersAndFixtures() throws {
        for (name, fixture, parameters, expected) in Self.moreCases {
            let text = try String(contentsOfFile: TestPaths.queries + "/" + name, encoding: .utf8)
            let directory = TemporaryDirectory("recipe")
            let graph =
                fixture == "typologies.csv"
                ? try TypologyTests.fixtureGraph(directory) : try FixtureQueryTests.graph(directory)
            let rows = try graph.query(text, parameters: parameters).all()
            #expect(rows == expected, "\(name) \(parameters)")
        }
    }
}
