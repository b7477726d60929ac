/// An error from the store: a format it cannot read, a corrupt record, a misuse of a mode, or LMDB itself.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The store was written by another format version.
    case versionMismatch(path: String, found: String, expected: Int)
    /// The directory holds no Spoor store (read-only opens never create one).
    case notAStore(path: String, reason: String)
    /// A record failed to decode: the table, the key and what was wrong.
    case corrupted(table: String, key: String, reason: String)
    /// The store is open read-only and a write was asked for.
    case readOnly(path: String)
    /// The store holds another chain model than the data being added.
    case chainModelMismatch(path: String, stored: String, requested: String)
    /// LMDB reported an error.
    case lmdb(LMDBError)
    /// zstd reported an error.
    case compression(String)
    /// Another process (or another open `Store` of this process) has the store open, so it cannot be compacted.
    case inUse(path: String, operation: String)
    /// A file operation on the store directory failed: the path, the operation and the system's reason.
    case file(path: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .versionMismatch(let path, let found, let expected):
            return "store '\(path)' has format version \(found), but this Spoor reads format version \(expected)"
        case .notAStore(let path, let reason):
            return "'\(path)' is not a Spoor store: \(reason)"
        case .corrupted(let table, let key, let reason):
            return "corrupted record in table '\(table)' at key \(key): \(reason)"
        case .readOnly(let path):
            return "store '\(path)' is open read-only"
        case .chainModelMismatch(let path, let stored, let requested):
            return "store '\(path)' holds the \(stored) chain model; cannot add \(requested) data"
        case .lmdb(let error):
            return error.description
        case .compression(let message):
            return "zstd: \(message)"
        case .inUse(let path, let operation):
            return "store '\(path)' is open in another process (or elsewhere in this one); close it before \(operation)"
        case .file(let path, let operation, let reason):
            return "\(operation) '\(path)' failed: \(reason)"
        }
    }
}

/// A decoding failure inside a byte buffer; the caller turns it into ``StoreError/corrupted(table:key:reason:)``.
struct DecodeError: Error {
    var reason: String
}
