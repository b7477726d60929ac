import Foundation
public import SpoorStore

/// The transfers of one asset in chain order, compact: sender and receiver as dense indices, the value's low 128 bits
/// inline (24 bytes a transfer) and the rare values of 2^128 or more in a side table.
struct CompactChain: Sendable {
    /// One transfer: sender, receiver, value (`high == .max && low == .max`: look in ``CompactChain/large``).
    struct Transfer: Sendable {
        var from: UInt32
        var to: UInt32
        var low: UInt64
        var high: UInt64
    }

    var transfers: [Transfer] = []
    /// Values of 2^128 − 1 or more, by position in ``transfers``.
    var large: [Int: Amount] = [:]
    /// Index → address id when the indices are not the ids themselves (``ExposureReplay/init(transfers:listed:stopAt:policy:maxHops:minTaint:)``
    /// with sparse ids); `nil`: index = id.
    var ids: [UInt64]?
    /// Address id → index, when ``ids`` is set.
    var indexOf: [UInt64: UInt32]?
    /// Number of indices.
    var addressCount = 0

    /// A transfer for `value`, with the value inline or (set aside by the caller) in ``large``.
    static func transfer(from: UInt32, to: UInt32, value: Amount) -> (Transfer, isLarge: Bool) {
        let isLarge = value[limb: 2] != 0 || value[limb: 3] != 0 || (value[limb: 1] == .max && value[limb: 0] == .max)
        if isLarge { return (Transfer(from: from, to: to, low: .max, high: .max), true) }
        return (Transfer(from: from, to: to, low: value[limb: 0], high: value[limb: 1]), false)
    }

    /// The value of the transfer at `position`.
    @inline(__always) func value(_ position: Int) -> WideAmount {
        let transfer = transfers[position]
        if transfer.high == .max && transfer.low == .max, let amount = large[position] { return WideAmount(amount) }
        return WideAmount(low: transfer.low, high: transfer.high)
    }

    /// The index of an address id, if it takes part.
    func index(of id: AddressID) -> Int? {
        if let indexOf { return indexOf[id.rawValue].map(Int.init) }
        return id.rawValue < UInt64(addressCount) ? Int(id.rawValue) : nil
    }
}

extension WideAmount {
    /// A value from its two low limbs.
    @inlinable init(low: UInt64, high: UInt64) { (w0, w1, w2, w3, w4, w5) = (low, high, 0, 0, 0, 0) }
}

/// The balance and taint of one address under haircut or poison (FIFO keeps ``AccountTaintState`` with its queue).
struct PlainAccount: Sendable, Equatable {
    var balance = WideAmount.zero
    var taint = WideAmount.zero
    /// The smallest hop of the taint received (`Int.max`: none).
    var hop = Int.max
}

/// What the forward pass collects for one address: incoming indirect exposure.
struct ForwardFigures: Sendable, Equatable {
    var indirectIn = WideAmount.zero
    /// `Int.max`: none.
    var hopIn = Int.max
}

/// What the backward pass collects for one address: outgoing indirect exposure, and (order does not matter for
/// sums, and this evens out the two threads' work) the volumes and direct exposure both ways.
struct BackwardFigures: Sendable, Equatable {
    var indirectOut = WideAmount.zero
    /// `Int.max`: none.
    var hopOut = Int.max
    var directIn = WideAmount.zero
    var directOut = WideAmount.zero
    var totalIn = WideAmount.zero
    var totalOut = WideAmount.zero
}

/// The whole-chain replay of a scan: forward from every listed address in chain order and backward (side by side),
/// collecting per-address exposure, with the rules of ``AccountTaintEngine`` and ``ExposureAnalyzer``. Pure (no
/// store), so tests compare it with ``ExposureAnalyzer`` on in-memory graphs.
///
/// State lives in flat arrays indexed by dense address index (ids of a store are dense), the transfers in a
/// ``CompactChain``; haircut and poison keep a plain balance / taint / hop per address and FIFO its segment queue.
public struct ExposureReplay: Sendable {
    /// One pass (forward or backward): how far it got, the address states and what it collected.
    struct Pass: Sendable {
        var position = 0
        /// Haircut and poison.
        var accounts: [PlainAccount] = []
        /// FIFO.
        var queues: [AccountTaintState] = []
        /// Forward pass only.
        var forward: [ForwardFigures] = []
        /// Backward pass only.
        var backward: [BackwardFigures] = []
    }

    /// Where a replay stands (what a checkpoint holds): the forward and the backward pass, which run side by side.
    public struct State: Sendable {
        var forward = Pass()
        var backward = Pass()
        /// Address id → index (`nil`: the same), set by ``ExposureReplay/run(_:checkpointEvery:progress:checkpoint:)``.
        var indexOf: [UInt64: UInt32]?

        /// A fresh start.
        public init() {}

        init(forward: Pass, backward: Pass) {
            self.forward = forward
            self.backward = backward
        }

        /// The figures of the address at `index` (zero when it never took part).
        func entry(index: Int?) -> ScanEntry {
            var entry = ScanEntry()
            guard let index else { return entry }
            if index < forward.forward.count {
                let figures = forward.forward[index]
                entry.indirectIn = figures.indirectIn
                entry.hopIn = figures.hopIn == .max ? nil : figures.hopIn
            }
            if index < backward.backward.count {
                let figures = backward.backward[index]
                entry.indirectOut = figures.indirectOut
                entry.hopOut = figures.hopOut == .max ? nil : figures.hopOut
                entry.directIn = figures.directIn
                entry.directOut = figures.directOut
                entry.totalIn = figures.totalIn
                entry.totalOut = figures.totalOut
            }
            return entry
        }
    }

    /// A pass's state shared with the thread that runs it (each box is touched by one thread at a time).
    final class PassBox: @unchecked Sendable {
        var pass: Pass
        init(_ pass: Pass) { self.pass = pass }
    }

    let chain: CompactChain
    /// Per index: bit 0 listed, bit 1 stop-at.
    let flags: [UInt8]
    let policy: TaintPolicy
    let maxHops: Int
    let minTaint: WideAmount

    /// Prepares a replay of `transfers` (one asset, chain order).
    public init(
        transfers: [AccountTransfer],
        listed: Set<AddressID>,
        stopAt: Set<AddressID>,
        policy: TaintPolicy,
        maxHops: Int,
        minTaint: WideAmount
    ) {
        var chain = CompactChain()
        var indexOf: [UInt64: UInt32] = [:]
        var ids: [UInt64] = []
        func index(_ id: AddressID) -> UInt32 {
            if let known = indexOf[id.rawValue] { return known }
            let next = UInt32(ids.count)
            indexOf[id.rawValue] = next
            ids.append(id.rawValue)
            return next
        }
        chain.transfers.reserveCapacity(transfers.count)
        for transfer in transfers {
            let (compact, isLarge) = CompactChain.transfer(
                from: index(transfer.from),
                to: index(transfer.to),
                value: transfer.value
            )
            if isLarge { chain.large[chain.transfers.count] = transfer.value }
            chain.transfers.append(compact)
        }
        for id in listed.union(stopAt).sorted() { _ = index(id) }
        chain.ids = ids
        chain.indexOf = indexOf
        chain.addressCount = ids.count
        var flags = [UInt8](repeating: 0, count: ids.count)
        for id in listed { flags[Int(index(id))] |= 1 }
        for id in stopAt { flags[Int(index(id))] |= 2 }
        self.init(chain: chain, flags: flags, policy: policy, maxHops: maxHops, minTaint: minTaint)
    }

    init(chain: CompactChain, flags: [UInt8], policy: TaintPolicy, maxHops: Int, minTaint: WideAmount) {
        self.chain = chain
        self.flags = flags
        self.policy = policy
        self.maxHops = maxHops
        self.minTaint = minTaint
    }

    /// The number of transfers replayed.
    var count: Int { chain.transfers.count }

    /// Sizes a pass's arrays for this chain (a fresh pass, or one read from a checkpoint of the same data).
    func prepare(_ pass: inout Pass, backward: Bool) {
        func sized<T>(_ array: inout [T], _ fresh: T) {
            let count = chain.addressCount
            if array.isEmpty {
                array = Array(repeating: fresh, count: count)
            } else if array.count < count {
                array += Array(repeating: fresh, count: count - array.count)
            }
        }
        if policy == .fifo { sized(&pass.queues, AccountTaintState()) } else { sized(&pass.accounts, PlainAccount()) }
        if backward { sized(&pass.backward, BackwardFigures()) } else { sized(&pass.forward, ForwardFigures()) }
    }

    /// Runs from `state` to the end, the forward and the backward pass side by side (two threads), in steps of at
    /// most 65,536 transfers; `checkpoint` is called every `checkpointEvery` transfers and returns `false` to stop
    /// there (the function then returns `false`).
    public func run(
        _ state: inout State,
        checkpointEvery: Int = 0,
        progress: (ScanProgress) -> Void = { _ in },
        checkpoint: (State) throws -> Bool = { _ in true }
    ) throws -> Bool {
        let total = count
        state.indexOf = chain.indexOf
        prepare(&state.forward, backward: false)
        prepare(&state.backward, backward: true)
        let boxes = [PassBox(state.forward), PassBox(state.backward)]
        state = State()  // The boxes hold the only references: the arrays are mutated in place.
        defer {
            state.forward = boxes[0].pass
            state.backward = boxes[1].pass
            state.indexOf = chain.indexOf
        }
        while boxes[0].pass.position < total || boxes[1].pass.position < total {
            let position = min(boxes[0].pass.position, boxes[1].pass.position)
            var step = min(total, position + 65_536)
            if checkpointEvery > 0 { step = min(step, (position / checkpointEvery + 1) * checkpointEvery) }
            let target = step
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                let box = boxes[index]
                if index == 0 {
                    runForward(&box.pass, through: target)
                } else {
                    runBackward(&box.pass, through: target)
                }
            }
            progress(ScanProgress(phase: .forward, done: target, total: total))
            if checkpointEvery > 0 && target % checkpointEvery == 0 && target < total {
                var snapshot = State(forward: boxes[0].pass, backward: boxes[1].pass)
                snapshot.indexOf = chain.indexOf
                let goOn = try checkpoint(snapshot)
                snapshot = State()  // Let go of the copies before the passes mutate again.
                if !goOn { return false }
            }
        }
        return true
    }

    /// A carry under haircut or poison: taint and the hop it arrives at (`taint` zero: none).
    struct PlainCarry {
        var taint: WideAmount
        var hop: Int
        static let none = PlainCarry(taint: .zero, hop: .max)
    }

    /// Sends `value` from `account` (haircut or poison) and returns the carry before the filters.
    @inline(__always) func send(_ account: inout PlainAccount, _ value: WideAmount) -> PlainCarry {
        let paid = min(value, account.balance)
        if policy == .poison {
            account.balance -= paid
            return account.taint.isZero || value.isZero ? .none : PlainCarry(taint: value, hop: account.hop &+ 1)
        }
        if account.taint.isZero {
            account.balance -= paid
            return .none
        }
        let carried = WideAmount.multiplyDivide(paid, account.taint, account.balance)
        account.balance -= paid
        account.taint -= carried
        return carried.isZero ? .none : PlainCarry(taint: carried, hop: account.hop &+ 1)
    }

    /// The hop and minimum filters, and the seed rule, of one transfer (haircut or poison).
    @inline(__always) func carry(
        from sender: Int,
        value: WideAmount,
        _ accounts: inout [PlainAccount]
    ) -> PlainCarry {
        var carry = send(&accounts[sender], value)
        if flags[sender] & 1 != 0 { carry = value.isZero ? .none : PlainCarry(taint: value, hop: 1) }
        if carry.taint.isZero || carry.hop > maxHops || carry.taint < minTaint { return .none }
        return carry
    }

    /// The same for FIFO, through ``AccountTaintState``.
    func fifoCarry(from sender: Int, value: Amount, _ queues: inout [AccountTaintState]) -> TaintCarry {
        var carry = queues[sender].send(value, policy: policy)
        if flags[sender] & 1 != 0 { carry = AccountTaintState.seedCarry(value, policy: policy) }
        return carry.filtered(maxHops: maxHops, minTaint: minTaint)
    }

    func amount(_ position: Int) -> Amount {
        let transfer = chain.transfers[position]
        if transfer.high == .max && transfer.low == .max, let amount = chain.large[position] { return amount }
        var amount = Amount.zero
        amount[limb: 0] = transfer.low
        amount[limb: 1] = transfer.high
        return amount
    }

    /// Moves taint along one transfer `from` → `to` in the pass's direction (the policy's carry, then the receiver's
    /// state) and returns what reached `to`: its hop, its taint and whether the sender is listed; `nil` when nothing
    /// tainted moved or the transfer is a self-transfer.
    @inline(__always) func step(
        _ pass: inout Pass, position: Int, from: Int, to: Int, value: WideAmount
    ) -> (hop: Int, taint: WideAmount, fromListed: Bool)? {
        let toFlags = flags[to]
        let receives = toFlags & 2 == 0 || toFlags & 1 != 0
        let hop: Int
        let taint: WideAmount
        if policy == .fifo {
            let amount = amount(position)
            let carry = fifoCarry(from: from, value: amount, &pass.queues)
            if receives { pass.queues[to].receive(amount, carry: carry, policy: policy) }
            (hop, taint) = (carry.hop, carry.taint)
        } else {
            let carry = carry(from: from, value: value, &pass.accounts)
            if receives { Self.receive(&pass.accounts[to], value, carry) }
            (hop, taint) = (carry.hop, carry.taint)
        }
        guard !taint.isZero, from != to else { return nil }
        return (hop, taint, flags[from] & 1 != 0)
    }

    /// Applies transfers `pass.position ..< end` in chain order.
    func runForward(_ pass: inout Pass, through end: Int) {
        while pass.position < end {
            let position = pass.position
            let transfer = chain.transfers[position]
            let from = Int(transfer.from)
            let to = Int(transfer.to)
            if let reached = step(&pass, position: position, from: from, to: to, value: chain.value(position)) {
                pass.forward[to].hopIn = min(pass.forward[to].hopIn, reached.hop)
                if !reached.fromListed { pass.forward[to].indirectIn += reached.taint }
            }
            pass.position += 1
        }
    }

    /// Applies transfers in reverse chain order, each reversed, `pass.position` counting from the end.
    func runBackward(_ pass: inout Pass, through end: Int) {
        let total = count
        while pass.position < end {
            let position = total - 1 - pass.position
            let transfer = chain.transfers[position]
            // Reversed: the real receiver sends.
            let from = Int(transfer.to)
            let to = Int(transfer.from)
            let value = chain.value(position)
            let fromFlags = flags[from]
            let toFlags = flags[to]
            if from != to {
                // Volumes and direct exposure of the real transfer (`to` sent it to `from`), once, on this pass.
                pass.backward[to].totalOut += value
                pass.backward[from].totalIn += value
                if toFlags & 1 != 0 { pass.backward[from].directIn += value }
                if fromFlags & 1 != 0 { pass.backward[to].directOut += value }
            }
            if let reached = step(&pass, position: position, from: from, to: to, value: value) {
                pass.backward[to].hopOut = min(pass.backward[to].hopOut, reached.hop)
                if !reached.fromListed { pass.backward[to].indirectOut += reached.taint }
            }
            pass.position += 1
        }
    }

    @inline(__always) static func receive(_ account: inout PlainAccount, _ value: WideAmount, _ carry: PlainCarry) {
        account.balance += value
        if !carry.taint.isZero {
            account.taint += carry.taint
            account.hop = min(account.hop, carry.hop)
        }
    }

    /// The exposure figures of an address after a run: direct in/out, indirect in/out, total in/out, hop in/out.
    public static func figures(
        _ state: State,
        _ address: AddressID
    )
        -> (
            directIn: WideAmount, directOut: WideAmount, indirectIn: WideAmount, indirectOut: WideAmount,
            totalIn: WideAmount, totalOut: WideAmount, hopIn: Int?, hopOut: Int?
        )
    {
        let index: Int? =
            if let indexOf = state.indexOf { indexOf[address.rawValue].map(Int.init) } else {
                Int(exactly: address.rawValue)
            }
        let entry = state.entry(index: index)
        return (
            entry.directIn, entry.directOut, entry.indirectIn, entry.indirectOut, entry.totalIn, entry.totalOut,
            entry.hopIn, entry.hopOut
        )
    }
}
