import SpoorStore

/// An account flow that reads each address's transfers once and keeps only one asset's, inside a window (what an
/// exposure question looks at: the other assets' taint never mixes in).
final class CachingAccountFlow<Source: AccountFlowSource>: AccountFlowSource {
    let source: Source
    let asset: AssetID
    let window: TimeWindow?
    private var cache: [AddressID: [AccountTransfer]] = [:]

    init(source: Source, asset: AssetID, window: TimeWindow?) {
        self.source = source
        self.asset = asset
        self.window = window
    }

    func transfers(of address: AddressID) throws -> [AccountTransfer] {
        if let cached = cache[address] { return cached }
        var list = try source.transfers(of: address)
        list.removeAll { $0.asset != asset || !(window?.contains($0.time) ?? true) }
        cache[address] = list
        return list
    }

    func forEachTransfer(_ body: (AccountTransfer) throws -> Void) throws {
        try source.forEachTransfer { transfer in
            guard transfer.asset == asset, window?.contains(transfer.time) ?? true else { return }
            try body(transfer)
        }
    }
}

/// The addresses whose taint can reach an exposure's targets, so the taint runs follow only those.
///
/// Taint passes on only from an address holding it at a hop below `maxHops` (a listed address always). Step 1
/// bounds when each address can first do so, ignoring amounts (hop levels of a time-respecting breadth-first
/// search from the listed addresses, up to `maxHops − 1`; every amount rule only ever carries less). Step 2 walks back
/// from the targets: an address is relevant when it sends to a relevant address, at a time it may pass taint,
/// before that address's last relevant send (the targets' horizon for the targets). Taint reaching any other
/// address cannot reach a target in time, and every relevant address is still replayed from its first transfer, so
/// the targets' figures, hops and evidence are those of a run that follows every address.
///
/// Both steps work in the run's orientation (backward runs reverse every transfer and the chain order). When they
/// would read more than `budget` transfers the bound is given up (`nil`: follow everything).
struct ReplayBounds<Source: AccountFlowSource> {
    let flow: CachingAccountFlow<Source>
    let targets: Set<AddressID>
    let listed: Set<AddressID>
    let stopAt: Set<AddressID>
    let maxHops: Int
    var budget = 8_000_000

    init(
        flow: CachingAccountFlow<Source>,
        targets: Set<AddressID>,
        listed: Set<AddressID>,
        stopAt: Set<AddressID>,
        maxHops: Int
    ) {
        self.flow = flow
        self.targets = targets
        self.listed = listed
        self.stopAt = stopAt
        self.maxHops = maxHops
    }

    /// The addresses to follow in a run in the given orientation that stops at `horizon`.
    func relevant(backward: Bool, horizon: ChainPosition) throws -> Set<AddressID>? {
        var examined = 0
        /// `a` comes after `b` in the run's order.
        func after(_ a: ChainPosition, _ b: ChainPosition) -> Bool { backward ? a < b : a > b }
        func sender(_ transfer: AccountTransfer) -> AddressID { backward ? transfer.to : transfer.from }
        func receiver(_ transfer: AccountTransfer) -> AddressID { backward ? transfer.from : transfer.to }
        func canHold(_ address: AddressID) -> Bool { listed.contains(address) || !stopAt.contains(address) }

        // Step 1: from[address] = the position after which it may hold taint at a hop ≤ maxHops − 1.
        var from: [AddressID: ChainPosition] = [:]
        var changed: [AddressID: ChainPosition?] = [:]  // nil: listed (from the start)
        for address in listed { changed[address] = .some(nil) }
        var level = 1
        while level <= maxHops - 1 && !changed.isEmpty {
            var next: [AddressID: ChainPosition?] = [:]
            for (address, start) in changed {
                let stream = try flow.transfers(of: address)
                examined += stream.count
                if examined > budget { return nil }
                for transfer in stream where sender(transfer) == address && receiver(transfer) != address {
                    if let start, !after(transfer.position, start) { continue }
                    guard !transfer.value.isZero else { continue }
                    let to = receiver(transfer)
                    guard !listed.contains(to), canHold(to) else { continue }
                    if let known = from[to], !after(known, transfer.position) { continue }
                    from[to] = transfer.position
                    next[to] = .some(transfer.position)
                }
            }
            changed = next
            level += 1
        }
        func mayPass(_ address: AddressID, at position: ChainPosition) -> Bool {
            if listed.contains(address) { return true }
            guard let start = from[address] else { return false }
            return after(position, start)
        }

        // Step 2: walk back from the targets through senders that may pass taint, each before the latest relevant
        // send of the address it sends to.
        // Latest deadline first: an address's deadline is final when it comes off the heap (deadlines only move
        // earlier along the walk), so each stream is read once.
        var deadline: [AddressID: ChainPosition] = [:]
        var work = BinaryHeap<(ChainPosition, AddressID)> { after($0.0, $1.0) }
        for target in targets {
            deadline[target] = horizon
            work.push((horizon, target))
        }
        var done = Set<AddressID>()
        while let (limit, address) = work.pop() {
            guard deadline[address] == limit, done.insert(address).inserted else { continue }
            let stream = try flow.transfers(of: address)
            examined += stream.count
            if examined > budget { return nil }
            // Streams are in chain order: only the part up to the limit (in the run's order) is looked at.
            let bound =
                backward
                ? stream.partitioningIndex { !($0.position < limit) } : stream.partitioningIndex { $0.position > limit }
            let part = backward ? stream[bound...] : stream[..<bound]
            for transfer in part where receiver(transfer) == address && sender(transfer) != address {
                guard !after(transfer.position, limit), !transfer.value.isZero else { continue }
                let source = sender(transfer)
                guard !done.contains(source), mayPass(source, at: transfer.position) else { continue }
                if let known = deadline[source], !after(transfer.position, known) { continue }
                deadline[source] = transfer.position
                work.push((transfer.position, source))
            }
        }
        return Set(deadline.keys)
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false up to some index and
    /// true from there on (binary search); `count` when none does.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
