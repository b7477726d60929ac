public import SpoorStore

/// One hop of a UTXO peel chain: a transaction that spends a coin and splits it into a small payment (the peel) and
/// a large change output, which the next hop spends.
public struct UTXOPeelHop: Sendable, Hashable {
    /// The transaction's txid.
    public var txid: String
    /// Block height.
    public var block: UInt64
    /// Block time, unix seconds.
    public var time: Int64
    /// The address of the (first) input: who held the coin.
    public var from: String
    /// The inputs' total.
    public var received: Amount
    /// The change output: its address and value.
    public var changeAddress: String
    /// The change's value.
    public var forwarded: Amount
    /// The payment output: its address and value.
    public var peeledTo: String
    /// The payment's value.
    public var peeled: Amount
}

/// A run of peel hops, each spending the previous hop's change.
public struct UTXOPeelChain: Sendable, Hashable {
    /// The hops in chain order (at least `minLength`).
    public var hops: [UTXOPeelHop]
}

/// Peel chains on a UTXO store.
///
/// A transaction is a *peel hop* when it has at least one input (all of known value, total `x`) and exactly two
/// outputs with addresses, one of them (the change) at least `minForwardPercent` of `x` and the other (the peel) at most
/// `maxPeelPercent` of `x` and at least `minAmount`. Hops chain when a hop spends the previous hop's change within
/// `maxDelay` seconds; a chain of at least `minLength` hops is reported. The options are those of the account-chain
/// detector (``PeelChainOptions``); the defaults here are ``utxoDefaults``.
public struct UTXOPeelChainDetector {
    /// The definition's parameters.
    public var options: PeelChainOptions

    /// A detector with `options`; ``utxoDefaults`` when none are given.
    public init(options: PeelChainOptions = Self.utxoDefaults) { self.options = options }

    /// Tighter than the account defaults, since every UTXO payment with change splits a coin in two: the change keeps
    /// at least 90 % and the peel is at most 10 % (the shape of real peel chains, where each hop peels a few percent).
    public static var utxoDefaults: PeelChainOptions {
        var options = PeelChainOptions()
        options.minForwardPercent = 90
        options.maxPeelPercent = 10
        return options
    }

    struct Hop {
        var id: TxID
        var hop: UTXOPeelHop
        var changeIndex: UInt32
    }

    /// The hop a transaction is, if it is one.
    func hop(_ record: TransactionRecord, reader: GraphReader) throws -> Hop? {
        guard let details = record.utxo, !details.isCoinbase, !details.inputs.isEmpty,
            details.outputs.count == 2, let total = details.inputValue,
            let a = details.outputs[0].address, let b = details.outputs[1].address
        else { return nil }
        let values = details.outputs.map(\.value)
        for change in 0..<2 {
            let peel = 1 - change
            guard Share.atLeast(values[change], percent: options.minForwardPercent, of: total),
                Share.atMost(values[peel], percent: options.maxPeelPercent, of: total),
                values[peel] >= options.minAmount
            else { continue }
            let text = { (id: AddressID?) in try id.flatMap { try reader.address($0)?.address } ?? "" }
            return Hop(
                id: record.id,
                hop: UTXOPeelHop(
                    txid: record.hashText, block: record.block, time: record.time,
                    from: try text(details.inputs[0].address), received: total,
                    changeAddress: try text(change == 0 ? a : b), forwarded: values[change],
                    peeledTo: try text(peel == 0 ? a : b), peeled: values[peel]),
                changeIndex: UInt32(change))
        }
        return nil
    }

    /// Every peel chain in the store, by the position of its first hop.
    /// - Complexity: O(transactions) record reads.
    public func scan(_ reader: GraphReader) throws -> [UTXOPeelChain] {
        try options.validate()
        var hops: [TxID: Hop] = [:]
        for raw in 0..<(try reader.counts().transactions) {
            guard let record = try reader.transaction(TxID(raw)), let hop = try hop(record, reader: reader) else { continue }
            hops[record.id] = hop
        }
        var next: [TxID: TxID] = [:]
        for (id, hop) in hops {
            guard let spender = try reader.spender(ofOutput: hop.changeIndex, of: id), let following = hops[spender],
                following.hop.time - hop.hop.time <= options.maxDelay
            else { continue }
            next[id] = spender
        }
        let continued = Set(next.values)
        var chains: [UTXOPeelChain] = []
        for start in hops.keys.sorted() where !continued.contains(start) {
            var chain = [start]
            while let following = next[chain[chain.count - 1]] { chain.append(following) }
            if chain.count >= options.minLength { chains.append(UTXOPeelChain(hops: chain.compactMap { hops[$0]?.hop })) }
        }
        return chains
    }

    /// The peel chains in which `address` holds a coin (is a hop's input address), from that hop on.
    public func chains(from address: String, in reader: GraphReader) throws -> [UTXOPeelChain] {
        try scan(reader).compactMap { chain in
            guard let first = chain.hops.firstIndex(where: { $0.from == address }) else { return nil }
            let rest = Array(chain.hops[first...])
            return rest.count >= options.minLength ? UTXOPeelChain(hops: rest) : nil
        }
    }
}
