/// The `tx_index` table (format 3): the first ``Store/txIndexKeyLength`` bytes of a transaction hash (8 by default)
/// → the ids of the transactions whose hash starts with them, as ascending varints. The full hash lives only in the
/// transaction's record; a lookup reads the record of each listed id (almost always one) and compares.
///
/// Format 2 keyed the table by the whole 32-byte hash, so every hash was stored twice (record and key): 65 MB of a
/// 1M-transfer store's 429 MB. Two transactions of one hash (Bitcoin's BIP 30 coinbases) keep only the later id,
/// as the whole-hash key did.
enum TransactionIndex {
    /// The index key of `hash`.
    static func key(_ hash: [UInt8], length: Int) -> [UInt8] { Array(hash.prefix(length)) }

    static func decodeIDs(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> [TxID] {
        var reader = ByteReader(bytes)
        var ids: [TxID] = []
        var previous: UInt64?
        while reader.remaining > 0 {
            let id = try reader.readVarint()
            if let previous, id <= previous { throw DecodeError(reason: "ids not ascending (\(previous), \(id))") }
            ids.append(TxID(id))
            previous = id
        }
        guard !ids.isEmpty else { throw DecodeError(reason: "no ids") }
        return ids
    }

    static func encodeIDs(_ ids: [TxID]) -> [UInt8] {
        var writer = ByteWriter(capacity: ids.count * 4)
        for id in ids { writer.writeVarint(id.rawValue) }
        return writer.bytes
    }

    /// Whether the encoded transaction record `bytes` has the hash `hash`, read without decoding the rest of it.
    static func recordHasHash(_ bytes: UnsafeRawBufferPointer, _ hash: [UInt8]) throws(DecodeError) -> Bool {
        var reader = ByteReader(bytes)
        _ = try reader.readByte()  // kind
        let length = try reader.readVarint()
        guard length == UInt64(hash.count), reader.remaining >= hash.count else { return false }
        let start = reader.offset
        return hash.withUnsafeBytes { $0.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[start..<start + hash.count])) }
    }

    /// Adds `id` under `hash`'s key, dropping an earlier id of the same hash. The transaction's record and those of
    /// the ids already listed must be in the table (the writer indexes at the end of its batch).
    static func insert(hash: [UInt8], id: TxID, transaction: LMDBTransaction, store: Store) throws {
        let table = store.tables.txIndex
        let key = key(hash, length: store.txIndexKeyLength)
        var ids = try transaction.withValue(table, key: key) { bytes in try decodeIDs(bytes) } ?? []
        if !ids.isEmpty {
            ids = try ids.filter { listed in
                try !(transaction.withValue(store.tables.transactions, key: Key.id(listed.rawValue)) {
                    try recordHasHash($0, hash)
                } ?? false)
            }
        }
        ids.append(id)
        ids.sort()
        try transaction.put(table, key: key, value: encodeIDs(ids))
    }

    /// Removes `id` from `hash`'s key (the key itself when it was the last); a no-op when it is not listed.
    static func remove(hash: [UInt8], id: TxID, transaction: LMDBTransaction, store: Store) throws {
        let table = store.tables.txIndex
        let key = key(hash, length: store.txIndexKeyLength)
        guard var ids = try transaction.withValue(table, key: key, { bytes in try decodeIDs(bytes) }),
            let position = ids.firstIndex(of: id)
        else { return }
        ids.remove(at: position)
        if ids.isEmpty {
            try transaction.delete(table, key: key)
        } else {
            try transaction.put(table, key: key, value: encodeIDs(ids))
        }
    }
}

extension GraphReader {
    /// The id of a transaction given its 32-byte hash.
    /// - Complexity: one index lookup and one record read per transaction sharing the hash's first 8 bytes.
    public func transactionID(hash: [UInt8]) throws -> TxID? {
        let key = TransactionIndex.key(hash, length: store.txIndexKeyLength)
        guard let ids = try lookup(tables.txIndex, key: key, what: "transaction hash prefix", TransactionIndex.decodeIDs)
        else { return nil }
        for id in ids.reversed() {  // the latest first: of two with one hash, the later one is indexed
            let matches = try lookup(tables.transactions, key: Key.id(id.rawValue), what: "transaction \(id)") {
                bytes throws(DecodeError) in try TransactionIndex.recordHasHash(bytes, hash)
            }
            if matches == true { return id }
        }
        return nil
    }

    /// Every entry of the transaction index: key and listed ids, in key order (for the verifier).
    func forEachTransactionIndexEntry(_ body: ([UInt8], [TxID]) throws -> Void) throws {
        try scan(tables.txIndex, prefix: []) { key, value in
            do {
                try body(Array(key), try TransactionIndex.decodeIDs(value))
            } catch let error as DecodeError {
                throw StoreError.corrupted(table: "tx_index", key: Array(key).hexText, reason: error.reason)
            }
            return true
        }
    }
}
