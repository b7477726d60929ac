/// An insert-only set of node ids for frontier and `DISTINCT` work: open addressing with linear probing over a
/// power-of-two table (at most half full), a Fibonacci multiplicative hash of the raw id. Unlike `Set<Value>` it
/// hashes one `UInt64` per insert with no boxing, no retain/release and no SipHash.
struct NodeIDSet {
    /// `id + 1` per occupied cell, 0 for empty (the id `UInt64.max` is kept in `containsMax`).
    private var table: [UInt64]
    private var shift: UInt64
    private var containsMax = false
    /// Ids in the set.
    private(set) var count = 0

    /// An empty set sized for about `capacity` ids before it grows.
    init(capacity: Int = 8) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        table = Array(repeating: 0, count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    @inline(__always)
    private static func home(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds `node`; returns whether it was new.
    @discardableResult
    mutating func insert(_ node: NodeID) -> Bool {
        let key = node.rawValue
        if key == .max {
            defer { containsMax = true }
            if containsMax { return false }
            count += 1
            return true
        }
        if (count + 1) * 2 > table.count { grow() }
        let stored = key &+ 1
        var index = Self.home(key, shift)
        let mask = table.count - 1
        let inserted = table.withUnsafeMutableBufferPointer { cells -> Bool in
            while true {
                let cell = cells[index]
                if cell == 0 {
                    cells[index] = stored
                    return true
                }
                if cell == stored { return false }
                index = (index + 1) & mask
            }
        }
        if inserted { count += 1 }
        return inserted
    }

    /// Whether `node` is in the set.
    func contains(_ node: NodeID) -> Bool {
        let key = node.rawValue
        if key == .max { return containsMax }
        let stored = key &+ 1
        var index = Self.home(key, shift)
        let mask = table.count - 1
        return table.withUnsafeBufferPointer { cells in
            while true {
                let cell = cells[index]
                if cell == 0 { return false }
                if cell == stored { return true }
                index = (index + 1) & mask
            }
        }
    }

    private mutating func grow() {
        let old = table
        table = Array(repeating: 0, count: old.count * 2)
        shift -= 1
        let mask = table.count - 1
        let shift = self.shift
        table.withUnsafeMutableBufferPointer { cells in
            for stored in old where stored != 0 {
                var index = Self.home(stored &- 1, shift)
                while cells[index] != 0 { index = (index + 1) & mask }
                cells[index] = stored
            }
        }
    }
}
