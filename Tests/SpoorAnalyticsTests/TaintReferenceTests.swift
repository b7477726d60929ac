import SpoorAnalytics
import SpoorStore
import SpoorTestSupport
import Testing

// A second, deliberately simple implementation of DESIGN.md section 5: replay the whole chain in order with plain
// UInt64 arithmetic (the random graphs keep values below 2^50 and at most 30 transfers, so every sum stays below
// 2^55; products go through multipliedFullWidth/dividingFullWidth), then compare it with the engines, which follow
// only what the seeds reach. Products pass 2^64 there, so the engines' wide path is exercised.

/// ⌊a × b / c⌋ exactly for a ≤ c or b ≤ c, all below 2^64.
func mulDiv(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
    c.dividingFullWidth(a.multipliedFullWidth(by: b)).quotient
}

/// Per (address, asset): received, sent, smallest hop.
struct ReferenceEntry: Equatable, CustomStringConvertible {
    var received: UInt64 = 0
    var sent: UInt64 = 0
    var hop = Int.max
    var description: String { "(\(received), \(sent), hop \(hop))" }
}

struct ReferenceSegment {
    var length: UInt64
    var tainted: Bool
    var hop: Int
}

struct ReferenceOutcome: Equatable {
    var entries: [String: ReferenceEntry] = [:]
    /// "transfer-or-output:taint:hop", in order of appearance.
    var flows: [String] = []
}

func key(_ address: AddressID, _ asset: AssetID) -> String { "\(address.rawValue)/\(asset.rawValue)" }

func seedApplies(_ start: Int64??, time: Int64, backward: Bool) -> Bool {
    guard let start else { return false }
    guard let start else { return true }
    return backward ? time <= start : time >= start
}

/// Takes `amount` from the front of `queue`.
func referenceTake(_ queue: inout [ReferenceSegment], _ amount: UInt64) -> [ReferenceSegment] {
    var rest = amount
    var taken: [ReferenceSegment] = []
    while rest > 0 && !queue.isEmpty {
        if queue[0].length <= rest {
            rest -= queue[0].length
            taken.append(queue.removeFirst())
        } else {
            taken.append(ReferenceSegment(length: rest, tainted: queue[0].tainted, hop: queue[0].hop))
            queue[0].length -= rest
            rest = 0
        }
    }
    return taken
}

/// The account rules, replayed over every transfer.
func referenceAccount(
    _ transfers: [AccountTransfer],
    seeds: [AddressID: Int64?],
    options: TaintOptions
) -> ReferenceOutcome {
    struct State {
        var balance: UInt64 = 0
        var taint: UInt64 = 0
        var hop = Int.max
        var queue: [ReferenceSegment] = []
    }
    let backward = options.direction == .backward
    let maxHops = options.maxHops ?? Int.max
    let minTaint = UInt64(options.minTaint.uint64Value!)
    var list = transfers.sorted { $0.position < $1.position }.filter { options.window?.contains($0.time) ?? true }
    if backward { list = list.reversed().map(\.reversed) }
    var states: [String: State] = [:]
    var outcome = ReferenceOutcome()
    for seed in seeds.keys { outcome.entries[key(seed, .native)] = ReferenceEntry() }
    for transfer in list {
        let x = UInt64(transfer.value.uint64Value!)
        var sender = states[key(transfer.from, transfer.asset)] ?? State()
        var taint: UInt64 = 0
        var hop = Int.max
        var segments: [ReferenceSegment] = []
        let paid = min(x, sender.balance)
        switch options.policy {
        case .poison:
            if sender.taint > 0 && x > 0 {
                taint = x
                hop = sender.hop + 1  // Finite: a poisoned sender received taint at some hop.
            }
        case .haircut:
            if sender.balance > 0 { taint = mulDiv(paid, sender.taint, sender.balance) }
            sender.taint -= taint
            hop = sender.hop == Int.max ? Int.max : sender.hop + 1
        case .fifo:
            segments = referenceTake(&sender.queue, paid)
            if paid < x { segments.append(ReferenceSegment(length: x - paid, tainted: false, hop: 0)) }
            for index in segments.indices where segments[index].tainted {
                sender.taint -= segments[index].length
                segments[index].hop += 1
            }
        }
        sender.balance -= paid
        states[key(transfer.from, transfer.asset)] = sender
        if seedApplies(seeds[transfer.from], time: transfer.time, backward: backward) && x > 0 {
            taint = x
            hop = 1
            segments = [ReferenceSegment(length: x, tainted: true, hop: 1)]
        }
        if options.policy == .fifo {
            // Segments arriving above maxHops are not passed on: they arrive clean.
            for index in segments.indices where segments[index].tainted && segments[index].hop > maxHops {
                segments[index].tainted = false
            }
            taint = segments.filter(\.tainted).reduce(0) { $0 + $1.length }
            hop = segments.filter(\.tainted).map(\.hop).min() ?? Int.max
        } else if hop > maxHops {
            taint = 0
        }
        if taint < minTaint { taint = 0 }
        if taint == 0 {
            for index in segments.indices { segments[index].tainted = false }
        }
        if taint > 0 {
            outcome.entries[key(transfer.from, transfer.asset), default: ReferenceEntry()].sent += taint
            var entry = outcome.entries[key(transfer.to, transfer.asset), default: ReferenceEntry()]
            entry.received += taint
            entry.hop = min(entry.hop, hop)
            outcome.entries[key(transfer.to, transfer.asset)] = entry
            outcome.flows.append("\(transfer.id):\(taint):\(hop)")
        }
        let receiverIsStop = options.stopAt.contains(transfer.to) && seeds[transfer.to] == nil
        if receiverIsStop { continue }
        var receiver = states[key(transfer.to, transfer.asset)] ?? State()
        receiver.balance += x
        if taint > 0 {
            receiver.taint += taint
            receiver.hop = min(receiver.hop, hop)
        }
        if options.policy == .fifo {
            if segments.isEmpty { segments = [ReferenceSegment(length: x, tainted: false, hop: 0)] }
            receiver.queue.append(contentsOf: segments.filter { $0.length > 0 })
        }
        states[key(transfer.to, transfer.asset)] = receiver
    }
    if backward { outcome.flows.reverse() }
    markSeeds(&outcome, seeds)
    return outcome
}

/// Seeds are at hop 0, whatever reached them.
func markSeeds(_ outcome: inout ReferenceOutcome, _ seeds: [AddressID: Int64?]) {
    for name in outcome.entries.keys where seeds.keys.contains(where: { name.hasPrefix("\($0.rawValue)/") }) {
        outcome.entries[name]?.hop = 0
    }
}

/// The UTXO rules, replayed over every transaction.
func referenceUTXO(
    _ transactions: [UTXOTransaction],
    seeds: [AddressID: Int64?],
    options: TaintOptions
)
    -> ReferenceOutcome
{
    struct Side {
        var address: AddressID?
        var value: UInt64
        var coin: OutPoint?
        var index: Int
    }
    struct Coin {
        var taint: UInt64
        var hop: Int
        var segments: [ReferenceSegment]
    }
    let backward = options.direction == .backward
    let maxHops = options.maxHops ?? Int.max
    let minTaint = UInt64(options.minTaint.uint64Value!)
    var list = transactions.sorted { $0.position < $1.position }.filter { options.window?.contains($0.time) ?? true }
    if backward { list.reverse() }
    var coins: [OutPoint: Coin] = [:]
    var outcome = ReferenceOutcome()
    for seed in seeds.keys { outcome.entries[key(seed, .native)] = ReferenceEntry() }
    for tx in list {
        let inputs = tx.inputs.enumerated().map {
            Side(address: $1.address, value: UInt64($1.value.uint64Value!), coin: $1.spends, index: $0)
        }
        let outputs = tx.outputs.enumerated().map {
            Side(
                address: $1.address,
                value: UInt64($1.value.uint64Value!),
                coin: OutPoint(tx: tx.id, index: $0),
                index: $0
            )
        }
        let (ins, outs) = backward ? (outputs, inputs) : (inputs, outputs)
        var laid: [ReferenceSegment] = []
        var passable: UInt64 = 0
        var smallest = Int.max
        for side in ins {
            var segments: [ReferenceSegment]
            if let address = side.address, seedApplies(seeds[address], time: tx.time, backward: backward),
                side.value > 0
            {
                segments = [ReferenceSegment(length: side.value, tainted: true, hop: 0)]
            } else if let coin = side.coin.flatMap({ coins[$0] }), coin.taint > 0 {
                segments =
                    coin.segments.isEmpty
                    ? [
                        ReferenceSegment(length: coin.taint, tainted: true, hop: coin.hop),
                        ReferenceSegment(length: side.value - coin.taint, tainted: false, hop: 0),
                    ]
                    : coin.segments
            } else {
                segments = [ReferenceSegment(length: side.value, tainted: false, hop: 0)]
            }
            let sent = segments.filter { $0.tainted && $0.hop < maxHops }.reduce(UInt64(0)) { $0 + $1.length }
            for segment in segments where segment.tainted && segment.hop < maxHops {
                smallest = min(smallest, segment.hop)
            }
            passable += sent
            if let address = side.address, sent > 0 {
                outcome.entries[key(address, .native), default: ReferenceEntry()].sent += sent
            }
            laid.append(contentsOf: segments)
        }
        let totalIn = ins.reduce(UInt64(0)) { $0 + $1.value }
        let totalOut = outs.reduce(UInt64(0)) { $0 + $1.value }
        for side in outs {
            var taint: UInt64 = 0
            var hop = smallest == Int.max ? Int.max : smallest + 1
            var segments: [ReferenceSegment] = []
            switch options.policy {
            case .poison: taint = passable > 0 ? side.value : 0
            case .haircut: taint = passable > 0 ? mulDiv(side.value, passable, max(totalIn, totalOut)) : 0
            case .fifo:
                segments = referenceTake(&laid, side.value)
                let taken = segments.reduce(UInt64(0)) { $0 + $1.length }
                if taken < side.value {
                    segments.append(ReferenceSegment(length: side.value - taken, tainted: false, hop: 0))
                }
                for index in segments.indices where segments[index].tainted {
                    segments[index].hop += 1
                    if segments[index].hop > maxHops { segments[index].tainted = false }
                }
                taint = segments.filter(\.tainted).reduce(0) { $0 + $1.length }
                hop = segments.filter(\.tainted).map(\.hop).min() ?? Int.max
            }
            if hop > maxHops || taint < minTaint { taint = 0 }
            if taint == 0 {
                if let coin = side.coin { coins[coin] = nil }
                continue
            }
            if let address = side.address {
                var entry = outcome.entries[key(address, .native), default: ReferenceEntry()]
                entry.received += taint
                entry.hop = min(entry.hop, hop)
                outcome.entries[key(address, .native)] = entry
            }
            outcome.flows.append("\(tx.id):\(side.index):\(taint):\(hop)")
            if let address = side.address, options.stopAt.contains(address), seeds[address] == nil { continue }
            if let coin = side.coin { coins[coin] = Coin(taint: taint, hop: hop, segments: segments) }
        }
    }
    markSeeds(&outcome, seeds)
    return outcome
}

func outcome(of result: TaintResult, utxo: Bool) -> ReferenceOutcome {
    var outcome = ReferenceOutcome()
    for entry in result.addresses {
        outcome.entries[key(entry.address, entry.asset)] = ReferenceEntry(
            received: UInt64(entry.received.description)!,
            sent: UInt64(entry.sent.description)!,
            hop: entry.hop
        )
    }
    outcome.flows =
        utxo
        ? result.outputs.map { "\($0.tx):\($0.index):\($0.taint):\($0.hop)" }
        : result.transfers.map { "\($0.transfer.id):\($0.taint):\($0.hop)" }
    return outcome
}

/// A random value: mostly small, some zero, some large (below 2^50).
func randomValue(_ generator: inout SeededGenerator) -> UInt64 {
    switch UInt64.random(in: 0..<10, using: &generator) {
    case 0: return 0
    case 1: return UInt64.random(in: 0..<(1 << 50), using: &generator)
    default: return UInt64.random(in: 1...100, using: &generator)
    }
}

func randomOptions(_ generator: inout SeededGenerator, policy: TaintPolicy, addresses: Int) -> TaintOptions {
    var options = TaintOptions(policy: policy)
    options.direction = Bool.random(using: &generator) ? .forward : .backward
    if Bool.random(using: &generator) { options.maxHops = Int.random(in: 0...4, using: &generator) }
    if UInt64.random(in: 0..<4, using: &generator) == 0 {
        options.minTaint = Amount(UInt64.random(in: 1...30, using: &generator))
    }
    if UInt64.random(in: 0..<4, using: &generator) == 0 {
        let from = Int64.random(in: 0...200, using: &generator)
        options.window = TimeWindow(from: from, to: from + Int64.random(in: 0...300, using: &generator))
    }
    if Bool.random(using: &generator) {
        options.stopAt = [AddressID(UInt64.random(in: 0..<UInt64(addresses), using: &generator))]
    }
    return options
}

func randomSeeds(_ generator: inout SeededGenerator, addresses: Int) -> [AddressID: Int64?] {
    var seeds: [AddressID: Int64?] = [:]
    for _ in 0..<Int.random(in: 1...2, using: &generator) {
        let start: Int64? = Bool.random(using: &generator) ? Int64.random(in: 0...300, using: &generator) : nil
        seeds[AddressID(UInt64.random(in: 0..<UInt64(addresses), using: &generator))] = start
    }
    return seeds
}

@Suite("Taint: engines against a simple replay of the whole chain")
struct TaintReferenceTests {
    static let rounds = 1500

    @Test(arguments: TaintPolicy.allCases)
    func accountMatchesReference(policy: TaintPolicy) throws {
        for round in 0..<Self.rounds {
            let seed = UInt64(round) &* 7919 &+ 17 * UInt64(TaintPolicy.allCases.firstIndex(of: policy)!)
            var generator = SeededGenerator(seed: seed)
            let addresses = Int.random(in: 2...7, using: &generator)
            var transfers: [AccountTransfer] = []
            var block: UInt64 = 0
            for index in 0..<Int.random(in: 1...30, using: &generator) {
                if Bool.random(using: &generator) { block += 1 }
                transfers.append(
                    AccountTransfer(
                        id: TransferID(UInt64(index)),
                        from: AddressID(UInt64.random(in: 0..<UInt64(addresses), using: &generator)),
                        to: AddressID(UInt64.random(in: 0..<UInt64(addresses), using: &generator)),
                        value: Amount(randomValue(&generator)),
                        asset: UInt64.random(in: 0..<5, using: &generator) == 0 ? AssetID(1) : .native,
                        block: block,
                        logIndex: UInt32(index),
                        time: Int64(block * 10),
                        tx: TxID(UInt64(index))
                    )
                )
            }
            let seeds = randomSeeds(&generator, addresses: addresses)
            let options = randomOptions(&generator, policy: policy, addresses: addresses)
            let expected = referenceAccount(transfers, seeds: seeds, options: options)
            let result = try AccountTaintEngine(source: InMemoryAccountFlow(transfers: transfers)).run(
                seeds: seeds.map { TaintSeed(address: $0.key, start: $0.value) },
                options: options
            )
            let actual = outcome(of: result, utxo: false)
            #expect(actual == expected, "seed \(seed): \(options)\nexpected \(expected)\nactual \(actual)")
            if actual != expected { return }
            if policy != .poison {
                // Never created: what a non-seed address sends never exceeds what it received.
                for entry in result.addresses where !entry.isSeed {
                    #expect(entry.sent <= entry.received, "seed \(seed)")
                }
            }
        }
    }

    @Test(arguments: TaintPolicy.allCases)
    func utxoMatchesReference(policy: TaintPolicy) throws {
        for round in 0..<Self.rounds {
            let seed = UInt64(round) &* 104_729 &+ 31 * UInt64(TaintPolicy.allCases.firstIndex(of: policy)!)
            var generator = SeededGenerator(seed: seed)
            let addresses = Int.random(in: 2...7, using: &generator)
            var transactions: [UTXOTransaction] = []
            var unspent: [(OutPoint, AddressID?, UInt64)] = []
            var block: UInt64 = 0
            for index in 0..<Int.random(in: 1...14, using: &generator) {
                if Bool.random(using: &generator) { block += 1 }
                var inputs: [UTXOInput] = []
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    if !unspent.isEmpty && UInt64.random(in: 0..<3, using: &generator) != 0 {
                        let (point, address, value) = unspent.remove(
                            at: Int.random(in: 0..<unspent.count, using: &generator)
                        )
                        inputs.append(UTXOInput(address: address, value: Amount(value), spends: point))
                    } else {
                        inputs.append(
                            UTXOInput(
                                address: AddressID(UInt64.random(in: 0..<UInt64(addresses), using: &generator)),
                                value: Amount(randomValue(&generator)),
                                spends: nil
                            )
                        )
                    }
                }
                let total = inputs.reduce(UInt64(0)) { $0 + $1.value.uint64Value! }
                var outputs: [UTXOOutput] = []
                var left = total
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    // Usually at most what is left (a fee remains); sometimes more (outputs above inputs, as data gaps do).
                    let value =
                        UInt64.random(in: 0..<8, using: &generator) == 0
                        ? randomValue(&generator) : UInt64.random(in: 0...left, using: &generator)
                    left -= min(left, value)
                    let address: AddressID? =
                        UInt64.random(in: 0..<10, using: &generator) == 0
                        ? nil : AddressID(UInt64.random(in: 0..<UInt64(addresses), using: &generator))
                    outputs.append(UTXOOutput(address: address, value: Amount(value), spentBy: nil))
                    unspent.append((OutPoint(tx: TxID(UInt64(index)), index: outputs.count - 1), address, value))
                }
                transactions.append(
                    UTXOTransaction(
                        id: TxID(UInt64(index)),
                        block: block,
                        index: UInt32(index),
                        time: Int64(block * 10),
                        inputs: inputs,
                        outputs: outputs
                    )
                )
            }
            let seeds = randomSeeds(&generator, addresses: addresses)
            let options = randomOptions(&generator, policy: policy, addresses: addresses)
            let expected = referenceUTXO(transactions, seeds: seeds, options: options)
            let flow = InMemoryUTXOFlow(transactions: transactions)
            let result = try UTXOTaintEngine(source: flow).run(
                seeds: seeds.map { TaintSeed(address: $0.key, start: $0.value) },
                options: options
            )
            let actual = outcome(of: result, utxo: true)
            #expect(actual == expected, "seed \(seed): \(options)\nexpected \(expected)\nactual \(actual)")
            if actual != expected { return }
            if policy != .poison {
                // Never created: per transaction, the outputs' taint is at most the inputs' passable taint.
                var byTx: [TxID: UInt64] = [:]
                for output in result.outputs { byTx[output.tx, default: 0] += UInt64(output.taint.uint64Value!) }
                for (tx, taint) in byTx {
                    let transaction = flow.transaction(tx)!
                    let side =
                        options.direction == .forward
                        ? transaction.inputs.map(\.value) : transaction.outputs.map(\.value)
                    #expect(taint <= side.reduce(UInt64(0)) { $0 + UInt64($1.uint64Value!) }, "seed \(seed)")
                }
            }
        }
    }
}
