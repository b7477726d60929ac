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
        let lines = plan.split(separator: "\n").map { $0.trimmingCharacters(in: " ") }
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
        #expect(plan.contains("NodeByLabelScan (r:Rare)\n"))
        #expect(!plan.contains("(a:Address)\n"))
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
