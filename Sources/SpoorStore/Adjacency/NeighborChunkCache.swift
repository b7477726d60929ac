import Foundation
import Synchronization

/// Decoded neighbours of zstd-compressed adjacency chunks, shared by every reader in the process, so that a
/// frontier walk repeated on new snapshots does not decompress the same sealed chunks again.
///
/// Sealed chunks are never rewritten, but an entry is still only used when the stored bytes it was decoded from are
/// byte-for-byte the bytes read now (a rolled-back and rewritten chunk, or another store with the same key, simply
/// misses): the check is one `memcmp` of the compressed chunk, much cheaper than decompressing it. Entries hold
/// each incidence as `neighbour | incoming << 63`. When the cache passes ``limitBytes`` it is emptied (no
/// per-entry bookkeeping on the hot path).
final class NeighborChunkCache: Sendable {
    /// The cache every ``GraphReader`` uses.
    static let shared = NeighborChunkCache(limitBytes: 96 << 20)

    /// A chunk: the address and the chunk's sequence number in the address's stream.
    struct Key: Hashable, Sendable {
        var address: UInt64
        var sequence: UInt32
    }

    private struct Entry {
        var stored: [UInt8]
        var packed: [UInt64]
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    /// Bytes (stored chunks plus decoded neighbours) the cache holds at most.
    let limitBytes: Int
    private let state = Mutex(State())

    init(limitBytes: Int) { self.limitBytes = limitBytes }

    /// The decoded neighbours of the chunk `key` when they were decoded from exactly `stored`.
    func packed(for key: Key, stored: UnsafeRawBufferPointer) -> [UInt64]? {
        state.withLock { state -> [UInt64]? in
            guard let entry = state.entries[key], entry.stored.count == stored.count else { return nil }
            let same = entry.stored.withUnsafeBytes { cached in
                guard let a = cached.baseAddress, let b = stored.baseAddress else { return cached.count == stored.count }
                return memcmp(a, b, stored.count) == 0
            }
            return same ? entry.packed : nil
        }
    }

    /// Keeps `packed`, decoded from `stored`, for the chunk `key`.
    func insert(_ packed: [UInt64], for key: Key, stored: UnsafeRawBufferPointer) {
        let size = stored.count + packed.count * 8 + 64
        guard size <= limitBytes / 4 else { return }
        let entry = Entry(stored: Array(stored), packed: packed)
        state.withLock { state in
            if state.bytes + size > limitBytes {
                state.entries.removeAll()
                state.bytes = 0
            }
            if let old = state.entries.updateValue(entry, forKey: key) {
                state.bytes -= old.stored.count + old.packed.count * 8 + 64
            }
            state.bytes += size
        }
    }
}
