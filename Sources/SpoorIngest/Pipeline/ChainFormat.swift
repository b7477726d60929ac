import Foundation
public import Logging
public import SpoorStore

/// Options every chain format receives; each format reads the ones it knows.
public struct ChainIngestOptions: Sendable {
    /// Stop at the first bad record; nothing of that input is stored (row formats).
    public var strict: Bool
    /// Records per LMDB write transaction, the unit of resume (transfers; Bitcoin: transactions, in whole blocks).
    public var batchSize: Int
    /// The Bitcoin network (magic bytes and address prefixes).
    public var network: BitcoinNetwork
    /// ethereum-etl: also store zero-value native transfers as edges.
    public var keepZero: Bool

    /// Creates options.
    public init(strict: Bool = false, batchSize: Int = 250_000, network: BitcoinNetwork = .mainnet, keepZero: Bool = false) {
        self.strict = strict
        self.batchSize = max(1, batchSize)
        self.network = network
        self.keepZero = keepZero
    }
}

/// What an ingest of any format did, for a person: summary lines and the files that got rejected records.
public struct ChainIngestReport: Sendable, Hashable {
    /// Summary lines (the CLI prints them on stderr).
    public var lines: [String]
    /// Files listing rejected records with file, line and reason.
    public var rejectsFiles: [String]

    /// Creates a report.
    public init(lines: [String], rejectsFiles: [String] = []) {
        self.lines = lines
        self.rejectsFiles = rejectsFiles
    }
}

/// A chain data format that `spoor ingest --format NAME` reads: the plug-in point for chains. Adding a chain is a
/// new conforming type in SpoorIngest and one entry in ``ChainFormats/all``; the command line and the facade take
/// it from there.
public protocol ChainFormat: Sendable {
    /// The name `--format` takes, for example `bitcoin-blk`.
    var name: String { get }
    /// One line for the help text.
    var summary: String { get }
    /// The chain model its data has.
    var model: ChainModel { get }
    /// Checks the inputs before any store is created or touched (headers, that the files exist): a wrong input
    /// writes nothing.
    func check(paths: [String], options: ChainIngestOptions) throws
    /// Ingests `paths` into `store`: idempotent and resumable.
    func ingest(
        paths: [String], into store: Store, options: ChainIngestOptions, logger: Logger,
        progress: (IngestProgress) -> Void
    ) throws -> ChainIngestReport
}

/// The chain formats Spoor reads.
public enum ChainFormats {
    /// Every format, in the order the help lists them.
    public static let all: [any ChainFormat] = [
        TransfersCSVFormat(), EthereumETLFormat(), BitcoinBlockFormat(kind: .blk), BitcoinBlockFormat(kind: .raw),
    ]

    /// The format called `name`, or `nil`.
    public static func named(_ name: String) -> (any ChainFormat)? { all.first { $0.name == name } }
}

/// `transfers-csv`: Spoor's own CSV of transfers (`Schemas/transfers-csv.schema.json`).
struct TransfersCSVFormat: ChainFormat {
    var name: String { "transfers-csv" }
    var summary: String { "Spoor's transfers CSV (one account-model transfer per row)" }
    var model: ChainModel { .account }

    func check(paths: [String], options: ChainIngestOptions) throws {
        for path in paths { _ = try TransfersCSVReader(path: path) }
    }

    func ingest(
        paths: [String], into store: Store, options: ChainIngestOptions, logger: Logger,
        progress: (IngestProgress) -> Void
    ) throws -> ChainIngestReport {
        let summary = try TransfersCSVIngester(
            store: store, options: TransfersIngestOptions(strict: options.strict, batchSize: options.batchSize),
            logger: logger
        ).ingest(files: paths, progress: progress)
        return ChainIngestReport(lines: [summary.line], rejectsFiles: summary.rejectsFiles)
    }
}

/// `ethereum-etl`: the CSV exports of ethereum-etl (blocks, transactions, token transfers, receipts, traces).
struct EthereumETLFormat: ChainFormat {
    var name: String { "ethereum-etl" }
    var summary: String { "ethereum-etl CSV exports (files or directories)" }
    var model: ChainModel { .account }

    func check(paths: [String], options: ChainIngestOptions) throws {
        _ = try EthereumETLIngester.check(paths: paths)
    }

    func ingest(
        paths: [String], into store: Store, options: ChainIngestOptions, logger: Logger,
        progress: (IngestProgress) -> Void
    ) throws -> ChainIngestReport {
        let summary = try EthereumETLIngester(
            store: store,
            options: EthereumETLIngestOptions(strict: options.strict, batchSize: options.batchSize, keepZero: options.keepZero),
            logger: logger
        ).ingest(paths: paths) { progress($0) }
        return ChainIngestReport(lines: [summary.ingest.line, summary.line], rejectsFiles: summary.ingest.rejectsFiles)
    }
}

/// `bitcoin-blk` (Bitcoin Core's blk*.dat files) and `bitcoin-raw` (one serialized block per file).
struct BitcoinBlockFormat: ChainFormat {
    let kind: BitcoinFileFormat
    var name: String { kind == .blk ? "bitcoin-blk" : "bitcoin-raw" }
    var summary: String {
        kind == .blk ? "Bitcoin Core blk*.dat files or directories" : "files of one serialized block each (binary or hex)"
    }
    var model: ChainModel { .utxo }

    func check(paths: [String], options: ChainIngestOptions) throws {
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw BitcoinIngestError.missing(path: path)
        }
    }

    func ingest(
        paths: [String], into store: Store, options: ChainIngestOptions, logger: Logger,
        progress: (IngestProgress) -> Void
    ) throws -> ChainIngestReport {
        let ingester = BitcoinIngester(
            store: store, options: BitcoinIngestOptions(network: options.network, batchTransactions: options.batchSize),
            logger: logger)
        let summary = kind == .blk
            ? try ingester.ingest(blkFiles: paths, progress: progress) : try ingester.ingest(rawFiles: paths, progress: progress)
        return ChainIngestReport(lines: [summary.line])
    }
}
