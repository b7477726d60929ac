import SpoorStore
import Synchronization

/// The taint flows of one watchlist over a whole read snapshot, in one orientation, indexed by the address each flow
/// delivers to (in the run's orientation: `to` forward, `from` backward).
final class IndexedTaintFlows: Sendable {
    /// Every flow of the run, in the run's order.
    let flows: [TaintedTransfer]
    /// Indices into ``flows`` of the flows delivering to each address, ascending (the run's order).
    let into: [AddressID: [Int32]]

    init(flows: [TaintedTransfer], backward: Bool) {
        var into: [AddressID: [Int32]] = [:]
        for (index, flow) in flows.enumerated() {
            into[backward ? flow.transfer.from : flow.transfer.to, default: []].append(Int32(index))
        }
        self.flows = flows
        self.into = into
    }

    /// The flows delivering to `address`, in the run's order.
    func flows(into address: AddressID) -> [TaintedTransfer] { (into[address] ?? []).map { flows[Int($0)] } }

    /// The flows delivering to any of `addresses`, in the run's order (as filtering ``flows`` would give them).
    func flows(intoAny addresses: Set<AddressID>) -> [TaintedTransfer] {
        if addresses.count == 1, let only = addresses.first { return flows(into: only) }
        var indices: [Int32] = []
        for address in addresses { indices += into[address] ?? [] }
        indices.sort()
        return indices.map { flows[Int($0)] }
    }

    var bytes: Int { flows.count * (MemoryLayout<TaintedTransfer>.stride + 4) + into.count * 64 }
}

/// Whole-snapshot taint runs of a watchlist, shared by the exposure questions of a process.
///
/// The incoming exposure of any address is read off one forward run from the listed addresses over the whole
/// snapshot (taint at a transfer depends only on the transfers before it, so the flows into an address are those of
/// a run that stops at its last incoming transfer), and the outgoing exposure off one backward run. The first
/// questions on a snapshot and watchlist are answered with bounded runs (``ReplayBounds``); once they have taken
/// ``buildAfter`` in all, both whole runs are made once and later questions only look up their targets' flows.
///
/// Snapshots are identified as in ``GraphReader/snapshotIdentity`` (store identity, held weakly, and LMDB transaction
/// id): a write to the store gives a new transaction id, and a reader of a newer snapshot empties the cache. Runs
/// larger than ``limitBytes`` are not kept (those questions keep using bounded runs).
final class ExposureRunCache: Sendable {
    /// What the runs depend on besides the snapshot.
    struct Key: Hashable, Sendable {
        var listed: Set<AddressID>
        var policy: TaintPolicy
        var maxHops: Int
        var asset: AssetID
        var stopAt: Set<AddressID>
        var window: TimeWindow?
        var minTaint: Amount
    }

    /// Both runs of one key.
    final class Runs: Sendable {
        let forward: IndexedTaintFlows
        let backward: IndexedTaintFlows

        init(forward: IndexedTaintFlows, backward: IndexedTaintFlows) {
            self.forward = forward
            self.backward = backward
        }
    }

    private enum Entry {
        /// Answered with bounded runs so far, taking this long in all.
        case bounded(Duration)
        /// Built.
        case runs(Runs)
        /// Too large to keep.
        case tooLarge
    }

    private struct State {
        weak var store: Store?
        var transaction = 0
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    /// The cache every store-backed ``ExposureAnalyzer`` uses.
    static let shared = ExposureRunCache(limitBytes: 768 << 20, buildAfter: .milliseconds(100))

    /// Bytes of runs held at most.
    let limitBytes: Int
    /// The runs of a key are built once its questions answered with bounded runs have taken this long in all (a
    /// whole run costs about as much as a few slow bounded answers; keys whose questions stay cheap never pay it).
    let buildAfter: Duration
    private let state = Mutex(State())

    init(limitBytes: Int, buildAfter: Duration) {
        self.limitBytes = limitBytes
        self.buildAfter = buildAfter
    }

    /// What to do for a question on snapshot (`store`, `transaction`) with `key`.
    enum Decision {
        /// Answer from these runs.
        case use(Runs)
        /// Build the runs (and keep them with ``insert(_:store:transaction:key:)``).
        case build
        /// Answer with bounded runs.
        case bounded
    }

    /// Looks `key` up.
    func decide(store: Store, transaction: Int, key: Key) -> Decision {
        state.withLock { state in
            if state.store !== store || state.transaction != transaction {
                state.store = store
                state.transaction = transaction
                state.entries = [:]
                state.bytes = 0
            }
            switch state.entries[key] {
            case .runs(let runs)?: return .use(runs)
            case .bounded(let spent)? where spent >= buildAfter: return .build
            case .bounded?, .tooLarge?, nil: return .bounded
            }
        }
    }

    /// Notes that a question with `key` was answered with bounded runs in `elapsed`.
    func noteBounded(_ elapsed: Duration, store: Store, transaction: Int, key: Key) {
        state.withLock { state in
            guard state.store === store, state.transaction == transaction else { return }
            switch state.entries[key] {
            case .bounded(let spent)?: state.entries[key] = .bounded(spent + elapsed)
            case nil: state.entries[key] = .bounded(elapsed)
            case .runs?, .tooLarge?: break
            }
        }
    }

    /// Keeps the runs of `key` on a snapshot (unless the snapshot is no longer the current one or they do not fit).
    func insert(_ runs: Runs, store: Store, transaction: Int, key: Key) {
        let size = runs.forward.bytes + runs.backward.bytes
        state.withLock { state in
            guard state.store === store, state.transaction == transaction else { return }
            if state.bytes + size > limitBytes {
                state.entries[key] = .tooLarge
                return
            }
            state.entries[key] = .runs(runs)
            state.bytes += size
        }
    }

    /// How many keys of the current snapshot have whole runs kept, and the snapshot's transaction id (tests).
    var held: (runs: Int, transaction: Int) {
        state.withLock { state in
            (state.entries.values.filter { if case .runs = $0 { true } else { false } }.count, state.transaction)
        }
    }

    /// Empties the cache (tests).
    func removeAll() {
        state.withLock { state in
            state.store = nil
            state.entries = [:]
            state.bytes = 0
        }
    }
}
