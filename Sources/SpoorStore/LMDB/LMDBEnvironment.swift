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
    /// The data file's absolute path without symbolic links, as `/proc/self/maps` names it.
    let dataFile: String?
    /// The store directory's shared (or, while compacting, exclusive) lock; released after the environment closes.
    let directoryLock: DirectoryLock?
    private let resizeCondition = NSCondition()
    private var activeTransactions = 0
    private var isResizing = false

    /// Opens (creating when writable) the environment in `directory`.
    ///
    /// The corresponding C functions are `mdb_env_create`, `mdb_env_set_maxdbs`, `mdb_env_set_mapsize` and
    /// `mdb_env_open`.
    init(
        directory: String, readOnly: Bool, mapSize: Int, maxDatabases: Int, directoryLock: DirectoryLock? = nil
    ) throws(LMDBError) {
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
        self.dataFile = realpath((directory as NSString).appendingPathComponent("data.mdb"), nil).map { resolved in
            defer { free(resolved) }
            return " " + String(cString: resolved)
        }
        self.directoryLock = directoryLock
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

    /// The page size, the pages of the data file in use (last used page + 1) and how many of them are free: listed
    /// in LMDB's free list for reuse, as `mdb_stat -ef` counts them. Free pages are what a compacting copy leaves out.
    /// The corresponding C functions are `mdb_env_info`, `mdb_env_stat` and a cursor on the free-list database (0).
    func pageUsage() throws(LMDBError) -> PageUsage {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        let transaction = try begin(readOnly: true)
        defer { transaction.abort() }
        try check(mdb_env_info(handle, &info), "mdb_env_info")
        try check(mdb_env_stat(handle, &stat), "mdb_env_stat")
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(transaction.handle, 0, &cursor), "mdb_cursor_open on the free list")
        defer { mdb_cursor_close(cursor) }
        var free = 0
        var key = MDB_val()
        var value = MDB_val()
        var code = mdb_cursor_get(cursor, &key, &value, MDB_FIRST)
        while code == 0 {
            // Each value is an ID list: its first word is how many page numbers follow.
            if value.mv_size >= MemoryLayout<Int>.size, let data = value.mv_data {
                free += data.loadUnaligned(as: Int.self)
            }
            code = mdb_cursor_get(cursor, &key, &value, MDB_NEXT)
        }
        if code != MDB_NOTFOUND { try check(code, "mdb_cursor_get on the free list") }
        return PageUsage(pageSize: Int(stat.ms_psize), usedPages: info.me_last_pgno + 1, freePages: free)
    }

    /// Writes a compacted copy of the environment (free pages left out, pages renumbered) to the open file `fd`,
    /// from a read snapshot. The corresponding C function is `mdb_env_copyfd2` with `MDB_CP_COMPACT`.
    func copyCompacted(to fd: Int32) throws(LMDBError) {
        try check(mdb_env_copyfd2(handle, fd, UInt32(MDB_CP_COMPACT)), "mdb_env_copyfd2 (compacting copy)")
    }

    /// Turns `MDB_NOMETASYNC` on or off: with it on, a commit flushes its data pages but not its meta page, which
    /// the next commit's flush (or ``sync()``) writes. One flush per commit instead of two; an operating system crash
    /// may undo the last commit but never damages the store (a process kill loses nothing).
    /// The corresponding C function is `mdb_env_set_flags`.
    func setNoMetaSync(_ on: Bool) throws(LMDBError) {
        try check(mdb_env_set_flags(handle, UInt32(MDB_NOMETASYNC), on ? 1 : 0), "mdb_env_set_flags(MDB_NOMETASYNC)")
    }

    /// Flushes every committed transaction to disk. The corresponding C function is `mdb_env_sync(env, 1)`.
    func sync() throws(LMDBError) {
        try check(mdb_env_sync(handle, 1), "mdb_env_sync")
    }

    /// Where this process maps the data file: the ranges of `/proc/self/maps` naming it (LMDB does not say:
    /// `mdb_env_info`'s `me_mapaddr` is the fixed address of `MDB_FIXEDMAP` only). Empty where there is no `/proc`.
    var mappedRanges: [(address: UnsafeMutableRawPointer, length: Int)] {
        guard let dataFile, let text = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else {
            return []
        }
        var ranges: [(UnsafeMutableRawPointer, Int)] = []
        for line in text.split(separator: "\n") where line.hasSuffix(dataFile) {
            let bounds = line.prefix { $0 != " " }.split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                end > start, let address = UnsafeMutableRawPointer(bitPattern: start)
            else { continue }
            ranges.append((address, Int(end - start)))
        }
        return ranges
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

/// How the pages of an environment's data file are used.
struct PageUsage: Sendable, Hashable {
    /// Bytes per page.
    var pageSize: Int
    /// Pages up to the last one in use (the data file holds these).
    var usedPages: Int
    /// Pages on LMDB's free list: kept for reuse, left out by a compacting copy.
    var freePages: Int

    /// Bytes of the used pages.
    var usedBytes: Int { usedPages * pageSize }
    /// Bytes of the free pages.
    var freeBytes: Int { freePages * pageSize }
}

/// A named database handle (valid for the environment's lifetime).
struct LMDBDatabase: Sendable {
    let handle: UInt32
    let name: String
}
