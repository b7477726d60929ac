/// Reads an ethereum-etl `token_transfers.csv` export and yields transfers-csv rows.
///
/// Header (any column order is accepted, all seven are required):
/// `token_address,from_address,to_address,value,transaction_hash,log_index,block_number`.
/// The export has no block time: rows get the time from `blockTimestamps` when given, else 0.
/// `token_address` becomes the row's ``TransferRow/asset`` (never `nil`: every row is a token transfer).
public struct EthereumETLTokenTransfers: IteratorProtocol, Sequence, Sendable {
    /// The header ethereum-etl writes.
    public static let header = "token_address,from_address,to_address,value,transaction_hash,log_index,block_number"
    static let columnNames = header.split(separator: ",").map(String.init)

    /// The file's path as given.
    public let file: String
    private var scanner: CSVScanner
    private let columns: TransferColumns
    private let blockTimestamps: [UInt64: Int64]

    /// Opens `path` and checks its header.
    public init(path: String, blockTimestamps: [UInt64: Int64] = [:]) throws(IngestError) {
        try self.init(bytes: MappedBytes(path: path), file: path, blockTimestamps: blockTimestamps)
    }

    /// Reads in-memory text; `file` names it in messages.
    public init(bytes: some Collection<UInt8>, file: String, blockTimestamps: [UInt64: Int64] = [:]) throws(IngestError) {
        try self.init(bytes: MappedBytes(copying: bytes), file: file, blockTimestamps: blockTimestamps)
    }

    init(bytes: MappedBytes, file: String, blockTimestamps: [UInt64: Int64]) throws(IngestError) {
        self.file = file
        self.blockTimestamps = blockTimestamps
        var scanner = CSVScanner(bytes: bytes)
        let expected = Self.header
        guard case .record = scanner.next() else {
            throw .badHeader(file: file, expected: expected, found: TransfersCSVReader.firstLine(bytes))
        }
        let stored = Swift.min(scanner.fieldCount, CSVScanner.maximumStoredFields)
        let names = (0..<stored).map { scanner.fieldText($0) }
        var position: [String: Int] = [:]
        for (index, name) in names.enumerated() where position[name] == nil { position[name] = index }
        guard scanner.fieldCount == Self.columnNames.count, Set(names) == Set(Self.columnNames) else {
            throw .badHeader(file: file, expected: expected, found: TransfersCSVReader.firstLine(bytes))
        }
        func column(_ name: String) -> TransferColumns.Column { .init(index: position[name]!, name: name) }
        columns = TransferColumns(
            txHash: column("transaction_hash"), blockNumber: column("block_number"), timestamp: nil,
            from: column("from_address"), to: column("to_address"), value: column("value"),
            asset: column("token_address"), logIndex: column("log_index"), assetMayBeEmpty: false)
        self.scanner = scanner
    }

    /// Bytes consumed so far.
    public var bytesRead: Int { scanner.position }
    /// The file's size.
    public var totalBytes: Int { scanner.bytes.count }

    /// The next record (a row or a rejection), or `nil` at the end.
    public mutating func next() -> TransfersCSVRecord? {
        let record = scanner.nextTransfer(file: file, columns: columns, expectedFieldCount: Self.columnNames.count)
        guard case .row(var row)? = record else { return record }
        row.timestamp = blockTimestamps[row.blockNumber] ?? 0
        return .row(row)
    }

    /// Converts the export at `source` into a transfers-csv file at `destination`.
    ///
    /// - Returns: the number of rows written and the rejected records (which are not written).
    @discardableResult
    public static func convert(
        source: String, destination: String, blockTimestamps: [UInt64: Int64] = [:]
    ) throws(IngestError) -> (written: Int, rejections: [RowRejection]) {
        var reader = try EthereumETLTokenTransfers(path: source, blockTimestamps: blockTimestamps)
        let writer = try TransfersCSVWriter(path: destination)
        var rejections: [RowRejection] = []
        while let record = reader.next() {
            switch record {
            case .row(let row): try writer.write(row)
            case .rejected(let rejection): rejections.append(rejection)
            }
        }
        try writer.finish()
        return (writer.rowCount, rejections)
    }
}
