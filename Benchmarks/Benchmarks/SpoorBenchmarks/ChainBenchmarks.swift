import Benchmark
import Foundation
import Spoor

/// Custom metrics of the chain-ingest and analytics suites (figures, not times: no scaling).
enum ChainMetrics {
    static let transactionsPerSecond = BenchmarkMetric.custom(
        "transactionsPerSecond", polarity: .prefersLarger, useScalingFactor: false)
    static let transactions = BenchmarkMetric.custom("transactions", useScalingFactor: false)
    static let edges = BenchmarkMetric.custom("edges (inputs + outputs with an address)", useScalingFactor: false)
    static let adjacencyBytesPerEdge = BenchmarkMetric.custom("bytesPerEdge (adjacency)", useScalingFactor: false)
    static let graphBytesPerEdge = BenchmarkMetric.custom(
        "bytesPerEdge (adjacency + transactions)", useScalingFactor: false)
    static let fileBytesPerEdge = BenchmarkMetric.custom("bytesPerEdge (file)", useScalingFactor: false)
}

/// Bytes on disk per input/output edge of a UTXO store. Every edge `(:Address)-[:SENT]->(:Transaction)` or
/// `(:Transaction)-[:PAID]->(:Address)` is stored at both ends: as an incidence in the address's adjacency stream
/// (value, block, time, tx, index) and in its transaction's record (address id and value, plus the spent outpoint of
/// an input). `counts.transfers` counts the incidences, one per edge.
struct UTXOEdgeSizes: Codable {
    var edges: UInt64
    var adjacency: Double
    var adjacencyAndTransactions: Double
    var file: Double
    var tables: [String: Int]

    init(_ statistics: StoreStatistics) {
        edges = statistics.counts.transfers
        func bytes(_ name: String) -> Int { statistics.tables.first { $0.name == name }?.bytes ?? 0 }
        let divisor = Double(max(1, edges))
        adjacency = Double(bytes("adjacency")) / divisor
        adjacencyAndTransactions = Double(bytes("adjacency") + bytes("transactions")) / divisor
        file = Double(statistics.fileBytes) / divisor
        tables = Dictionary(uniqueKeysWithValues: statistics.tables.map { ($0.name, $0.bytes) })
    }
}

func registerChainBenchmarks() {
    let size = "\(BitcoinFixture.blocks) blocks x \(BitcoinFixture.transactionsPerBlock) tx"

    // Ingest of the whole generated chain into a new store: header scan, best chain, parse, merkle check, address
    // encoding, input resolution, writes. Two samples; the chain is generated before the first (outside the sample).
    Benchmark(
        "Bitcoin ingest bitcoin-blk (\(size))",
        configuration: .init(
            metrics: [
                .wallClock, .peakMemoryResident, .mallocCountTotal, ChainMetrics.transactionsPerSecond,
                ChainMetrics.transactions, ChainMetrics.edges, ChainMetrics.adjacencyBytesPerEdge,
                ChainMetrics.graphBytesPerEdge, ChainMetrics.fileBytesPerEdge,
            ],
            warmupIterations: 0, maxDuration: .seconds(300), maxIterations: 2)
    ) { benchmark in
        _ = try BitcoinFixture.ensureChain()
        let path = "\(Environment.directory)/btc-ingest-\(UUID().uuidString).spoor"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let graph = try Graph.open(at: path, mode: .readWrite)
        benchmark.startMeasurement()
        let summary = try graph.ingestBitcoin(files: [BitcoinFixture.chain], format: .blk, options: BitcoinFixture.ingestOptions)
        benchmark.stopMeasurement()
        let sizes = UTXOEdgeSizes(try graph.statistics())
        benchmark.measurement(ChainMetrics.transactionsPerSecond, Int(summary.transactionsPerSecond))
        benchmark.measurement(ChainMetrics.transactions, summary.written.transactions)
        benchmark.measurement(ChainMetrics.edges, Int(sizes.edges))
        benchmark.measurement(ChainMetrics.adjacencyBytesPerEdge, Int(sizes.adjacency.rounded()))
        benchmark.measurement(ChainMetrics.graphBytesPerEdge, Int(sizes.adjacencyAndTransactions.rounded()))
        benchmark.measurement(ChainMetrics.fileBytesPerEdge, Int(sizes.file.rounded()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        FileManager.default.createFile(
            atPath: BitcoinFixture.chain + "-sizes.json", contents: try encoder.encode(sizes))
        blackHole(summary)
    }

    // Multi-input clustering (CoinJoins skipped, the default) of the whole chain from scratch; the clusters of the
    // previous sample are cleared outside the sample.
    Benchmark(
        "Clustering multi-input (\(size))",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal, ChainMetrics.transactionsPerSecond,
                      ChainMetrics.transactions],
            warmupIterations: 0, maxDuration: .seconds(300), maxIterations: 3)
    ) { benchmark in
        let graph = try BitcoinFixture.ensureStore()
        try graph.store.updateClusters { try $0.clear() }
        benchmark.startMeasurement()
        let summary = try AddressClustering(store: graph.store).run()
        benchmark.stopMeasurement()
        benchmark.measurement(ChainMetrics.transactionsPerSecond, Int(Double(summary.transactions) / summary.seconds))
        benchmark.measurement(ChainMetrics.transactions, Int(summary.transactions))
        blackHole(summary)
    }
}
