import Benchmark
import Foundation
import Spoor

/// Environment knobs shared by the fixtures.
enum Environment {
    static func integer(_ name: String, default value: Int) -> Int {
        Int(ProcessInfo.processInfo.environment[name] ?? "") ?? value
    }

    /// The scratch directory every fixture lives in (default /tmp/spoor-bench).
    static let directory = ProcessInfo.processInfo.environment["SPOOR_BENCH_DIR"] ?? "/tmp/spoor-bench"

    static func createDirectory() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
}

/// The data set the query suites share: 1M generated transfers (seed 2026), ingested once into a scratch store.
/// `SPOOR_BENCH_TRANSFERS` changes the size; `SPOOR_BENCH_DIR` the scratch directory (default /tmp/spoor-bench).
enum Fixture {
    static let transfers = Environment.integer("SPOOR_BENCH_TRANSFERS", default: 1_000_000)
    static let directory = Environment.directory
    static var csv: String { "\(directory)/transfers-\(transfers).csv" }
    static var store: String { "\(directory)/query-\(transfers).spoor" }

    /// Writes the CSV once (the generator is deterministic, so a file of the right name is the right file).
    static func ensureCSV() throws {
        try Environment.createDirectory()
        guard !FileManager.default.fileExists(atPath: csv) else { return }
        let generator = TransfersGenerator(options: .init(seed: 2026, transferCount: transfers))
        _ = try generator.write(to: csv + ".partial")
        try FileManager.default.moveItem(atPath: csv + ".partial", toPath: csv)
    }

    /// The store the query suites read (built once).
    static func ensureStore() throws -> Graph {
        try ensureCSV()
        try StoreBuilder.once(at: store) { graph in _ = try graph.ingestTransfers(files: [csv]) }
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
            // Ties broken by the address so the anchors do not depend on the store's order.
            degrees.sort { ($0.0, $1.1) > ($1.0, $0.1) }
            var state: UInt64 = 2026
            let random = (0..<1000).map { _ -> String in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return degrees[Int(state >> 33) % degrees.count].1
            }
            return (degrees[0].1, degrees[degrees.count / 2].1, random)
        }
    }
}

/// Builds a store once: into `path.partial`, renamed when complete, so an interrupted build is redone.
enum StoreBuilder {
    static func once(at path: String, _ build: (Graph) throws -> Void) throws {
        guard !FileManager.default.fileExists(atPath: path + "/data.mdb") else { return }
        let partial = path + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            let graph = try Graph.open(at: partial, mode: .readWrite)
            try build(graph)
        }
        try FileManager.default.moveItem(atPath: partial, toPath: path)
    }
}

/// A generated Bitcoin chain (`BitcoinChainGenerator`, seed 2026, regtest) in blk files, and a store of it.
/// `SPOOR_BENCH_BTC_BLOCKS` (default 2,001) and `SPOOR_BENCH_BTC_TX_PER_BLOCK` (default 250 ordinary transactions
/// a block, each block drawing 50%..150% of it) set the size: the default is about 500k transactions.
enum BitcoinFixture {
    static let blocks = Environment.integer("SPOOR_BENCH_BTC_BLOCKS", default: 2_001)
    static let transactionsPerBlock = Environment.integer("SPOOR_BENCH_BTC_TX_PER_BLOCK", default: 250)
    static var chain: String { "\(Environment.directory)/bitcoin-\(blocks)x\(transactionsPerBlock)" }
    static var manifestPath: String { chain + "/generator-manifest.json" }
    static var store: String { chain + ".spoor" }
    static let ingestOptions = BitcoinIngestOptions(network: .regtest)

    static var options: BitcoinChainGenerator.Options {
        var options = BitcoinChainGenerator.Options(seed: 2026, blocks: blocks)
        options.network = .regtest
        options.transactionsPerBlock = transactionsPerBlock
        options.peelChains = 50
        options.peelChainLength = 12
        options.coinJoins = 50
        options.consolidations = 50
        options.staleBlocks = 10
        // About 100 MB a file (Bitcoin Core caps blk files at 128 MiB), written out of order as Core's are.
        options.files = max(1, blocks * transactionsPerBlock / 350_000)
        options.outOfOrder = true
        return options
    }

    /// Writes the blk files once (the manifest is written last: its presence marks a complete chain).
    static func ensureChain() throws -> BitcoinGeneratorManifest {
        if let data = FileManager.default.contents(atPath: manifestPath) {
            return try JSONDecoder().decode(BitcoinGeneratorManifest.self, from: data)
        }
        try Environment.createDirectory()
        try? FileManager.default.removeItem(atPath: chain)
        let manifest = try BitcoinChainGenerator(options: options).write(to: chain)
        guard FileManager.default.createFile(atPath: manifestPath, contents: try JSONEncoder().encode(manifest)) else {
            throw BenchmarkFixtureError("\(manifestPath): cannot write file")
        }
        return manifest
    }

    /// The store of the chain (built once).
    static func ensureStore() throws -> Graph {
        _ = try ensureChain()
        try StoreBuilder.once(at: store) { graph in
            _ = try graph.ingestBitcoin(files: [chain], format: .blk, options: ingestOptions)
        }
        return try Graph.open(at: store, mode: .readWrite)
    }
}

/// An account-model graph with a planted watchlist: `TransfersGenerator` (seed 2027) with 150 listed addresses that
/// each send 10 native transfers, tagged `watch` in the store. `SPOOR_BENCH_ANALYTICS_TRANSFERS` sets the size
/// (default 1M).
enum WatchlistFixture {
    static let transfers = Environment.integer("SPOOR_BENCH_ANALYTICS_TRANSFERS", default: 1_000_000)
    static var csv: String { "\(Environment.directory)/watchlist-\(transfers).csv" }
    static var store: String { "\(Environment.directory)/watchlist-\(transfers).spoor" }
    static let tag = "watch"

    /// 150 deterministic listed addresses (0x + 40 hex from a seeded generator).
    static let listed: [String] = {
        var state: UInt64 = 0x5eed_0f_ac
        return (0..<150).map { _ in
            var text = "0x"
            for _ in 0..<5 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                text += String(UInt32(truncatingIfNeeded: state >> 32), radix: 16).zeroPadded(to: 8)
            }
            return text
        }
    }()

    static func ensureStore() throws -> Graph {
        try Environment.createDirectory()
        if !FileManager.default.fileExists(atPath: csv) {
            var options = TransfersGenerator.Options(seed: 2027, transferCount: transfers)
            options.sanctioned = listed
            _ = try TransfersGenerator(options: options).write(to: csv + ".partial")
            try FileManager.default.moveItem(atPath: csv + ".partial", toPath: csv)
        }
        try StoreBuilder.once(at: store) { graph in
            _ = try graph.ingestTransfers(files: [csv])
            try graph.importTags(listed.map { TagRecord(address: $0, tag: tag, source: "benchmark watchlist") })
        }
        return try Graph.open(at: store, mode: .readOnly)
    }

    /// Exposure targets of each kind (`SPOOR_BENCH_EXPOSURE_TARGETS`, default 20).
    static let targetsPerKind = Environment.integer("SPOOR_BENCH_EXPOSURE_TARGETS", default: 20)

    /// The store and 3 × ``targetsPerKind`` exposure targets: direct receivers of listed addresses, receivers of
    /// those (two hops), and random addresses (seeded).
    static let shared: Result<(graph: Graph, targets: [String]), any Error> = Result {
        let graph = try ensureStore()
        let targets = try graph.read { reader -> [String] in
            var first: [AddressID] = []
            for text in listed {
                guard let id = try reader.addressID(text) else { continue }
                for incidence in try reader.incidences(of: id) where incidence.direction == .outgoing {
                    first.append(incidence.neighbor)
                }
            }
            var second: [AddressID] = []
            for id in first.prefix(targetsPerKind) {
                for incidence in try reader.incidences(of: id).prefix(3) where incidence.direction == .outgoing {
                    second.append(incidence.neighbor)
                }
            }
            var all: [String] = []
            try reader.forEachAddress { record in
                all.append(record.address)
                return true
            }
            all.sort()
            var state: UInt64 = 2027
            let random = (0..<targetsPerKind).map { _ -> String in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return all[Int(state >> 33) % all.count]
            }
            let ids = Array(first.prefix(targetsPerKind)) + Array(second.prefix(targetsPerKind))
            return try ids.map { try reader.address($0)?.address ?? "" } + random
        }
        return (graph, targets)
    }
}

/// A fixture that cannot be built.
struct BenchmarkFixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    fileprivate func zeroPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Percentiles of a sample, as `spoor exposure` computes them (nearest rank).
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
}
