/// Appends Spoor's wire encodings to a byte array: LEB128 varints, zigzag, fixed big-endian keys, amounts.
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Unsigned LEB128: 7 bits a byte, low bits first, high bit set on all but the last byte.
    mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Zigzag then varint, so small negative numbers stay small.
    mutating func writeSignedVarint(_ value: Int64) {
        writeVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// An amount: one byte with its significant byte count (0...32), then those bytes little-endian.
    mutating func writeAmount(_ amount: Amount) {
        let width = amount.byteWidth
        bytes.append(UInt8(width))
        for index in 0..<width {
            bytes.append(UInt8(truncatingIfNeeded: amount[limb: index / 8] >> (UInt64(index % 8) * 8)))
        }
    }

    /// An amount, or the marker byte 0xFF for "past 2^256 − 1" (a total that is no longer known exactly).
    mutating func writeOptionalAmount(_ amount: Amount?) {
        if let amount { writeAmount(amount) } else { bytes.append(0xFF) }
    }

    /// A fixed 8-byte big-endian integer (keys sort numerically).
    mutating func writeBigEndian(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// A fixed 4-byte big-endian integer.
    mutating func writeBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Length-prefixed bytes.
    mutating func writeBytes(_ data: some Collection<UInt8>) {
        writeVarint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    /// Length-prefixed UTF-8.
    mutating func writeString(_ text: String) {
        writeBytes(Array(text.utf8))
    }
}

/// Big-endian key helpers for LMDB (byte order = numeric order).
enum Key {
    static func id(_ value: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 8)
        writer.writeBigEndian(value)
        return writer.bytes
    }

    static func chunk(_ address: UInt64, _ sequence: UInt32) -> [UInt8] {
        var writer = ByteWriter(capacity: 12)
        writer.writeBigEndian(address)
        writer.writeBigEndian(sequence)
        return writer.bytes
    }

    /// An output of a transaction: `(transaction id, output index)`, the same layout as a chunk key.
    static func outpoint(_ transaction: UInt64, _ index: UInt32) -> [UInt8] { chunk(transaction, index) }

    static func readID(_ key: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + 8) { value = value << 8 | UInt64(key[index]) }
        return value
    }

    static func readUInt32(_ key: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in offset..<(offset + 4) { value = value << 8 | UInt32(key[index]) }
        return value
    }

    static func text(_ parts: String...) -> [UInt8] {
        Array(parts.joined(separator: "\u{0}").utf8)
    }
}
