internal import CLMDB

/// A consistent read snapshot of a store (one LMDB read transaction, `MDB_NOTLS`).
///
/// Many readers may be open at once, in many threads and processes, while the writer adds batches; none of them
/// blocks the writer. A reader is not `Sendable`: use it from one thread at a time, and let it go when done.
///
/// ## Topics
/// - ``addressID(_:)``
/// - ``address(_:)``
/// - ``incidences(of:)``
/// - ``transactionID(hash:)``
/// - ``transaction(_:)``
/// - ``tags(ofAddress:)``
/// - ``addresses(taggedWith:)``
/// - ``counts()``
public final class GraphReader {
    let store: Store
    let transaction: LMDBTransaction
    lazy var decompressor = ZstdDecompressor()
    /// ``neighborSnapshot`` once read (the transaction id cannot be read after ``close()``).
    private var cachedSnapshot: Int??
    var tables: Tables { store.tables }

    init(store: Store, transaction: LMDBTransaction) {
        self.store = store
        self.transaction = transaction
    }

    /// Ends the snapshot now rather than when the reader is released.
    public func close() { transaction.abort() }

    // MARK: Meta

    func metaString(_ key: String) throws -> String? {
        try lookup(tables.meta, key: Array(key.utf8), what: key) { bytes in String(decoding: bytes, as: UTF8.self) }
    }

    func metaCounter(_ key: String) throws -> UInt64 {
        try lookup(tables.meta, key: Array(key.utf8), what: key) { bytes throws(DecodeError) in
            var reader = ByteReader(bytes)
            return try reader.readVarint()
        } ?? 0
    }

    /// The chain model of the data, or `nil` while the store is empty.
    public func chainModel() throws -> ChainModel? {
        try metaString(MetaKey.chainModel).flatMap(ChainModel.init(rawValue:))
    }

    /// What an ingest source recorded as its last committed position (opaque bytes of the ingest layer).
    public func sourceProgress(_ source: String) throws -> [UInt8]? {
        try lookup(tables.sources, key: Array(source.utf8), what: source) { Array($0) }
    }

    /// Every ingest source and its recorded position.
    public func sources() throws -> [(source: String, progress: [UInt8])] {
        var result: [(String, [UInt8])] = []
        try scan(tables.sources, prefix: []) { key, value in
            result.append((String(decoding: key, as: UTF8.self), Array(value)))
            return true
        }
        return result
    }

    /// The number of addresses, transactions, transfers and token assets.
    public func counts() throws -> StoreCounts {
        StoreCounts(
            addresses: try metaCounter(MetaKey.nextAddress), transactions: try metaCounter(MetaKey.nextTransaction),
            transfers: try metaCounter(MetaKey.nextTransfer), assets: try metaCounter(MetaKey.nextAsset))
    }

    // MARK: Addresses

    /// The id of an address given in its canonical text form.
    /// - Complexity: O(log addresses).
    public func addressID(_ address: String) throws -> AddressID? {
        try lookup(tables.addressIndex, key: Array(address.utf8), what: address) { bytes throws(DecodeError) in
            guard bytes.count == 8 else { throw DecodeError(reason: "id of \(bytes.count) bytes") }
            return AddressID(Key.readID(bytes))
        }
    }

    /// The record of an address.
    public func address(_ id: AddressID) throws -> AddressRecord? {
        try lookup(tables.addresses, key: Key.id(id.rawValue), what: "address \(id)") { bytes throws(DecodeError) in
            try AddressRecord.decode(id: id, bytes)
        }
    }

    /// The adjacency stream of an address: its transfers out and in, in chain order.
    /// - Complexity: O(degree), one decode per chunk.
    public func incidences(of id: AddressID) throws -> [Incidence] {
        var result: [Incidence] = []
        try forEachChunk(of: id) { chunk in
            result.append(contentsOf: chunk.incidences)
            return true
        }
        return result
    }

    /// Appends the neighbours of an address to `neighbors`: one id per transfer in `direction` (out and in when
    /// `nil`), in chain order, so a neighbour reached by k transfers appears k times and a self-transfer appears
    /// once per direction it is counted in. Equal to `incidences(of:)` filtered by direction, mapped to `neighbor`,
    /// but only the neighbour field is decoded (the transfer's other fields are skipped, nothing is allocated per
    /// incidence). With `selfLoopsOnce` (and `direction` `nil`) a self-transfer is listed once, not once per end.
    /// - Complexity: O(degree), one pass over the stored bytes.
    /// - Returns: the incidences walked (the whole stream, whatever `direction` keeps).
    @discardableResult
    public func appendNeighbors(
        of id: AddressID, direction: IncidenceDirection?, selfLoopsOnce: Bool = false, to neighbors: inout [AddressID]
    ) throws -> Int {
        let owner = selfLoopsOnce && direction == nil ? id : nil
        if let lists = try neighborLists(of: id) {
            AdjacencyChunk.appendPacked(lists.packed, direction: direction, owner: owner, to: &neighbors)
            return lists.packed.count
        }
        // A neighbour id with its top bit set cannot be packed: walk the chunks again, filtering directly.
        var walked = 0
        try forEachStoredChunk(of: id) { _, value throws(DecodeError) in
            walked += try AdjacencyChunk.appendNeighbors(
                value, direction: direction, skippingIncomingFrom: owner, to: &neighbors, decompressor: decompressor)
            return true
        }
        return walked
    }

    /// Calls `body` with the whole adjacency stream of an address as one `UInt64` per incidence, in chain order:
    /// the neighbour's id, with bit 63 set for an incoming transfer. The list comes from the shared per-snapshot
    /// cache when held, and is decoded neighbours-only otherwise. Returns `nil` (without calling `body`) for a
    /// stream with a neighbour id of 2^63 or more, which this form cannot hold; ``appendNeighbors(of:direction:selfLoopsOnce:to:)``
    /// still lists those.
    /// - Complexity: O(degree).
    public func withPackedNeighbors<R>(of id: AddressID, _ body: ([UInt64]) throws -> R) throws -> R? {
        guard let lists = try neighborLists(of: id) else { return nil }
        return try body(lists.packed)
    }

    /// Calls `body` with the neighbour ids of an address's transfers in one direction, in chain order, and the
    /// number of incidences in its whole stream; `nil` as for ``withPackedNeighbors(of:_:)``.
    /// - Complexity: O(1) when the shared cache holds the address, O(degree) otherwise.
    public func withNeighborIDs<R>(
        of id: AddressID, direction: IncidenceDirection, _ body: (_ ids: [UInt64], _ walked: Int) throws -> R
    ) throws -> R? {
        guard let lists = try neighborLists(of: id) else { return nil }
        return try body(direction == .outgoing ? lists.outgoing : lists.incoming, lists.packed.count)
    }

    /// The stream of an address split for the neighbour calls, through the shared cache.
    private func neighborLists(of id: AddressID) throws -> NeighborListCache.Lists? {
        let snapshot = neighborSnapshot
        if let snapshot, let lists = NeighborListCache.shared.list(store: store, transaction: snapshot, address: id.rawValue) {
            return lists
        }
        var packed: [UInt64] = []
        var fits = true
        try forEachStoredChunk(of: id) { sequence, value throws(DecodeError) in
            fits = try AdjacencyChunk.appendPacked(
                value, to: &packed, decompressor: decompressor,
                cacheKey: sequence.map { NeighborChunkCache.Key(address: id.rawValue, sequence: $0) })
            return fits
        }
        guard fits else { return nil }
        let lists = NeighborListCache.Lists(packed: packed)
        if let snapshot { NeighborListCache.shared.insert(lists, store: store, transaction: snapshot, address: id.rawValue) }
        return lists
    }

    /// The identity of this reader's snapshot, for caches of derived data shared across readers: the store (compare
    /// by identity, hold weakly) and the LMDB transaction id of a read-only snapshot (every read-only transaction with
    /// the same id on the same store sees the same data). `nil` inside a write transaction, whose data changes as it
    /// writes.
    public var snapshotIdentity: (store: Store, transaction: Int)? {
        guard let transaction = neighborSnapshot else { return nil }
        return (store, transaction)
    }

    /// The snapshot id under which this reader's neighbour lists are shared (``NeighborListCache``): the LMDB
    /// transaction id of a read-only snapshot; `nil` inside a write transaction, whose data changes as it writes.
    private var neighborSnapshot: Int? {
        if let cachedSnapshot { return cachedSnapshot }
        let id = transaction.isReadOnly ? Int(mdb_txn_id(transaction.handle)) : nil
        cachedSnapshot = .some(id)
        return id
    }

    /// Visits the stored chunks of an address's stream with their sequence numbers; `body` returns `false` to stop.
    private func forEachStoredChunk(
        of id: AddressID, _ body: (UInt32?, UnsafeRawBufferPointer) throws(DecodeError) -> Bool
    ) throws {
        try scan(tables.adjacency, prefix: Key.id(id.rawValue)) { key, value in
            let sequence = key.count == 12 ? Key.readUInt32(key, at: 8) : nil
            do {
                return try body(sequence, value)
            } catch let error as DecodeError {
                throw StoreError.corrupted(table: "adjacency", key: "address \(id) chunk \(sequence ?? 0)", reason: error.reason)
            }
        }
    }

    /// Calls `body` with each neighbour of an address as ``appendNeighbors(of:direction:to:)`` lists them.
    /// - Complexity: O(degree).
    public func forEachNeighbor(of id: AddressID, direction: IncidenceDirection?, _ body: (AddressID) throws -> Void) throws {
        var neighbors: [AddressID] = []
        try appendNeighbors(of: id, direction: direction, to: &neighbors)
        for neighbor in neighbors { try body(neighbor) }
    }

    /// Visits the chunks of an address's stream in order; `body` returns `false` to stop early.
    func forEachChunk(of id: AddressID, _ body: (AdjacencyChunk) throws -> Bool) throws {
        let prefix = Key.id(id.rawValue)
        try scan(tables.adjacency, prefix: prefix) { key, value in
            do {
                return try body(try AdjacencyChunk.decode(value, decompressor: decompressor))
            } catch let error as DecodeError {
                throw StoreError.corrupted(
                    table: "adjacency", key: "address \(id) chunk \(key.count == 12 ? Key.readUInt32(key, at: 8) : 0)",
                    reason: error.reason)
            }
        }
    }

    /// Visits every address record in id order; `body` returns `false` to stop.
    /// - Complexity: O(addresses).
    public func forEachAddress(_ body: (AddressRecord) throws -> Bool) throws {
        try scan(tables.addresses, prefix: []) { key, value in
            let id = AddressID(Key.readID(key))
            do {
                return try body(try AddressRecord.decode(id: id, value))
            } catch let error as DecodeError {
                throw StoreError.corrupted(table: "addresses", key: "\(id)", reason: error.reason)
            }
        }
    }

    /// Visits every address with its id in the byte order of its canonical text (the address index's key order;
    /// for ASCII text the order of `String`'s `<`), without decoding address records; `body` returns `false` to
    /// stop. Used by the batch scan to write its rows sorted without sorting them.
    /// - Complexity: O(addresses).
    public func forEachAddressInTextOrder(_ body: (String, AddressID) throws -> Bool) throws {
        try scan(tables.addressIndex, prefix: []) { key, value in
            let text = String(decoding: key, as: UTF8.self)
            guard value.count == 8 else {
                throw StoreError.corrupted(table: "address_index", key: text, reason: "id of \(value.count) bytes")
            }
            return try body(text, AddressID(Key.readID(value)))
        }
    }

    // MARK: Transactions and assets

    /// The record of a transaction.
    public func transaction(_ id: TxID) throws -> TransactionRecord? {
        try lookup(tables.transactions, key: Key.id(id.rawValue), what: "transaction \(id)") {
            bytes throws(DecodeError) in try TransactionRecord.decode(id: id, bytes)
        }
    }

    /// The contract address of a token asset; `nil` for the native coin.
    public func assetAddress(_ id: AssetID) throws -> String? {
        guard id != .native else { return nil }
        return try lookup(tables.assets, key: Key.id(UInt64(id.rawValue)), what: "asset \(id)") {
            String(decoding: $0, as: UTF8.self)
        }
    }

    /// The asset id of a token contract address.
    public func assetID(_ contract: String) throws -> AssetID? {
        try lookup(tables.assetIndex, key: Array(contract.utf8), what: contract) { bytes throws(DecodeError) in
            guard bytes.count == 8 else { throw DecodeError(reason: "id of \(bytes.count) bytes") }
            return AssetID(UInt32(truncatingIfNeeded: Key.readID(bytes)))
        }
    }

    // MARK: Tags

    /// The tags on an address (canonical text), whether or not it is in the graph yet.
    public func tags(ofAddress address: String) throws -> [TagRecord] {
        var result: [TagRecord] = []
        let prefix = Array(address.utf8) + [0]
        try scan(tables.tags, prefix: prefix) { key, value in
            let tag = String(decoding: key[prefix.count...], as: UTF8.self)
            do {
                result.append(try TagRecord.decode(address: address, tag: tag, value))
            } catch let error as DecodeError {
                throw StoreError.corrupted(table: "tags", key: "\(address)/\(tag)", reason: error.reason)
            }
            return true
        }
        return result
    }

    /// The addresses (canonical text) carrying `tag`, in text order.
    /// - Complexity: O(addresses with the tag).
    public func addresses(taggedWith tag: String) throws -> [String] {
        var result: [String] = []
        let prefix = Array(tag.utf8) + [0]
        try scan(tables.tagIndex, prefix: prefix) { key, _ in
            result.append(String(decoding: key[prefix.count...], as: UTF8.self))
            return true
        }
        return result
    }

    /// Every tag name with the number of addresses carrying it.
    public func tagCounts() throws -> [(tag: String, addresses: Int)] {
        var counts: [(String, Int)] = []
        try scan(tables.tagIndex, prefix: []) { key, _ in
            let name = String(decoding: key.prefix { $0 != 0 }, as: UTF8.self)
            if counts.last?.0 == name { counts[counts.count - 1].1 += 1 } else { counts.append((name, 1)) }
            return true
        }
        return counts
    }

    // MARK: Statistics

    /// Entries and bytes of every table, and the size of the data file in use.
    public func statistics() throws -> StoreStatistics {
        var tableStatistics: [StoreStatistics.Table] = []
        for table in tables.all {
            do {
                let (entries, bytes) = try transaction.statistics(table)
                tableStatistics.append(.init(name: table.name, entries: entries, bytes: bytes))
            } catch let error {
                throw StoreError.lmdb(error)
            }
        }
        return StoreStatistics(
            counts: try counts(), tables: tableStatistics, fileBytes: store.environment.usedBytes,
            mapSize: store.environment.mapSize)
    }

    // MARK: Plumbing

    func lookup<T>(
        _ table: LMDBDatabase, key: [UInt8], what: @autoclosure () -> String,
        _ decode: (UnsafeRawBufferPointer) throws(DecodeError) -> T
    ) throws -> T? {
        do {
            return try transaction.withValue(table, key: key) { bytes in try decode(bytes) }
        } catch let error as DecodeError {
            throw StoreError.corrupted(table: table.name, key: what(), reason: error.reason)
        } catch let error as LMDBError {
            throw StoreError.lmdb(error)
        }
    }

    func scan(
        _ table: LMDBDatabase, prefix: [UInt8],
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        do {
            try transaction.forEach(table, prefix: prefix, body)
        } catch let error as LMDBError {
            throw StoreError.lmdb(error)
        }
    }
}

/// How many of each thing a store holds.
public struct StoreCounts: Sendable, Hashable, Codable {
    /// Addresses.
    public var addresses: UInt64
    /// Transactions.
    public var transactions: UInt64
    /// Transfers (edges; each stored at both ends).
    public var transfers: UInt64
    /// Token assets (the native coin not counted).
    public var assets: UInt64

    /// Creates counts.
    public init(addresses: UInt64, transactions: UInt64, transfers: UInt64, assets: UInt64) {
        self.addresses = addresses
        self.transactions = transactions
        self.transfers = transfers
        self.assets = assets
    }
}

/// Sizes of a store, for `spoor stats`.
public struct StoreStatistics: Sendable, Hashable, Codable {
    /// One LMDB table.
    public struct Table: Sendable, Hashable, Codable {
        /// Its name.
        public var name: String
        /// Its entries.
        public var entries: Int
        /// Bytes of its pages.
        public var bytes: Int
    }

    /// Counts of addresses, transactions, transfers, assets.
    public var counts: StoreCounts
    /// Every table.
    public var tables: [Table]
    /// Bytes of the data file in use.
    public var fileBytes: Int
    /// The LMDB map size.
    public var mapSize: Int

    /// Bytes of the adjacency table per transfer (both directions and all edge properties).
    public var adjacencyBytesPerTransfer: Double {
        let adjacency = tables.first { $0.name == "adjacency" }?.bytes ?? 0
        return counts.transfers == 0 ? 0 : Double(adjacency) / Double(counts.transfers)
    }

    /// Bytes of the whole data file per transfer.
    public var fileBytesPerTransfer: Double {
        counts.transfers == 0 ? 0 : Double(fileBytes) / Double(counts.transfers)
    }
}
