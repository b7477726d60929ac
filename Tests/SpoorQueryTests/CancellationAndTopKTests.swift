import Foundation
import SpoorTestSupport
import Testing
@testable import SpoorQuery

@Suite struct CancellationTests {
    /// Cancels on a thread of its own: a dispatch queue may get no worker while test tasks hold every core.
    static func cancel(_ cancellation: QueryCancellation, after microseconds: UInt32) {
        Thread.detachNewThread {
            usleep(microseconds)
            cancellation.cancel()
        }
    }

    /// `count` nodes with an integer `x`.
    static func graph(nodes count: Int) -> InMemoryGraph {
        let graph = InMemoryGraph()
        for i in 0..<count { _ = graph.addNode(labels: ["N"], properties: ["x": .integer(Int64(i))]) }
        return graph
    }

    /// Runs `text` on `graph`, cancels it from another thread after 50 ms and returns the error and the time taken.
    static func runCancelled(_ text: String, on graph: InMemoryGraph) throws -> (QueryError?, Duration) {
        let cancellation = QueryCancellation()
        let cursor = try PreparedQuery.prepare(text).run(
            on: graph, limits: QueryLimits(timeout: .seconds(60), maxExpansions: .max), cancellation: cancellation)
        let started = ContinuousClock.now
        Self.cancel(cancellation, after: 50_000)
        var caught: QueryError?
        do { _ = try cursor.all() } catch { caught = error }
        return (caught, ContinuousClock.now - started)
    }

    @Test func crossProductAggregationStopsSoonAfterCancel() throws {
        // 1000³ = 10⁹ rows: many minutes to count; one `next()` call does all of it.
        let (error, elapsed) = try Self.runCancelled("MATCH (a:N), (b:N), (c:N) RETURN count(*)", on: Self.graph(nodes: 1000))
        #expect(error?.kind == .cancelled)
        #expect(error?.message == "query cancelled")
        #expect(elapsed < .seconds(15), "took \(elapsed)")  // Generous: the whole suite shares 2 cores.
    }

    @Test func crossProductSortStopsSoonAfterCancel() throws {
        // A bounded (top-k) sort, so memory stays small however late the cancel lands.
        let (error, elapsed) = try Self.runCancelled(
            "MATCH (a:N), (b:N), (c:N) RETURN a.x * b.x - c.x AS v ORDER BY v LIMIT 10", on: Self.graph(nodes: 1000))
        #expect(error?.kind == .cancelled)
        #expect(elapsed < .seconds(15), "took \(elapsed)")
    }

    @Test func cancelledBeforeRunningThrowsAtFirstPull() throws {
        let cancellation = QueryCancellation()
        cancellation.cancel()
        let cursor = try PreparedQuery.prepare("UNWIND [1, 2] AS x RETURN x").run(on: InMemoryGraph(), cancellation: cancellation)
        #expect(cursor.cancellation === cancellation)
        #expect(throws: QueryError.self) { _ = try cursor.next() }
    }

    @Test func uncancelledRunIsUnaffected() throws {
        let cursor = try PreparedQuery.prepare("UNWIND range(1, 5000) AS x RETURN count(*)").run(
            on: InMemoryGraph(), cancellation: QueryCancellation())
        #expect(try cursor.all() == [[.integer(5000)]])
    }
}

@Suite struct TopKSortTests {
    /// Nodes with a few distinct `k` (many ties, some nulls) and a float `f`, and `id` = insertion order.
    static func graph(nodes count: Int, seed: UInt64) -> InMemoryGraph {
        var random = SeededGenerator(seed: seed)
        let graph = InMemoryGraph()
        for i in 0..<count {
            var properties: [String: Value] = ["id": .integer(Int64(i)), "f": .float(Double(Int.random(in: 0..<50, using: &random)) / 4)]
            let k = Int.random(in: 0..<12, using: &random)
            if k < 10 { properties["k"] = .integer(Int64(k)) }  // else null
            _ = graph.addNode(labels: ["N"], properties: properties)
        }
        return graph
    }

    static func run(_ text: String, on graph: InMemoryGraph) throws -> (rows: [[Value]], peak: Int) {
        let cursor = try PreparedQuery.prepare(text).run(on: graph)
        let rows = try cursor.all()
        return (rows, cursor.peakSortRows)
    }

    @Test(arguments: [1 as UInt64, 2, 3, 42])
    func sameRowsAsTheFullSort(seed: UInt64) throws {
        let count = 600
        let graph = Self.graph(nodes: count, seed: seed)
        var random = SeededGenerator(seed: seed &+ 1000)
        for order in ["n.k", "n.k DESC", "n.k, n.f DESC", "n.f, n.k DESC", "n.k DESC, n.f"] {
            let base = "MATCH (n:N) RETURN n.id, n.k, n.f ORDER BY \(order)"
            let full = try Self.run(base, on: graph)
            #expect(full.rows.count == count)
            #expect(full.peak == count)
            for _ in 0..<6 {
                let skip = Int.random(in: 0..<40, using: &random)
                let limit = Int.random(in: 0..<40, using: &random)
                let withSkip = try Self.run("\(base) SKIP \(skip) LIMIT \(limit)", on: graph)
                #expect(withSkip.rows == Array(full.rows.dropFirst(skip).prefix(limit)), "seed \(seed), \(order) SKIP \(skip) LIMIT \(limit)")
                #expect(withSkip.peak <= skip + limit)
                let limited = try Self.run("\(base) LIMIT \(limit)", on: graph)
                #expect(limited.rows == Array(full.rows.prefix(limit)), "seed \(seed), \(order) LIMIT \(limit)")
                #expect(limited.peak <= limit)
            }
        }
    }

    @Test func boundAboveRowCountAndParameters() throws {
        let graph = Self.graph(nodes: 50, seed: 7)
        let full = try Self.run("MATCH (n:N) RETURN n.id ORDER BY n.k", on: graph)
        let big = try Self.run("MATCH (n:N) RETURN n.id ORDER BY n.k SKIP 10 LIMIT 1000", on: graph)
        #expect(big.rows == Array(full.rows.dropFirst(10)))
        let cursor = try PreparedQuery.prepare("MATCH (n:N) RETURN n.id ORDER BY n.k SKIP $s LIMIT $l").run(
            on: graph, parameters: ["s": .integer(3), "l": .integer(4)])
        #expect(try cursor.all() == Array(full.rows.dropFirst(3).prefix(4)))
        #expect(cursor.peakSortRows == 7)
    }

    @Test func skipWithoutLimitAndWithClauseStillSortEverything() throws {
        let graph = Self.graph(nodes: 80, seed: 9)
        let full = try Self.run("MATCH (n:N) RETURN n.id ORDER BY n.f, n.id", on: graph)
        let skipped = try Self.run("MATCH (n:N) RETURN n.id ORDER BY n.f, n.id SKIP 5", on: graph)
        #expect(skipped.rows == Array(full.rows.dropFirst(5)))
        let viaWith = try Self.run(
            "MATCH (n:N) WITH n ORDER BY n.f, n.id LIMIT 5 RETURN n.id ORDER BY n.id DESC LIMIT 3", on: graph)
        let expected = Array(full.rows.prefix(5)).sorted { a, b in
            if case .integer(let x) = a[0], case .integer(let y) = b[0] { return x > y }
            return false
        }.prefix(3)
        #expect(viaWith.rows == Array(expected))
        #expect(viaWith.peak <= 5)
    }

    @Test func bigInputKeepsFewRows() throws {
        let graph = CancellationTests.graph(nodes: 200)
        let result = try Self.run("MATCH (a:N), (b:N) RETURN a.x * 1000 + b.x AS v ORDER BY v DESC SKIP 2 LIMIT 3", on: graph)
        #expect(result.rows == [[.integer(199_197)], [.integer(199_196)], [.integer(199_195)]])
        #expect(result.peak == 5)
    }

    @Test func invalidLimitIsStillReported() throws {
        let graph = Self.graph(nodes: 5, seed: 1)
        #expect(throws: QueryError.self) { _ = try Self.run("MATCH (n:N) RETURN n.id ORDER BY n.k LIMIT -1", on: graph) }
        let profiled = try Self.run("PROFILE MATCH (n:N) RETURN n.id ORDER BY n.k LIMIT 2", on: graph)
        #expect(profiled.rows.count == 2)
    }
}
