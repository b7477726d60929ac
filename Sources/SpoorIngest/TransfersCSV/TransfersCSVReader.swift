/// Reads a transfers-csv file: a header, then one transfer per record.
///
/// ```
/// tx_hash,block_number,block_timestamp,from_address,to_address,value,asset,log_index
/// ```
///
/// The file is memory-mapped and scanned byte by byte; only the addresses become `String`s. Every record comes
/// out as a ``TransfersCSVRecord``: a valid ``TransferRow`` or a ``RowRejection`` with the 1-based line and a
/// precise reason. Blank lines are skipped (they hold no record). Records may be in any order; the store keeps
/// chain order (block number, log index).
///
/// ```swift
/// var reader = try TransfersCSVReader(path: "transfers.csv")
/// while let record = reader.next() {
///     switch record {
///     case .row(let row): ...
///     case .rejected(let rejection): print(rejection)
///     }
/// }
/// ```
public struct TransfersCSVReader: IteratorProtocol, Sequence, Sendable {
    /// The required header line.
    public static let header = "tx_hash,block_number,block_timestamp,from_address,to_address,value,asset,log_index"
    /// The column names, in order.
    public static let columnNames = header.split(separator: ",").map(String.init)

    static let columns = TransferColumns(
        txHash: .init(index: 0, name: "tx_hash"),
        blockNumber: .init(index: 1, name: "block_number"),
        timestamp: .init(index: 2, name: "block_timestamp"),
        from: .init(index: 3, name: "from_address"),
        to: .init(index: 4, name: "to_address"),
        value: .init(index: 5, name: "value"),
        asset: .init(index: 6, name: "asset"),
        logIndex: .init(index: 7, name: "log_index"),
        assetMayBeEmpty: true)

    /// The file's path as given (used in messages).
    public let file: String
    private var scanner: CSVScanner

    /// Opens and maps `path` and checks its header.
    ///
    /// - Throws: ``IngestError/unreadable(file:reason:)`` when the file cannot be read,
    ///   ``IngestError/badHeader(file:expected:found:)`` when the first line is not ``header``.
    public init(path: String) throws(IngestError) {
        try self.init(bytes: MappedBytes(path: path), file: path)
    }

    /// Reads in-memory text (tests, stdin); `file` names it in messages.
    public init(bytes: some Collection<UInt8>, file: String) throws(IngestError) {
        try self.init(bytes: MappedBytes(copying: bytes), file: file)
    }

    init(bytes: MappedBytes, file: String) throws(IngestError) {
        self.file = file
        scanner = CSVScanner(bytes: bytes)
        try Self.checkHeader(&scanner, file: file, expected: Self.columnNames)
    }

    /// Checks that the first record is exactly `expected` (fields compared after unquoting).
    static func checkHeader(_ scanner: inout CSVScanner, file: String, expected: [String]) throws(IngestError) {
        let expectedText = expected.joined(separator: ",")
        switch scanner.next() {
        case .end:
            throw .badHeader(file: file, expected: expectedText, found: "")
        case .malformed:
            throw .badHeader(file: file, expected: expectedText, found: firstLine(scanner.bytes))
        case .record:
            let stored = Swift.min(scanner.fieldCount, CSVScanner.maximumStoredFields)
            let found = (0..<stored).map { scanner.fieldText($0) }
            guard scanner.fieldCount == expected.count, found == expected else {
                throw .badHeader(file: file, expected: expectedText, found: firstLine(scanner.bytes))
            }
        }
    }

    /// The first line as text (for a header message), cut at 200 characters.
    static func firstLine(_ bytes: MappedBytes) -> String {
        guard let base = bytes.base else { return "" }
        var end = 0
        while end < bytes.count && base[end] != UInt8(ascii: "\n") { end += 1 }
        var start = 0
        if end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
        if end > start && base[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// Bytes consumed so far (for progress).
    public var bytesRead: Int { scanner.position }

    /// Drops the bytes already read from the process's resident set (see ``MappedBytes/releasePages(before:)``).
    func releaseReadPages() { scanner.bytes.releasePages(before: scanner.position) }
    /// Drops every mapped page of the file from the process's resident set (after a batch read at random offsets).
    func releaseAllPages() { scanner.bytes.releasePages(before: scanner.bytes.count) }

    /// Moves to `offset`, a value of ``bytesRead`` taken just before an earlier ``next()`` on the same file: the next
    /// record is then that one again.
    mutating func seek(to offset: Int) { scanner.seek(to: offset) }

    /// The file's size in bytes.
    public var totalBytes: Int { scanner.bytes.count }

    /// The next record, or `nil` at the end of the file. Never throws: bad records come out as rejections.
    public mutating func next() -> TransfersCSVRecord? {
        scanner.nextTransfer(file: file, columns: Self.columns, expectedFieldCount: Self.columnNames.count)
    }

    /// Reads a whole file into rows and rejections (convenient for small files and tests).
    public static func readAll(path: String) throws(IngestError) -> (rows: [TransferRow], rejections: [RowRejection]) {
        var reader = try TransfersCSVReader(path: path)
        return reader.collect()
    }

    /// Reads the remaining records into rows and rejections.
    public mutating func collect() -> (rows: [TransferRow], rejections: [RowRejection]) {
        var rows: [TransferRow] = []
        var rejections: [RowRejection] = []
        while let record = next() {
            switch record {
            case .row(let row): rows.append(row)
            case .rejected(let rejection): rejections.append(rejection)
            }
        }
        return (rows, rejections)
    }
}
