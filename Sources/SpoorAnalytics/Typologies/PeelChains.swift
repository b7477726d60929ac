public import SpoorStore

/// Peel chains: a run of hops where each address receives one large amount and passes most of it on to the next
/// address while peeling a small part off to someone else.
///
/// **Definition.** A *peel step* at address `A` is an incoming transfer `r` of value `x ≥ minAmount` followed, in
/// `A`'s stream of the same asset and before `A` receives anything else of that asset, by two outgoing transfers
/// `o₁`, `o₂` (the first two after `r`), both within `maxDelay` seconds of `r`, to two different addresses other than
/// `A`, where the larger one (the first on a tie) is the *forward* `f` and the other the *peel* `p`, with
/// `f × 100 ≥ x × minForwardPercent`, `0 < p`, `p × 100 ≤ x × maxPeelPercent` and `f + p ≤ x`.
/// Steps chain when the forward of one step is the incoming `r` of the next (at the forward's receiver). A *peel
/// chain* is a maximal run of chained steps with at least `minLength` steps. Zero-value transfers and transfers from
/// an address to itself are ignored. Arithmetic is exact (integers, no floating point).
public struct PeelChainOptions: Sendable, Hashable {
    /// Fewest steps for a chain to be reported (default 3).
    public var minLength = 3
    /// The forward is at least this percentage of what the hop received (default 50).
    public var minForwardPercent: UInt64 = 50
    /// The peel is at most this percentage of what the hop received (default 25).
    public var maxPeelPercent: UInt64 = 25
    /// Both outgoing transfers happen within this many seconds of the receipt (default 86,400: one day).
    public var maxDelay: Int64 = 86_400
    /// The smallest receipt that can start a step (default 1).
    public var minAmount = Amount(1)

    /// The defaults.
    public init() {}

    func validate() throws(TypologyError) {
        guard minLength >= 1 else { throw TypologyError("minLength must be at least 1, found \(minLength)") }
        guard maxDelay >= 0 else { throw TypologyError("maxDelay must be seconds >= 0, found \(maxDelay)") }
        try percentIsValid(minForwardPercent, name: "minForwardPercent")
        try percentIsValid(maxPeelPercent, name: "maxPeelPercent")
    }
}

/// One hop of a peel chain.
public struct PeelStep: Sendable, Hashable {
    /// The hop's address.
    public var address: String
    /// What it received.
    public var received: TypologyTransfer
    /// What it passed on to the next hop.
    public var forwarded: TypologyTransfer
    /// What it peeled off to someone else.
    public var peeled: TypologyTransfer
}

/// A peel chain found by ``PeelChainDetector``.
public struct PeelChain: Sendable, Hashable {
    /// The steps in chain order (at least `minLength`).
    public var steps: [PeelStep]
    /// Number of steps.
    public var length: Int { steps.count }
    /// Who funded the first hop.
    public var source: String { steps.first?.received.from ?? "" }
    /// Where the last forward went.
    public var end: String { steps.last?.forwarded.to ?? "" }
    /// The hops' addresses in order.
    public var addresses: [String] { steps.map(\.address) }
}

/// Finds peel chains (see ``PeelChainOptions`` for the definition) over a whole store or from one address.
public struct PeelChainDetector {
    /// The definition's parameters.
    public var options: PeelChainOptions

    /// A detector with `options`.
    public init(options: PeelChainOptions = PeelChainOptions()) {
        self.options = options
    }

    struct Step {
        var address: AddressID
        var received: Incidence
        var forward: Incidence
        var peel: Incidence
    }

    /// The peel steps at one address, in chain order of their receipts.
    func steps(at id: AddressID, context: TypologyContext) throws -> [Step] {
        let stream = try context.stream(id).filter { $0.counts(owner: id) }
        var steps: [Step] = []
        for (index, receipt) in stream.enumerated()
        where receipt.direction == .incoming && receipt.properties.value >= options.minAmount {
            let asset = receipt.properties.asset
            var outgoing: [Incidence] = []
            for next in stream[(index + 1)...] where next.properties.asset == asset {
                if next.direction == .incoming { break }
                let time = next.properties.time
                guard Seconds.within(time, after: receipt.properties.time, limit: options.maxDelay) else { break }
                outgoing.append(next)
                if outgoing.count == 2 { break }
            }
            guard outgoing.count == 2, outgoing[0].neighbor != outgoing[1].neighbor else { continue }
            let (forward, peel) =
                outgoing[1].properties.value > outgoing[0].properties.value
                ? (outgoing[1], outgoing[0]) : (outgoing[0], outgoing[1])
            let x = receipt.properties.value
            guard Share.atLeast(forward.properties.value, percent: options.minForwardPercent, of: x),
                Share.atMost(peel.properties.value, percent: options.maxPeelPercent, of: x),
                let total = forward.properties.value.adding(peel.properties.value), total <= x
            else { continue }
            steps.append(Step(address: id, received: receipt, forward: forward, peel: peel))
        }
        return steps
    }

    /// Every peel chain in the store, ordered by the chain position of the first receipt.
    /// - Complexity: O(transfers) stream reads, memory O(peel steps).
    public func scan(_ reader: GraphReader) throws -> [PeelChain] {
        try options.validate()
        let context = TypologyContext(reader: reader)
        var byReceipt: [TransferID: Step] = [:]
        var forwards: Set<TransferID> = []
        try reader.forEachAddress { record in
            for step in try steps(at: record.id, context: context) {
                byReceipt[step.received.transfer] = step
                forwards.insert(step.forward.transfer)
            }
            return true
        }
        var chains: [[Step]] = []
        for start in byReceipt.values where !forwards.contains(start.received.transfer) {
            var chain = [start]
            while let next = byReceipt[chain[chain.count - 1].forward.transfer] { chain.append(next) }
            if chain.count >= options.minLength { chains.append(chain) }
        }
        chains.sort { $0[0].received.transfer < $1[0].received.transfer }
        return try chains.map { try evidence($0, context: context) }
    }

    /// The peel chains that start at `address`: those whose first hop is the address, and those whose first hop it
    /// funded (a transfer from it is the first receipt). A chain the address sits in the middle of is reported from
    /// the address on, when that rest is still `minLength` steps long. Unknown addresses have none.
    /// - Complexity: O(degree of the address + Σ stream lengths of its receivers and of the hops followed).
    public func chains(from address: String, in reader: GraphReader) throws -> [PeelChain] {
        try options.validate()
        guard let id = try reader.addressID(address) else { return [] }
        let context = TypologyContext(reader: reader)
        var starts: [Step] = try steps(at: id, context: context)
        var seen = Set(starts.map(\.received.transfer))
        var receivers: Set<AddressID> = []
        for incidence in try context.stream(id)
        where incidence.direction == .outgoing && incidence.counts(owner: id) {
            receivers.insert(incidence.neighbor)
        }
        for receiver in receivers.sorted() {
            for step in try steps(at: receiver, context: context)
            where step.received.neighbor == id && seen.insert(step.received.transfer).inserted {
                starts.append(step)
            }
        }
        var chains: [[Step]] = []
        for start in starts {
            var chain = [start]
            while true {
                let forward = chain[chain.count - 1].forward
                let next = try steps(at: forward.neighbor, context: context).first {
                    $0.received.transfer == forward.transfer
                }
                guard let next else { break }
                chain.append(next)
            }
            if chain.count >= options.minLength { chains.append(chain) }
        }
        chains.sort { $0[0].received.transfer < $1[0].received.transfer }
        return try chains.map { try evidence($0, context: context) }
    }

    private func evidence(_ steps: [Step], context: TypologyContext) throws -> PeelChain {
        PeelChain(
            steps: try steps.map { step in
                PeelStep(
                    address: try context.text(step.address),
                    received: try context.transfer(step.received, of: step.address),
                    forwarded: try context.transfer(step.forward, of: step.address),
                    peeled: try context.transfer(step.peel, of: step.address))
            })
    }
}
