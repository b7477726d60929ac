import ArgumentParser
import Foundation
import Logging
import Spoor

/// `spoor ingest STORE --format transfers-csv FILE...`, `spoor ingest STORE --format ethereum-etl DIR_OR_FILE...`
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

            ethereum-etl: give the export's directories or files (blocks.csv, transactions.csv, \
            token_transfers.csv, and when present receipts.csv and traces.csv; a directory's files are taken by \
            their names). All of them are one input set: every native value transfer, internal trace transfer and \
            token transfer becomes a TRANSFER edge; failed transactions (receipt status 0) keep their record but \
            no value; zero-value calls and contract creations make no edge unless --keep-zero.
            """
    )

    /// The input formats of DESIGN §6; transfers-csv and ethereum-etl are implemented so far.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case transfersCSV = "transfers-csv"
        case bitcoinBlk = "bitcoin-blk"
        case bitcoinRaw = "bitcoin-raw"
        case ethereumETL = "ethereum-etl"

        static let supported: [Format] = [.transfersCSV, .bitcoinBlk, .bitcoinRaw, .ethereumETL]
    }

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The input format: transfers-csv, ethereum-etl (files or directories of ethereum-etl CSV exports), bitcoin-blk (blk*.dat files or directories), bitcoin-raw (one block per file, binary or hex).")
    var format: Format

    @Argument(help: ArgumentHelp("The files to ingest, in order (ethereum-etl and bitcoin-blk: also directories).", valueName: "file"))
    var files: [String]

    @Option(help: "Bitcoin network: mainnet, testnet, signet or regtest (magic bytes and address prefixes).")
    var network = "mainnet"

    @Flag(help: "Stop at the first bad row; nothing of that file is stored (exit 1).")
    var strict = false

    @Option(help: "Transfers (Bitcoin: transactions, in whole blocks) per write transaction (the unit of resume).")
    var batchSize = 250_000

    @Flag(help: "ethereum-etl: also store zero-value native transfers (zero-value calls, creations) as edges.")
    var keepZero = false

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
        guard !keepZero || format == .ethereumETL else {
            throw ValidationError("--keep-zero applies to --format ethereum-etl only")
        }
    }

    func run() async throws {
        switch format {
        case .bitcoinBlk, .bitcoinRaw: return try ingestBitcoin()
        case .ethereumETL: return try runEthereumETL()
        case .transfersCSV: break
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
        let options = BitcoinIngestOptions(network: BitcoinNetwork(name: network) ?? .mainnet, batchTransactions: batchSize)
        let line = ProgressLine(enabled: !quiet && Terminal.standardErrorIsTerminal)
        defer { line.finish() }
        let summary = try graph.ingestBitcoin(files: files, format: format == .bitcoinBlk ? .blk : .raw, options: options) {
            line.update($0)
        }
        line.finish()
        Terminal.note(summary.line)
    }

    /// `--format ethereum-etl`: every path is one input set.
    private func runEthereumETL() throws {
        // Check every file's header before the store is created or touched: a wrong file writes nothing.
        try EthereumETLIngester.check(paths: files)
        let graph = try Graph.open(at: storeOptions.store, mode: .readWrite)
        let options = EthereumETLIngestOptions(strict: strict, batchSize: batchSize, keepZero: keepZero)
        let line = ProgressLine(enabled: !quiet && Terminal.standardErrorIsTerminal)
        let summary: EthereumETLSummary
        do {
            summary = try EthereumETLIngester(store: graph.store, options: options, logger: Logger(label: "spoor"))
                .ingest(paths: files) { progress in line.update(progress) }
        } catch {
            line.finish()
            throw error
        }
        line.finish()
        Terminal.note(summary.ingest.line)
        Terminal.note(summary.line)
        for path in summary.ingest.rejectsFiles {
            Terminal.note("rejected rows written to \(path)")
        }
    }
}
