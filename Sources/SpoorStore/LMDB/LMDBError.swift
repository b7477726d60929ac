internal import CLMDB

/// An error reported by LMDB, with the operation that failed.
public struct LMDBError: Error, Sendable, CustomStringConvertible, Equatable {
    /// LMDB's return code.
    public var code: Int32
    /// What Spoor was doing (`mdb_put into 'adjacency'`).
    public var operation: String

    /// Whether this is `MDB_MAP_FULL`: the map must grow and the transaction be retried.
    public var isMapFull: Bool { code == MDB_MAP_FULL }

    public var description: String {
        let text = String(cString: mdb_strerror(code))
        return "LMDB error \(code) in \(operation): \(text)"
    }
}

/// Throws an ``LMDBError`` for a non-zero LMDB return code.
@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if code != 0 { throw LMDBError(code: code, operation: operation()) }
}
