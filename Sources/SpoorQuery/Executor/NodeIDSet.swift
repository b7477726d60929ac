/// An insert-only set of node ids for frontier and `DISTINCT` work: open addressing with linear probing over a
/// power-of-two table (at most half full), a Fibonacci multiplicative hash of the raw id. Unlike `Set<Value>` it
/// hashes one `UInt64` per insert with no boxing, no retain/release and no SipHash.
///
/// A class over manually allocated memory (an insert touches no array header, no uniqueness check): it is an
/// operator's private state, never shared or copied.
final class NodeIDSet {
    /// `id + 1` per occupied cell, 0 for empty (the id `UInt64.max` is kept in `containsMax`).
    private var table: UnsafeMutablePointer<UInt64>
    private var size: Int
    private var shift: UInt64
    private var containsMax = false
    /// Ids in the set.
    private(set) var count = 0

    /// An empty set sized for about `capacity` ids before it grows.
    init(capacity: Int = 8) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        self.size = size
        table = .allocate(capacity: size)
        table.initialize(repeating: 0, count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    deinit { table.deallocate() }

    @inline(__always)
    private static func home(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds `node`; returns whether it was new.
    @inline(__always)
    @discardableResult
    func insert(_ node: NodeID) -> Bool {
        let key = node.rawValue
        if key == .max {
            defer { containsMax = true }
            if containsMax { return false }
            count += 1
            return true
        }
        if (count + 1) * 2 > size { grow() }
        let stored = key &+ 1
        let mask = size - 1
        var index = Self.home(key, shift)
        while true {
            let cell = table[index]
            if cell == 0 {
                table[index] = stored
                count += 1
                return true
            }
            if cell == stored { return false }
            index = (index + 1) & mask
        }
    }

    /// Whether `node` is in the set.
    func contains(_ node: NodeID) -> Bool {
        let key = node.rawValue
        if key == .max { return containsMax }
        let stored = key &+ 1
        let mask = size - 1
        var index = Self.home(key, shift)
        while true {
            let cell = table[index]
            if cell == 0 { return false }
            if cell == stored { return true }
            index = (index + 1) & mask
        }
    }

    private func grow() {
        let old = table
        let oldSize = size
        size *= 2
        shift -= 1
        table = .allocate(capacity: size)
        table.initialize(repeating: 0, count: size)
        let mask = size - 1
        for position in 0..<oldSize {
            let stored = old[position]
            guard stored != 0 else { continue }
            var index = Self.home(stored &- 1, shift)
            while table[index] != 0 { index = (index + 1) & mask }
            table[index] = stored
        }
        old.deallocate()
    }
}
