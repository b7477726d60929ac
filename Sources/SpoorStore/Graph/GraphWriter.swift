/// One transfer to add, as the ingest layer hands it over (canonical texts, exact value).
public struct TransferInput: Sendable, Hashable {
    /// The transaction hash (32 bytes).
    public var txHash: [UInt8]
    /// Block number.
    public var block: UInt64
    /// Block time, unix seconds.
    public var time: Int64
    /// Sender, canonical text.
    public var from: String
    /// Receiver, canonical text.
    public var to: String
    /// Amount, exact.
    public var value: Amount
    /// Token contract (canonical text), or `nil` for the native coin.
    public var asset: String?
    /// Log index: the transfer's position in its block.
    public var logIndex: UInt32
    /// The caller's number for ``from`` in an ``AddressNumbering`` passed with the batch (an ingest's intern
    /// table), or `nil`: with it the writer finds a known address without hashing its text.
    public var fromNumber: UInt32?
    /// The caller's number for ``to``, as ``fromNumber``.
    public var toNumber: UInt32?

    /// Creates a transfer to add.
    public init(
        txHash: [UInt8], block: UInt64, time: Int64, from: String, to: String, value: Amount, asset: String?,
        logIndex: UInt32
    ) {
        self.txHash = txHash
        self.block = block
        self.time = time
        self.from = from
        self.to = to
        self.value = value
        self.asset = asset
        self.logIndex = logIndex
    }
}

/// The address ids of texts a caller has numbered densely from 0 (an ingest's intern table), filled in as batches
/// commit, so that each address text is hashed once per run rather than once per transfer. Use one per store.
public final class AddressNumbering: @unchecked Sendable {  // Safe because only the writer's lock holder uses it.
    /// `ids[number]`: the address id's raw value, or `UInt64.max` while unknown.
    var ids: [UInt64] = []

    /// Creates an empty numbering.
    public init() {}

    func id(_ number: UInt32) -> AddressID? {
        let index = Int(number)
        guard index < ids.count, ids[index] != .max else { return nil }
        return AddressID(ids[index])
    }

    func set(_ number: UInt32, _ id: AddressID) {
        let index = Int(number)
        if index >= ids.count { ids.append(contentsOf: repeatElement(.max, count: max(index + 1 - ids.count, ids.count))) }
        ids[index] = id.rawValue
    }
}

/// What one batch did.
public struct BatchResult: Sendable, Hashable {
    /// Transfers added.
    public var added: Int
    /// Transfers skipped because the store already had them (same transaction hash and log index).
    public var duplicates: Int
    /// Transaction records created by the batch (bare ones included).
    public var transactionsAdded = 0
}

/// A transaction to record even when it moves no value (a contract creation, a zero-value or failed call): the
/// store creates its record with an empty transfer list, or leaves an existing record as it is.
public struct TransactionInput: Sendable, Hashable {
    /// The transaction hash (32 bytes).
    public var txHash: [UInt8]
    /// Block number.
    public var block: UInt64
    /// Block time, unix seconds.
    public var time: Int64

    /// Creates a transaction to record.
    public init(txHash: [UInt8], block: UInt64, time: Int64) {
        self.txHash = txHash
        self.block = block
        self.time = time
    }
}

/// The store's single writer: each call is one LMDB write transaction, all or nothing.
///
/// Transfers of a batch must come in chain order (block, then log index); each address's stream is appended to in
/// that order. A transfer the store already holds (same transaction and log index) is skipped, so ingesting the same
/// data again changes nothing. Writers are serialised: two `GraphWriter`s of one store take turns.
///
/// ## Topics
/// - ``append(_:model:source:progress:)``
/// - ``addTags(_:)``
public final class GraphWriter: @unchecked Sendable {  // Safe because every call goes through Store.write's lock.
    let store: Store
    private var isBulkLoading = false

    init(store: Store) {
        self.store = store
    }

    /// Runs `body` (a long run of ``append(_:transactions:model:progress:)`` calls) as a bulk load: each commit
    /// flushes its data pages but not the meta page, which the next commit's flush writes (`MDB_NOMETASYNC`), and
    /// the writer releases the mapped data file's pages from the process's resident set after each commit (they stay
    /// in the page cache). At the end everything is flushed to disk. A process kill loses nothing committed; an
    /// operating system crash may undo the last commit (never damage the store), which a resumable ingest redoes
    /// because its progress is recorded in the same commits.
    public func bulkLoad<T>(_ body: () throws -> T) throws -> T {
        guard !isBulkLoading else { return try body() }
        try store.setBulkLoad(true)
        isBulkLoading = true
        defer { isBulkLoading = false }
        let result: T
        do {
            result = try body()
        } catch {
            try? store.setBulkLoad(false)
            throw error
        }
        try store.setBulkLoad(false)
        return result
    }

    /// Appends a batch of transfers in chain order and records `progress` for `source` in the same transaction.
    /// When the LMDB map fills up, the map grows and the batch is retried; nothing is lost.
    /// - Complexity: O(batch + Σ open-chunk sizes of the touched addresses).
    @discardableResult
    public func append(
        _ transfers: [TransferInput], model: ChainModel = .account, source: String? = nil, progress: [UInt8]? = nil
    ) throws -> BatchResult {
        var sources: [String: [UInt8]] = [:]
        if let source, let progress { sources[source] = progress }
        return try append(transfers, transactions: [], model: model, progress: sources)
    }

    /// Records `transactions` (in chain order, so their ids are too; bare ones get an empty transfer list), then
    /// appends `transfers` in chain order, and records the progress of each source, all in one write transaction.
    ///
    /// With `numbering`, transfers that carry ``TransferInput/numbers`` find their addresses through it; the ids the
    /// batch assigns are added to it once the batch has committed.
    @discardableResult
    public func append(
        _ transfers: [TransferInput], transactions: [TransactionInput], model: ChainModel = .account,
        progress: [String: [UInt8]], numbering: AddressNumbering? = nil
    ) throws -> BatchResult {
        defer { if isBulkLoading { store.releaseMappedPages() } }
        var learned: [(number: UInt32, id: AddressID)] = []
        let result = try store.write { transaction in
            var batch = try BatchBuilder(store: store, transaction: transaction, model: model)
            batch.numbering = numbering
            batch.releasesMappedPages = isBulkLoading
            for bare in transactions { try batch.record(bare) }
            for (index, transfer) in transfers.enumerated() {
                try batch.add(transfer)
                if isBulkLoading && index % BatchBuilder.releaseInterval == BatchBuilder.releaseInterval - 1 {
                    store.releaseMappedPages()
                }
            }
            try batch.flush()
            learned = batch.learnedNumbers
            for (source, bytes) in progress.sorted(by: { $0.key < $1.key }) {
                let key = Array(source.utf8)
                if try transaction.value(store.tables.sources, key: key) != bytes {
                    try transaction.put(store.tables.sources, key: key, value: bytes)
                }
            }
            var result = BatchResult(added: batch.added, duplicates: batch.duplicates)
            result.transactionsAdded = Int(batch.nextTransaction - batch.firstNewTransaction)
            return result
        }
        if let numbering { for (number, id) in learned { numbering.set(number, id) } }
        return result
    }

    /// Records an ingest source's position without adding transfers.
    public func setProgress(_ progress: [UInt8], source: String) throws {
        try store.write { transaction in
            try transaction.put(store.tables.sources, key: Array(source.utf8), value: progress)
        }
    }

    /// Adds or updates tags (one write transaction). Tags on addresses not yet in the graph are kept for when they
    /// appear; a tag given again without a source or confidence keeps the stored ones. Returns how many were new.
    @discardableResult
    public func addTags(_ tags: [TagRecord]) throws -> Int {
        try store.write { transaction in
            var added = 0
            for var tag in tags {
                let key = Key.text(tag.address, tag.tag)
                if let stored = try transaction.withValue(store.tables.tags, key: key, {
                    try TagRecord.decode(address: tag.address, tag: tag.tag, $0)
                }) {
                    // A re-import without a source or confidence keeps what the store already knew.
                    tag.source = tag.source ?? stored.source
                    tag.confidence = tag.confidence ?? stored.confidence
                } else {
                    added += 1
                }
                try transaction.put(store.tables.tags, key: key, value: tag.encodedValue())
                try transaction.put(store.tables.tagIndex, key: Key.text(tag.tag, tag.address), value: [])
            }
            return added
        }
    }
}

/// Accumulates one batch inside a write transaction, then writes chunks and records.
struct BatchBuilder {
    let store: Store
    let transaction: LMDBTransaction
    var tables: Tables { store.tables }

    var nextAddress: UInt64
    var nextTransaction: UInt64
    /// `nextTransaction` when the batch began: the records it created are the ids from here on.
    var firstNewTransaction: UInt64 = 0
    var nextTransfer: UInt64
    var nextAsset: UInt64
    /// The addresses this batch touches: each one's record (counted as the batch goes) and new incidences, found
    /// by text, by id or by the caller's number.
    var touched: [TouchedAddress] = []
    var slotOfText: [String: Int] = [:]
    var slotOfID: [AddressID: Int] = [:]
    /// The caller's address numbering, and the numbers this batch learned (added to it after the commit).
    var numbering: AddressNumbering?
    var learnedNumbers: [(number: UInt32, id: AddressID)] = []
    /// Bulk loads release the mapped pages every ``releaseInterval`` transfers and addresses, so that the resident
    /// size stays below the pages one batch reads.
    var releasesMappedPages = false
    static let releaseInterval = 16_384
    var transactionIDs: [TxidKey: TxID] = [:]
    var transactions: [TxID: TransactionRecord] = [:]
    var changedTransactions: Set<TxID> = []
    /// Transactions created by this batch, indexed by ``flush()`` once their records are in the table.
    var newTransactionHashes: [(id: TxID, hash: [UInt8])] = []
    /// Log indexes of each transaction touched in this batch, so duplicate detection stays O(1) per transfer even
    /// for a transaction with thousands of transfers (airdrops).
    var logIndexes: [TxID: Set<UInt32>] = [:]
    var assetIDs: [String: AssetID] = [:]
    var added = 0
    var duplicates = 0
    let compressor = ZstdCompressor()

    /// Reads what earlier batches committed, inside this batch's write transaction.
    let reader: GraphReader

    init(store: Store, transaction: LMDBTransaction, model: ChainModel) throws {
        self.store = store
        self.transaction = transaction
        reader = GraphReader(store: store, transaction: transaction)
        if let stored = try reader.chainModel() {
            guard stored == model else {
                throw StoreError.chainModelMismatch(path: store.path, stored: stored.rawValue, requested: model.rawValue)
            }
        } else {
            try transaction.put(
                store.tables.meta, key: Array(MetaKey.chainModel.utf8), value: Array(model.rawValue.utf8))
        }
        nextAddress = try reader.metaCounter(MetaKey.nextAddress)
        nextTransaction = try reader.metaCounter(MetaKey.nextTransaction)
        firstNewTransaction = nextTransaction
        nextTransfer = try reader.metaCounter(MetaKey.nextTransfer)
        nextAsset = try reader.metaCounter(MetaKey.nextAsset)
    }

    /// Creates the record of a transaction the store does not hold yet (with no transfers).
    mutating func record(_ input: TransactionInput) throws {
        let known = nextTransaction
        let txID = try transactionID(hash: input.txHash, block: input.block, time: input.time)
        if nextTransaction != known { changedTransactions.insert(txID) }
    }

    mutating func add(_ input: TransferInput) throws {
        let txID = try transactionID(hash: input.txHash, block: input.block, time: input.time)
        guard transactions[txID] != nil else { return }
        if logIndexes[txID] == nil { logIndexes[txID] = Set(transactions[txID]?.transfers.map(\.logIndex) ?? []) }
        guard logIndexes[txID, default: []].insert(input.logIndex).inserted else {
            duplicates += 1
            return
        }
        let fromSlot = try slot(text: input.from, number: input.fromNumber)
        let toSlot = try slot(text: input.to, number: input.toNumber)
        let from = touched[fromSlot].record.id
        let to = touched[toSlot].record.id
        let asset = try assetID(for: input.asset)
        let transfer = TransferID(nextTransfer)
        nextTransfer += 1
        let properties = TransferProperties(
            value: input.value, block: input.block, time: input.time, tx: txID, asset: asset,
            logIndex: input.logIndex)
        // Mutated in place in the dictionary, so a transaction with many transfers is not copied per transfer.
        transactions[txID]?.transfers.append(
            TransactionTransfer(logIndex: input.logIndex, transfer: transfer, from: from, to: to))
        if asset == .native {
            let total = transactions[txID]?.value?.adding(input.value)
            transactions[txID]?.value = total
        }
        changedTransactions.insert(txID)
        note(slot: fromSlot, Incidence(direction: .outgoing, neighbor: to, transfer: transfer, properties: properties))
        note(slot: toSlot, Incidence(direction: .incoming, neighbor: from, transfer: transfer, properties: properties))
        added += 1
    }

    /// Adds an incidence to an address's stream and record.
    mutating func note(_ id: AddressID, incidence: Incidence) throws {
        note(slot: try slot(id: id), incidence)
    }

    mutating func note(slot: Int, _ incidence: Incidence) {
        touched[slot].record.count(incidence)
        touched[slot].pending.append(incidence)
    }

    /// The batch slot of a stored address, loading its record (UTXO inputs name their address by id).
    mutating func slot(id: AddressID) throws -> Int {
        if let slot = slotOfID[id] { return slot }
        guard let record = try reader.address(id) else {
            throw StoreError.corrupted(table: "addresses", key: "\(id)", reason: "referenced but missing")
        }
        touched.append(TouchedAddress(record: record))
        slotOfID[id] = touched.count - 1
        return touched.count - 1
    }

    /// The batch slot of an address given by text (and the caller's number for it, if any): found through the
    /// numbering, this batch or the address index, or created.
    mutating func slot(text: String, number: UInt32?) throws -> Int {
        if let number, let id = numbering?.id(number) { return try slot(id: id) }
        if let slot = slotOfText[text] { return slot }
        let slot: Int
        if let existing = try reader.addressID(text) {
            slot = try self.slot(id: existing)  // A UTXO input may have loaded (and counted into) it already.
        } else {
            let id = AddressID(nextAddress)
            nextAddress += 1
            try transaction.put(tables.addressIndex, key: Array(text.utf8), value: Key.id(id.rawValue))
            touched.append(TouchedAddress(record: AddressRecord(id: id, address: text)))
            slot = touched.count - 1
            slotOfID[id] = slot
        }
        slotOfText[text] = slot
        if let number, numbering != nil { learnedNumbers.append((number, touched[slot].record.id)) }
        return slot
    }

    /// The id of an address, new or stored, loading its record into the batch.
    mutating func addressID(for text: String) throws -> AddressID {
        touched[try slot(text: text, number: nil)].record.id
    }

    private mutating func transactionID(hash: [UInt8], block: UInt64, time: Int64) throws -> TxID {
        let hashKey = TxidKey(hash)
        if let id = transactionIDs[hashKey] { return id }
        let id: TxID
        if let existing = try reader.transactionID(hash: hash) {
            id = existing
            guard let record = try reader.transaction(existing) else {
                throw StoreError.corrupted(table: "transactions", key: "\(existing)", reason: "indexed but missing")
            }
            transactions[id] = record
        } else {
            id = TxID(nextTransaction)
            nextTransaction += 1
            newTransactionHashes.append((id, hash))
            transactions[id] = TransactionRecord(
                id: id, hash: hash, block: block, time: time, value: .zero, transfers: [])
        }
        transactionIDs[hashKey] = id
        return id
    }

    private mutating func assetID(for contract: String?) throws -> AssetID {
        guard let contract else { return .native }
        if let id = assetIDs[contract] { return id }
        let id: AssetID
        if let existing = try reader.assetID(contract) {
            id = existing
        } else {
            guard nextAsset < UInt64(UInt32.max) else {
                throw StoreError.corrupted(table: "assets", key: contract, reason: "more than 2^32 assets")
            }
            nextAsset += 1  // Asset 0 is the native coin, so token ids start at 1.
            id = AssetID(UInt32(nextAsset))
            try transaction.put(tables.assetIndex, key: Array(contract.utf8), value: Key.id(UInt64(id.rawValue)))
            try transaction.put(tables.assets, key: Key.id(UInt64(id.rawValue)), value: Array(contract.utf8))
        }
        assetIDs[contract] = id
        return id
    }

    /// Appends each touched address's pending incidences to its open chunk, sealing full chunks, then writes the
    /// records and counters.
    mutating func flush() throws {
        // In id order: neighbouring keys of the adjacency and address tables share pages.
        let order = touched.indices.filter { !touched[$0].pending.isEmpty }.sorted {
            touched[$0].record.id < touched[$1].record.id
        }
        let streams = AdjacencyStreamWriter(transaction: transaction, tables: tables, compressor: compressor)
        for (position, slot) in order.enumerated() {
            if releasesMappedPages && position % Self.releaseInterval == Self.releaseInterval - 1 {
                store.releaseMappedPages()
            }
            try streams.append(touched[slot].pending, to: &touched[slot].record)
            touched[slot].pending = []
            try transaction.put(
                tables.addresses, key: Key.id(touched[slot].record.id.rawValue), value: touched[slot].record.encoded())
        }
        for id in changedTransactions.sorted() {
            guard let record = transactions[id] else { continue }
            try transaction.put(tables.transactions, key: Key.id(id.rawValue), value: record.encoded())
        }
        // In id order, so that of two transactions with one hash the later is indexed.
        for (id, hash) in newTransactionHashes.sorted(by: { $0.id < $1.id }) {
            try TransactionIndex.insert(hash: hash, id: id, transaction: transaction, store: store)
        }
        // A batch of duplicates writes nothing: re-ingest leaves the store as it was.
        guard added > 0 || nextTransaction != firstNewTransaction else { return }
        try writeCounters()
    }

    /// Writes the id counters (next address, transaction, transfer, asset).
    func writeCounters() throws {
        for (key, value) in [
            (MetaKey.nextAddress, nextAddress), (MetaKey.nextTransaction, nextTransaction),
            (MetaKey.nextTransfer, nextTransfer), (MetaKey.nextAsset, nextAsset),
        ] {
            var writer = ByteWriter(capacity: 10)
            writer.writeVarint(value)
            try transaction.put(tables.meta, key: Array(key.utf8), value: writer.bytes)
        }
    }
}

/// One address a batch touches: its record, counted as the batch goes, and its incidences not yet written.
struct TouchedAddress {
    var record: AddressRecord
    var pending: [Incidence] = []
}

/// Appends incidences to an address's adjacency stream: fills the open chunk, seals full chunks (zstd when smaller),
/// and keeps ``AddressRecord/chunkCount`` up to date. Sealed chunks are never read back or rewritten.
struct AdjacencyStreamWriter {
    let transaction: LMDBTransaction
    let tables: Tables
    let compressor: ZstdCompressor

    func append(_ incoming: [Incidence], to record: inout AddressRecord) throws {
        let id = record.id
        var chunk = AdjacencyChunk()
        var sequence = record.chunkCount
        if record.chunkCount > 0 {
            let key = Key.chunk(id.rawValue, record.chunkCount - 1)
            let last = try transaction.withValue(tables.adjacency, key: key) { bytes in
                bytes.first == AdjacencyChunk.Kind.open.rawValue ? try AdjacencyChunk.decode(bytes) : nil
            }
            if let last = last ?? nil {
                chunk = last
                sequence -= 1
            }
        }
        var rest = incoming[...]
        while !rest.isEmpty {
            let room = AdjacencyChunk.capacity - chunk.incidences.count
            chunk.incidences.append(contentsOf: rest.prefix(room))
            rest = rest.dropFirst(room)
            chunk.isSealed = chunk.incidences.count == AdjacencyChunk.capacity
            let bytes = try chunk.encoded(compressor: compressor)
            #if SPOOR_INTERNAL_CHECKS
                let check = try bytes.withUnsafeBytes { try AdjacencyChunk.decode($0) }
                precondition(check == chunk, "adjacency chunk does not round-trip")
            #endif
            try transaction.put(tables.adjacency, key: Key.chunk(id.rawValue, sequence), value: bytes)
            sequence += 1
            if chunk.isSealed { chunk = AdjacencyChunk() }
        }
        record.chunkCount = sequence
    }
}
