/// How far an ingest has come, handed to a progress callback (the CLI draws it on a terminal).
public struct IngestProgress: Sendable, Hashable {
    /// What the ingest is doing now.
    public enum Phase: String, Sendable, Hashable {
        /// Reading and checking rows.
        case reading
        /// Writing batches to the store.
        case writing
    }

    /// The file being ingested.
    public var file: String
    /// What it is doing.
    public var phase: Phase
    /// Bytes of the file read so far.
    public var bytesRead: Int
    /// Bytes of the file in all.
    public var totalBytes: Int
    /// Rows committed to the store so far (this file).
    public var rowsCommitted: Int
    /// Valid rows in the file (known once it has been read).
    public var totalRows: Int
    /// Seconds since the ingest of this file began.
    public var elapsed: Double

    /// The fraction done, 0 … 1 (reading counts as the first half, writing as the second).
    public var fraction: Double {
        switch phase {
        case .reading: return totalBytes == 0 ? 0 : 0.5 * Double(bytesRead) / Double(totalBytes)
        case .writing: return totalRows == 0 ? 1 : 0.5 + 0.5 * Double(rowsCommitted) / Double(totalRows)
        }
    }
}

/// What an ingest did.
public struct IngestSummary: Sendable, Hashable, Codable {
    /// Files read.
    public var files = 0
    /// Files skipped because the store already holds all of them.
    public var filesAlreadyIngested = 0
    /// Valid rows read.
    public var rows = 0
    /// Transfers added to the store.
    public var added = 0
    /// Rows the store already held (same transaction and log index).
    public var duplicates = 0
    /// Rows rejected (written to the rejects file).
    public var rejected = 0
    /// Bytes read.
    public var bytes = 0
    /// Wall-clock seconds.
    public var seconds = 0.0
    /// Where the rejected rows were written, if any were.
    public var rejectsFiles: [String] = []

    /// Rows per second.
    public var rowsPerSecond: Double { seconds > 0 ? Double(rows + rejected) / seconds : 0 }

    /// `rows 100000, added 100000, duplicates 0, rejected 0, 1.23 s, 81300 rows/s`.
    public var line: String {
        var text = "rows \(rows), added \(added), duplicates \(duplicates), rejected \(rejected)"
        if filesAlreadyIngested > 0 { text += ", files already ingested \(filesAlreadyIngested)" }
        text += ", " + String(format2: seconds) + " s, \(Int(rowsPerSecond.rounded())) rows/s"
        return text
    }
}

extension String {
    /// Two decimals without Foundation's locale-dependent formatting.
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        let fraction = abs(hundredths % 100)
        self = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
