/// An insert-only set of node ids for frontier and `DISTINCT` work: open addressing with linear probing over a
/// power-of-two table (at most half full), a Fibonacci multiplicative hash of the raw id. Unlike `Set<Value>` it
/// hashes one `UInt64` per insert with no boxing, no retain/release and no SipHash.
///
/// Ids below ``bitmapLimit`` (store address ids are dense from 0) go to a bitmap grown to the largest such id seen
/// (at most 2 MiB), so a frontier over a few hundred thousand addresses stays in cache; other ids go to the table.
///
/// A class over manually allocated memory (an insert touches no array header, no uniqueness check): it is an
/// operator's private state, never shared or copied.
final class NodeIDSet {
    /// `id + 1` per occupied cell, 0 for empty (the id `UInt64.max` is kept in `containsMax`).
    private var table: UnsafeMutablePointer<UInt64>
    private var size: Int
    private var shift: UInt64
    private var containsMax = false
    private var bits: UnsafeMutablePointer<UInt64>?
    private var bitWords = 0
    /// Ids below this go to the bitmap.
    static let bitmapLimit: UInt64 = 1 << 24
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

    deinit {
        table.deallocate()
        bits?.deallocate()
    }

    /// Makes the bitmap cover `key` (below ``bitmapLimit``).
    private func growBits(toCover key: UInt64) {
        let needed = Int(key >> 6) + 1
        let words = Swift.min(Int(Self.bitmapLimit >> 6), Swift.max(needed, bitWords * 2, 64))
        let grown = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        grown.initialize(repeating: 0, count: words)
        if let bits {
            grown.update(from: bits, count: bitWords)
            bits.deallocate()
        }
        bits = grown
        bitWords = words
    }

    @inline(__always)
    private static func home(_ key: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds `node`; returns whether it was new.
    @inline(__always)
    @discardableResult
    func insert(_ node: NodeID) -> Bool {
        let key = node.rawValue
        if key < Self.bitmapLimit {
            let word = Int(key >> 6)
            if word >= bitWords { growBits(toCover: key) }
            guard let bits else { return false }  // allocated by growBits
            let mask: UInt64 = 1 << (key & 63)
            let old = bits[word]
            if old & mask != 0 { return false }
            bits[word] = old | mask
            count += 1
            return true
        }
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
        if key < Self.bitmapLimit {
            let word = Int(key >> 6)
            guard word < bitWords, let bits else { return false }
            return bits[word] & (1 << (key & 63)) != 0
        }
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
