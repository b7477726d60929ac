import ArgumentParser
import Foundation
import Spoor

/// `spoor ingest STORE --format transfers-csv FILE...`
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Add chain data files to a store (created when missing).",
        discussion: """
            Idempotent and resumable: running the same command again after an interruption (even SIGKILL) goes on \
            from the last committed batch, and a file already ingested changes nothing. Bad rows are written with \
            file:line: reason to rejects/ in the store directory (the summary says where), unless --strict.

            On a terminal, progress (rows/s, MB read, percentage, ETA) is drawn on stderr; it stays quiet when \
            stderr is piped or with --quiet. The summary line always goes to stderr.
            """
    )

    /// The input formats of DESIGN §6; only transfers-csv is implemented so far.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case transfersCSV = "transfers-csv"
        case bitcoinBlk = "bitcoin-blk"
        case bitcoinRaw = "bitcoin-raw"
        case ethereumETL = "ethereum-etl"

        static let supported: [Format] = [.transfersCSV, .bitcoinBlk, .bitcoinRaw]
    }

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The input format: transfers-csv, bitcoin-blk (blk*.dat files or directories), bitcoin-raw (one block per file, binary or hex).")
    var format: Format

    @Argument(help: ArgumentHelp("The files (or, for bitcoin-blk, directories) to ingest.", valueName: "file"))
    var files: [String]

    @Option(help: "Bitcoin network: mainnet, testnet, signet or regtest (magic bytes and address prefixes).")
    var network = "mainnet"

    @Flag(help: "Stop at the first bad row; nothing of that file is stored (exit 1).")
    var strict = false

    @Option(help: "Transfers per write transaction (the unit of resume).")
    var batchSize = 250_000

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        guard Format.supported.contains(format) else {
            let supported = Format.supported.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--format \(format.rawValue) is not supported yet (supported now: \(supported))")
        }
        guard !files.isEmpty else { throw ValidationError("give at least one file to ingest") }
        guard BitcoinNetwork(name: network) != nil else {
            throw ValidationError("--network must be mainnet, testnet, signet or regtest, found '\(network)'")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, found \(batchSize)") }
    }

    func run() async throws {
        switch format {
        case .bitcoinBlk, .bitcoinRaw: return try ingestBitcoin()
        default: break
        }
        // Check every file's header before the store is created or touched: a wrong file writes nothing.
        for file in files {
            _ = try TransfersCSVReader(path: file)
        }
        let graph = try Graph.open(at: storeOptions.store, mode: .readWrite)
        let options = TransfersIngestOptions(strict: strict, batchSize: batchSize)
        let line = ProgressLine(enabled: !quiet && Terminal.standardErrorIsTerminal)
        let summary: IngestSummary
        do {
            summary = try graph.ingestTransfers(files: files, options: options) { progress in
                line.update(progress)
            }
        } catch {
            line.finish()
            throw error
        }
        line.finish()
        Terminal.note(summary.line)
        for path in summary.rejectsFiles {
            Terminal.note("rejected rows written to \(path)")
        }
    }

    private func ingestBitcoin() throws {
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw BitcoinIngestError.missing(path: file)  // Before the store is created: a wrong path writes nothing.
        }
        let graph = try Graph.open(at: storeOptions.store, mode: .readWrite)
        let options = BitcoinIngestOptions(network: BitcoinNetwork(name: network) ?? .mainnet)
        let line = ProgressLine(enabled: !quiet && Terminal.standardErrorIsTerminal)
        defer { line.finish() }
        let summary = try graph.ingestBitcoin(files: files, format: format == .bitcoinBlk ? .blk : .raw, options: options) {
            line.update($0)
        }
        line.finish()
        Terminal.note(summary.line)
    }
}
