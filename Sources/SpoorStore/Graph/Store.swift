import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
public import Logging

/// How a store is opened.
public enum StoreMode: Sendable, Hashable {
    /// Reads only; never writes a byte to the data file, and fails when there is no store.
    case readOnly
    /// Reads and writes; creates the store when the directory has none.
    case readWrite
}

/// Options for opening a store.
public struct StoreOptions: Sendable {
    /// The initial LMDB map size for a writable store. The map doubles by itself when full. Default 1 GiB.
    public var initialMapSize: Int
    /// Creates options.
    public init(initialMapSize: Int = 1 << 30) {
        self.initialMapSize = initialMapSize
    }
}

/// The chain model a store holds (DESIGN.md section 2).
public enum ChainModel: String, Sendable, Hashable, Codable {
    /// Account chains: stored address-to-address transfers.
    case account
    /// UTXO chains: addresses, transactions, inputs and outputs.
    case utxo
}

/// A Spoor store: one directory with one LMDB environment and its named tables.
///
/// Many readers (threads and processes) read consistent snapshots while one writer adds batches. A `Store` is
/// `Sendable`: share one per process and call ``read(_:)`` from any thread.
///
/// ## Topics
/// - ``open(at:mode:options:logger:)``
/// - ``read(_:)``
/// - ``makeWriter()``
public final class Store: Sendable {
    /// The store's format version; a store of another version is refused with both versions named.
    public static let formatVersion = 3

    /// The directory.
    public let path: String
    /// How it was opened.
    public let mode: StoreMode
    let environment: LMDBEnvironment
    let tables: Tables
    let logger: Logger
    /// Bytes of a transaction hash that key `tx_index` (meta `tx_index_key_bytes`; 8 unless a test chose fewer).
    let txIndexKeyLength: Int
    /// A number no other `Store` instance of this process has, so that caches keyed by it never match a store
    /// opened later (even at the same address) and need no weak reference.
    let serial: UInt64 = Store.serials.add(1, ordering: .relaxed).newValue
    private static let serials = Atomic<UInt64>(0)
    private let writerLock = NSLock()

    /// Opens the store in `path` (a directory).
    ///
    /// `.readWrite` creates the directory and an empty store when missing. `.readOnly` fails when there is no store
    /// and never writes to the data file (LMDB still records its reader slot in `lock.mdb`, its shared lock table).
    public static func open(
        at path: String, mode: StoreMode, options: StoreOptions = StoreOptions(),
        logger: Logger = Logger(label: "spoor.store")
    ) throws -> Store {
        try open(at: path, mode: mode, options: options, logger: logger, directoryLock: nil)
    }

    /// Opens the store holding `directoryLock` (compaction's exclusive lock), or else taking a shared one, which
    /// waits while another process compacts the store. `txIndexKeyLength` is the transaction index's key length for a
    /// store being created (an existing store keeps its own): 8 outside tests, which shorten it to force many hashes
    /// onto one key.
    static func open(
        at path: String, mode: StoreMode, options: StoreOptions, logger: Logger = Logger(label: "spoor.store"),
        directoryLock: DirectoryLock?, txIndexKeyLength: Int = 8
    ) throws -> Store {
        let fileManager = FileManager.default
        let dataFile = (path as NSString).appendingPathComponent("data.mdb")
        switch mode {
        case .readOnly:
            guard fileManager.fileExists(atPath: dataFile) else {
                throw StoreError.notAStore(path: path, reason: "no data.mdb in it")
            }
        case .readWrite:
            do {
                try fileManager.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw StoreError.notAStore(path: path, reason: "cannot create the directory: \(error.localizedDescription)")
            }
        }
        let lock = try directoryLock ?? DirectoryLock(path: path, exclusive: false, wait: true, operation: "opening it")
        if mode == .readWrite && directoryLock == nil {
            // A compaction killed before its rename leaves its partial copy; none can be running while we hold the
            // shared lock, so it is safe to remove.
            try? fileManager.removeItem(atPath: (path as NSString).appendingPathComponent(compactionFileName))
        }
        do {
            let environment = try LMDBEnvironment(
                directory: path, readOnly: mode == .readOnly, mapSize: options.initialMapSize,
                maxDatabases: Tables.names.count, directoryLock: lock)
            let tables = try Tables.open(in: environment, create: mode == .readWrite, path: path)
            let keyLength = try storedTxIndexKeyLength(environment: environment, tables: tables, path: path)
            let store = Store(
                path: path, mode: mode, environment: environment, tables: tables, logger: logger,
                txIndexKeyLength: keyLength ?? txIndexKeyLength)
            try store.checkFormatVersion()
            return store
        } catch let error as StoreError {
            throw error
        } catch let error as LMDBError {
            throw StoreError.lmdb(error)
        } catch {
            throw StoreError.notAStore(path: path, reason: "\(error)")
        }
    }

    private init(
        path: String, mode: StoreMode, environment: LMDBEnvironment, tables: Tables, logger: Logger,
        txIndexKeyLength: Int
    ) {
        self.path = path
        self.mode = mode
        self.environment = environment
        self.tables = tables
        self.logger = logger
        self.txIndexKeyLength = txIndexKeyLength
    }

    /// The stored transaction index key length, or `nil` for a store not yet initialised.
    private static func storedTxIndexKeyLength(
        environment: LMDBEnvironment, tables: Tables, path: String
    ) throws -> Int? {
        let transaction = try environment.begin(readOnly: true)
        defer { transaction.abort() }
        guard let bytes = try transaction.value(tables.meta, key: Array(MetaKey.txIndexKeyLength.utf8)) else {
            return nil
        }
        guard let length = Int(String(decoding: bytes, as: UTF8.self)), (1...32).contains(length) else {
            throw StoreError.corrupted(
                table: "meta", key: MetaKey.txIndexKeyLength,
                reason: "expected a length of 1 to 32, found '\(String(decoding: bytes, as: UTF8.self))'")
        }
        return length
    }

    private func checkFormatVersion() throws {
        let stored = try read { reader in try reader.metaString(MetaKey.formatVersion) }
        if let stored {
            guard stored == String(Self.formatVersion) else {
                throw StoreError.versionMismatch(path: path, found: stored, expected: Self.formatVersion)
            }
            return
        }
        guard mode == .readWrite else {
            throw StoreError.notAStore(path: path, reason: "it has no format version")
        }
        try write { transaction in
            try transaction.put(
                tables.meta, key: Array(MetaKey.formatVersion.utf8), value: Array(String(Self.formatVersion).utf8))
            try transaction.put(
                tables.meta, key: Array(MetaKey.txIndexKeyLength.utf8), value: Array(String(txIndexKeyLength).utf8))
        }
    }

    /// Runs `body` on a consistent read snapshot, on the calling thread.
    ///
    /// - warning: Do not keep the ``GraphReader`` past the closure.
    public func read<T>(_ body: (GraphReader) throws -> T) throws -> T {
        let reader = try makeReader()
        return try body(reader)
    }

    /// Runs `body` on a read snapshot off the caller's task, for async callers.
    public func read<T: Sendable>(_ body: @Sendable @escaping (GraphReader) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try body(try self.makeReader()) })
            }
        }
    }

    /// A read snapshot that lives until it is released; use it from one thread at a time.
    public func makeReader() throws -> GraphReader {
        do {
            return GraphReader(store: self, transaction: try environment.begin(readOnly: true))
        } catch {
            throw StoreError.lmdb(error)
        }
    }

    /// The single writer. Only for `.readWrite` stores.
    public func makeWriter() throws -> GraphWriter {
        guard mode == .readWrite else { throw StoreError.readOnly(path: path) }
        return GraphWriter(store: self)
    }

    /// Runs `body` in one write transaction and commits it; when LMDB reports `MDB_MAP_FULL` the transaction is
    /// aborted, the map grows and `body` runs again, so nothing is lost. Writers are serialised by a lock.
    func write<T>(_ body: (LMDBTransaction) throws -> T) throws -> T {
        guard mode == .readWrite else { throw StoreError.readOnly(path: path) }
        writerLock.lock()
        defer { writerLock.unlock() }
        while true {
            let transaction: LMDBTransaction
            do { transaction = try environment.begin(readOnly: false) } catch { throw StoreError.lmdb(error) }
            do {
                let result = try body(transaction)
                try transaction.commit()
                return result
            } catch let error as LMDBError where error.isMapFull {
                transaction.abort()
                try growMap()
            } catch let error as LMDBError {
                transaction.abort()
                throw StoreError.lmdb(error)
            } catch StoreError.lmdb(let error) where error.isMapFull {
                transaction.abort()
                try growMap()
            } catch {
                transaction.abort()
                throw error
            }
        }
    }

    private func growMap() throws {
        let before = environment.mapSize
        do { try environment.grow(toAtLeast: before * 2) } catch { throw StoreError.lmdb(error) }
        logger.info("LMDB map full: grew from \(before) to \(environment.mapSize) bytes; retrying the batch")
    }

    /// The current LMDB map size in bytes.
    public var mapSize: Int { environment.mapSize }

    /// Drops this process's page-table entries of the mapped data file (`madvise(MADV_DONTNEED)`): the pages stay
    /// in the kernel's page cache and fault back in when read, but no longer count in the process's resident set.
    /// A long ingest calls it after each commit so that its resident size does not grow with the file.
    func releaseMappedPages() {
        for (address, length) in environment.mappedRanges {
            _ = madvise(address, length, MADV_DONTNEED)
        }
    }

    /// Bulk loading: each commit flushes its data pages but not its meta page (`MDB_NOMETASYNC`, one disk flush per
    /// commit instead of two) and the mapped pages are released after each commit (``releaseMappedPages()``).
    /// Ending it flushes everything to disk. An operating system crash during a bulk load may undo the last
    /// commit, which a resumable ingest then redoes; it never damages the store.
    func setBulkLoad(_ on: Bool) throws {
        do {
            try environment.setNoMetaSync(on)
            if !on { try environment.sync() }
        } catch {
            throw StoreError.lmdb(error)
        }
    }
}

/// Keys of the `meta` table.
enum MetaKey {
    static let formatVersion = "format_version"
    static let chainModel = "chain_model"
    static let nextAddress = "next_address_id"
    static let nextTransaction = "next_tx_id"
    static let nextTransfer = "next_transfer_id"
    static let nextAsset = "next_asset_id"
    static let tipHeight = "utxo_tip_height"
    static let clusterNextTransaction = "cluster_next_tx"
    static let clusterHeuristics = "cluster_heuristics"
    static let txIndexKeyLength = "tx_index_key_bytes"
}

/// The named LMDB databases of a store.
struct Tables: Sendable {
    static let names = [
        "meta", "addresses", "address_index", "adjacency", "transactions", "tx_index", "assets", "asset_index",
        "tags", "tag_index", "sources", "outpoints", "blocks", "block_index",
        "clusters", "cluster_members", "cluster_sizes", "cluster_merges",
    ]
    let meta: LMDBDatabase
    let addresses: LMDBDatabase
    let addressIndex: LMDBDatabase
    let adjacency: LMDBDatabase
    let transactions: LMDBDatabase
    let txIndex: LMDBDatabase
    let assets: LMDBDatabase
    let assetIndex: LMDBDatabase
    let tags: LMDBDatabase
    let tagIndex: LMDBDatabase
    let sources: LMDBDatabase
    /// UTXO chains: `(transaction id, output index)` → paid address, value, spending transaction.
    let outpoints: LMDBDatabase
    /// UTXO chains: height → ``StoredBlock``.
    let blocks: LMDBDatabase
    /// UTXO chains: block hash (display order) → height.
    let blockIndex: LMDBDatabase
    /// Address id → cluster id, for addresses merged into a cluster (absent: alone, cluster id = address id).
    let clusters: LMDBDatabase
    /// `(cluster id, address id)` → nothing: the members of clusters of two or more.
    let clusterMembers: LMDBDatabase
    /// Cluster id → size, for clusters of two or more.
    let clusterSizes: LMDBDatabase
    /// `(address, transaction, other address)` → heuristic code: the merges, recorded at both addresses.
    let clusterMerges: LMDBDatabase

    var all: [LMDBDatabase] {
        [
            meta, addresses, addressIndex, adjacency, transactions, txIndex, assets, assetIndex, tags, tagIndex, sources,
            outpoints, blocks, blockIndex, clusters, clusterMembers, clusterSizes, clusterMerges,
        ]
    }

    static func open(in environment: LMDBEnvironment, create: Bool, path: String) throws -> Tables {
        let transaction = try environment.begin(readOnly: !create)
        var handles: [LMDBDatabase] = []
        for name in names {
            do {
                handles.append(try environment.openDatabase(name, in: transaction, create: create))
            } catch {
                transaction.abort()
                throw StoreError.notAStore(path: path, reason: "table '\(name)' is missing (\(error))")
            }
        }
        try transaction.commit()
        return Tables(
            meta: handles[0], addresses: handles[1], addressIndex: handles[2], adjacency: handles[3],
            transactions: handles[4], txIndex: handles[5], assets: handles[6], assetIndex: handles[7],
            tags: handles[8], tagIndex: handles[9], sources: handles[10], outpoints: handles[11], blocks: handles[12],
            blockIndex: handles[13], clusters: handles[14], clusterMembers: handles[15], clusterSizes: handles[16],
            clusterMerges: handles[17])
    }
}
