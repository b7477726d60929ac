import Foundation
public import Logging
public import SpoorStore

/// Options of a transfers-csv ingest.
public struct TransfersIngestOptions: Sendable {
    /// Stop at the first bad row; nothing of its file is stored. Default `false`: bad rows go to the rejects file.
    public var strict: Bool
    /// Transfers per LMDB write transaction. Default 250,000: larger batches rewrite fewer pages (on 1M generated
    /// transfers, 50k batches ingest at 50k rows/s, 250k at 68k rows/s, one batch at 77k rows/s), smaller ones lose
    /// less work to a crash.
    public var batchSize: Int

    /// Creates options.
    public init(strict: Bool = false, batchSize: Int = 250_000) {
        self.strict = strict
        self.batchSize = max(1, batchSize)
    }
}

/// Ingests transfers-csv files (`Schemas/transfers-csv.schema.json`) into a store: idempotent and resumable.
///
/// Each file is read whole and checked first (a wrong header fails before anything is written), its valid rows
/// sorted into chain order (block, log index, line), then written in batches, one LMDB write transaction each. Each
/// batch records, in the same transaction, how many of the file's sorted rows are committed, under a source key made
/// from the SHA-256 of the file's bytes. Running the same command again after an interruption (even SIGKILL) skips
/// the committed rows and goes on; a file already complete is skipped; a transfer the store already holds (same
/// transaction hash and log index, from any file) is counted as a duplicate and changes nothing.
///
/// Bad rows never stop a non-strict ingest and are never dropped silently: each is written with file, line and
/// reason to `rejects/<file name>-<hash prefix>.txt` in the store directory and counted in the summary.
///
/// - Complexity: O(rows · log rows) time; O(rows of one file) memory.
public struct TransfersCSVIngester {
    let store: Store
    let options: TransfersIngestOptions
    let logger: Logger

    /// Creates an ingester writing to `store` (opened `.readWrite`).
    public init(store: Store, options: TransfersIngestOptions = TransfersIngestOptions(), logger: Logger) {
        self.store = store
        self.options = options
        self.logger = logger
    }

    /// Ingests `files` in the order given.
    public func ingest(
        files: [String], progress: (IngestProgress) -> Void = { _ in }
    ) throws -> IngestSummary {
        let writer = try store.makeWriter()
        let clock = ContinuousClock()
        let started = clock.now
        var summary = IngestSummary()
        try writer.bulkLoad {
            for file in files {
                try ingest(file: file, writer: writer, into: &summary, progress: progress)
            }
        }
        summary.seconds = (clock.now - started).seconds
        return summary
    }

    private func ingest(
        file: String, writer: GraphWriter, into summary: inout IngestSummary, progress: (IngestProgress) -> Void
    ) throws {
        let clock = ContinuousClock()
        let started = clock.now
        var reader = try TransfersCSVReader(path: file)
        let fingerprint = try FileDigest.sha256(path: file)  // the identity of an ingest source
        let source = "transfers-csv:" + fingerprint
        summary.files += 1
        let stored = try store.read { try $0.sourceProgress(source) }.flatMap(SourceProgress.init(bytes:))
        if let stored, stored.isComplete {
            logger.info("\(file): already ingested (\(stored.committedRows) rows); skipped")
            summary.filesAlreadyIngested += 1
            summary.duplicates += stored.committedRows
            return
        }

        // Read and check every row first, keeping each in compact form (addresses interned) until it is written.
        var rows: [CompactTransfer] = []
        var texts = InternedTexts()
        let numbering = AddressNumbering()  // the store's ids of this file's interned texts, as batches commit
        var rejections: [RowRejection] = []
        var report = IngestProgress(
            file: file, phase: .reading, bytesRead: 0, totalBytes: reader.totalBytes, rowsCommitted: 0, totalRows: 0,
            elapsed: 0)
        while let record = reader.next() {
            switch record {
            case .row(let row): rows.append(CompactTransfer(row, texts: &texts))
            case .rejected(let rejection):
                if options.strict { throw IngestError.rejectedRow(rejection) }
                rejections.append(rejection)
            }
            if (rows.count + rejections.count) % 65_536 == 0 {
                reader.releaseReadPages()
                report.bytesRead = reader.bytesRead
                report.elapsed = (clock.now - started).seconds
                progress(report)
            }
        }
        reader.releaseReadPages()
        summary.bytes += reader.totalBytes
        summary.rows += rows.count
        summary.rejected += rejections.count
        if !rejections.isEmpty {
            summary.rejectsFiles.append(try writeRejects(rejections, file: file, fingerprint: fingerprint))
        }

        // Chain order; the line breaks ties so the order (and so the resume point) is the same on every run.
        rows.sort { ($0.block, $0.logIndex, $0.line) < ($1.block, $1.logIndex, $1.line) }
        var committed = min(stored?.committedRows ?? 0, rows.count)
        if committed > 0 {
            logger.info("\(file): resuming after \(committed) of \(rows.count) committed rows")
            summary.duplicates += committed
        }
        report.phase = .writing
        report.bytesRead = reader.totalBytes
        report.totalRows = rows.count
        repeat {
            let end = min(committed + options.batchSize, rows.count)
            let batch = rows[committed..<end].map { $0.input(texts) }
            let marker = SourceProgress(committedRows: end, isComplete: end == rows.count)
            let result = try writer.append(
                batch, transactions: [], model: .account, progress: [source: marker.bytes], numbering: numbering)
            summary.added += result.added
            summary.duplicates += result.duplicates
            committed = end
            report.rowsCommitted = committed
            report.elapsed = (clock.now - started).seconds
            progress(report)
        } while committed < rows.count
    }

    /// Writes the rejections of one file (replacing an earlier run's) and returns the path.
    private func writeRejects(_ rejections: [RowRejection], file: String, fingerprint: String) throws -> String {
        let directory = (store.path as NSString).appendingPathComponent("rejects")
        let name = ((file as NSString).lastPathComponent) + "-" + fingerprint.prefix(12) + ".txt"
        let path = (directory as NSString).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let text = rejections.map { $0.description + "\n" }.joined()
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw IngestError.unreadable(file: path, reason: "cannot write the rejects file: \(error.localizedDescription)")
        }
        return path
    }
}

/// One valid row held between reading and writing: 100 bytes, its addresses interned in ``InternedTexts``, so
/// that a file's rows can be sorted into chain order in memory (a row as parsed, with its strings, takes ~10 times
/// as much).
struct CompactTransfer {
    var txHash: TxHash
    var value: Amount
    var block: UInt64
    var time: Int64
    var from: UInt32
    var to: UInt32
    /// 0 for the native coin, else the interned contract's index + 1.
    var asset: UInt32
    var logIndex: UInt32
    var line: Int

    init(_ row: TransferRow, texts: inout InternedTexts) {
        txHash = row.txHash
        value = row.value
        block = row.blockNumber
        time = row.timestamp
        from = texts.intern(row.from)
        to = texts.intern(row.to)
        asset = row.asset.map { texts.intern($0) + 1 } ?? 0
        logIndex = row.logIndex
        line = row.line
    }

    func input(_ texts: InternedTexts) -> TransferInput {
        var input = TransferInput(
            txHash: txHash.bytes, block: block, time: time, from: texts[from], to: texts[to], value: value,
            asset: asset == 0 ? nil : texts[asset - 1], logIndex: logIndex)
        input.fromNumber = from
        input.toNumber = to
        return input
    }
}

/// Each distinct text once, numbered in first-seen order.
struct InternedTexts {
    private var numbers: [String: UInt32] = [:]
    private var texts: [String] = []

    mutating func intern(_ text: String) -> UInt32 {
        if let number = numbers[text] { return number }
        let number = UInt32(texts.count)
        numbers[text] = number
        texts.append(text)
        return number
    }

    subscript(number: UInt32) -> String { texts[Int(number)] }
}

/// What the store records per ingest source: committed rows of the file's sorted order, and whether it is complete.
struct SourceProgress: Equatable {
    var committedRows: Int
    var isComplete: Bool

    init(committedRows: Int, isComplete: Bool) {
        self.committedRows = committedRows
        self.isComplete = isComplete
    }

    /// `rows=<n>;complete=<0|1>`: text, so `spoor stats` and people can read it.
    var bytes: [UInt8] { Array("rows=\(committedRows);complete=\(isComplete ? 1 : 0)".utf8) }

    init?(bytes: [UInt8]) {
        var rows: Int?
        var complete: Bool?
        for part in String(decoding: bytes, as: UTF8.self).split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { return nil }
            switch pair[0] {
            case "rows": rows = Int(pair[1])
            case "complete": complete = pair[1] == "1"
            default: continue
            }
        }
        guard let rows, let complete else { return nil }
        self.init(committedRows: rows, isComplete: complete)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
