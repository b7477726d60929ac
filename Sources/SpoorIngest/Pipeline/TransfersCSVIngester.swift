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
/// Each file is read and checked first (a wrong header or, with `strict`, a bad row fails before anything is
/// written), then its valid rows are read again in chain order (block, log index, line) and written in batches, one
/// LMDB write transaction each; no more than a batch of rows is held (plus 24 bytes a row to sort a file that is not
/// already in chain order). Each
/// batch records, in the same transaction, how many of the file's sorted rows are committed, under a source key made
/// from the SHA-256 of the file's bytes. Running the same command again after an interruption (even SIGKILL) skips
/// the committed rows and goes on; a file already complete is skipped; a transfer the store already holds (same
/// transaction hash and log index, from any file) is counted as a duplicate and changes nothing.
///
/// Bad rows never stop a non-strict ingest and are never dropped silently: each is written with file, line and
/// reason to `rejects/<file name>-<hash prefix>.txt` in the store directory and counted in the summary.
///
/// - Complexity: O(rows · log rows) time (O(rows) for a file in chain order); O(batch size + distinct addresses)
///   memory, plus O(rows) compact keys for a file not in chain order.
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
        let sourceKey = "transfers-csv:" + fingerprint
        summary.files += 1
        let stored = try store.read { try $0.sourceProgress(sourceKey) }.flatMap(SourceProgress.init(bytes:))
        if let stored, stored.isComplete {
            logger.info("\(file): already ingested (\(stored.committedRows) rows); skipped")
            summary.filesAlreadyIngested += 1
            summary.duplicates += stored.committedRows
            return
        }

        // Pass 1: check every row (rejections, strict mode) before anything is written, count the valid rows and
        // see whether they are already in chain order. No row is kept.
        var rejections: [RowRejection] = []
        var validRows = 0
        var inChainOrder = true
        var last = (block: UInt64(0), logIndex: UInt32(0))
        var report = IngestProgress(
            file: file, phase: .reading, bytesRead: 0, totalBytes: reader.totalBytes, rowsCommitted: 0, totalRows: 0,
            elapsed: 0)
        while let record = reader.next() {
            switch record {
            case .row(let row):
                let key = (block: row.blockNumber, logIndex: row.logIndex)
                if validRows > 0 && key < last { inChainOrder = false }
                last = key
                validRows += 1
            case .rejected(let rejection):
                if options.strict { throw IngestError.rejectedRow(rejection) }
                rejections.append(rejection)
            }
            if (validRows + rejections.count) % 65_536 == 0 {
                reader.releaseReadPages()
                report.bytesRead = reader.bytesRead
                report.elapsed = (clock.now - started).seconds
                progress(report)
            }
        }
        reader.releaseReadPages()
        summary.bytes += reader.totalBytes
        summary.rows += validRows
        summary.rejected += rejections.count
        if !rejections.isEmpty {
            summary.rejectsFiles.append(try writeRejects(rejections, file: file, fingerprint: fingerprint))
        }

        // Chain order is (block, log index, line); the line breaks ties so the order (and so the resume point) is
        // the same on every run. A file already in that order is streamed again; otherwise only a compact key per
        // row is sorted and each batch re-reads its rows at their byte offsets.
        var rows = try RowSource(file: file, inChainOrder: inChainOrder, validRows: validRows)
        var committed = min(stored?.committedRows ?? 0, validRows)
        if committed > 0 {
            logger.info("\(file): resuming after \(committed) of \(validRows) committed rows")
            summary.duplicates += committed
            try rows.skip(committed)
        }
        report.phase = .writing
        report.bytesRead = reader.totalBytes
        report.totalRows = validRows
        var interner = AddressInterner()
        let numbering = AddressNumbering()  // the store's ids of the interned addresses, as batches commit
        repeat {
            let end = min(committed + options.batchSize, validRows)
            var batch: [TransferInput] = []
            batch.reserveCapacity(end - committed)
            for _ in committed..<end { batch.append(try rows.next().input(interner: &interner)) }
            rows.releasePages()
            let marker = SourceProgress(committedRows: end, isComplete: end == validRows)
            let result = try writer.append(
                batch, transactions: [], model: .account, progress: [sourceKey: marker.bytes], numbering: numbering)
            summary.added += result.added
            summary.duplicates += result.duplicates
            committed = end
            report.rowsCommitted = committed
            report.elapsed = (clock.now - started).seconds
            progress(report)
        } while committed < validRows
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

/// The valid rows of a checked file, in chain order: read again from the mapped file, in file order when it is
/// already in chain order, else at the byte offsets of a sorted array of compact keys (24 bytes a row).
struct RowSource {
    /// A row's place in chain order: its sort key and where its record starts.
    struct Key: Comparable {
        var block: UInt64
        /// The record's byte offset: increases with the line, so it breaks ties as the line does.
        var offset: Int
        var logIndex: UInt32

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.block, lhs.logIndex, lhs.offset) < (rhs.block, rhs.logIndex, rhs.offset)
        }
    }

    private var reader: TransfersCSVReader
    /// `nil` when the file is in chain order (rows come in file order).
    private var keys: [Key]?
    private var nextIndex = 0
    private let file: String

    /// Opens `file` again; when it is not in chain order, reads it once more to sort the keys of its valid rows.
    init(file: String, inChainOrder: Bool, validRows: Int) throws(IngestError) {
        self.file = file
        reader = try TransfersCSVReader(path: file)
        guard !inChainOrder else { return }
        var keys: [Key] = []
        keys.reserveCapacity(validRows)
        var offset = reader.bytesRead
        while let record = reader.next() {
            if case .row(let row) = record {
                keys.append(Key(block: row.blockNumber, offset: offset, logIndex: row.logIndex))
                if keys.count % 65_536 == 0 { reader.releaseReadPages() }
            }
            offset = reader.bytesRead
        }
        reader.releaseAllPages()
        guard keys.count == validRows else { throw Self.changed(file) }
        keys.sort()
        self.keys = keys
    }

    /// Passes over the first `count` rows (already committed by an earlier run).
    mutating func skip(_ count: Int) throws(IngestError) {
        if keys != nil {
            nextIndex += count
            return
        }
        for _ in 0..<count { _ = try next() }
    }

    /// The next row in chain order.
    mutating func next() throws(IngestError) -> TransferRow {
        if let keys {
            guard nextIndex < keys.count else { throw Self.changed(file) }
            reader.seek(to: keys[nextIndex].offset)
            nextIndex += 1
            guard case .row(let row) = reader.next() else { throw Self.changed(file) }
            return row
        }
        while let record = reader.next() {
            if case .row(let row) = record {
                nextIndex += 1
                if nextIndex % 65_536 == 0 { reader.releaseReadPages() }
                return row
            }
        }
        throw Self.changed(file)
    }

    /// Drops the pages read so far from the resident set.
    func releasePages() {
        if keys != nil { reader.releaseAllPages() } else { reader.releaseReadPages() }
    }

    /// The file no longer holds the rows the first pass checked.
    private static func changed(_ file: String) -> IngestError {
        .unreadable(file: file, reason: "the file changed while it was being ingested (its rows differ between two reads)")
    }
}

extension TransferRow {
    /// The row as the writer takes it, its addresses numbered by `interner`.
    func input(interner: inout AddressInterner) -> TransferInput {
        var input = TransferInput(
            txHash: txHash.bytes, block: blockNumber, time: timestamp, from: from, to: to, value: value,
            asset: asset, logIndex: logIndex)
        input.fromNumber = interner.number(from)
        input.toNumber = interner.number(to)
        return input
    }
}

/// Numbers canonical addresses (`0x` + 40 lowercase hex digits) densely in first-seen order, keyed by their 20
/// bytes (~40 bytes an address, a third of a `String`-keyed table with the texts kept).
struct AddressInterner {
    /// An address's 20 bytes, big-endian.
    struct Key: Hashable {
        var high: UInt64
        var middle: UInt64
        var low: UInt32
    }

    private var numbers: [Key: UInt32] = [:]

    /// The number of `text`; `nil` when it is not a canonical address (the writer then looks the text up).
    mutating func number(_ text: String) -> UInt32? {
        guard let key = Self.key(text) else { return nil }
        if let number = numbers[key] { return number }
        let number = UInt32(truncatingIfNeeded: numbers.count)
        guard numbers.count < Int(UInt32.max) else { return nil }
        numbers[key] = number
        return number
    }

    static func key(_ text: String) -> Key? {
        if let key = text.utf8.withContiguousStorageIfAvailable({ key($0) }) { return key }
        return Array(text.utf8).withUnsafeBufferPointer { key($0) }  // a string without contiguous UTF-8
    }

    static func key(_ bytes: UnsafeBufferPointer<UInt8>) -> Key? {
        guard bytes.count == 42, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") else { return nil }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        for index in 0..<40 {
            let byte = bytes[2 + index]
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            default: return nil
            }
            switch index {
            case 0..<16: words.0 = words.0 << 4 | digit
            case 16..<32: words.1 = words.1 << 4 | digit
            default: words.2 = words.2 << 4 | digit
            }
        }
        return Key(high: words.0, middle: words.1, low: UInt32(truncatingIfNeeded: words.2))
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
