public import SpoorStore

/// What a taint run found at one address (per asset on account chains).
public struct TaintedAddress: Sendable, Hashable {
    /// The address.
    public var address: AddressID
    /// The asset (``AssetID/native`` on UTXO chains).
    public var asset: AssetID
    /// Taint that reached the address. Backward: the part of what it sent that ends at the seeds.
    public var received: WideAmount
    /// Taint that left the address (and arrived at the next one).
    public var sent: WideAmount
    /// The smallest hop at which taint reached it (seeds: 0).
    public var hop: Int
    /// Whether it is a seed.
    public var isSeed: Bool
    /// Whether it is a stop address (absorbed what it received).
    public var isStopped: Bool

    /// Creates an entry.
    public init(
        address: AddressID,
        asset: AssetID,
        received: WideAmount,
        sent: WideAmount,
        hop: Int,
        isSeed: Bool,
        isStopped: Bool
    ) {
        self.address = address
        self.asset = asset
        self.received = received
        self.sent = sent
        self.hop = hop
        self.isSeed = isSeed
        self.isStopped = isStopped
    }
}

/// A transfer that carried taint (account chains). `from` and `to` are the chain's sender and receiver in both
/// directions.
public struct TaintedTransfer: Sendable, Hashable {
    /// The transfer.
    public var transfer: AccountTransfer
    /// The taint it carried (at most its value under haircut and FIFO).
    public var taint: Amount
    /// The hop at which the taint arrived (1 for a transfer straight from a seed).
    public var hop: Int

    /// Creates an entry.
    public init(transfer: AccountTransfer, taint: Amount, hop: Int) {
        self.transfer = transfer
        self.taint = taint
        self.hop = hop
    }
}

/// An output that carried taint (UTXO chains). Backward, the tainted side is an input: then `index` is the input's
/// index and `isInput` is set.
public struct TaintedOutput: Sendable, Hashable {
    /// The transaction.
    public var tx: TxID
    /// The output's index (or the input's, backward).
    public var index: Int
    /// Whether `index` names an input (backward runs).
    public var isInput: Bool
    /// The address it pays (or spends from, backward).
    public var address: AddressID?
    /// Its value.
    public var value: Amount
    /// The taint it carries.
    public var taint: Amount
    /// The hop: the number of transactions from a seed.
    public var hop: Int
    /// Block time of the transaction.
    public var time: Int64

    /// Creates an entry.
    public init(
        tx: TxID,
        index: Int,
        isInput: Bool,
        address: AddressID?,
        value: Amount,
        taint: Amount,
        hop: Int,
        time: Int64
    ) {
        self.tx = tx
        self.index = index
        self.isInput = isInput
        self.address = address
        self.value = value
        self.taint = taint
        self.hop = hop
        self.time = time
    }
}

/// The outcome of a taint run.
public struct TaintResult: Sendable {
    /// The options it ran with.
    public var options: TaintOptions
    /// Every address the taint reached (and every seed), sorted by address, then asset.
    public var addresses: [TaintedAddress]
    /// Every tainted transfer in chain order (account chains; empty when `recordsFlows` is off).
    public var transfers: [TaintedTransfer]
    /// Every tainted output in chain order (UTXO chains; empty when `recordsFlows` is off).
    public var outputs: [TaintedOutput]

    /// Creates a result.
    public init(
        options: TaintOptions,
        addresses: [TaintedAddress],
        transfers: [TaintedTransfer],
        outputs: [TaintedOutput]
    ) {
        self.options = options
        self.addresses = addresses
        self.transfers = transfers
        self.outputs = outputs
    }

    /// The entry of an address and asset.
    public func address(_ address: AddressID, asset: AssetID = .native) -> TaintedAddress? {
        addresses.first { $0.address == address && $0.asset == asset }
    }
}

/// Collects per-address totals while a run goes.
struct TaintLedger {
    struct Key: Hashable, Comparable {
        var address: AddressID
        var asset: AssetID
        static func < (lhs: Key, rhs: Key) -> Bool { (lhs.address, lhs.asset) < (rhs.address, rhs.asset) }
    }
    struct Entry {
        var received = WideAmount.zero
        var sent = WideAmount.zero
        var hop = Int.max
    }
    var entries: [Key: Entry] = [:]

    mutating func record(from: AddressID, to: AddressID, asset: AssetID, taint: WideAmount, hop: Int) {
        entries[Key(address: from, asset: asset), default: Entry()].sent += taint
        let key = Key(address: to, asset: asset)
        entries[key, default: Entry()].received += taint
        entries[key, default: Entry()].hop = min(entries[key, default: Entry()].hop, hop)
    }

    mutating func addSent(_ address: AddressID, _ taint: WideAmount) {
        entries[Key(address: address, asset: .native), default: Entry()].sent += taint
    }

    mutating func addReceived(_ address: AddressID, _ taint: WideAmount, hop: Int) {
        let key = Key(address: address, asset: .native)
        entries[key, default: Entry()].received += taint
        entries[key, default: Entry()].hop = min(entries[key, default: Entry()].hop, hop)
    }

    func addresses(seeds: Set<AddressID>, stopAt: Set<AddressID>) -> [TaintedAddress] {
        var entries = self.entries
        for seed in seeds where entries[Key(address: seed, asset: .native)] == nil {
            entries[Key(address: seed, asset: .native)] = Entry()
        }
        return entries.keys.sorted().map { key in
            let entry = entries[key] ?? Entry()
            let isSeed = seeds.contains(key.address)
            return TaintedAddress(
                address: key.address,
                asset: key.asset,
                received: entry.received,
                sent: entry.sent,
                hop: isSeed ? 0 : entry.hop,
                isSeed: isSeed,
                isStopped: !isSeed && stopAt.contains(key.address)
            )
        }
    }
}
