/// One block of a UTXO chain to add, as the ingest layer hands it over (parsed, merkle-checked, addresses encoded).
public struct UTXOBlockInput: Sendable {
    /// Block hash, display order (32 bytes).
    public var hash: [UInt8]
    /// Height in the best chain.
    public var height: UInt64
    /// Block time, unix seconds.
    public var time: Int64
    /// Transactions in block order; the first is the coinbase.
    public var transactions: [UTXOTransactionInput]

    /// Creates a block to add.
    public init(hash: [UInt8], height: UInt64, time: Int64, transactions: [UTXOTransactionInput]) {
        self.hash = hash
        self.height = height
        self.time = time
        self.transactions = transactions
    }
}

/// One transaction of a ``UTXOBlockInput``.
public struct UTXOTransactionInput: Sendable {
    /// Txid, display order (32 bytes).
    public var txid: [UInt8]
    /// Whether it is the coinbase (its inputs are not resolved).
    public var isCoinbase: Bool
    /// The outputs it spends, in input order.
    public var inputs: [UTXOOutpointInput]
    /// Its outputs, in order.
    public var outputs: [UTXOOutputInput]

    /// Creates a transaction to add.
    public init(txid: [UInt8], isCoinbase: Bool, inputs: [UTXOOutpointInput], outputs: [UTXOOutputInput]) {
        self.txid = txid
        self.isCoinbase = isCoinbase
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// A spent output named by its transaction's txid (display order) and index.
public struct UTXOOutpointInput: Sendable, Hashable {
    /// Txid of the transaction that created the output, display order.
    public var txid: [UInt8]
    /// Output index.
    public var index: UInt32

    /// Creates an outpoint.
    public init(txid: [UInt8], index: UInt32) {
        self.txid = txid
        self.index = index
    }
}

/// One output to add: its address text (`nil` for null-data) and value.
public struct UTXOOutputInput: Sendable, Hashable {
    /// The address's canonical text, `nil` for a null-data (OP_RETURN) output.
    public var address: String?
    /// Value in satoshi.
    public var value: UInt64

    /// Creates an output.
    public init(address: String?, value: UInt64) {
        self.address = address
        self.value = value
    }
}

/// What one UTXO batch did.
public struct UTXOBatchResult: Sendable, Hashable {
    /// Blocks added.
    public var blocks = 0
    /// Blocks skipped because the store already had them (same hash at the same height).
    public var skippedBlocks = 0
    /// Transactions added.
    public var transactions = 0
    /// Inputs added (coinbase inputs included).
    public var inputs = 0
    /// Outputs added.
    public var outputs = 0
    /// Inputs whose spent output the store does not hold (partial data sets), recorded as from an unknown source.
    public var unknownInputs = 0

    /// No blocks yet.
    public init() {}

    /// Adds another batch's counts.
    public mutating func add(_ other: UTXOBatchResult) {
        blocks += other.blocks
        skippedBlocks += other.skippedBlocks
        transactions += other.transactions
        inputs += other.inputs
        outputs += other.outputs
        unknownInputs += other.unknownInputs
    }
}

/// Errors of the UTXO writer that are about the data, not the store.
public enum UTXOWriteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A different block is stored at this height: roll back first.
    case heightTaken(height: UInt64, stored: String, new: String)
    /// An input spends an output that an earlier transaction already spent.
    case doubleSpend(txid: String, input: Int, spentTxid: String, index: UInt32)

    public var description: String {
        switch self {
        case .heightTaken(let height, let stored, let new):
            return "block \(new) at height \(height): the store holds block \(stored) there (roll back first)"
        case .doubleSpend(let txid, let input, let spent, let index):
            return "transaction \(txid) input \(input) spends \(spent):\(index), which an earlier transaction already spent"
        }
    }
}

/// The single writer of a UTXO store: adds blocks (resolving every input to the output it spends) and rolls blocks
/// back for a reorganisation. Each call is one LMDB write transaction, all or nothing.
///
/// Inputs are resolved through the store's outpoint table, with an in-memory cache of the unspent outputs and txids
/// this writer created, so a long ingest rarely reads LMDB for a spend. Keep one writer for a whole ingest.
public final class UTXOWriter: @unchecked Sendable {  // Safe because every call goes through Store.write's lock.
    let store: Store
    private var unspent: [OutpointKey: StoredOutpoint] = [:]
    private var txids: [TxidKey: TxID] = [:]
    /// Entries above which the caches are dropped (they are an optimisation only).
    private let cacheLimit: Int

    init(store: Store, cacheLimit: Int = 8_000_000) {
        self.store = store
        self.cacheLimit = cacheLimit
    }

    /// Adds blocks in height order; blocks the store already holds (same hash at that height) are skipped. `progress`
    /// is recorded for `source` in the same transaction.
    @discardableResult
    public func append(_ blocks: [UTXOBlockInput], source: String? = nil, progress: [UInt8]? = nil) throws
        -> UTXOBatchResult
    {
        var staged = StagedCache()
        let result = try store.write { transaction in
            staged = StagedCache()
            var batch = UTXOBatch(
                builder: try BatchBuilder(store: store, transaction: transaction, model: .utxo), writer: self)
            for block in blocks { try batch.add(block, staged: &staged) }
            try batch.finish()
            staged.outpoints = batch.outpoints
            if let source, let progress {
                try transaction.put(store.tables.sources, key: Array(source.utf8), value: progress)
            }
            return batch.result
        }
        apply(staged)
        return result
    }

    /// Removes every stored block above `height` (all blocks when `nil`), newest first, as if they had never been
    /// added: transactions, outputs and their spends, adjacency tails, address records and the ids they took.
    /// Returns how many blocks were removed.
    @discardableResult
    public func rollback(above height: UInt64?) throws -> Int {
        unspent.removeAll()
        txids.removeAll()
        return try store.write { transaction in
            var rollback = try UTXORollback(store: store, transaction: transaction)
            return try rollback.run(above: height)
        }
    }

    // MARK: Cache

    /// What a batch adds to the caches once it is committed: the outpoints it created or spent (spent ones carry
    /// `spentBy`) and the txids it added.
    struct StagedCache {
        var outpoints: [OutpointKey: StoredOutpoint] = [:]
        var txids: [TxidKey: TxID] = [:]
    }

    func cachedOutput(_ key: OutpointKey) -> StoredOutpoint? { unspent[key] }
    func cachedTransaction(_ key: TxidKey) -> TxID? { txids[key] }

    private func apply(_ staged: StagedCache) {
        if unspent.count + staged.outpoints.count > cacheLimit { unspent.removeAll(keepingCapacity: true) }
        if txids.count + staged.txids.count > cacheLimit { txids.removeAll(keepingCapacity: true) }
        for (key, output) in staged.outpoints {
            if output.spentBy == nil { unspent[key] = output } else { unspent.removeValue(forKey: key) }
        }
        txids.merge(staged.txids) { _, new in new }
    }
}

/// An output's key: transaction id and index.
struct OutpointKey: Hashable {
    var transaction: UInt64
    var index: UInt32

    /// One word into the hasher instead of two (ids are dense and indexes small, so the mix loses nothing that
    /// equality does not check).
    func hash(into hasher: inout Hasher) {
        hasher.combine(transaction &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(index))
    }
}

/// A 32-byte txid as four words, a cheap dictionary key.
struct TxidKey: Hashable {
    var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ bytes: [UInt8]) {
        var values: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for (index, byte) in bytes.prefix(32).enumerated() {
            switch index >> 3 {
            case 0: values.0 = values.0 << 8 | UInt64(byte)
            case 1: values.1 = values.1 << 8 | UInt64(byte)
            case 2: values.2 = values.2 << 8 | UInt64(byte)
            default: values.3 = values.3 << 8 | UInt64(byte)
            }
        }
        words = values
    }

    static func == (lhs: TxidKey, rhs: TxidKey) -> Bool { lhs.words == rhs.words }

    /// A txid is a hash already: one of its words spreads keys as well as all four (equality checks all four).
    func hash(into hasher: inout Hasher) {
        hasher.combine(words.3)
    }
}

/// One UTXO batch inside a write transaction.
private struct UTXOBatch {
    var builder: BatchBuilder
    let writer: UTXOWriter
    var result = UTXOBatchResult()
    /// Outpoints created or spent in this batch, written once at the end.
    var outpoints: [OutpointKey: StoredOutpoint] = [:]
    var tip: UInt64?

    var transaction: LMDBTransaction { builder.transaction }
    var tables: Tables { builder.tables }
    var reader: GraphReader { builder.reader }

    mutating func add(_ block: UTXOBlockInput, staged: inout UTXOWriter.StagedCache) throws {
        if let stored = try reader.storedBlock(height: block.height) {
            guard stored.hash == block.hash else {
                throw UTXOWriteError.heightTaken(height: block.height, stored: stored.hashText, new: block.hash.hexText)
            }
            result.skippedBlocks += 1
            return
        }
        let record = StoredBlock(
            height: block.height, hash: block.hash, time: block.time,
            firstTransaction: TxID(builder.nextTransaction), transactionCount: UInt32(block.transactions.count),
            firstAddress: builder.nextAddress, firstTransfer: builder.nextTransfer)
        for (position, input) in block.transactions.enumerated() {
            try add(input, position: UInt32(position), block: block, staged: &staged)
        }
        try transaction.put(tables.blocks, key: Key.id(block.height), value: record.encoded())
        try transaction.put(tables.blockIndex, key: block.hash, value: Key.id(block.height))
        tip = max(tip ?? block.height, block.height)
        result.blocks += 1
    }

    private mutating func add(
        _ input: UTXOTransactionInput, position: UInt32, block: UTXOBlockInput, staged: inout UTXOWriter.StagedCache
    ) throws {
        let id = TxID(builder.nextTransaction)
        builder.nextTransaction += 1
        let txidKey = TxidKey(input.txid)
        staged.txids[txidKey] = id
        builder.newTransactionHashes.append((id, input.txid))
        var details = UTXODetails(position: position, isCoinbase: input.isCoinbase, inputs: [], outputs: [])
        details.inputs.reserveCapacity(input.inputs.count)
        for (index, spend) in input.inputs.enumerated() {
            let resolved = input.isCoinbase ? UTXOInputRecord(address: nil, value: nil, source: .coinbase)
                : try resolve(spend, by: id, input: index, txid: input.txid, staged: &staged)
            details.inputs.append(resolved)
            if case .unknown = resolved.source { result.unknownInputs += 1 }
            if let address = resolved.address, let value = resolved.value {
                try note(address, .outgoing, value: value, index: UInt32(index), tx: id, block: block)
            }
        }
        details.outputs.reserveCapacity(input.outputs.count)
        for (index, output) in input.outputs.enumerated() {
            let address = try output.address.map { try builder.addressID(for: $0) }
            let stored = StoredOutpoint(address: address, value: output.value, spentBy: nil)
            outpoints[OutpointKey(transaction: id.rawValue, index: UInt32(index))] = stored
            details.outputs.append(UTXOOutputRecord(address: address, value: Amount(output.value)))
            if let address {
                try note(address, .incoming, value: Amount(output.value), index: UInt32(index), tx: id, block: block)
            }
        }
        let record = TransactionRecord(
            id: id, hash: input.txid, block: block.height, time: block.time, value: details.outputValue,
            transfers: [], utxo: details)
        builder.transactions[id] = record
        builder.changedTransactions.insert(id)
        result.transactions += 1
        result.inputs += input.inputs.count
        result.outputs += input.outputs.count
    }

    /// The output an input spends, marked spent by `spender`; an unknown source when the store does not hold it.
    private mutating func resolve(
        _ spend: UTXOOutpointInput, by spender: TxID, input: Int, txid: [UInt8], staged: inout UTXOWriter.StagedCache
    ) throws -> UTXOInputRecord {
        let txidKey = TxidKey(spend.txid)
        let unknown = UTXOInputRecord(address: nil, value: nil, source: .unknown(txid: spend.txid, index: spend.index))
        let source: TxID
        if let id = staged.txids[txidKey] ?? writer.cachedTransaction(txidKey) {
            source = id
        } else if let id = try reader.transactionID(hash: spend.txid) {
            source = id
        } else {
            return unknown
        }
        let key = OutpointKey(transaction: source.rawValue, index: spend.index)
        var output: StoredOutpoint
        if let pending = outpoints[key] {
            output = pending
        } else if let cached = writer.cachedOutput(key) {
            output = cached
        } else if let stored = try transaction.withValue(
            tables.outpoints, key: Key.outpoint(key.transaction, key.index), { try StoredOutpoint.decode($0) })
        {
            output = stored
        } else {
            return unknown
        }
        guard output.spentBy == nil else {
            throw UTXOWriteError.doubleSpend(txid: txid.hexText, input: input, spentTxid: spend.txid.hexText, index: spend.index)
        }
        output.spentBy = spender
        outpoints[key] = output
        return UTXOInputRecord(
            address: output.address, value: Amount(output.value), source: .output(transaction: source, index: spend.index))
    }

    /// Adds a SENT (outgoing: the address spent an output) or PAID (incoming) incidence to an address's stream. On UTXO
    /// chains an incidence's neighbour is unused (0): the other side is the transaction.
    private mutating func note(
        _ address: AddressID, _ direction: IncidenceDirection, value: Amount, index: UInt32, tx: TxID,
        block: UTXOBlockInput
    ) throws {
        let transfer = TransferID(builder.nextTransfer)
        builder.nextTransfer += 1
        let properties = TransferProperties(
            value: value, block: block.height, time: block.time, tx: tx, asset: .native, logIndex: index)
        try builder.note(
            address, incidence: Incidence(direction: direction, neighbor: AddressID(0), transfer: transfer, properties: properties))
    }

    mutating func finish() throws {
        for (key, output) in outpoints.sorted(by: { ($0.key.transaction, $0.key.index) < ($1.key.transaction, $1.key.index) }) {
            try transaction.put(tables.outpoints, key: Key.outpoint(key.transaction, key.index), value: output.encoded())
        }
        builder.added = result.transactions
        try builder.flush()
        if let tip {
            var writer = ByteWriter(capacity: 10)
            writer.writeVarint(tip)
            try transaction.put(tables.meta, key: Array(MetaKey.tipHeight.utf8), value: writer.bytes)
        }
    }
}

/// Removes the newest blocks of a UTXO store inside one write transaction.
private struct UTXORollback {
    var builder: BatchBuilder
    var transaction: LMDBTransaction { builder.transaction }
    var tables: Tables { builder.tables }
    var reader: GraphReader { builder.reader }

    init(store: Store, transaction: LMDBTransaction) throws {
        builder = try BatchBuilder(store: store, transaction: transaction, model: .utxo)
    }

    mutating func run(above height: UInt64?) throws -> Int {
        let first = height.map { $0 + 1 } ?? 0
        var removed: [StoredBlock] = []
        try reader.forEachStoredBlock(from: first) { block in
            removed.append(block)
            return true
        }
        guard let lowest = removed.first else { return 0 }
        let cutoffTransaction = lowest.firstTransaction.rawValue
        var touched: Set<AddressID> = []
        for raw in cutoffTransaction..<builder.nextTransaction {
            guard let record = try reader.transaction(TxID(raw)), let details = record.utxo else { continue }
            try TransactionIndex.remove(hash: record.hash, id: record.id, transaction: transaction, store: builder.store)
            _ = try transaction.delete(tables.transactions, key: Key.id(raw))
            for input in details.inputs {
                if let address = input.address { touched.insert(address) }
                guard case .output(let source, let index) = input.source, source.rawValue < cutoffTransaction else {
                    continue
                }
                let key = Key.outpoint(source.rawValue, index)
                guard var output = try transaction.withValue(tables.outpoints, key: key, { try StoredOutpoint.decode($0) })
                else { continue }
                output.spentBy = nil
                try transaction.put(tables.outpoints, key: key, value: output.encoded())
            }
            for (index, output) in details.outputs.enumerated() {
                if let address = output.address { touched.insert(address) }
                _ = try transaction.delete(tables.outpoints, key: Key.outpoint(raw, UInt32(index)))
            }
        }
        for address in touched.sorted() {
            try cutStream(of: address, below: TxID(cutoffTransaction), newAddressesFrom: lowest.firstAddress)
        }
        for block in removed {
            _ = try transaction.delete(tables.blocks, key: Key.id(block.height))
            _ = try transaction.delete(tables.blockIndex, key: block.hash)
        }
        builder.nextAddress = lowest.firstAddress
        builder.nextTransaction = cutoffTransaction
        builder.nextTransfer = lowest.firstTransfer
        try builder.writeCounters()
        if lowest.height == 0 {
            _ = try transaction.delete(tables.meta, key: Array(MetaKey.tipHeight.utf8))
        } else {
            var writer = ByteWriter(capacity: 10)
            writer.writeVarint(lowest.height - 1)
            try transaction.put(tables.meta, key: Array(MetaKey.tipHeight.utf8), value: writer.bytes)
        }
        return removed.count
    }

    /// Cuts the incidences of transactions `>= cutoff` from an address's stream and recounts its record; an address
    /// first seen in the removed blocks is removed altogether.
    private func cutStream(of id: AddressID, below cutoff: TxID, newAddressesFrom firstNew: UInt64) throws {
        guard let record = try reader.address(id) else { return }
        var kept: [Incidence] = []
        var firstCutChunk: UInt32?
        var sequence: UInt32 = 0
        try reader.forEachChunk(of: id) { chunk in
            let keep = chunk.incidences.filter { $0.properties.tx < cutoff }
            if keep.count < chunk.incidences.count, firstCutChunk == nil { firstCutChunk = sequence }
            kept.append(contentsOf: keep)
            sequence += 1
            return true
        }
        for chunk in (firstCutChunk ?? record.chunkCount)..<record.chunkCount {
            _ = try transaction.delete(tables.adjacency, key: Key.chunk(id.rawValue, chunk))
        }
        if id.rawValue >= firstNew {
            _ = try transaction.delete(tables.addresses, key: Key.id(id.rawValue))
            _ = try transaction.delete(tables.addressIndex, key: Array(record.address.utf8))
            return
        }
        guard let firstCut = firstCutChunk else { return }
        var recounted = record.recounted(kept, chunkCount: firstCut)
        let tail = Array(kept.dropFirst(Int(firstCut) * AdjacencyChunk.capacity))
        try AdjacencyStreamWriter(transaction: transaction, tables: tables, compressor: builder.compressor)
            .append(tail, to: &recounted)
        try transaction.put(tables.addresses, key: Key.id(id.rawValue), value: recounted.encoded())
    }
}
