import SpoorStore

/// Taint on a UTXO chain (poison, haircut, FIFO), following DESIGN.md section 5.
///
/// Taint sits on outputs. ``run(seeds:options:)`` starts from the transactions in which a seed spends (forward) or
/// is paid (backward), and follows tainted outputs to the transactions that spend them (forward) or tainted inputs to
/// the transactions that created them (backward), one transaction at a time in chain order (a priority queue keyed by
/// chain position), so each transaction is handled once, after every transaction that can taint it.
public struct UTXOTaintEngine<Source: UTXOFlowSource> {
    /// Where the transactions come from.
    public let source: Source

    /// Wraps a flow source.
    public init(source: Source) { self.source = source }

    /// One side of a transaction seen in the run's direction: an input taint flows in through, or an output it
    /// flows out through.
    struct Side {
        var address: AddressID?
        var value: Amount
        /// The coin whose taint this side takes in (inputs).
        var reads: OutPoint?
        /// The coin this side taints (outputs).
        var writes: OutPoint?
        /// The transaction that continues from this output.
        var next: TxID?
        /// Its index among the real inputs or outputs.
        var index: Int
    }

    static func orient(_ tx: UTXOTransaction, backward: Bool) -> (ins: [Side], outs: [Side]) {
        let inputs = tx.inputs.enumerated().map { index, input in
            Side(
                address: input.address,
                value: input.value,
                reads: input.spends,
                writes: input.spends,
                next: input.spends?.tx,
                index: index
            )
        }
        let outputs = tx.outputs.enumerated().map { index, output in
            Side(
                address: output.address,
                value: output.value,
                reads: OutPoint(tx: tx.id, index: index),
                writes: OutPoint(tx: tx.id, index: index),
                next: output.spentBy,
                index: index
            )
        }
        return backward ? (outputs, inputs) : (inputs, outputs)
    }

    /// Runs taint from `seeds`.
    public func run(seeds: [TaintSeed], options: TaintOptions) throws -> TaintResult {
        let backward = options.direction == .backward
        var seedStarts: [AddressID: Int64?] = [:]
        for seed in seeds {
            if let existing = seedStarts[seed.address] {
                seedStarts[seed.address] = AccountTaintEngine<InMemoryAccountFlow>.widerStart(
                    existing,
                    seed.start,
                    backward: backward
                )
            } else {
                seedStarts[seed.address] = seed.start
            }
        }
        var heap = BinaryHeap<(ChainPosition, TxID)> { lhs, rhs in backward ? lhs.0 > rhs.0 : lhs.0 < rhs.0 }
        var queued = Set<TxID>()
        var step = UTXOTaintStep(options: options, seedStarts: seedStarts)

        func push(_ id: TxID) throws {
            guard queued.insert(id).inserted, let tx = try source.transaction(id) else { return }
            heap.push((tx.position, id))
        }
        for address in seedStarts.keys.sorted() {
            for id in try source.transactions(of: address) { try push(id) }
        }
        while let (_, id) = heap.pop() {
            guard let tx = try source.transaction(id) else { continue }
            for next in step.apply(tx) { try push(next) }
        }
        return step.result()
    }
}

/// The rule of DESIGN.md section 5 for one UTXO transaction, with the coins' taint between transactions.
struct UTXOTaintStep {
    let options: TaintOptions
    let seedStarts: [AddressID: Int64?]
    var coins: [OutPoint: TaintCarry] = [:]
    var ledger = TaintLedger()
    var outputs: [TaintedOutput] = []

    init(options: TaintOptions, seedStarts: [AddressID: Int64?]) {
        self.options = options
        self.seedStarts = seedStarts
    }

    /// Applies one transaction (in the run's chain order); returns the transactions its tainted outputs lead to.
    mutating func apply(_ tx: UTXOTransaction) -> [TxID] {
        if let window = options.window, !window.contains(tx.time) { return [] }
        let backward = options.direction == .backward
        let maxHops = options.hopLimit
        let (ins, outs) = UTXOTaintEngine<InMemoryUTXOFlow>.orient(tx, backward: backward)
        // What each input brings: segments laid end to end (hops as they arrive at this transaction).
        var inputSegments: [[TaintSegment]] = []
        var passable = WideAmount.zero
        var smallestHop = Int.max
        for side in ins {
            let value = WideAmount(side.value)
            var segments: [TaintSegment]
            if let address = side.address, isSeedSide(address, tx.time), !value.isZero {
                segments = [TaintSegment(length: value, isTainted: true, hop: 0)]
            } else if let coin = side.reads, let carry = coins.removeValue(forKey: coin), !carry.taint.isZero {
                segments =
                    carry.segments.isEmpty
                    ? [TaintSegment(length: carry.taint, isTainted: true, hop: carry.hop)]
                        + (carry.taint < value ? [.clean(value - carry.taint)] : [])
                    : carry.segments
            } else {
                segments = [.clean(value)]
            }
            var sent = WideAmount.zero
            for segment in segments where segment.isTainted && segment.hop < maxHops {
                sent += segment.length
                smallestHop = min(smallestHop, segment.hop)
            }
            passable += sent
            if let address = side.address, !sent.isZero { ledger.addSent(address, sent) }
            inputSegments.append(segments)
        }
        var carries: [TaintCarry] = []
        switch options.policy {
        case .poison:
            carries = outs.map { side in
                passable.isZero || side.value.isZero
                    ? .none : TaintCarry(taint: WideAmount(side.value), hop: smallestHop + 1, segments: [])
            }
        case .haircut:
            var totalIn = WideAmount.zero
            var totalOut = WideAmount.zero
            for side in ins { totalIn += WideAmount(side.value) }
            for side in outs { totalOut += WideAmount(side.value) }
            let denominator = max(totalIn, totalOut)
            carries = outs.map { side in
                guard !passable.isZero, !denominator.isZero else { return .none }
                let taint = WideAmount.multiplyDivide(WideAmount(side.value), passable, denominator)
                return taint.isZero ? .none : TaintCarry(taint: taint, hop: smallestHop + 1, segments: [])
            }
        case .fifo:
            var queue = SegmentQueue()
            for segments in inputSegments { for segment in segments { queue.append(segment) } }
            carries = outs.map { side in
                let value = WideAmount(side.value)
                var pieces = queue.take(value)
                var taken = WideAmount.zero
                for piece in pieces { taken += piece.length }
                if taken < value { pieces.append(.clean(value - taken)) }  // More out than in: clean.
                var taint = WideAmount.zero
                var smallest = Int.max
                for index in pieces.indices where pieces[index].isTainted {
                    pieces[index].hop += 1
                    taint += pieces[index].length
                    smallest = min(smallest, pieces[index].hop)
                }
                return TaintCarry(taint: taint, hop: smallest, segments: pieces)
            }
        }
        let minTaint = WideAmount(options.minTaint)
        var next: [TxID] = []
        for (side, raw) in zip(outs, carries) {
            let carry = raw.filtered(maxHops: maxHops, minTaint: minTaint)
            guard !carry.taint.isZero else { continue }
            if let address = side.address { ledger.addReceived(address, carry.taint, hop: carry.hop) }
            if options.recordsFlows {
                outputs.append(
                    TaintedOutput(
                        tx: tx.id,
                        index: side.index,
                        isInput: backward,
                        address: side.address,
                        value: side.value,
                        taint: carry.taint.amount ?? .max,
                        hop: carry.hop,
                        time: tx.time
                    )
                )
            }
            if let address = side.address, options.stopAt.contains(address), seedStarts[address] == nil { continue }
            guard let coin = side.writes else { continue }
            coins[coin] = carry
            if carry.hop < maxHops, let following = side.next { next.append(following) }
        }
        return next
    }

    func isSeedSide(_ address: AddressID, _ time: Int64) -> Bool {
        guard let start = seedStarts[address] else { return false }
        guard let start else { return true }
        return options.direction == .backward ? time <= start : time >= start
    }

    func result() -> TaintResult {
        TaintResult(
            options: options,
            addresses: ledger.addresses(seeds: Set(seedStarts.keys), stopAt: options.stopAt),
            transfers: [],
            outputs: outputs
        )
    }
}
