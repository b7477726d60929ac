import Synchronization

/// Whole neighbour lists of one read snapshot, shared by the readers of the process: a query repeated on new
/// snapshots of an unchanged store reads each address's stream from LMDB once.
///
/// An LMDB snapshot is identified by its store and its transaction id (`mdb_txn_id`: the id of the last committed
/// write it sees), and every read-only transaction with the same id sees the same data. The cache holds the lists
/// of one snapshot; a reader of another snapshot (a newer one after a write, or another store) empties it first.
/// The store is compared by its ``Store/serial``, so a store opened anew never matches an old entry. Lists
/// are kept as `neighbour | incoming << 63` per incidence, in stream order, and split by direction (plain ids);
/// once ``limitBytes`` are held, further lists are not kept.
final class NeighborListCache: Sendable {
    /// One address's stream: every incidence packed, and the neighbour ids of each direction, all in stream order.
    final class Lists: Sendable {
        let packed: [UInt64]
        let outgoing: [UInt64]
        let incoming: [UInt64]

        init(packed: [UInt64]) {
            self.packed = packed
            let incomingBit: UInt64 = 1 << 63
            var outgoing: [UInt64] = []
            var incoming: [UInt64] = []
            for value in packed {
                if value & incomingBit == 0 { outgoing.append(value) } else { incoming.append(value & ~incomingBit) }
            }
            self.outgoing = outgoing
            self.incoming = incoming
        }

        var bytes: Int { (packed.count + outgoing.count + incoming.count) * 8 + 96 }
    }

    /// The cache every ``GraphReader`` uses.
    static let shared = NeighborListCache(limitBytes: 128 << 20)

    private struct State {
        /// ``Store/serial`` of the store whose snapshot is held (0: none; serials start at 1).
        var store: UInt64 = 0
        var transaction = 0
        /// Lists of addresses below ``denseLimit`` by id (ids are dense), the others by hash.
        var dense: [Lists?] = []
        var sparse: [UInt64: Lists] = [:]
        var bytes = 0

        func list(_ address: UInt64) -> Lists? {
            address < UInt64(dense.count) ? dense[Int(address)] : sparse[address]
        }
    }

    /// Addresses below this id are kept in an array indexed by id (8 bytes a slot up to the highest id seen).
    static let denseLimit: UInt64 = 1 << 22

    /// Bytes of lists held at most.
    let limitBytes: Int
    private let state = Mutex(State())

    init(limitBytes: Int) { self.limitBytes = limitBytes }

    /// The packed list of `address` in snapshot `transaction` of `store`, if held.
    func list(store: Store, transaction: Int, address: UInt64) -> Lists? {
        state.withLock { state in
            guard state.store == store.serial, state.transaction == transaction else { return nil }
            return state.list(address)
        }
    }

    /// Keeps the packed list of `address` in snapshot `transaction` of `store`.
    func insert(_ lists: Lists, store: Store, transaction: Int, address: UInt64) {
        let size = lists.bytes
        state.withLock { state in
            if state.store != store.serial || state.transaction != transaction {
                state.store = store.serial
                state.transaction = transaction
                state.dense = []
                state.sparse = [:]
                state.bytes = 0
            }
            guard state.bytes + size <= limitBytes, state.list(address) == nil else { return }
            if address < Self.denseLimit {
                if address >= UInt64(state.dense.count) {
                    let grown = Swift.max(Int(address) + 1, state.dense.count * 2)
                    state.bytes += (grown - state.dense.count) * 8
                    state.dense.append(contentsOf: repeatElement(nil, count: grown - state.dense.count))
                }
                state.dense[Int(address)] = lists
            } else {
                state.sparse[address] = lists
            }
            state.bytes += size
        }
    }
}
