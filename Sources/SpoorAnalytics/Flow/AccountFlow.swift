public import SpoorStore

/// Where a transfer or transaction sits in the chain: block, then position in the block, then the dense id (which
/// only breaks ties between records that share a block position).
public struct ChainPosition: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Block number.
    public var block: UInt64
    /// Log index (account chains) or transaction index in the block (UTXO chains).
    public var index: UInt32
    /// The dense transfer or transaction id.
    public var sequence: UInt64

    /// Creates a position.
    public init(block: UInt64, index: UInt32, sequence: UInt64) {
        self.block = block
        self.index = index
        self.sequence = sequence
    }

    public static func < (lhs: ChainPosition, rhs: ChainPosition) -> Bool {
        (lhs.block, lhs.index, lhs.sequence) < (rhs.block, rhs.index, rhs.sequence)
    }

    public var description: String { "\(block):\(index):\(sequence)" }
}

/// One transfer of an account chain (native value or a token), as the taint engine sees it.
public struct AccountTransfer: Sendable, Hashable {
    /// The dense transfer id.
    public var id: TransferID
    /// Sender.
    public var from: AddressID
    /// Receiver.
    public var to: AddressID
    /// The amount, exact, in the asset's base unit.
    public var value: Amount
    /// The asset (``AssetID/native`` for the chain's coin).
    public var asset: AssetID
    /// Block number.
    public var block: UInt64
    /// Log index in the block.
    public var logIndex: UInt32
    /// Block time, unix seconds.
    public var time: Int64
    /// The transaction.
    public var tx: TxID

    /// Creates a transfer.
    public init(
        id: TransferID,
        from: AddressID,
        to: AddressID,
        value: Amount,
        asset: AssetID = .native,
        block: UInt64,
        logIndex: UInt32,
        time: Int64,
        tx: TxID
    ) {
        self.id = id
        self.from = from
        self.to = to
        self.value = value
        self.asset = asset
        self.block = block
        self.logIndex = logIndex
        self.time = time
        self.tx = tx
    }

    /// Its chain position.
    public var position: ChainPosition { ChainPosition(block: block, index: logIndex, sequence: id.rawValue) }

    /// The same transfer with sender and receiver swapped (backward runs).
    public var reversed: AccountTransfer {
        var copy = self
        copy.from = to
        copy.to = from
        return copy
    }
}

/// Transfers of an account chain, read per address (for questions about a few seeds) or all at once in chain order
/// (for the batch scan).
///
/// Conforming types: ``InMemoryAccountFlow`` (tests, small graphs) and ``StoreAccountFlow`` (a ``GraphReader``).
public protocol AccountFlowSource {
    /// The transfers of `address`, in and out, each once (a transfer to itself too), in chain order.
    func transfers(of address: AddressID) throws -> [AccountTransfer]
    /// Visits every transfer in chain order.
    func forEachTransfer(_ body: (AccountTransfer) throws -> Void) throws
}

/// An account chain held in memory: a list of transfers.
public struct InMemoryAccountFlow: AccountFlowSource, Sendable {
    /// Every transfer in chain order.
    public let transfers: [AccountTransfer]
    private let byAddress: [AddressID: [Int]]

    /// Creates the flow; `transfers` are sorted into chain order.
    public init(transfers: [AccountTransfer]) {
        let sorted = transfers.sorted { $0.position < $1.position }
        self.transfers = sorted
        var byAddress: [AddressID: [Int]] = [:]
        for (index, transfer) in sorted.enumerated() {
            byAddress[transfer.from, default: []].append(index)
            if transfer.to != transfer.from { byAddress[transfer.to, default: []].append(index) }
        }
        self.byAddress = byAddress
    }

    public func transfers(of address: AddressID) -> [AccountTransfer] {
        (byAddress[address] ?? []).map { transfers[$0] }
    }

    public func forEachTransfer(_ body: (AccountTransfer) throws -> Void) rethrows {
        for transfer in transfers { try body(transfer) }
    }
}

/// The account flow of a store, read through one ``GraphReader`` snapshot.
///
/// ``transfers(of:)`` reads one address's adjacency stream (never the whole store); ``forEachTransfer(_:)`` reads
/// every stream once, keeps the outgoing side of each transfer and sorts them into chain order (for the batch scan).
public struct StoreAccountFlow: AccountFlowSource {
    /// The snapshot.
    public let reader: GraphReader

    /// Wraps a reader.
    public init(reader: GraphReader) { self.reader = reader }

    public func transfers(of address: AddressID) throws -> [AccountTransfer] {
        var result: [AccountTransfer] = []
        for incidence in try reader.incidences(of: address) {
            switch incidence.direction {
            case .outgoing:
                result.append(Self.transfer(from: address, to: incidence.neighbor, incidence))
            case .incoming:
                // A transfer to itself is listed twice in the stream (out, then in): keep it once.
                if incidence.neighbor == address { continue }
                result.append(Self.transfer(from: incidence.neighbor, to: address, incidence))
            }
        }
        // Streams hold ingest order; sort in case files were ingested out of chain order.
        result.sort { $0.position < $1.position }
        return result
    }

    public func forEachTransfer(_ body: (AccountTransfer) throws -> Void) throws {
        var all: [AccountTransfer] = []
        try reader.forEachAddress { record in
            for incidence in try reader.incidences(of: record.id) where incidence.direction == .outgoing {
                all.append(Self.transfer(from: record.id, to: incidence.neighbor, incidence))
            }
            return true
        }
        all.sort { $0.position < $1.position }
        for transfer in all { try body(transfer) }
    }

    static func transfer(from: AddressID, to: AddressID, _ incidence: Incidence) -> AccountTransfer {
        let properties = incidence.properties
        return AccountTransfer(
            id: incidence.transfer,
            from: from,
            to: to,
            value: properties.value,
            asset: properties.asset,
            block: properties.block,
            logIndex: properties.logIndex,
            time: properties.time,
            tx: properties.tx
        )
    }
}
