/// A file-level ingest error: the whole file (or the rest of it) cannot be read.
///
/// Errors in a single record do not throw; they come out as a ``RowRejection`` and reading goes on.
public enum IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The first line is not the header the format requires.
    case badHeader(file: String, expected: String, found: String)
    /// The header lacks columns the format needs (`expected`: the needed columns; any order, others allowed).
    /// Boxed (`indirect`): with this payload inline the enum grows past 48 bytes, and Swift 6.3's debug build then
    /// corrupted memory when a `throws(IngestError)` function threw another case (seen in the strict-ingest test).
    indirect case missingColumns(file: String, missing: [String], expected: String, found: String)
    /// The file cannot be opened, mapped or read (the reason carries the C library's message).
    case unreadable(file: String, reason: String)
    /// The file is not in the expected format from `line` on (a JSON syntax error, an unknown tag-file layout).
    case malformed(file: String, line: Int, reason: String)
    /// A bad row in a `--strict` ingest: the ingest stops and nothing of the file is stored.
    case rejectedRow(RowRejection)
    /// A caller-supplied parameter is invalid (a generator option, a planted address).
    case invalidArgument(String)

    /// The file the error is about, when there is one.
    public var file: String? {
        switch self {
        case .badHeader(let file, _, _), .unreadable(let file, _), .malformed(let file, _, _),
            .missingColumns(let file, _, _, _):
            return file
        case .rejectedRow(let rejection): return rejection.file
        case .invalidArgument: return nil
        }
    }

    public var description: String {
        switch self {
        case .badHeader(let file, let expected, let found):
            if found.isEmpty {
                return "\(file):1: bad header: expected '\(expected)', found an empty file"
            }
            return "\(file):1: bad header: expected '\(expected)', found '\(found)'"
        case .missingColumns(let file, let missing, let expected, let found):
            let names = missing.map { "'\($0)'" }.joined(separator: ", ")
            return "\(file):1: bad header: missing column\(missing.count == 1 ? "" : "s") \(names): expected the columns "
                + "'\(expected)' (any order, others allowed), found '\(found)'"
        case .unreadable(let file, let reason):
            return "\(file): cannot read file: \(reason)"
        case .malformed(let file, let line, let reason):
            return "\(file):\(line): \(reason)"
        case .rejectedRow(let rejection):
            return "\(rejection) (strict: nothing of this file was stored)"
        case .invalidArgument(let reason):
            return "invalid argument: \(reason)"
        }
    }
}

/// One record that could not be ingested, with the 1-based line it starts on and why.
public struct RowRejection: Sendable, Hashable, CustomStringConvertible {
    /// The file's path as given to the reader.
    public var file: String
    /// The 1-based line the record starts on.
    public var line: Int
    /// What is wrong, e.g. `wrong column count (expected 8, found 7)`.
    public var reason: String

    /// Creates a rejection.
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `file:line: reason`.
    public var description: String { "\(file):\(line): \(reason)" }
}
