internal import CLMDB

/// One LMDB transaction. Read-only ones are snapshots; the single write one is all-or-nothing.
///
/// - warning: Bytes handed to a closure by ``withValue(_:key:_:)`` or a cursor live in LMDB's map and are valid only
///   inside that closure: do not escape the pointer.
final class LMDBTransaction {
    let handle: OpaquePointer
    let environment: LMDBEnvironment
    let isReadOnly: Bool
    private var isFinished = false

    init(handle: OpaquePointer, environment: LMDBEnvironment, isReadOnly: Bool) {
        self.handle = handle
        self.environment = environment
        self.isReadOnly = isReadOnly
    }

    deinit { abort() }

    /// Commits. The corresponding C function is `mdb_txn_commit`.
    func commit() throws(LMDBError) {
        guard !isFinished else { return }
        isFinished = true
        let code = mdb_txn_commit(handle)
        environment.transactionEnded()
        try check(code, "mdb_txn_commit")
    }

    /// Aborts (a no-op once finished). The corresponding C function is `mdb_txn_abort`.
    func abort() {
        guard !isFinished else { return }
        isFinished = true
        mdb_txn_abort(handle)
        environment.transactionEnded()
    }

    /// Calls `body` with the value stored under `key`, or returns `nil` when there is none.
    /// The corresponding C function is `mdb_get`.
    func withValue<T>(
        _ database: LMDBDatabase, key: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> T
    ) throws -> T? {
        try key.withUnsafeBytes { keyBytes in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            var dataValue = MDB_val()
            let code = mdb_get(handle, database.handle, &keyValue, &dataValue)
            if code == MDB_NOTFOUND { return nil }
            try check(code, "mdb_get from '\(database.name)'")
            return try body(UnsafeRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size))
        }
    }

    /// The value under `key` copied into an array.
    func value(_ database: LMDBDatabase, key: [UInt8]) throws -> [UInt8]? {
        try withValue(database, key: key) { Array($0) }
    }

    /// Stores `value` under `key`. The corresponding C function is `mdb_put`.
    func put(_ database: LMDBDatabase, key: [UInt8], value: [UInt8]) throws(LMDBError) {
        let code: Int32 = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var keyValue = MDB_val(
                    mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
                var dataValue = MDB_val(
                    mv_size: valueBytes.count, mv_data: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress))
                return mdb_put(handle, database.handle, &keyValue, &dataValue, 0)
            }
        }
        try check(code, "mdb_put into '\(database.name)'")
    }

    /// Deletes `key`; returns whether it existed. The corresponding C function is `mdb_del`.
    @discardableResult
    func delete(_ database: LMDBDatabase, key: [UInt8]) throws(LMDBError) -> Bool {
        let code: Int32 = key.withUnsafeBytes { keyBytes in
            var keyValue = MDB_val(mv_size: keyBytes.count, mv_data: UnsafeMutableRawPointer(mutating: keyBytes.baseAddress))
            return mdb_del(handle, database.handle, &keyValue, nil)
        }
        if code == MDB_NOTFOUND { return false }
        try check(code, "mdb_del from '\(database.name)'")
        return true
    }

    /// Visits, in key order, every entry whose key starts with `prefix` (from `start` when given, which must itself
    /// start with `prefix`). `body` returns `false` to stop.
    /// The corresponding C functions are `mdb_cursor_open` and `mdb_cursor_get` (`MDB_SET_RANGE`, `MDB_NEXT`).
    func forEach(
        _ database: LMDBDatabase, prefix: [UInt8], from start: [UInt8]? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(handle, database.handle, &cursor), "mdb_cursor_open on '\(database.name)'")
        defer { mdb_cursor_close(cursor) }
        let seek = start ?? prefix
        var code: Int32 = seek.withUnsafeBytes { seekBytes in
            var keyValue = MDB_val(mv_size: seekBytes.count, mv_data: UnsafeMutableRawPointer(mutating: seekBytes.baseAddress))
            var dataValue = MDB_val()
            let code = mdb_cursor_get(cursor, &keyValue, &dataValue, seek.isEmpty ? MDB_FIRST : MDB_SET_RANGE)
            return code
        }
        while code == 0 {
            var keyValue = MDB_val()
            var dataValue = MDB_val()
            try check(mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_GET_CURRENT), "mdb_cursor_get")
            let key = UnsafeRawBufferPointer(start: keyValue.mv_data, count: keyValue.mv_size)
            guard key.starts(with: prefix) else { return }
            let value = UnsafeRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size)
            guard try body(key, value) else { return }
            code = mdb_cursor_get(cursor, &keyValue, &dataValue, MDB_NEXT)
        }
        if code != MDB_NOTFOUND { try check(code, "mdb_cursor_get on '\(database.name)'") }
    }

    /// The number of entries and the bytes of pages a database uses. The corresponding C function is `mdb_stat`.
    func statistics(_ database: LMDBDatabase) throws(LMDBError) -> (entries: Int, bytes: Int) {
        var stat = MDB_stat()
        try check(mdb_stat(handle, database.handle, &stat), "mdb_stat '\(database.name)'")
        let pages = stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages
        return (stat.ms_entries, pages * Int(stat.ms_psize))
    }
}
