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
