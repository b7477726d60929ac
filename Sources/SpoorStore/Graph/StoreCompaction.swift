import Foundation
public import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The name of the partial compacted copy inside a store directory while `Store.compact` writes it.
let compactionFileName = "data.mdb.compacting"

/// Creates `path` for writing (failing when it exists); a descriptor, or -1 with `errno` set.
private func createFile(_ path: String) -> Int32 {
    open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
}

/// What a compaction found and did.
public struct CompactionResult: Sendable, Hashable {
    /// Whether the data file was replaced by a compacted copy (`false`: too few free pages to be worth it).
    public var performed: Bool
    /// Bytes of `data.mdb` before.
    public var bytesBefore: Int
    /// Bytes of `data.mdb` after (equal to ``bytesBefore`` when not performed).
    public var bytesAfter: Int
    /// Pages on LMDB's free list before (`mdb_stat -ef`).
    public var freePagesBefore: Int
    /// Bytes per page.
    public var pageSize: Int

    /// The free pages' share of the data file before, 0 … 1.
    public var freeFraction: Double {
        bytesBefore == 0 ? 0 : Double(freePagesBefore * pageSize) / Double(bytesBefore)
    }

    /// Bytes saved.
    public var bytesSaved: Int { bytesBefore - bytesAfter }
}

/// The points of a compaction, for tests that stop it there as a kill would.
enum CompactionStep: Sendable, Hashable, CaseIterable {
    /// The temporary file is created, nothing written.
    case created
    /// The compacted copy is written, not yet flushed to disk.
    case copied
    /// The copy is on disk, not yet renamed over `data.mdb`.
    case synced
    /// The copy has replaced `data.mdb`; the directory is not yet synced.
    case renamed
}

extension Store {
    /// Rewrites the store's data file without its free pages: the pages LMDB's copy-on-write left behind, which it
    /// reuses but never returns to the file system.
    ///
    /// Takes the store directory's lock exclusively (throws ``StoreError/inUse(path:operation:)`` when any `Store`, in
    /// this process or another, has it open; stores opened meanwhile wait), writes a compacted copy
    /// (`mdb_env_copyfd2` with `MDB_CP_COMPACT`) to `data.mdb.compacting` in the store directory, fsyncs it, renames
    /// it over `data.mdb` and fsyncs the directory. A kill at any point leaves either the old or the new data file,
    /// both complete; a leftover partial copy is removed by the next writable open or compaction.
    ///
    /// - Parameters:
    ///   - minimumFreeFraction: compact only when the free pages are at least this share of the file (0 … 1; 0
    ///     compacts always).
    ///   - minimumFreeBytes: and only when they are at least this many bytes.
    /// - Complexity: O(used pages) time and file bytes written; needs free disk space for the compacted copy.
    public static func compact(
        at path: String, minimumFreeFraction: Double = 0, minimumFreeBytes: Int = 0,
        logger: Logger = Logger(label: "spoor.store")
    ) throws -> CompactionResult {
        try compact(
            at: path, minimumFreeFraction: minimumFreeFraction, minimumFreeBytes: minimumFreeBytes, logger: logger,
            stop: { _ in })
    }

    /// ``compact(at:minimumFreeFraction:logger:)`` calling `stop` at each step; tests throw from it to leave the store
    /// as a kill at that step would.
    static func compact(
        at path: String, minimumFreeFraction: Double, minimumFreeBytes: Int = 0,
        logger: Logger = Logger(label: "spoor.store"), stop: (CompactionStep) throws -> Void
    ) throws -> CompactionResult {
        let dataFile = (path as NSString).appendingPathComponent("data.mdb")
        let temporary = (path as NSString).appendingPathComponent(compactionFileName)
        guard FileManager.default.fileExists(atPath: dataFile) else {
            throw StoreError.notAStore(path: path, reason: "no data.mdb in it")
        }
        let lock = try DirectoryLock(path: path, exclusive: true, wait: false, operation: "compacting it")
        if unlink(temporary) != 0 && errno != ENOENT {
            throw StoreError.file(path: temporary, operation: "removing", reason: DirectoryLock.reason(errno))
        }
        var result: CompactionResult
        do {
            // Read-only: the old data file is never written; the store closes at the end of this scope.
            let store = try Store.open(
                at: path, mode: .readOnly, options: StoreOptions(), logger: logger, directoryLock: lock)
            let usage = try pageUsage(store.environment)
            let before = try fileSize(dataFile)
            result = CompactionResult(
                performed: false, bytesBefore: before, bytesAfter: before, freePagesBefore: usage.freePages,
                pageSize: usage.pageSize)
            guard result.freeFraction >= minimumFreeFraction, usage.freeBytes >= minimumFreeBytes else {
                return result
            }
            let descriptor = createFile(temporary)
            guard descriptor >= 0 else {
                throw StoreError.file(path: temporary, operation: "creating", reason: DirectoryLock.reason(errno))
            }
            defer { close(descriptor) }
            try stop(.created)
            // The copy reads every page through the map: release them as it goes (always safe on this read-only
            // shared mapping; a page still needed faults back in from the page cache).
            let releaser = PeriodicRelease(store: store)
            defer { releaser.stop() }
            try copyCompacted(store.environment, to: descriptor)
            try stop(.copied)
            guard fsync(descriptor) == 0 else {
                throw StoreError.file(path: temporary, operation: "fsync of", reason: DirectoryLock.reason(errno))
            }
            try stop(.synced)
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, dataFile) == 0 else {
            let reason = DirectoryLock.reason(errno)
            unlink(temporary)
            throw StoreError.file(path: temporary, operation: "renaming over data.mdb", reason: reason)
        }
        try stop(.renamed)
        try lock.syncDirectory()
        result.performed = true
        result.bytesAfter = try fileSize(dataFile)
        logger.info(
            "compacted \(path): \(result.bytesBefore) → \(result.bytesAfter) bytes (\(result.freePagesBefore) free pages)")
        return result
    }

    private static func pageUsage(_ environment: LMDBEnvironment) throws(StoreError) -> PageUsage {
        do { return try environment.pageUsage() } catch { throw StoreError.lmdb(error) }
    }

    private static func copyCompacted(_ environment: LMDBEnvironment, to descriptor: Int32) throws(StoreError) {
        do { try environment.copyCompacted(to: descriptor) } catch { throw StoreError.lmdb(error) }
    }

    private static func fileSize(_ path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw StoreError.file(path: path, operation: "stat of", reason: DirectoryLock.reason(errno))
        }
        return Int(info.st_size)
    }
}

/// Calls ``Store/releaseMappedPages()`` every 50 ms on a thread of its own until stopped.
private final class PeriodicRelease: @unchecked Sendable {  // Safe because `stopped` is guarded by `condition`.
    private let condition = NSCondition()
    private var stopped = false
    private var finished = false

    init(store: Store) {
        Thread.detachNewThread { [self] in
            condition.lock()
            while !stopped {
                condition.unlock()
                store.releaseMappedPages()
                condition.lock()
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
            }
            finished = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Stops the thread and waits for it to end (so the store may close).
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
