import Benchmark
import Foundation
import Spoor

enum Metrics {
    static let bytesPerTransfer = BenchmarkMetric.custom("bytesPerTransfer (file)", useScalingFactor: false)
    static let adjacencyBytesPerTransfer = BenchmarkMetric.custom("bytesPerTransfer (adjacency)", useScalingFactor: false)
    static let rowsPerSecond = BenchmarkMetric.custom("rowsPerSecond", polarity: .prefersLarger, useScalingFactor: false)
}

func registerQueryBenchmarks() {
    Benchmark(
        "Ingest transfers-csv (\(Fixture.transfers / 1_000_000)M)",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal, Metrics.rowsPerSecond,
                      Metrics.bytesPerTransfer, Metrics.adjacencyBytesPerTransfer],
            warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 2)
    ) { benchmark in
        try Fixture.ensureCSV()
        let path = "\(Fixture.directory)/ingest-\(UUID().uuidString).spoor"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let graph = try Graph.open(at: path, mode: .readWrite)
        benchmark.startMeasurement()
        let summary = try graph.ingestTransfers(files: [Fixture.csv])
        benchmark.stopMeasurement()
        let statistics = try graph.statistics()
        benchmark.measurement(Metrics.rowsPerSecond, Int(summary.rowsPerSecond))
        benchmark.measurement(Metrics.bytesPerTransfer, Int(statistics.fileBytesPerTransfer.rounded()))
        benchmark.measurement(Metrics.adjacencyBytesPerTransfer, Int(statistics.adjacencyBytesPerTransfer.rounded()))
        blackHole(summary)
    }

    Benchmark("Adjacency decode (largest hub)", configuration: .init(scalingFactor: .one)) { benchmark in
        let (graph, hub, _, _) = try Fixture.shared.get()
        let reader = try graph.store.makeReader()
        let id = try reader.addressID(hub)!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try reader.incidences(of: id).count)
        }
    }

    Benchmark("1-hop neighbours (median address, reader)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let (graph, _, median, _) = try Fixture.shared.get()
        let reader = try graph.store.makeReader()
        let id = try reader.addressID(median)!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try reader.incidences(of: id).map(\.neighbor))
        }
    }

    Benchmark("1-hop Cypher (random addresses)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let (graph, _, _, random) = try Fixture.shared.get()
        let query = try PreparedQuery.prepare(
            "MATCH (a:Address {address: $a})-[t:TRANSFER]->(b:Address) RETURN b.address, t.value")
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let result = try graph.run(query, parameters: ["a": .string(random[index % random.count])])
            blackHole(try result.all().count)
        }
    }

    Benchmark("2-hop distinct Cypher (median address)") { benchmark in
        let (graph, _, median, _) = try Fixture.shared.get()
        let query = try PreparedQuery.prepare(
            "MATCH (a:Address {address: $a})-[:TRANSFER]->(b:Address)-[:TRANSFER]->(c:Address) RETURN count(DISTINCT c)")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let result = try graph.run(query, parameters: ["a": .string(median)])
            blackHole(try result.all())
        }
    }

    Benchmark("2-hop distinct (largest hub, reader)", configuration: .init(maxDuration: .seconds(10), maxIterations: 20)) {
        benchmark in
        let (graph, hub, _, _) = try Fixture.shared.get()
        let reader = try graph.store.makeReader()
        let id = try reader.addressID(hub)!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let frontier = Set(try reader.incidences(of: id).lazy.filter { $0.direction == .outgoing }.map(\.neighbor))
            var seen = Set<AddressID>()
            for first in frontier {
                for second in try reader.incidences(of: first) where second.direction == .outgoing {
                    seen.insert(second.neighbor)
                }
            }
            blackHole(seen.count)
        }
    }

    // What `graph.query` costs for one address's transfers: parse, bind, plan and run on a fresh snapshot each time
    // (the prepared form above skips the parse).
    Benchmark("1-hop graph.query (random addresses)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let (graph, _, _, random) = try Fixture.shared.get()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let result = try graph.query(
                "MATCH (a:Address {address: $a})-[t:TRANSFER]->(b:Address) RETURN b.address, t.value",
                parameters: ["a": .string(random[index % random.count])])
            blackHole(try result.all().count)
        }
    }

    // Distinct addresses reachable in 1 to 3 outgoing hops from the largest hub (what
    // `(a)-[:TRANSFER*1..3]->(b) RETURN count(DISTINCT b)` answers), breadth first over the reader: each address is
    // expanded once, at its smallest depth.
    Benchmark(
        "3-hop distinct reachable (largest hub, reader)",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal, QueryMetrics.reached],
            maxDuration: .seconds(30), maxIterations: 10)
    ) { benchmark in
        let (graph, hub, _, _) = try Fixture.shared.get()
        let reader = try graph.store.makeReader()
        let id = try reader.addressID(hub)!
        var reached = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            reached = try reachable(from: id, hops: 3, reader: reader)
            blackHole(reached)
        }
        benchmark.stopMeasurement()
        benchmark.measurement(QueryMetrics.reached, reached)
    }

    Benchmark(
        "3-hop distinct Cypher (median address)",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal, QueryMetrics.reached],
            maxDuration: .seconds(20), maxIterations: 50)
    ) { benchmark in
        let (graph, _, median, _) = try Fixture.shared.get()
        let query = try PreparedQuery.prepare(
            "MATCH (a:Address {address: $a})-[:TRANSFER*1..3]->(b:Address) RETURN count(DISTINCT b)")
        var reached = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let rows = try graph.run(query, parameters: ["a": .string(median)]).all()
            if case .integer(let count) = rows.first?.first { reached = Int(count) }
        }
        benchmark.stopMeasurement()
        benchmark.measurement(QueryMetrics.reached, reached)
    }

    // Shortest directed path (at most 6 hops) between 100 seeded pairs of random addresses, one pair a sample.
    Benchmark(
        "Shortest path Cypher (random pairs, max 6 hops)",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal, QueryMetrics.found],
            maxDuration: .seconds(30), maxIterations: 100)
    ) { benchmark in
        let (graph, _, _, random) = try Fixture.shared.get()
        let query = try PreparedQuery.prepare(
            "MATCH (a:Address {address: $a}), (b:Address {address: $b}) "
                + "MATCH p = shortestPath((a)-[:TRANSFER*..6]->(b)) RETURN length(p)")
        let pair = ShortestPathPairs.next()
        benchmark.startMeasurement()
        let rows = try graph.run(
            query, parameters: ["a": .string(random[2 * pair]), "b": .string(random[2 * pair + 1])]
        ).all()
        benchmark.stopMeasurement()
        benchmark.measurement(QueryMetrics.found, rows.isEmpty ? 0 : 1)
    }
}

enum QueryMetrics {
    static let reached = BenchmarkMetric.custom("distinct addresses reached", useScalingFactor: false)
    static let found = BenchmarkMetric.custom("pairs with a path", useScalingFactor: false)
}

/// The pair a shortest-path sample takes (samples run one after another on one thread).
enum ShortestPathPairs {
    nonisolated(unsafe) static var counter = 0
    static func next() -> Int {
        defer { counter += 1 }
        return counter % 100
    }
}

/// Distinct addresses reachable from `start` in 1...`hops` outgoing hops (the start itself only over a cycle).
func reachable(from start: AddressID, hops: Int, reader: GraphReader) throws -> Int {
    var reached = Set<AddressID>()
    var expanded: Set<AddressID> = [start]
    var frontier = [start]
    for _ in 0..<hops {
        var next: [AddressID] = []
        for node in frontier {
            for incidence in try reader.incidences(of: node) where incidence.direction == .outgoing {
                reached.insert(incidence.neighbor)
                if expanded.insert(incidence.neighbor).inserted { next.append(incidence.neighbor) }
            }
        }
        frontier = next
    }
    return reached.count
}
