import SpoorStore
import Testing
@testable import SpoorQuery

/// UNION, CALL, shortestPath and PROFILE on the fixture graph (see ``Fixture``):
/// a0→a1, a0→a2, a1→a2, a2→a3, a3→a0, a1→a3, a4→a4, a2→a1; a5 has no transfers.
@Suite struct ClauseTCKTests {
    private func strings(_ query: String, _ parameters: [String: Value] = [:]) throws -> [String] {
        try Fixture.column(query, parameters).map { value in
            if case .string(let text) = value { return text }
            return "\(value)"
        }
    }

    // MARK: UNION

    @Test func unionRemovesDuplicatesAcrossParts() throws {
        // a0 sends to a1, a2; a2 sends to a3, a1 → {a1, a2, a3}.
        let query = """
            MATCH (:Address {address: 'a0'})-[:TRANSFER]->(b) RETURN b.address AS x
            UNION MATCH (:Address {address: 'a2'})-[:TRANSFER]->(b) RETURN b.address AS x
            """
        #expect(try strings(query).sorted() == ["a1", "a2", "a3"])
    }

    @Test func unionAllKeepsDuplicates() throws {
        let query = """
            MATCH (:Address {address: 'a0'})-[:TRANSFER]->(b) RETURN b.address AS x
            UNION ALL MATCH (:Address {address: 'a2'})-[:TRANSFER]->(b) RETURN b.address AS x
            """
        #expect(try strings(query).sorted() == ["a1", "a1", "a2", "a3"])
        #expect(try Fixture.column("RETURN 1 AS x UNION ALL RETURN 1 AS x UNION ALL RETURN 2 AS x") == [.integer(1), .integer(1), .integer(2)])
        #expect(try Fixture.column("RETURN 1 AS x UNION RETURN 1 AS x UNION RETURN 2 AS x") == [.integer(1), .integer(2)])
    }

    @Test func unionKeepsColumnsOfDifferentSlots() throws {
        let rows = try Fixture.rows("UNWIND [1, 2] AS a RETURN a AS x, a * 10 AS y UNION ALL WITH 5 AS q RETURN q AS x, null AS y")
        #expect(rows == [[.integer(1), .integer(10)], [.integer(2), .integer(20)], [.integer(5), .null]])
    }

    @Test func unionNeedsTheSameColumnNames() throws {
        let error = Fixture.error("RETURN 1 AS x UNION RETURN 2 AS y")
        #expect(error?.kind == .semantic)
        #expect(error?.range.start == 14)  // the UNION keyword
        #expect(error?.message.contains("same column names") == true)
        #expect(Fixture.error("RETURN 1 AS x UNION RETURN 2 AS x UNION ALL RETURN 3 AS x")?.kind == .semantic)
        #expect(Fixture.error("RETURN 1 AS x UNION")?.kind == .syntax)
    }

    // MARK: CALL

    @Test func neighborsYieldsInQuery() throws {
        // a1 out: t2 → a2, t5 → a3; in: t0 from a0, t7 from a2.
        #expect(try strings("CALL spoor.neighbors('a1', 'out') YIELD neighbor RETURN neighbor.address ORDER BY neighbor.address") == ["a2", "a3"])
        #expect(try strings("CALL spoor.neighbors('a1', 'in') YIELD neighbor AS n RETURN n.address ORDER BY n.address") == ["a0", "a2"])
        let count = try Fixture.column("CALL spoor.neighbors('a1', 'both') YIELD neighbor WHERE neighbor.address <> 'a2' RETURN count(*)")
        #expect(count == [.integer(2)])
        let types = try Fixture.column("CALL spoor.neighbors('a0', 'out') YIELD relationship RETURN sum(relationship.value)")
        #expect(types == [.amount(Amount(150))])
    }

    @Test func callPerInputRow() throws {
        let query = """
            MATCH (a:Address) WHERE a.address IN ['a0', 'a3']
            CALL spoor.neighbors(a.address, 'out') YIELD neighbor
            RETURN a.address, neighbor.address ORDER BY a.address, neighbor.address
            """
        let rows = try Fixture.rows(query)
        #expect(rows == [[.s("a0"), .s("a1")], [.s("a0"), .s("a2")], [.s("a3"), .s("a0")]])
    }

    @Test func standaloneCall() throws {
        let prepared = try PreparedQuery.prepare("CALL spoor.neighbors('a1', 'in')")
        #expect(prepared.columns == ["neighbor", "relationship"])
        #expect(try prepared.run(on: Fixture.graph()).all().count == 2)
        // Without parentheses the arguments come from parameters of the same names.
        let implicit = try PreparedQuery.prepare("CALL spoor.neighbors")
        #expect(implicit.parameterNames == ["address", "direction"])
        let rows = try implicit.run(on: Fixture.graph(), parameters: ["address": .s("a3"), "direction": .s("out")]).all()
        #expect(rows.count == 1)
    }

    @Test func procedureListingAndCustomRegistry() throws {
        let names = try strings("CALL spoor.procedures() YIELD name RETURN name ORDER BY name")
        #expect(names == ProcedureRegistry.standard.all.map(\.name))
        #expect(names.contains("spoor.neighbors") && names.contains("spoor.procedures") && names.contains("spoor.cluster.why"))
        #expect(["fanIn", "fanOut", "passThrough", "peelChains", "roundTrips"].allSatisfy {
            names.contains("spoor.typology." + $0)
        })
        #expect(names.contains("spoor.exposure") && names.contains("spoor.taint"))
        var registry = ProcedureRegistry.standard
        registry.register(Procedure(name: "test.double", parameters: [("x", .integer)], outputs: [("y", .integer)]) { invocation in
            guard case .integer(let x) = invocation.arguments[0] else { return [[.null]] }
            return [[.integer(x * 2)]]
        })
        let prepared = try PreparedQuery.prepare("UNWIND [1, 2] AS v CALL test.double(v) YIELD y RETURN y", procedures: registry)
        #expect(try prepared.run(on: Fixture.graph(), procedures: registry).all() == [[.integer(2)], [.integer(4)]])
        let listed = try PreparedQuery.prepare("CALL spoor.procedures() YIELD name RETURN count(*)").run(on: Fixture.graph(), procedures: registry).all()
        #expect(listed == [[.integer(Int64(ProcedureRegistry.standard.all.count + 1))]])
        let wrongType = Fixture.errorThrown { _ = try prepared.run(on: Fixture.graph(), procedures: registry).all() }
        #expect(wrongType == nil)
        let literal = Fixture.errorThrown {
            _ = try PreparedQuery.prepare("CALL test.double('a') YIELD y RETURN y", procedures: registry).run(on: Fixture.graph(), procedures: registry).all()
        }
        #expect(literal?.kind == .semantic)
        let bad = Fixture.errorThrown {
            _ = try PreparedQuery.prepare("CALL test.double($x) YIELD y RETURN y", procedures: registry)
                .run(on: Fixture.graph(), parameters: ["x": .s("a")], procedures: registry).all()
        }
        #expect(bad?.kind == .runtime)
    }

    @Test func callErrors() throws {
        let unknown = Fixture.error("CALL spoor.nope() YIELD x RETURN x")
        #expect(unknown?.kind == .semantic)
        #expect(unknown?.message.contains("spoor.nope") == true)
        #expect(unknown?.range.start == 5)
        #expect(Fixture.error("CALL spoor.neighbors('a1') YIELD neighbor RETURN neighbor")?.kind == .semantic)
        #expect(Fixture.error("CALL spoor.neighbors('a1', 'out') YIELD nobody RETURN nobody")?.kind == .semantic)
        #expect(Fixture.error("MATCH (a) CALL spoor.neighbors('a1', 'out') RETURN a")?.kind == .semantic)
        #expect(Fixture.error("CALL spoor.neighbors('a1', 'sideways') YIELD neighbor RETURN neighbor")?.kind == .runtime)
    }

    // MARK: shortestPath

    @Test func shortestPathLength() throws {
        // a0 → a3: a0→a1→a3 or a0→a2→a3, two hops; undirected there is the direct t4.
        let directed = "MATCH (a:Address {address: 'a0'}), (b:Address {address: 'a3'}) MATCH p = shortestPath((a)-[:TRANSFER*..5]->(b)) RETURN length(p)"
        #expect(try Fixture.column(directed) == [.integer(2)])
        let all = "MATCH (a:Address {address: 'a0'}), (b:Address {address: 'a3'}), p = allShortestPaths((a)-[:TRANSFER*]->(b)) RETURN [n IN nodes(p) | n.address]"
        let paths = try Fixture.column(all).map { "\($0)" }.sorted()
        #expect(paths.count == 2)
        #expect(try Fixture.column(all).contains(.list([.s("a0"), .s("a1"), .s("a3")])))
        #expect(try Fixture.column(all).contains(.list([.s("a0"), .s("a2"), .s("a3")])))
        let undirected = "MATCH (a:Address {address: 'a0'}), (b:Address {address: 'a3'}) MATCH p = shortestPath((a)-[*]-(b)) RETURN length(p)"
        #expect(try Fixture.column(undirected) == [.integer(1)])
        // a3 → a1 only through a0 (a3's one outgoing transfer is t4).
        let back = "MATCH (a:Address {address: 'a3'}), (b:Address {address: 'a1'}) MATCH p = allShortestPaths((a)-[*]->(b)) RETURN [n IN nodes(p) | n.address]"
        #expect(try Fixture.column(back) == [.list([.s("a3"), .s("a0"), .s("a1")])])
    }

    @Test func shortestPathRespectsBoundsAndUnreachable() throws {
        #expect(try Fixture.column("MATCH (a:Address {address: 'a0'})-[*3..1]->(b) RETURN b").isEmpty)  // empty range: no rows
        #expect(try Fixture.column("MATCH (a:Address {address: 'a0'}), (b:Address {address: 'a3'}) MATCH p = shortestPath((a)-[*..1]->(b)) RETURN p").isEmpty)
        #expect(try Fixture.column("MATCH (a:Address {address: 'a0'}), (b:Address {address: 'a5'}) MATCH p = shortestPath((a)-[*]-(b)) RETURN p").isEmpty)
        let relationships = try Fixture.column("MATCH (a:Address {address: 'a0'}), (b:Address {address: 'a2'}) MATCH shortestPath((a)-[r*]->(b)) RETURN [x IN r | x.n]")
        #expect(relationships == [.list([.integer(1)])])
    }

    @Test func shortestPathCountsExpansions() throws {
        let query = "MATCH (a:Address {address: 'a0'}), (b:Address {address: 'a5'}) MATCH p = shortestPath((a)-[*]-(b)) RETURN p"
        let error = Fixture.error(query, limits: QueryLimits(maxExpansions: 2))
        #expect(error?.kind == .limit)
        #expect(Fixture.error("MATCH p = shortestPath((a)-->()-->(b)) RETURN p")?.kind == .semantic)
    }

    // MARK: Pattern predicates

    @Test func patternPredicatesInWhere() throws {
        // Senders to a3: a2 (t3) and a1 (t5).
        #expect(try strings("MATCH (a:Address) WHERE (a)-[:TRANSFER]->(:Address {address: 'a3'}) RETURN a.address ORDER BY a.address") == ["a1", "a2"])
        // Only a5 sends nothing (a4 has its self-loop).
        #expect(try strings("MATCH (a:Address) WHERE NOT (a)-->() RETURN a.address") == ["a5"])
        #expect(try strings("MATCH (a:Address), (b:Address) WHERE a.address = 'a0' AND (a)-->(b) RETURN b.address ORDER BY b.address") == ["a1", "a2"])
        // Receivers from a0 that also send back towards a0 in two hops: a1→a3→a0? no (a1→a3, a3→a0: yes); a2→a3→a0: yes.
        #expect(try strings("MATCH (x:Address {address: 'a0'})-->(b) WHERE (b)-->()-->(x) RETURN b.address ORDER BY b.address") == ["a1", "a2"])
        #expect(try Fixture.column("MATCH (a:Address {address: 'a5'}) RETURN exists((a)--()) AS x, exists((a)<--()) OR true AS y").count == 1)
        #expect(try Fixture.rows("MATCH (a:Address {address: 'a4'}) RETURN exists((a)-->(a)), exists((a)-->(:Address {address: 'a0'}))") == [[.bool(true), .bool(false)]])
        #expect(Fixture.error("MATCH (a) WHERE (a)-[r]->() RETURN a")?.kind == .semantic)
        // Parenthesised expressions still parse as expressions.
        #expect(try Fixture.column("WITH 3 AS a RETURN (a) - (1) * (a)") == [.integer(0)])
    }

    @Test func patternComprehensions() throws {
        // a1 sends t2 (to a2) and t5 (value 3, to a3).
        let received = try Fixture.column("MATCH (a:Address {address: 'a1'}) RETURN [(a)-[t:TRANSFER]->(b) | b.address] AS x")
        #expect(received.first.map { value -> [Value] in if case .list(let items) = value { return items.sorted { "\($0)" < "\($1)" } } else { return [] } } == [.s("a2"), .s("a3")])
        let filtered = try Fixture.column("MATCH (a:Address {address: 'a1'}) RETURN [p = (a)-[t:TRANSFER]->() WHERE t.value < 10 | length(p)] AS x")
        #expect(filtered == [.list([.integer(1)])])
        // Out-degree per address: a0 2, a1 2, a2 2, a3 1, a4 1, a5 0.
        let degrees = try Fixture.column("MATCH (a:Address) RETURN size([(a)-->() | 1]) ORDER BY a.address")
        #expect(degrees == [2, 2, 2, 1, 1, 0].map { Value.integer($0) })
        #expect(Fixture.error("MATCH (a) RETURN (a)-->()")?.kind == .syntax)
    }

    // MARK: Clause scoping

    @Test func valueVariablesCannotBecomeNodes() throws {
        let error = Fixture.error("WITH 123 AS n MATCH (n) RETURN n")
        #expect(error?.kind == .semantic)
        #expect(error?.range.start == 21)
        #expect(Fixture.error("WITH [] AS r MATCH ()-[r]->() RETURN r")?.kind == .semantic)
        // A node passed through WITH stays a node.
        #expect(try strings("MATCH (a:Address {address: 'a4'}) WITH a AS n MATCH (n)-->(m) RETURN m.address") == ["a4"])
    }

    @Test func withWhereSeesEarlierVariables() throws {
        // Balances: a0 10, a2 5.
        #expect(try strings("MATCH (a:Address) WITH a.address AS name WHERE a.balance > 6 RETURN name") == ["a0"])
        #expect(Fixture.error("MATCH (a:Address) WITH count(*) AS c WHERE a.balance > 6 RETURN c")?.kind == .semantic)
    }

    @Test func reversedVariableLengthKeepsPatternOrder() throws {
        // Planned from b (index seek) backwards; two-hop paths a0→a1→a3 (t0, t5) and a0→a2→a3 (t1, t3).
        let query = "MATCH p = (a)-[r:TRANSFER*2..2]->(b:Address {address: 'a3'}) WHERE a.address = 'a0' RETURN [x IN r | x.n], [n IN nodes(p) | n.address]"
        #expect(try PreparedQuery.prepare(query).explain(on: Fixture.graph()).contains("NodeIndexSeek (b:Address"))
        let rows = try Fixture.rows(query).sorted { "\($0)" < "\($1)" }
        #expect(rows == [
            [.list([.integer(0), .integer(5)]), .list([.s("a0"), .s("a1"), .s("a3")])],
            [.list([.integer(1), .integer(3)]), .list([.s("a0"), .s("a2"), .s("a3")])],
        ])
    }

    // MARK: PROFILE

    @Test func profileCountsRowsPerOperator() throws {
        let prepared = try PreparedQuery.prepare("PROFILE MATCH (a:Address {address: 'a0'})-[:TRANSFER]->(b) RETURN b.address")
        #expect(prepared.isProfile)
        let cursor = try prepared.run(on: Fixture.graph())
        #expect(try cursor.all().count == 2)
        let profile = try #require(cursor.profile)
        #expect(profile.contains("NodeIndexSeek"))
        #expect(profile.contains("Expand(Neighbors) (a)-[anon_2:TRANSFER]->(b)  rows: 2"))
        #expect(profile.hasSuffix("expansions: 2"))
        #expect(try PreparedQuery.prepare("MATCH (a) RETURN a").run(on: Fixture.graph()).profile == nil)
    }
}

extension Fixture {
    static func errorThrown(_ body: () throws -> Void) -> QueryError? {
        do {
            try body()
            return nil
        } catch let error as QueryError {
            return error
        } catch {
            return nil
        }
    }
}
