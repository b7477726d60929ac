/// The `tx_index` table (format 3): a short key made from a transaction hash (8 bytes by default,
/// ``Store/txIndexKeyLength``) → the ids of the transactions whose hash gives that key, as ascending varints. The
/// full hash lives only in the transaction's record; a lookup reads the record of each listed id (almost always
/// one) and compares.
///
/// The key is the first bytes of SipHash-2-4 of the whole hash (fixed key), not of the hash itself: hashes from
/// test fixtures or hostile files can share their first 8 bytes (`0x000…0001`, `0x000…0002`, …), which would put
/// them all under one key and make every insert and lookup read all their records.
///
/// Format 2 keyed the table by the whole 32-byte hash, so every hash was stored twice (record and key): 65 MB of a
/// 1M-transfer store's 429 MB. Two transactions of one hash (Bitcoin's BIP 30 coinbases) keep only the later id,
/// as the whole-hash key did.
enum TransactionIndex {
    /// The index key of `hash`: the first `length` bytes (1 … 32; beyond 8 the hash's own bytes follow) of
    /// SipHash-2-4 of `hash`, big-endian.
    static func key(_ hash: [UInt8], length: Int) -> [UInt8] {
        let digest = SipHash24.hash(hash, key0: 0x7370_6f6f_725f_7478, key1: 0x5f69_6e64_6578_5f33)
        var key = (0..<8).map { UInt8(truncatingIfNeeded: digest >> (56 - 8 * $0)) }
        if length > 8 { key += hash.prefix(length - 8) }
        return Array(key.prefix(length))
    }

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

/// SipHash-2-4 (Aumasson and Bernstein, 2012) of a byte string with a 128-bit key.
enum SipHash24 {
    static func hash(_ bytes: [UInt8], key0: UInt64, key1: UInt64) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ key0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ key1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ key0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ key1
        func round() {
            v0 &+= v1; v1 = v1.rotatedLeft(13); v1 ^= v0; v0 = v0.rotatedLeft(32)
            v2 &+= v3; v3 = v3.rotatedLeft(16); v3 ^= v2
            v0 &+= v3; v3 = v3.rotatedLeft(21); v3 ^= v0
            v2 &+= v1; v1 = v1.rotatedLeft(17); v1 ^= v2; v2 = v2.rotatedLeft(32)
        }
        let whole = bytes.count / 8 * 8
        var offset = 0
        while offset < whole {
            var word: UInt64 = 0
            for index in 0..<8 { word |= UInt64(bytes[offset + index]) << (8 * index) }  // little-endian
            v3 ^= word
            round()
            round()
            v0 ^= word
            offset += 8
        }
        var last = UInt64(truncatingIfNeeded: bytes.count) << 56
        for index in 0..<(bytes.count - whole) { last |= UInt64(bytes[whole + index]) << (8 * index) }
        v3 ^= last
        round()
        round()
        v0 ^= last
        v2 ^= 0xFF
        for _ in 0..<4 { round() }
        return v0 ^ v1 ^ v2 ^ v3
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
