import Testing
@testable import SpoorQuery

@Suite struct PreparedQueryCacheTests {
    @Test func repeatedTextIsPreparedOnceAndRunsWithNewParameters() throws {
        let cache = PreparedQueryCache(capacity: 4)
        let text = "MATCH (a:Address {address: $a})-[:TRANSFER]->(b) RETURN b.address ORDER BY b.address"
        let first = try cache.prepared(text)
        let second = try cache.prepared(text)
        #expect(cache.count == 1)
        #expect(first.text == second.text && first.columns == ["b.address"])
        // Fixture: a0 sent to a1 and a2; a1 sent to a2 and a3.
        #expect(try second.run(on: Fixture.graph(), parameters: ["a": .s("a0")]).all() == [[.s("a1")], [.s("a2")]])
        #expect(try second.run(on: Fixture.graph(), parameters: ["a": .s("a1")]).all() == [[.s("a2")], [.s("a3")]])
    }

    @Test func errorsAreNotCachedAndTheLeastRecentlyUsedGo() throws {
        let cache = PreparedQueryCache(capacity: 4)
        for _ in 0..<2 {
            #expect(throws: QueryError.self) { try cache.prepared("MATCH (a RETURN a") }
        }
        #expect(cache.count == 0)
        for n in 0..<4 { _ = try cache.prepared("RETURN \(n) AS n") }
        _ = try cache.prepared("RETURN 0 AS n")  // the most recently used now
        _ = try cache.prepared("RETURN 4 AS n")  // full: the 2 most recent stay (RETURN 0, RETURN 3), then this one
        #expect(cache.count == 3)
    }
}

@Suite struct PlanCacheTests {
    /// A graph without an index catalog (SpyGraph): the second run with the same counts reuses the plan, and a graph
    /// whose counts changed is planned again (the anchor moves to the now smaller label).
    @Test func planIsReusedWhileTheCountsAreTheSame() throws {
        let query = try PreparedQuery.prepare("MATCH (a:Address)-[:TRANSFER]->(r:Rare) RETURN a.address")
        let base = Fixture.graph()
        let spy = SpyGraph(base)
        // No Rare node yet: nothing matches, either way round.
        #expect(try query.run(on: spy).all().isEmpty)
        #expect(try query.run(on: spy).all().isEmpty)
        // One Rare node (a5 → it): 1 Rare < 6 Address, the plan must now start at r (checked through the answer).
        let rare = base.addNode(labels: ["Rare"], properties: [:])
        base.addRelationship(type: "TRANSFER", from: NodeID(5), to: rare)
        #expect(try query.run(on: SpyGraph(base)).all() == [[.s("a5")]])
        #expect(query.explain(on: SpyGraph(base)).contains("NodeByLabelScan (r:Rare)"))
    }
}
