internal import CLMDB
import Foundation

/// One LMDB environment (a directory with `data.mdb` and `lock.mdb`) and its named databases.
///
/// The environment handle itself is thread-safe in LMDB. Transactions are opened with `MDB_NOTLS`, so a read
/// transaction may move between threads (never used by two at once). Growing the map needs that no transaction of
/// this process is active; `activity` counts them and `resizeCondition` lets a grow wait for them to end.
final class LMDBEnvironment: @unchecked Sendable {  // Safe because mutable state is guarded by `resizeCondition`.
    let handle: OpaquePointer
    let isReadOnly: Bool
    private let resizeCondition = NSCondition()
    private var activeTransactions = 0
    private var isResizing = false

    /// Opens (creating when writable) the environment in `directory`.
    ///
    /// The corresponding C functions are `mdb_env_create`, `mdb_env_set_maxdbs`, `mdb_env_set_mapsize` and
    /// `mdb_env_open`.
    init(directory: String, readOnly: Bool, mapSize: Int, maxDatabases: Int) throws(LMDBError) {
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(code: -1, operation: "mdb_env_create returned no handle") }
        do {
            try check(mdb_env_set_maxdbs(env, MDB_dbi(maxDatabases)), "mdb_env_set_maxdbs")
            if !readOnly { try check(mdb_env_set_mapsize(env, mapSize), "mdb_env_set_mapsize") }
            var flags = UInt32(MDB_NOTLS) | UInt32(MDB_NORDAHEAD)
            if readOnly { flags |= UInt32(MDB_RDONLY) }
            try check(mdb_env_open(env, directory, flags, 0o644), "mdb_env_open '\(directory)'")
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.isReadOnly = readOnly
    }

    deinit { mdb_env_close(handle) }

    /// The current map size in bytes. The corresponding C function is `mdb_env_info`.
    var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    /// Bytes of the data file in use (last used page + 1, times the page size).
    var usedBytes: Int {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        mdb_env_info(handle, &info)
        mdb_env_stat(handle, &stat)
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }

    /// Opens a named database (creating it inside a write transaction).
    /// The corresponding C function is `mdb_dbi_open`.
    func openDatabase(_ name: String, in transaction: LMDBTransaction, create: Bool) throws(LMDBError) -> LMDBDatabase {
        var dbi: MDB_dbi = 0
        try check(
            mdb_dbi_open(transaction.handle, name, create ? UInt32(MDB_CREATE) : 0, &dbi), "mdb_dbi_open '\(name)'")
        return LMDBDatabase(handle: dbi, name: name)
    }

    /// Begins a transaction; waits while the map is being grown.
    /// The corresponding C function is `mdb_txn_begin`.
    func begin(readOnly: Bool) throws(LMDBError) -> LMDBTransaction {
        resizeCondition.lock()
        while isResizing { resizeCondition.wait() }
        activeTransactions += 1
        resizeCondition.unlock()
        var txn: OpaquePointer?
        var code = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if code == MDB_MAP_RESIZED {
            // Another process grew the map: adopt its size, then try again.
            mdb_env_set_mapsize(handle, 0)
            code = mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        }
        guard code == 0, let txn else {
            transactionEnded()
            throw LMDBError(code: code == 0 ? -1 : code, operation: "mdb_txn_begin")
        }
        return LMDBTransaction(handle: txn, environment: self, isReadOnly: readOnly)
    }

    func transactionEnded() {
        resizeCondition.lock()
        activeTransactions -= 1
        resizeCondition.broadcast()
        resizeCondition.unlock()
    }

    /// Doubles the map size (at least to `minimum`), waiting until no transaction of this process is active.
    /// The corresponding C function is `mdb_env_set_mapsize`.
    func grow(toAtLeast minimum: Int) throws(LMDBError) {
        resizeCondition.lock()
        while isResizing { resizeCondition.wait() }
        isResizing = true
        while activeTransactions > 0 { resizeCondition.wait() }
        let target = Swift.max(mapSize * 2, minimum)
        let code = mdb_env_set_mapsize(handle, target)
        isResizing = false
        resizeCondition.broadcast()
        resizeCondition.unlock()
        try check(code, "mdb_env_set_mapsize(\(target))")
    }
}

/// A named database handle (valid for the environment's lifetime).
struct LMDBDatabase: Sendable {
    let handle: UInt32
    let name: String
}
