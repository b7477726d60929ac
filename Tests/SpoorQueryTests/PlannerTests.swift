import SpoorStore
import Testing
@testable import SpoorQuery

@Suite struct PlannerTests {
    @Test(arguments: [
        "MATCH (a:Address {address: 'a0'})-[:TRANSFER]->(b) RETURN b.address",
        "MATCH (b)<-[:TRANSFER]-(a:Address) WHERE a.address = 'a0' RETURN b.address",
        "MATCH (b)<-[:TRANSFER]-(a:Address) WHERE a.address = $who RETURN b.address",
    ])
    func indexAnchorNeverScans(query: String) throws {
        let spy = SpyGraph(Fixture.graph())
        let result = try PreparedQuery.prepare(query).run(on: spy, parameters: ["who": .s("a0")]).all()
        #expect(Set(result.map { $0[0] }) == [.s("a1"), .s("a2")])
        #expect(spy.scans == 0)
        #expect(spy.lookups == 1)
    }

    @Test func tagAnchorNeverScans() throws {
        let spy = SpyGraph(Fixture.graph())
        let result = try PreparedQuery.prepare("MATCH (a:Address)-[t]->(b) WHERE 'ofac' IN a.tags RETURN a.address, b.address ORDER BY a.address, b.address").run(on: spy).all()
        #expect(result == [[.s("a0"), .s("a1")], [.s("a0"), .s("a2")], [.s("a3"), .s("a0")]])
        #expect(spy.scans == 0)
        #expect(spy.tagLookups == 1)
    }

    @Test func explainShowsAnchorAndPushedDownFilters() throws {
        let query = try PreparedQuery.prepare("""
            MATCH (b:Address)<-[t:TRANSFER]-(a:Address) WHERE a.address = 'a0' AND t.value > 10 AND b.balance > 1 RETURN b
            """)
        let plan = query.explain(on: Fixture.graph())
        // Each line ends with its estimate (checked in `explainEstimatesRowsFromGraphCounts`).
        let lines = plan.split(separator: "\n").map {
            String($0.trimmingCharacters(in: " ").split(separator: "  estimated rows: ").first ?? "")
        }
        #expect(lines.first == "ProduceResults b")
        #expect(lines.last == "Start")
        #expect(lines.dropLast().last == "NodeIndexSeek (a:Address {address: 'a0'})")
        // The relationship filter sits right above the expansion, below the filters on b.
        let expand = lines.firstIndex { $0.hasPrefix("Expand(All) (a)-[t:TRANSFER]->(b)") }
        let valueFilter = lines.firstIndex(of: "Filter t.value > 10")
        #expect(expand != nil && valueFilter != nil && valueFilter! < expand!)
        #expect(plan.contains("  "))  // indented
    }

    @Test func smallestLabelIsTheAnchorWithoutIndex() throws {
        let graph = Fixture.graph()
        let rare = graph.addNode(labels: ["Rare"], properties: [:])
        graph.addRelationship(type: "TRANSFER", from: NodeID(0), to: rare)
        let plan = try PreparedQuery.prepare("MATCH (a:Address)-[:TRANSFER]->(r:Rare) RETURN a").explain(on: graph)
        #expect(plan.contains("NodeByLabelScan (r:Rare)  estimated rows: 1\n"))
        #expect(!plan.contains("(a:Address)  estimated"))
    }

    /// The fixture has 6 Address nodes, 8 TRANSFER relationships (average out-degree 8/6) and 3 tag assignments over
    /// 2 tags (1.5 nodes per tag); estimates worked out by hand from those counts.
    @Test(arguments: [
        // Seek 1 (its predicate, kept as a filter above it, keeps that row); both directions 1 × 2 × 8/6 = 2.67 → 3.
        ("MATCH (a:Address {address: 'a0'})-[:TRANSFER]-(b) RETURN b", [
            "ProduceResults b  estimated rows: 3", "  Projection b  estimated rows: 3",
            "    Expand(Neighbors) (a)-[anon_2:TRANSFER]-(b)  estimated rows: 3",
            "      Filter a.address = 'a0'  estimated rows: 1",
            "        NodeIndexSeek (a:Address {address: 'a0'})  estimated rows: 1", "          Start  estimated rows: 1",
        ]),
        // Scan 6, 6 × 8/6 = 8 out, one aggregate row.
        ("MATCH (a:Address)-[:TRANSFER]->(b) RETURN count(*) AS n", [
            "ProduceResults n  estimated rows: 1", "  EagerAggregation keys: [] aggregates: [count(*)]  estimated rows: 1",
            "    Expand(Neighbors) (a)-[anon_2:TRANSFER]->(b)  estimated rows: 8",
            "      NodeByLabelScan (a:Address)  estimated rows: 6", "        Start  estimated rows: 1",
        ]),
        // 1..2 hops from one node: 8/6 + (8/6)^2 = 3.11 → 3.
        ("MATCH (a:Address {address: 'a0'})-[:TRANSFER*1..2]->(b) RETURN b", [
            "ProduceResults b  estimated rows: 3", "  Projection b  estimated rows: 3",
            "    VarLengthExpand(All) (a)-[anon_2:TRANSFER*1..2]->(b)  estimated rows: 3",
            "      Filter a.address = 'a0'  estimated rows: 1",
            "        NodeIndexSeek (a:Address {address: 'a0'})  estimated rows: 1", "          Start  estimated rows: 1",
        ]),
        // A tag seek: 1.5 → 2 (its filter keeps them); LIMIT 1 caps it.
        ("MATCH (a) WHERE 'ofac' IN a.tags RETURN a LIMIT 1", [
            "ProduceResults a  estimated rows: 1", "  Limit  estimated rows: 1", "    Projection a  estimated rows: 2",
            "      Filter 'ofac' IN a.tags  estimated rows: 2",
            "        NodeByTagSeek (a) 'ofac' IN a.tags  estimated rows: 2", "          Start  estimated rows: 1",
        ]),
    ])
    func explainEstimatesRowsFromGraphCounts(query: String, expected: [String]) throws {
        let plan = try PreparedQuery.prepare(query).explain(on: Fixture.graph())
        #expect(plan.split(separator: "\n").map(String.init) == expected, "\(plan)")
    }

    /// PROFILE's store reads on the in-memory graph: the seek is one index look-up; the expansion reads a0's one
    /// adjacency list holding its 2 outgoing relationships (t0, t1); the projection reads the 2 end nodes' records
    /// (b.address of a1 and a2).
    @Test func profileCountsReadsPerOperator() throws {
        let cursor = try PreparedQuery.prepare("PROFILE MATCH (a:Address {address: 'a0'})-[:TRANSFER]->(b) RETURN b.address")
            .run(on: Fixture.graph())
        #expect(try cursor.all().count == 2)
        let profile = try #require(cursor.profile)
        let lines = profile.split(separator: "\n").map(String.init)
        func line(_ prefix: String) -> String { lines.first { $0.drop { $0 == " " }.hasPrefix(prefix) } ?? "" }
        func reads(_ prefix: String) -> String { String(line(prefix).split(separator: "store reads: ").last ?? "") }
        #expect(reads("NodeIndexSeek") == "adjacency: 0 lists / 0 records, node records: 0, index seeks: 1", "\(profile)")
        #expect(reads("Expand(Neighbors)") == "adjacency: 1 lists / 2 records, node records: 0, index seeks: 0", "\(profile)")
        #expect(reads("Projection") == "adjacency: 0 lists / 0 records, node records: 2, index seeks: 0", "\(profile)")
        #expect(line("Expand(Neighbors)").contains("rows: 2, time: "), "\(profile)")
    }

    /// A WHERE on a named path filters the built path (openCypher TCK MatchWhere1 [12]). From a0, two hops:
    /// a0→a1 then a1→a2 (t2) or a1→a3 (t5); a0→a2 then a2→a3 (t3) or a2→a1 (t7) (see ``Fixture``).
    @Test func predicateOnANamedPathSeesThePath() throws {
        let rows = try Fixture.column(
            "MATCH p = (a:Address {address: 'a0'})-[*1..2]->(b) WHERE length(p) = 2 RETURN b.address ORDER BY b.address")
        #expect(rows == [.s("a1"), .s("a2"), .s("a3"), .s("a3")])
    }

    /// A literal SKIP or LIMIT that is negative or not an integer fails when the query is prepared (openCypher TCK
    /// ReturnSkipLimit1 [7] [9], ReturnSkipLimit2 [12] [16]); a parameter is checked when it runs.
    @Test(arguments: ["RETURN 1 AS x SKIP -1", "RETURN 1 AS x LIMIT -2", "RETURN 1 AS x SKIP 1.5", "RETURN 1 AS x LIMIT 'a'"])
    func badLiteralSkipOrLimitFailsAtPrepare(query: String) {
        #expect(throws: QueryError.self) { try PreparedQuery.prepare(query) }
    }

    /// An aggregate in WITH needs a name, as any non-variable expression there (TCK With4 [5]).
    @Test func unaliasedAggregateInWithFails() throws {
        #expect(throws: QueryError.self) { try PreparedQuery.prepare("MATCH (a) WITH a, count(*) RETURN a") }
        // Fixture: 6 addresses.
        #expect(try Fixture.column("MATCH (a) WITH count(*) AS n RETURN n") == [.integer(6)])
    }

    /// A WHERE known not to be a Boolean fails at prepare (TCK Pattern1 [11]); a property stays a run-time check.
    @Test func nonBooleanWhereFailsAtPrepare() throws {
        for query in ["MATCH (n) WHERE (n) RETURN n", "MATCH (n) WHERE 1 RETURN n", "MATCH (n) WITH n WHERE 'x' RETURN n"] {
            #expect(throws: QueryError.self, "\(query)") { try PreparedQuery.prepare(query) }
        }
        _ = try PreparedQuery.prepare("MATCH (n) WHERE n.flag RETURN n")
    }

    @Test func negativeLimitParameterFailsWhenRun() throws {
        let query = try PreparedQuery.prepare("RETURN 1 AS x LIMIT $n")
        #expect(throws: QueryError.self) { try query.run(on: Fixture.graph(), parameters: ["n": .integer(-1)]).all() }
        #expect(try query.run(on: Fixture.graph(), parameters: ["n": .integer(0)]).all().isEmpty)
    }

    @Test func limitStopsPulling() throws {
        let spy = SpyGraph(Fixture.graph())
        let rows = try PreparedQuery.prepare("MATCH (a:Address)-[:TRANSFER]->(b) RETURN b LIMIT 1").run(on: spy).all()
        #expect(rows.count == 1)
        #expect(spy.expands == 1)
    }

    @Test func limitsAreEnforced() {
        let rows = Fixture.error("MATCH (a), (b), (c) RETURN a", limits: QueryLimits(maxRows: 10))
        #expect(rows?.kind == .limit)
        #expect(rows?.message == "query returned more than 10 rows; add LIMIT or raise maxRows")
        let expansions = Fixture.error("MATCH (a)-[*1..5]-(b) RETURN count(*)", limits: QueryLimits(maxExpansions: 20))
        #expect(expansions?.kind == .limit)
        let timeout = Fixture.error("UNWIND range(1, 3000000) AS x RETURN count(*)", limits: QueryLimits(timeout: .zero))
        #expect(timeout?.kind == .limit)
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        var text = self
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}
