import Benchmark
import Foundation
import Spoor

/// The data set every suite shares: 1M generated transfers (seed 2026), ingested once into a scratch store.
/// `SPOOR_BENCH_TRANSFERS` changes the size; `SPOOR_BENCH_DIR` the scratch directory (default /tmp/spoor-bench).
enum Fixture {
    static let transfers = Int(ProcessInfo.processInfo.environment["SPOOR_BENCH_TRANSFERS"] ?? "") ?? 1_000_000
    static let directory = ProcessInfo.processInfo.environment["SPOOR_BENCH_DIR"] ?? "/tmp/spoor-bench"
    static var csv: String { "\(directory)/transfers-\(transfers).csv" }
    static var store: String { "\(directory)/query-\(transfers).spoor" }

    /// Writes the CSV once (the generator is deterministic, so a file of the right name is the right file).
    static func ensureCSV() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard !FileManager.default.fileExists(atPath: csv) else { return }
        let generator = TransfersGenerator(options: .init(seed: 2026, transferCount: transfers))
        _ = try generator.write(to: csv)
    }

    /// The store the query suites read (built once).
    static func ensureStore() throws -> Graph {
        try ensureCSV()
        if !FileManager.default.fileExists(atPath: store + "/data.mdb") {
            let graph = try Graph.open(at: store, mode: .readWrite)
            _ = try graph.ingestTransfers(files: [csv])
        }
        return try Graph.open(at: store, mode: .readOnly)
    }

    /// The query store and its anchors, built once per process (setup stays out of every sample).
    static let shared: Result<(graph: Graph, hub: String, median: String, random: [String]), any Error> = Result {
        let graph = try ensureStore()
        let found = try Fixture.anchors(graph)
        return (graph, found.hub, found.median, found.random)
    }

    /// Addresses by degree: the largest hub, a median address, and 1,000 random ones (seeded).
    static func anchors(_ graph: Graph) throws -> (hub: String, median: String, random: [String]) {
        try graph.read { reader in
            var degrees: [(UInt64, String)] = []
            try reader.forEachAddress { record in
                degrees.append((record.degree, record.address))
                return true
            }
            degrees.sort { $0.0 > $1.0 }
            var state: UInt64 = 2026
            let random = (0..<1000).map { _ -> String in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return degrees[Int(state >> 33) % degrees.count].1
            }
            return (degrees[0].1, degrees[degrees.count / 2].1, random)
        }
    }
}

enum Metrics {
    static let bytesPerTransfer = BenchmarkMetric.custom("bytesPerTransfer (file)", useScalingFactor: false)
    static let adjacencyBytesPerTransfer = BenchmarkMetric.custom("bytesPerTransfer (adjacency)", useScalingFactor: false)
    static let rowsPerSecond = BenchmarkMetric.custom("rowsPerSecond", polarity: .prefersLarger, useScalingFactor: false)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident, .mallocCountTotal],
        warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 10_000)

    Benchmark(
        "Ingest transfers-csv (1M)",
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
}
