public import SpoorStore

/// An output of a UTXO transaction: transaction and output index.
public struct OutPoint: Sendable, Hashable, Comparable {
    /// The transaction that created the output.
    public var tx: TxID
    /// Its index among the outputs.
    public var index: Int

    /// Creates an outpoint.
    public init(tx: TxID, index: Int) {
        self.tx = tx
        self.index = index
    }

    public static func < (lhs: OutPoint, rhs: OutPoint) -> Bool { (lhs.tx, lhs.index) < (rhs.tx, rhs.index) }
}

/// An input of a UTXO transaction: the spent output's address and value, and which output it spends.
public struct UTXOInput: Sendable, Hashable {
    /// The spent output's address; `nil` for a script without one.
    public var address: AddressID?
    /// The spent output's value.
    public var value: Amount
    /// The output it spends; `nil` when it is not in the data set.
    public var spends: OutPoint?

    /// Creates an input.
    public init(address: AddressID?, value: Amount, spends: OutPoint?) {
        self.address = address
        self.value = value
        self.spends = spends
    }
}

/// An output of a UTXO transaction.
public struct UTXOOutput: Sendable, Hashable {
    /// The receiving address; `nil` for a script without one.
    public var address: AddressID?
    /// The value.
    public var value: Amount
    /// The transaction that spent it; `nil` while unspent (or spent outside the data set).
    public var spentBy: TxID?

    /// Creates an output.
    public init(address: AddressID?, value: Amount, spentBy: TxID?) {
        self.address = address
        self.value = value
        self.spentBy = spentBy
    }
}

/// A UTXO transaction as the taint engine sees it.
public struct UTXOTransaction: Sendable, Hashable {
    /// The dense transaction id.
    public var id: TxID
    /// Block number.
    public var block: UInt64
    /// Index of the transaction in its block.
    public var index: UInt32
    /// Block time, unix seconds.
    public var time: Int64
    /// Inputs in input order.
    public var inputs: [UTXOInput]
    /// Outputs in output order.
    public var outputs: [UTXOOutput]

    /// Creates a transaction.
    public init(id: TxID, block: UInt64, index: UInt32, time: Int64, inputs: [UTXOInput], outputs: [UTXOOutput]) {
        self.id = id
        self.block = block
        self.index = index
        self.time = time
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Its chain position.
    public var position: ChainPosition { ChainPosition(block: block, index: index, sequence: id.rawValue) }
}

/// UTXO transactions, read one at a time and per address.
///
/// Conforming types: ``InMemoryUTXOFlow``; a store adapter follows once the store holds UTXO transactions.
public protocol UTXOFlowSource {
    /// A transaction by id.
    func transaction(_ id: TxID) throws -> UTXOTransaction?
    /// The transactions in which `address` has an input or an output, in chain order.
    func transactions(of address: AddressID) throws -> [TxID]
}

/// UTXO transactions held in memory.
public struct InMemoryUTXOFlow: UTXOFlowSource, Sendable {
    /// Every transaction in chain order.
    public let transactions: [UTXOTransaction]
    private let index: [TxID: Int]
    private let byAddress: [AddressID: [TxID]]

    /// Creates the flow; transactions are sorted into chain order and each output's `spentBy` is filled in from the
    /// inputs that spend it.
    public init(transactions: [UTXOTransaction]) {
        var sorted = transactions.sorted { $0.position < $1.position }
        var index: [TxID: Int] = [:]
        for (position, transaction) in sorted.enumerated() { index[transaction.id] = position }
        for transaction in sorted {
            for input in transaction.inputs {
                guard let spends = input.spends, let producer = index[spends.tx],
                    sorted[producer].outputs.indices.contains(spends.index)
                else { continue }
                sorted[producer].outputs[spends.index].spentBy = transaction.id
            }
        }
        var byAddress: [AddressID: [TxID]] = [:]
        for transaction in sorted {
            var seen = Set<AddressID>()
            for address in transaction.inputs.compactMap(\.address) + transaction.outputs.compactMap(\.address)
            where seen.insert(address).inserted {
                byAddress[address, default: []].append(transaction.id)
            }
        }
        self.transactions = sorted
        self.index = index
        self.byAddress = byAddress
    }

    public func transaction(_ id: TxID) -> UTXOTransaction? { index[id].map { transactions[$0] } }

    public func transactions(of address: AddressID) -> [TxID] { byAddress[address] ?? [] }
}
