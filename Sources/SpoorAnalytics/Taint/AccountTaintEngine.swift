import SpoorStore

/// Taint on an account chain (poison, haircut, FIFO), following DESIGN.md section 5 to the letter.
///
/// ``run(seeds:options:)`` starts from the seeds and follows only addresses that hold taint: a priority queue,
/// keyed by chain position, holds the next transfer of every address being followed, so the transfers are applied in
/// global chain order without reading the whole chain. An address that receives taint is read (its own stream) and
/// replayed from its first transfer, so its balance `B` is exact; taint it received while not followed (it could not
/// pass it on then) is replayed at the same place. ``AccountTaintReplay`` gives the same answers by replaying every
/// transfer of the chain in order (the batch scan).
public struct AccountTaintEngine<Source: AccountFlowSource> {
    /// Where the transfers come from.
    public let source: Source

    /// Wraps a flow source.
    public init(source: Source) { self.source = source }

    final class Run {
        var transfers: [AccountTransfer] = []
        var cursor = 0
        var states = AssetStates()
        var deferred: [TransferID: TaintCarry] = [:]
        var isLoaded = false
        /// Whether the address is a seed (looked up once).
        var isSeed = false
        var isActive = false
        var queuedCursor = -1
    }

    struct QueueEntry {
        var position: ChainPosition
        /// 0 when the followed address sends the transfer, 1 when it receives it: a sender goes first.
        var role: UInt8
        var address: AddressID
    }

    /// Runs taint from `seeds`.
    public func run(seeds: [TaintSeed], options: TaintOptions) throws -> TaintResult {
        let backward = options.direction == .backward
        let maxHops = options.hopLimit
        let minTaint = WideAmount(options.minTaint)
        var seedStarts: [AddressID: Int64?] = [:]
        for seed in seeds {
            if let existing = seedStarts[seed.address] {
                // The earliest start (forward) or latest end (backward) wins when a seed is listed twice.
                seedStarts[seed.address] = Self.widerStart(existing, seed.start, backward: backward)
            } else {
                seedStarts[seed.address] = seed.start
            }
        }
        var runs: [AddressID: Run] = [:]
        var heap = QueueHeap<Source>(backward: backward)
        var ledger = TaintLedger()
        var flows: [TaintedTransfer] = []

        func makeRun(_ address: AddressID) -> Run {
            let run = Run()
            run.isSeed = seedStarts[address] != nil
            return run
        }

        func load(_ address: AddressID) throws -> Run {
            let run = runs[address] ?? makeRun(address)
            runs[address] = run
            if !run.isLoaded {
                var list = try source.transfers(of: address)
                if let window = options.window { list.removeAll { !window.contains($0.time) } }
                if backward {
                    list.reverse()
                    list = list.map(\.reversed)
                }
                run.transfers = list
                run.isLoaded = true
            }
            return run
        }

        func enqueue(_ address: AddressID, _ run: Run) {
            guard run.isActive, run.cursor < run.transfers.count, run.queuedCursor != run.cursor else { return }
            run.queuedCursor = run.cursor
            let transfer = run.transfers[run.cursor]
            heap.push(
                QueueEntry(position: transfer.position, role: transfer.from == address ? 0 : 1, address: address)
            )
        }

        func isSeedSend(_ address: AddressID, _ run: Run, _ transfer: AccountTransfer) -> Bool {
            guard run.isSeed, let start = seedStarts[address] else { return false }
            guard let start else { return true }
            return backward ? transfer.time <= start : transfer.time >= start
        }

        /// Applies the transfer at `run`'s cursor as the sender; returns the filtered carry.
        func send(_ address: AddressID, _ run: Run, _ transfer: AccountTransfer) -> TaintCarry {
            var carry = TaintCarry.none
            run.states.modify(transfer.asset) { carry = $0.send(transfer.value, policy: options.policy) }
            if isSeedSend(address, run, transfer) {
                carry = AccountTaintState.seedCarry(transfer.value, policy: options.policy)
            }
            return carry.filtered(maxHops: maxHops, minTaint: minTaint)
        }

        func receive(_ run: Run, _ transfer: AccountTransfer, _ carry: TaintCarry) {
            run.states.modify(transfer.asset) { $0.receive(transfer.value, carry: carry, policy: options.policy) }
        }

        func stillFollowed(_ address: AddressID, _ run: Run) -> Bool {
            run.isSeed
                || run.states.contains { $0.canPassTaint(policy: options.policy, maxHops: maxHops) }
        }

        /// Replays `run` up to and including the transfer at `position`, with deferred taint at its place.
        func fastForward(_ address: AddressID, _ run: Run, through position: ChainPosition) {
            while run.cursor < run.transfers.count {
                let transfer = run.transfers[run.cursor]
                let isBefore = backward ? transfer.position >= position : transfer.position <= position
                guard isBefore else { break }
                if transfer.from == address {
                    // Not followed means it held no taint it could pass on: what it sends carries none.
                    _ = send(address, run, transfer)
                }
                if transfer.to == address {
                    let carry = run.deferred.isEmpty ? nil : run.deferred.removeValue(forKey: transfer.id)
                    receive(run, transfer, carry ?? .none)
                }
                run.cursor += 1
            }
        }

        func deliver(_ transfer: AccountTransfer, _ carry: TaintCarry) throws {
            let receiver = transfer.to
            if let follow = options.follow, !follow.contains(receiver) { return }
            if !carry.taint.isZero {
                ledger.record(
                    from: transfer.from,
                    to: receiver,
                    asset: transfer.asset,
                    taint: carry.taint,
                    hop: carry.hop
                )
                if options.recordsFlows {
                    let real = backward ? transfer.reversed : transfer
                    flows.append(TaintedTransfer(transfer: real, taint: carry.taint.amount ?? .max, hop: carry.hop))
                }
            }
            let isSeed = seedStarts[receiver] != nil
            if options.stopAt.contains(receiver) && !isSeed { return }
            if let run = runs[receiver], run.isActive, run.cursor < run.transfers.count,
                run.transfers[run.cursor].id == transfer.id
            {
                // Followed: its cursor is at this very transfer (all before it were applied in chain order).
                receive(run, transfer, carry)
                run.cursor += 1
                if !stillFollowed(receiver, run) { run.isActive = false }
                enqueue(receiver, run)
                return
            }
            guard !carry.taint.isZero else { return }
            let run = runs[receiver] ?? makeRun(receiver)
            runs[receiver] = run
            run.deferred[transfer.id] = carry
            // Under poison and haircut an address's hop is the smallest it ever received taint at, and all it sends
            // leaves at that hop + 1: taint arriving at maxHops still moves on from an address reached earlier.
            let knownHop = options.policy == .fifo ? Int.max : (run.states.hop(transfer.asset) ?? Int.max)
            if min(carry.hop, knownHop) < maxHops {
                let loaded = try load(receiver)
                fastForward(receiver, loaded, through: transfer.position)
                loaded.isActive = stillFollowed(receiver, loaded)
                enqueue(receiver, loaded)
            }
        }

        for address in seedStarts.keys.sorted() {
            if let follow = options.follow, !follow.contains(address) { continue }
            let run = try load(address)
            run.isActive = true
            enqueue(address, run)
        }
        processing: while let popped = heap.pop() {
            var entry = popped
            guard let run = runs[entry.address] else { continue }
            // The address's transfers are applied one after another for as long as its next one comes before
            // every other queued transfer (what popping it back off the heap would do, without the heap).
            while true {
                if let horizon = options.horizon, backward ? entry.position < horizon : entry.position > horizon {
                    break processing
                }
                guard run.isActive, run.cursor < run.transfers.count else { break }
                let transfer = run.transfers[run.cursor]
                guard transfer.position == entry.position else { break }  // Stale: moved on already.
                run.queuedCursor = -1
                if transfer.from == entry.address {
                    let carry = send(entry.address, run, transfer)
                    if transfer.to == entry.address {
                        if !carry.taint.isZero {
                            ledger.record(
                                from: entry.address,
                                to: entry.address,
                                asset: transfer.asset,
                                taint: carry.taint,
                                hop: carry.hop
                            )
                            if options.recordsFlows {
                                flows.append(
                                    TaintedTransfer(
                                        transfer: transfer,
                                        taint: carry.taint.amount ?? .max,
                                        hop: carry.hop
                                    )
                                )
                            }
                        }
                        if !options.stopAt.contains(entry.address) || run.isSeed {
                            receive(run, transfer, carry)
                        } else {
                            receive(run, transfer, .none)
                        }
                        run.cursor += 1
                    } else {
                        run.cursor += 1
                        try deliver(transfer, carry)
                    }
                } else {
                    // Received from an address not followed: clean.
                    receive(run, transfer, .none)
                    run.cursor += 1
                }
                if !stillFollowed(entry.address, run) { run.isActive = false }
                guard run.isActive, run.cursor < run.transfers.count, run.queuedCursor != run.cursor else { break }
                let next = run.transfers[run.cursor]
                let following = QueueEntry(
                    position: next.position,
                    role: next.from == entry.address ? 0 : 1,
                    address: entry.address
                )
                if let top = heap.first, !following.precedes(top, backward: backward) { break }
                entry = following
            }
            enqueue(entry.address, run)
        }
        if backward { flows.reverse() }
        return TaintResult(
            options: options,
            addresses: ledger.addresses(seeds: Set(seedStarts.keys), stopAt: options.stopAt),
            transfers: flows,
            outputs: []
        )
    }

    static func widerStart(_ a: Int64?, _ b: Int64?, backward: Bool) -> Int64? {
        guard let a, let b else { return nil }
        return backward ? max(a, b) : min(a, b)
    }
}

/// The taint states of one address, per asset: the first asset inline (an exposure's streams hold one asset only),
/// any others in a dictionary.
struct AssetStates {
    private var firstAsset: AssetID?
    private var first = AccountTaintState()
    private var others: [AssetID: AccountTaintState] = [:]

    /// Changes the state of `asset` (a fresh one when it has none yet).
    mutating func modify(_ asset: AssetID, _ body: (inout AccountTaintState) -> Void) {
        if firstAsset == nil { firstAsset = asset }
        if firstAsset == asset {
            body(&first)
        } else {
            body(&others[asset, default: AccountTaintState()])
        }
    }

    /// The hop of `asset`'s state, if it has one.
    func hop(_ asset: AssetID) -> Int? {
        if firstAsset == asset { return first.hop }
        return others[asset]?.hop
    }

    /// Whether any state satisfies `predicate`.
    func contains(where predicate: (AccountTaintState) -> Bool) -> Bool {
        guard firstAsset != nil else { return false }
        return predicate(first) || others.values.contains(where: predicate)
    }
}

extension AccountTaintEngine.QueueEntry {
    /// Chain order (reverse chain order when `backward`), then senders before receivers.
    @inline(__always) func precedes(_ other: Self, backward: Bool) -> Bool {
        if position != other.position { return backward ? position > other.position : position < other.position }
        return role < other.role
    }
}

/// The engine's queue: a binary min-heap of ``AccountTaintEngine/QueueEntry`` in the run's order, compared inline
/// (the generic ``BinaryHeap`` calls its order through a closure, which showed in profiles).
struct QueueHeap<Source: AccountFlowSource> {
    typealias Entry = AccountTaintEngine<Source>.QueueEntry
    private var storage: [Entry] = []
    let backward: Bool

    init(backward: Bool) { self.backward = backward }

    var first: Entry? { storage.first }

    mutating func push(_ element: Entry) {
        storage.append(element)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard storage[child].precedes(storage[parent], backward: backward) else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !storage.isEmpty else { return nil }
        storage.swapAt(0, storage.count - 1)
        let top = storage.removeLast()
        var parent = 0
        let count = storage.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            var smallest = left
            let right = left + 1
            if right < count && storage[right].precedes(storage[left], backward: backward) { smallest = right }
            guard storage[smallest].precedes(storage[parent], backward: backward) else { break }
            storage.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
