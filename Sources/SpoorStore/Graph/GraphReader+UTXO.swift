extension GraphReader {
    /// The stored block at `height` (UTXO chains).
    public func storedBlock(height: UInt64) throws -> StoredBlock? {
        try lookup(tables.blocks, key: Key.id(height), what: "block at height \(height)") { bytes throws(DecodeError) in
            try StoredBlock.decode(height: height, bytes)
        }
    }

    /// The height of a stored block given its hash (display order).
    public func blockHeight(hash: [UInt8]) throws -> UInt64? {
        try lookup(tables.blockIndex, key: hash, what: "block hash") { bytes throws(DecodeError) in
            guard bytes.count == 8 else { throw DecodeError(reason: "height of \(bytes.count) bytes") }
            return Key.readID(bytes)
        }
    }

    /// The highest stored block (UTXO chains), `nil` when none is stored.
    public func tipBlock() throws -> StoredBlock? {
        guard try lookup(tables.meta, key: Array(MetaKey.tipHeight.utf8), what: "tip", { _ in true }) != nil else {
            return nil
        }
        return try storedBlock(height: try metaCounter(MetaKey.tipHeight))
    }

    /// Visits stored blocks from `height` up, in height order; `body` returns `false` to stop.
    public func forEachStoredBlock(from height: UInt64 = 0, _ body: (StoredBlock) throws -> Bool) throws {
        // Heights are dense in a contiguous chain but a raw-block data set may have gaps: walk the table by key.
        try scan(tables.blocks, prefix: []) { key, value in
            let blockHeight = Key.readID(key)
            guard blockHeight >= height else { return true }
            do {
                return try body(try StoredBlock.decode(height: blockHeight, value))
            } catch let error as DecodeError {
                throw StoreError.corrupted(table: "blocks", key: "\(blockHeight)", reason: error.reason)
            }
        }
    }

    /// The transaction that spent output `index` of `transaction`, `nil` while unspent (UTXO chains).
    public func spender(ofOutput index: UInt32, of transaction: TxID) throws -> TxID? {
        try lookup(tables.outpoints, key: Key.outpoint(transaction.rawValue, index), what: "outpoint") {
            bytes throws(DecodeError) in try StoredOutpoint.decode(bytes).spentBy
        } ?? nil
    }
}

extension Store {
    /// The writer of a UTXO store (Bitcoin and its kin): adds blocks, rolls them back. Keep one for a whole ingest:
    /// it caches unspent outputs.
    public func makeUTXOWriter() throws -> UTXOWriter {
        guard mode == .readWrite else { throw StoreError.readOnly(path: path) }
        return UTXOWriter(store: self)
    }
}

extension GraphReader {
    /// The first incidence of an address's stream (reads one chunk).
    public func firstIncidence(of id: AddressID) throws -> Incidence? {
        var first: Incidence?
        try forEachChunk(of: id) { chunk in
            first = chunk.incidences.first
            return false
        }
        return first
    }
}
