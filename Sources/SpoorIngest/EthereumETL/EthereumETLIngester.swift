import Crypto
import Foundation
public import Logging
public import SpoorStore

/// Options of an ethereum-etl ingest.
public struct EthereumETLIngestOptions: Sendable {
    /// Stop at the first bad row; nothing is stored. Default `false`: bad rows go to the rejects files.
    public var strict: Bool
    /// Items (transfers and bare transactions) per LMDB write transaction, the unit of resume. Default 250,000.
    public var batchSize: Int
    /// Also store zero-value native transfers (zero-value calls, contract creations without value, zero-value
    /// internal calls) as edges. Default `false`: such transactions are kept as records without an edge.
    public var keepZero: Bool

    /// Creates options.
    public init(strict: Bool = false, batchSize: Int = 250_000, keepZero: Bool = false) {
        self.strict = strict
        self.batchSize = max(1, batchSize)
        self.keepZero = keepZero
    }
}

/// What an ethereum-etl ingest did.
public struct EthereumETLSummary: Sendable, Hashable, Codable {
    /// The counts every ingest reports; `rows` counts the value transfers read (edges to store).
    public var ingest = IngestSummary()
    /// Distinct transactions in the input (every one gets a record, with or without transfers).
    public var transactions = 0
    /// Transaction records this run created.
    public var transactionsAdded = 0
    /// Transactions' own value transfers (from transactions.csv, or a top-level trace when that is absent).
    public var nativeTransfers = 0
    /// Internal value transfers (traces below the top level).
    public var internalTransfers = 0
    /// Token transfers.
    public var tokenTransfers = 0
    /// Failed transactions (receipt status 0 or a failed top-level trace): recorded, their value not stored.
    public var failedTransactions = 0
    /// Internal transfers not stored because they or a parent call failed.
    public var failedInternalTransfers = 0
    /// Zero-value native and internal transfers not stored (see ``EthereumETLIngestOptions/keepZero``).
    public var zeroValueSkipped = 0
    /// Contract creations whose new address is unknown (no receipt, trace or nonce gives it): recorded, no edge.
    public var creationsWithoutAddress = 0
    /// Token transfers whose transaction index no input gave (their key uses index 0; see ``EthereumETLOrderKey``).
    public var tokenTransfersWithoutTransactionIndex = 0

    /// Creates an empty summary.
    public init() {}

    /// The ethereum-etl counts on one line.
    public var line: String {
        var text = "transactions \(transactions) (new \(transactionsAdded)), native \(nativeTransfers), "
        text += "internal \(internalTransfers), token \(tokenTransfers), failed transactions \(failedTransactions)"
        if failedInternalTransfers > 0 { text += ", failed internal \(failedInternalTransfers)" }
        text += ", zero-value skipped \(zeroValueSkipped)"
        if creationsWithoutAddress > 0 { text += ", creations without address \(creationsWithoutAddress)" }
        if tokenTransfersWithoutTransactionIndex > 0 {
            text += ", token transfers without transaction index \(tokenTransfersWithoutTransactionIndex)"
        }
        return text
    }
}

/// Ingests ethereum-etl CSV exports (`blocks.csv`, `transactions.csv`, `token_transfers.csv`, and when present
/// `receipts.csv` and `traces.csv`) into a store: idempotent and resumable.
///
/// Every native value transfer (a transaction's value, an internal call, create or self-destruct with value) and
/// every token transfer becomes one `TRANSFER` edge with the exact value (to 2^256 − 1), the block's time (from
/// blocks.csv, else a `block_timestamp` column, else 0), the asset (token contract, or native) and a per-block order
/// key as its log index (``EthereumETLOrderKey``). Every transaction gets a record, also one that moves no value:
/// a failed transaction (receipt status 0, or a failed top-level trace) keeps its record but stores no value;
/// zero-value calls and creations store an edge only with ``EthereumETLIngestOptions/keepZero``. A contract
/// creation's receiver is the receipt's `contract_address`, else the top-level create trace's `to_address`, else
/// the address computed from the sender and its nonce (keccak256 of their RLP encoding).
///
/// All files of one run are read and checked first (a missing column fails before anything is written), their
/// items merged into chain order (block, order key) and written in batches, one LMDB write transaction each; each
/// batch records, per input file, how many of that file's items are committed, under a source key made from the
/// SHA-256 of the file and of the whole input set. The same command after an interruption goes on from the last
/// committed batch; a transfer the store holds (same transaction hash and key) is a duplicate and changes nothing.
///
/// A transaction's traces must all be in one file (ethereum-etl exports whole blocks), so that their ranks are
/// known. Bad rows go with file, line and reason to `rejects/<file name>-<hash prefix>.txt` in the store.
///
/// - Complexity: O(rows · log rows) time; O(rows of the input set) memory.
public struct EthereumETLIngester {
    let store: Store
    let options: EthereumETLIngestOptions
    let logger: Logger

    /// Creates an ingester writing to `store` (opened `.readWrite`).
    public init(store: Store, options: EthereumETLIngestOptions = EthereumETLIngestOptions(), logger: Logger) {
        self.store = store
        self.options = options
        self.logger = logger
    }

    /// Resolves `paths` (files and directories) and checks every file's header, touching no store.
    ///
    /// - Throws: ``IngestError`` naming the file: a missing path, a file that is no ethereum-etl table, a header
    ///   without a needed column.
    @discardableResult
    public static func check(paths: [String]) throws(IngestError) -> [EthereumETLFile] {
        let files = try EthereumETLFile.resolve(paths)
        for file in files { _ = try EthereumETLTableReader(file) }
        return files
    }

    /// Ingests the files and directories in `paths` as one input set.
    ///
    /// `progress` is called while reading and after each committed batch; an error it throws stops the ingest and
    /// is rethrown (what was committed stays, and the same call later goes on from there).
    public func ingest(
        paths: [String], progress: (IngestProgress) throws -> Void = { _ in }
    ) throws -> EthereumETLSummary {
        let clock = ContinuousClock()
        let started = clock.now
        // Tables in reading order, files of one table in the order given.
        let checked = try Self.check(paths: paths).enumerated().sorted {
            ($0.element.table, $0.offset) < ($1.element.table, $1.offset)
        }
        var summary = EthereumETLSummary()
        // A file whose bytes equal an earlier one's (a copy) is read once: it is the same source.
        var files: [EthereumETLFile] = []
        var fingerprints: [String] = []
        for (_, file) in checked {
            let fingerprint = try FileDigest.sha256(path: file.path)
            if fingerprints.contains(fingerprint) {
                logger.info("\(file.path): same bytes as a file already in this input set; read once")
                continue
            }
            files.append(file)
            fingerprints.append(fingerprint)
        }
        summary.ingest.files = files.count

        let context = Self.contextDigest(files: files, fingerprints: fingerprints, keepZero: options.keepZero)
        let sources = fingerprints.map { "ethereum-etl:\($0)@\(context)" }
        let storedBytes = try store.read { reader in try sources.map { try reader.sourceProgress($0) } }
        let stored = storedBytes.map { $0.flatMap(SourceProgress.init(bytes:)) }
        if stored.allSatisfy({ $0?.isComplete == true }) {
            let rows = stored.reduce(0) { $0 + ($1?.committedRows ?? 0) }
            logger.info("\(paths.joined(separator: " ")): already ingested (\(rows) items); skipped")
            summary.ingest.filesAlreadyIngested = files.count
            summary.ingest.duplicates = storedBytes.reduce(0) { $0 + ($1.map(Self.committedTransfers) ?? 0) }
            summary.ingest.seconds = (clock.now - started).seconds
            return summary
        }

        var plan = EthereumETLPlanner(files: files, keepZero: options.keepZero)
        var report = IngestProgress(
            file: paths.joined(separator: " "), phase: .reading, bytesRead: 0, totalBytes: 0, rowsCommitted: 0,
            totalRows: 0, elapsed: 0)
        for (index, file) in files.enumerated() {
            var reader = try EthereumETLTableReader(file)
            report.totalBytes = reader.totalBytes
            report.elapsed = (clock.now - started).seconds
            try progress(report)
            plan.read(&reader, file: index)
            summary.ingest.bytes += reader.totalBytes
        }
        plan.finish(into: &summary)

        let rejected = plan.rejections.reduce(0) { $0 + $1.count }
        if rejected > 0, options.strict, let first = plan.rejections.lazy.flatMap({ $0 }).min(by: Self.fileOrder) {
            throw IngestError.rejectedRow(first)
        }
        summary.ingest.rejected = rejected
        for (index, rejections) in plan.rejections.enumerated() where !rejections.isEmpty {
            summary.ingest.rejectsFiles.append(
                try writeRejects(rejections, file: files[index].path, fingerprint: fingerprints[index]))
        }

        try dropTokenTransfersStoredUnderAnotherIndex(&plan, summary: &summary)
        summary.ingest.rows = plan.items.reduce(0) { $0 + ($1.transfer == nil ? 0 : 1) }
        try write(plan, files: files, sources: sources, stored: stored, summary: &summary, report: report) { report in
            var report = report
            report.elapsed = (clock.now - started).seconds
            try progress(report)
        }
        summary.ingest.seconds = (clock.now - started).seconds
        return summary
    }

    /// Writes the planned items in batches from the committed prefix on.
    private func write(
        _ plan: EthereumETLPlanner, files: [EthereumETLFile], sources: [String], stored: [SourceProgress?],
        summary: inout EthereumETLSummary, report: IngestProgress, progress: (IngestProgress) throws -> Void
    ) throws {
        let items = plan.items
        var perFile = [Int](repeating: 0, count: files.count)
        var transfersPerFile = [Int](repeating: 0, count: files.count)
        var position = 0
        // The committed prefix: each file's count, as the last committed batch recorded it, must be what the
        // sorted items give for the prefix of their sum; else start over (duplicates then change nothing).
        let resume = stored.reduce(0) { $0 + ($1?.committedRows ?? 0) }
        if resume > 0, resume <= items.count {
            for item in items[..<resume] { perFile[item.file] += 1 }
            if perFile.enumerated().allSatisfy({ $0.element == (stored[$0.offset]?.committedRows ?? 0) }) {
                position = resume
                logger.info("resuming after \(resume) of \(items.count) committed items")
                for item in items[..<resume] where item.transfer != nil { transfersPerFile[item.file] += 1 }
                summary.ingest.duplicates += transfersPerFile.reduce(0, +)
            } else {
                perFile = [Int](repeating: 0, count: files.count)
            }
        }
        let writer = try store.makeWriter()
        var report = report
        report.phase = .writing
        report.totalRows = items.count
        repeat {
            let end = min(position + options.batchSize, items.count)
            var transactions: [TransactionInput] = []
            var seen: Set<TxHash> = []
            var transfers: [TransferInput] = []
            for item in items[position..<end] {
                perFile[item.file] += 1
                let hash = item.txHash.bytes
                if seen.insert(item.txHash).inserted {
                    transactions.append(TransactionInput(txHash: hash, block: item.block, time: item.time))
                }
                guard let transfer = item.transfer else { continue }
                transfersPerFile[item.file] += 1
                transfers.append(
                    TransferInput(
                        txHash: hash, block: item.block, time: item.time, from: plan.texts[transfer.from],
                        to: plan.texts[transfer.to], value: transfer.value,
                        asset: transfer.asset == 0 ? nil : plan.texts[transfer.asset - 1], logIndex: item.key))
            }
            var marks: [String: [UInt8]] = [:]
            for (index, source) in sources.enumerated() {
                // `rows`: the file's items (transfers and bare transactions) committed; `transfers`: those of them
                // that are transfers (what a later run of the same set reports as duplicates).
                marks[source] =
                    SourceProgress(committedRows: perFile[index], isComplete: end == items.count).bytes
                    + Array(";transfers=\(transfersPerFile[index])".utf8)
            }
            let result = try writer.append(transfers, transactions: transactions, model: .account, progress: marks)
            summary.ingest.added += result.added
            summary.ingest.duplicates += result.duplicates
            summary.transactionsAdded += result.transactionsAdded
            position = end
            report.rowsCommitted = position
            try progress(report)
        } while position < items.count
    }

    /// A token transfer first stored without its transaction index (key index 0) and now planned with it, or the
    /// other way round, is the same transfer: same transaction, same log index, so the same local part of the key.
    /// Such items are dropped here (counted as duplicates); an item with the very key stored is left for the
    /// writer, which skips it, so that a resumed run plans the same items as the first.
    private func dropTokenTransfersStoredUnderAnotherIndex(
        _ plan: inout EthereumETLPlanner, summary: inout EthereumETLSummary
    ) throws {
        guard try store.read({ try $0.counts().transactions }) > 0 else { return }
        var hashes: Set<TxHash> = []
        for item in plan.items where item.isToken { hashes.insert(item.txHash) }
        let storedKeys: [TxHash: [UInt32]] = try store.read { reader in
            var keys: [TxHash: [UInt32]] = [:]
            for hash in hashes {
                guard let id = try reader.transactionID(hash: hash.bytes), let record = try reader.transaction(id)
                else { continue }
                let tokens = record.transfers.map(\.logIndex).filter {
                    EthereumETLOrderKey.local(of: $0) >= EthereumETLOrderKey.firstLogSlot
                }
                if !tokens.isEmpty { keys[hash] = tokens }
            }
            return keys
        }
        guard !storedKeys.isEmpty else { return }
        let before = plan.items.count
        plan.items.removeAll { item in
            guard item.isToken, let keys = storedKeys[item.txHash] else { return false }
            let local = EthereumETLOrderKey.local(of: item.key)
            return keys.contains { $0 != item.key && EthereumETLOrderKey.local(of: $0) == local }
        }
        summary.ingest.duplicates += before - plan.items.count
    }

    /// The `transfers=` part of a source's progress, 0 when absent.
    static func committedTransfers(_ bytes: [UInt8]) -> Int {
        for part in String(decoding: bytes, as: UTF8.self).split(separator: ";") where part.hasPrefix("transfers=") {
            return Int(part.dropFirst("transfers=".count)) ?? 0
        }
        return 0
    }

    /// The first 16 hex digits of the SHA-256 of the input set: every file's table and fingerprint, and the options
    /// that change what is stored.
    static func contextDigest(files: [EthereumETLFile], fingerprints: [String], keepZero: Bool) -> String {
        var text = keepZero ? "keep-zero\n" : "\n"
        for (file, fingerprint) in zip(files, fingerprints).sorted(by: { $0.1 < $1.1 }) {
            text += file.table.rawValue + " " + fingerprint + "\n"
        }
        return String(OutputFile.hex(SHA256.hash(data: Data(text.utf8))).prefix(16))
    }

    private static func fileOrder(_ lhs: RowRejection, _ rhs: RowRejection) -> Bool {
        (lhs.file, lhs.line) < (rhs.file, rhs.line)
    }

    /// Writes the rejections of one file (replacing an earlier run's) and returns the path.
    private func writeRejects(_ rejections: [RowRejection], file: String, fingerprint: String) throws -> String {
        let directory = (store.path as NSString).appendingPathComponent("rejects")
        let name = ((file as NSString).lastPathComponent) + "-" + fingerprint.prefix(12) + ".txt"
        let path = (directory as NSString).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let text = rejections.sorted(by: Self.fileOrder).map { $0.description + "\n" }.joined()
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw IngestError.unreadable(
                file: path, reason: "cannot write the rejects file: \(error.localizedDescription)")
        }
        return path
    }
}
