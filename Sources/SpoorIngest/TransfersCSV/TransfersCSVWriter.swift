import SpoorStore

/// Writes transfers-csv files (the format ``TransfersCSVReader`` reads): the header, then one line per row.
///
/// Rows are written as given, `\n`-terminated, unquoted (no transfers-csv field needs quotes). Call
/// ``finish()`` to flush and close; it returns the SHA-256 of the file.
public final class TransfersCSVWriter {
    private let output: OutputFile
    /// Rows written so far.
    public private(set) var rowCount = 0

    /// Creates (or truncates) `path` and writes the header.
    public init(path: String) throws(IngestError) {
        output = try OutputFile(path: path)
        output.append(TransfersCSVReader.header)
        output.append(UInt8(ascii: "\n"))
    }

    /// Appends one row.
    public func write(_ row: TransferRow) throws(IngestError) {
        output.append(row.txHash.description)
        output.append(UInt8(ascii: ","))
        output.append(String(row.blockNumber))
        output.append(UInt8(ascii: ","))
        output.append(String(row.timestamp))
        output.append(UInt8(ascii: ","))
        output.append(row.from)
        output.append(UInt8(ascii: ","))
        output.append(row.to)
        output.append(UInt8(ascii: ","))
        output.append(row.value.description)
        output.append(UInt8(ascii: ","))
        if let asset = row.asset { output.append(asset) }
        output.append(UInt8(ascii: ","))
        output.append(String(row.logIndex))
        output.append(UInt8(ascii: "\n"))
        rowCount += 1
        try output.flushIfNeeded()
    }

    /// Flushes and closes the file; returns its SHA-256 as lowercase hex.
    @discardableResult
    public func finish() throws(IngestError) -> String {
        try output.finish()
    }
}
