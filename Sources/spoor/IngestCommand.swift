import ArgumentParser
import Foundation
import Logging
import Spoor

/// `spoor ingest STORE --format FORMAT FILE...`: every format of ``ChainFormats`` (the chain plug-ins of SpoorIngest).
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Add chain data files to a store (created when missing).",
        discussion: """
            Formats: \(ChainFormats.all.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")).

            Idempotent and resumable: running the same command again after an interruption (even SIGKILL) goes on \
            from the last committed batch, and data already ingested changes nothing. Bad rows are written with \
            file:line: reason to rejects/ in the store directory (the summary says where), unless --strict.

            On a terminal, progress (rate, percentage, ETA) is drawn on stderr; it stays quiet when stderr is piped \
            or with --quiet. The summary lines always go to stderr.

            ethereum-etl: give the export's directories or files (blocks.csv, transactions.csv, \
            token_transfers.csv, and when present receipts.csv and traces.csv; a directory's files are taken by \
            their names). All of them are one input set: every native value transfer, internal trace transfer and \
            token transfer becomes a TRANSFER edge; failed transactions (receipt status 0) keep their record but \
            no value; zero-value calls and contract creations make no edge unless --keep-zero.

            bitcoin-blk: blk*.dat files or directories of them, out of order and with stale blocks as Bitcoin Core \
            writes them; the best chain by cumulative work is ingested in height order, every merkle root checked. \
            Running it again after new blocks were appended adds only those; a reorganisation rolls the stored \
            blocks back to the fork first. bitcoin-raw: one serialized block per file (binary or hex).
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The input format: \(ChainFormats.all.map(\.name).joined(separator: ", ")).")
    var format: String

    @Argument(help: ArgumentHelp("The files (or directories, for ethereum-etl and bitcoin-blk) to ingest.", valueName: "file"))
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

    @Flag(help: "Do not compact the store afterwards (by default it is when free pages pass 20% of the file and 8 MiB).")
    var noCompact = false

    func validate() throws {
        guard ChainFormats.named(format) != nil else {
            let known = ChainFormats.all.map { "'\($0.name)'" }.joined(separator: ", ")
            throw ValidationError("--format must be one of \(known), found '\(format)'")
        }
        guard !files.isEmpty else { throw ValidationError("give at least one file to ingest") }
        guard BitcoinNetwork(name: network) != nil else {
            throw ValidationError("--network must be mainnet, testnet, signet or regtest, found '\(network)'")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, found \(batchSize)") }
        guard !keepZero || format == "ethereum-etl" else {
            throw ValidationError("--keep-zero applies to --format ethereum-etl only")
        }
    }

    func run() async throws {
        guard let chainFormat = ChainFormats.named(format) else { throw ValidationError("unknown format '\(format)'") }
        let options = ChainIngestOptions(
            strict: strict, batchSize: batchSize, network: BitcoinNetwork(name: network) ?? .mainnet, keepZero: keepZero)
        // Check every input before the store is created or touched: a wrong file writes nothing.
        try chainFormat.check(paths: files, options: options)
        let report = try ingest(format: chainFormat, options: options)
        for text in report.lines { Terminal.note(text) }
        for path in report.rejectsFiles { Terminal.note("rejected rows written to \(path)") }
        // The graph is closed by now: compaction needs the store to itself.
        guard !noCompact else { return }
        let compaction = try Store.compact(
            at: storeOptions.store, minimumFreeFraction: Self.compactionThreshold, minimumFreeBytes: 8 << 20)
        if compaction.performed { Terminal.note(CompactCommand.describe(compaction)) }
    }

    /// Free pages over this share of the data file (and over 8 MiB) make the ingest compact the store at the end.
    static let compactionThreshold = 0.2

    /// Runs the ingest on a graph that is closed when this returns.
    private func ingest(format chainFormat: any ChainFormat, options: ChainIngestOptions) throws -> ChainIngestReport {
        let graph = try Graph.open(at: storeOptions.store, mode: .readWrite)
        let line = ProgressLine(enabled: !quiet && Terminal.standardErrorIsTerminal)
        defer { line.finish() }
        return try graph.ingest(files, format: chainFormat, options: options) { line.update($0) }
    }
}
