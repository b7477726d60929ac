import SpoorStore
import SpoorTestSupport
import Testing
@testable import SpoorQuery

/// Frontier plans (neighbours-only expansion, `FrontierExpand(Distinct)`, `BreadthFirstReach(Distinct)`) against the
/// plans that build every relationship and enumerate every path (``Planner/frontierDisabled``), and against a
/// deliberately simple reachability oracle written here.
@Suite struct FrontierTests {
    /// A random directed multigraph: `nodes` nodes `(:N {id: i})`, about a third also `:X`; edges `:T` (and a few
    /// `:U`) drawn uniformly, so self-loops and parallel edges occur.
    static func randomGraph(_ rng: inout SeededGenerator) -> (graph: InMemoryGraph, nodes: Int, edges: [(Int, Int, String)]) {
        let graph = InMemoryGraph()
        graph.addIndex(label: "N", property: "id")
        let count = Int.random(in: 1...9, using: &rng)
        var ids: [NodeID] = []
        for index in 0..<count {
            let labels = Int.random(in: 0..<3, using: &rng) == 0 ? ["N", "X"] : ["N"]
            ids.append(graph.addNode(labels: labels, properties: ["id": .integer(Int64(index))]))
        }
        var edges: [(Int, Int, String)] = []
        for _ in 0..<Int.random(in: 0...(count * 3), using: &rng) {
            let from = Int.random(in: 0..<count, using: &rng)
            let to = Int.random(in: 0..<count, using: &rng)
            let type = Int.random(in: 0..<6, using: &rng) == 0 ? "U" : "T"
            edges.append((from, to, type))
            _ = graph.addRelationship(type: type, from: ids[from], to: ids[to])
        }
        return (graph, count, edges)
    }

    /// Rows of `query` with the frontier plans and with path enumeration.
    static func bothPlans(_ query: String, _ parameters: [String: Value], graph: InMemoryGraph) throws -> (frontier: [[Value]], paths: [[Value]]) {
        let frontier = try PreparedQuery.prepare(query).run(on: graph, parameters: parameters).all()
        let paths = try Planner.$frontierDisabled.withValue(true) {
            try PreparedQuery.prepare(query).run(on: graph, parameters: parameters).all()
        }
        return (frontier, paths)
    }

    static func sorted(_ rows: [[Value]]) -> [String] { rows.map { "\($0)" }.sorted() }

    /// The oracle: ends of walks with no repeated edge, length in min...max, found by trying every edge sequence
    /// (tiny graphs only).
    static func trailEnds(from start: Int, edges: [(Int, Int, String)], outgoing: Bool, min: Int, max: Int) -> Set<Int> {
        let usable = edges.enumerated().filter { $0.element.2 == "T" }
        var ends = Set<Int>()
        func walk(_ node: Int, _ used: Set<Int>) {
            if used.count >= min { ends.insert(node) }
            guard used.count < max else { return }
            for (index, edge) in usable where !used.contains(index) {
                let (from, to) = outgoing ? (edge.0, edge.1) : (edge.1, edge.0)
                if from == node { walk(to, used.union([index])) }
            }
        }
        walk(start, [])
        return ends
    }

    /// 240 random multigraphs, every node as the start, both directions and several bounds: the breadth-first plan
    /// gives the path-enumerating plan's answer, and both give the oracle's.
    @Test func variableLengthReachMatchesPathEnumeration() throws {
        var rng = SeededGenerator(seed: 2026)
        var checked = 0
        var frontierPlans = 0
        for _ in 0..<240 {
            let (graph, count, edges) = Self.randomGraph(&rng)
            for (minimum, maximum) in [(1, 1), (1, 2), (1, 3), (0, 2), (0, 0), (1, 4), (1, 0)] {
                for outgoing in [true, false] {
                    let arrow = outgoing ? "-[:T*\(minimum)..\(maximum)]->" : "<-[:T*\(minimum)..\(maximum)]-"
                    let start = Int.random(in: 0..<count, using: &rng)
                    let parameters: [String: Value] = ["s": .integer(Int64(start))]
                    let countQuery = "MATCH (a:N {id: $s})\(arrow)(c) RETURN count(DISTINCT c)"
                    let (frontier, paths) = try Self.bothPlans(countQuery, parameters, graph: graph)
                    let oracle = Self.trailEnds(from: start, edges: edges, outgoing: outgoing, min: minimum, max: maximum)
                    #expect(frontier == paths, "\(countQuery) start \(start) edges \(edges)")
                    #expect(frontier == [[.integer(Int64(oracle.count))]], "\(countQuery) start \(start) edges \(edges)")
                    let distinctQuery = "MATCH (a:N {id: $s})\(arrow)(c:X) RETURN DISTINCT c.id"
                    let (frontierRows, pathRows) = try Self.bothPlans(distinctQuery, parameters, graph: graph)
                    #expect(Self.sorted(frontierRows) == Self.sorted(pathRows), "\(distinctQuery) start \(start) edges \(edges)")
                    if try PreparedQuery.prepare(countQuery).explain(on: graph).contains("BreadthFirstReach(Distinct)") {
                        frontierPlans += 1
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == 240 * 7 * 2)
        #expect(frontierPlans == checked)  // the rewrite was in every plan
    }

    /// Unbounded runs (`*`, `*1..`, `*0..`) by breadth-first search to exhaustion, against path enumeration.
    @Test func unboundedReachMatchesPathEnumeration() throws {
        var rng = SeededGenerator(seed: 77)
        for _ in 0..<200 {
            let (graph, count, _) = Self.randomGraph(&rng)
            let start = Int.random(in: 0..<count, using: &rng)
            for pattern in ["-[:T*]->", "<-[:T*1..]-", "-[*0..]->"] {
                let query = "MATCH (a:N {id: $s})\(pattern)(c) RETURN count(DISTINCT c), sum(DISTINCT c.id)"
                let (frontier, paths) = try Self.bothPlans(query, ["s": .integer(Int64(start))], graph: graph)
                #expect(frontier == paths, "\(query)")
            }
        }
    }

    /// The 3-hop `WITH DISTINCT` chain (the benchmark query's shape), counts of parallel edges through
    /// neighbours-only expansion, and a filter on the reached node, on 200 random multigraphs.
    @Test func frontierChainsMatchRelationshipPlans() throws {
        var rng = SeededGenerator(seed: 9)
        let queries = [
            "MATCH (a:N {id: $s})-[:T]->(b:N) WITH DISTINCT b MATCH (b)-[:T]->(c:N) WITH DISTINCT c MATCH (c)-[:T]->(d:N) RETURN count(DISTINCT d)",
            "MATCH (a:N {id: $s})<-[:T]-(b) WITH DISTINCT b MATCH (b)-[]-(c:X) RETURN DISTINCT c.id AS id ORDER BY id",
            "MATCH (a:N {id: $s})-[:T]->(b) RETURN count(*), count(b)",
            "MATCH (a:N {id: $s})-[r:T]->(b) WITH DISTINCT b WHERE b.id > 1 RETURN b.id ORDER BY b.id",
            "MATCH (a:N)-[:T|U]->(b) WITH DISTINCT b RETURN count(*)",
            "MATCH (a:N {id: $s})-[:T]-(b) RETURN b.id ORDER BY b.id",
            "MATCH (a:N {id: $s})-[:T]->(b) WITH DISTINCT b MATCH (b)-[:T*1..2]->(c) RETURN count(DISTINCT c), min(DISTINCT c.id), max(DISTINCT c.id)",
        ]
        for _ in 0..<200 {
            let (graph, count, _) = Self.randomGraph(&rng)
            let start = Int.random(in: 0..<count, using: &rng)
            for query in queries {
                let (frontier, paths) = try Self.bothPlans(query, ["s": .integer(Int64(start))], graph: graph)
                #expect(Self.sorted(frontier) == Self.sorted(paths), "\(query)")
            }
        }
    }

    /// By hand on the shared fixture (a0→a1, a0→a2, a1→a2, a2→a3, a3→a0, a1→a3, a4→a4, a2→a1): from a0, one hop
    /// reaches {a1, a2}; two hops {a2, a3, a1}; three hops {a3, a1, a2, a0}. `*1..3` from a0: a1, a2, a3 and a0
    /// itself (a3 at distance 2 has a3→a0): 4. a4: its self-loop makes it its own end at `*1..1`.
    @Test func handWorkedFixtureCounts() throws {
        let threeHop = """
            MATCH (a:Address {address: 'a0'})-[:TRANSFER]->(b:Address) WITH DISTINCT b
            MATCH (b)-[:TRANSFER]->(c:Address) WITH DISTINCT c
            MATCH (c)-[:TRANSFER]->(d:Address) RETURN count(DISTINCT d)
            """
        #expect(try Fixture.column(threeHop) == [.integer(4)])
        #expect(try Fixture.column("MATCH (a:Address {address: 'a0'})-[:TRANSFER*1..3]->(c:Address) RETURN count(DISTINCT c)") == [.integer(4)])
        #expect(try Fixture.column("MATCH (a:Address {address: 'a0'})-[:TRANSFER*1..1]->(c) RETURN count(DISTINCT c)") == [.integer(2)])
        #expect(try Fixture.column("MATCH (a:Address {address: 'a4'})-[:TRANSFER*1..1]->(c) RETURN count(DISTINCT c)") == [.integer(1)])
        #expect(try Fixture.column("MATCH (a:Address {address: 'a5'})-[:TRANSFER*1..3]->(c) RETURN count(DISTINCT c)") == [.integer(0)])
        #expect(try Fixture.column("MATCH (a:Address {address: 'a5'})-[:TRANSFER*0..3]->(c) RETURN count(DISTINCT c)") == [.integer(1)])
        // a1 has two out-edges and a2 two in-edges from a0's neighbours (a1→a2 and a0→a2 ...): count(*) keeps multiplicity.
        #expect(try Fixture.column("MATCH (a:Address {address: 'a0'})-[:TRANSFER]->(b)-[:TRANSFER]->(c) RETURN count(*)") == [.integer(4)])
    }

    @Test func explainNamesTheFrontierOperators() throws {
        let graph = Fixture.graph()
        let threeHop = try PreparedQuery.prepare("""
            MATCH (a:Address {address: $a})-[:TRANSFER]->(b:Address) WITH DISTINCT b
            MATCH (b)-[:TRANSFER]->(c:Address) WITH DISTINCT c
            MATCH (c)-[:TRANSFER]->(d:Address) RETURN count(DISTINCT d)
            """).explain(on: graph)
        #expect(threeHop.split(separator: "\n").filter { $0.contains("FrontierExpand(Distinct)") }.count == 3, "\(threeHop)")
        #expect(!threeHop.contains("Expand(All)") && !threeHop.contains("\n  Distinct"), "\(threeHop)")
        let reach = try PreparedQuery.prepare("MATCH (a:Address {address: $a})-[:TRANSFER*1..3]->(c:Address) RETURN count(DISTINCT c)").explain(on: graph)
        #expect(reach.contains("BreadthFirstReach(Distinct) (a)-[:TRANSFER*1..3]->(c) WHERE c:Address"), "\(reach)")
        // Undirected runs, named paths and read relationships keep the relationship plans.
        let undirected = try PreparedQuery.prepare("MATCH (a:Address {address: $a})-[:TRANSFER*1..3]-(c) RETURN count(DISTINCT c)").explain(on: graph)
        #expect(undirected.contains("VarLengthExpand(All)"), "\(undirected)")
        let path = try PreparedQuery.prepare("MATCH p = (a:Address {address: $a})-[:TRANSFER*1..3]->(c) RETURN count(DISTINCT c), count(p)").explain(on: graph)
        #expect(path.contains("VarLengthExpand(All)"), "\(path)")
        let read = try PreparedQuery.prepare("MATCH (a:Address {address: $a})-[t:TRANSFER]->(b) WITH DISTINCT b, t.value AS v RETURN count(*)").explain(on: graph)
        #expect(read.contains("Expand(All)"), "\(read)")
        let plain = try PreparedQuery.prepare("MATCH (a:Address {address: $a})-[:TRANSFER]->(b) RETURN b.address").explain(on: graph)
        #expect(plain.contains("Expand(Neighbors) (a)-[anon_"), "\(plain)")
        let twoHops = try PreparedQuery.prepare("MATCH (a:Address {address: $a})-[:TRANSFER]->(b)-[:TRANSFER]->(c) RETURN c").explain(on: graph)
        #expect(!twoHops.contains("Neighbors") && !twoHops.contains("Frontier"), "\(twoHops)")
    }
}

/// ``NodeIDSet`` against `Set<UInt64>` (the plain reference): small ids (bitmap), large ids (hash table, growing),
/// and `UInt64.max`.
@Suite struct NodeIDSetTests {
    @Test func matchesSetOfUInt64() {
        var rng = SeededGenerator(seed: 31)
        let set = NodeIDSet(capacity: 4)
        var reference = Set<UInt64>()
        for step in 0..<200_000 {
            let id: UInt64
            switch step % 4 {
            case 0: id = UInt64.random(in: 0..<5000, using: &rng)
            case 1: id = UInt64.random(in: 0..<(1 << 26), using: &rng)
            case 2: id = rng.next() | 1 << 63
            default: id = Int.random(in: 0..<1000, using: &rng) == 0 ? .max : UInt64.random(in: (1 << 24)..<(1 << 24) + 3000, using: &rng)
            }
            #expect(set.insert(NodeID(id)) == reference.insert(id).inserted)
            if step % 1000 == 0 {
                let probe = UInt64.random(in: 0..<(1 << 25), using: &rng)
                #expect(set.contains(NodeID(probe)) == reference.contains(probe))
            }
        }
        #expect(set.count == reference.count)
        #expect(reference.allSatisfy { set.contains(NodeID($0)) })
    }
}
