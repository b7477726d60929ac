/// Reads Spoor's wire encodings from LMDB bytes. Every read is bounds-checked and throws ``DecodeError`` on a
/// truncated or malformed buffer, so a corrupt record never traps.
///
/// - warning: The buffer belongs to an LMDB transaction; do not keep the reader past the closure that lent it.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    var offset: Int

    init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= buffer.count }
    var remaining: Int { buffer.count - offset }

    mutating func readByte() throws(DecodeError) -> UInt8 {
        guard offset < buffer.count else { throw DecodeError(reason: "truncated at byte \(offset)") }
        // Safe because offset < count was just checked.
        let byte = buffer.load(fromByteOffset: offset, as: UInt8.self)
        offset &+= 1
        return byte
    }

    mutating func readVarint() throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63 && byte > 1 { throw DecodeError(reason: "varint longer than 64 bits at byte \(offset - 1)") }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw DecodeError(reason: "varint longer than 10 bytes at byte \(offset - 1)") }
        }
    }

    mutating func readSignedVarint() throws(DecodeError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func readAmount() throws(DecodeError) -> Amount {
        let width = Int(try readByte())
        guard width <= 32 else { throw DecodeError(reason: "amount width \(width) > 32 at byte \(offset - 1)") }
        guard remaining >= width else { throw DecodeError(reason: "truncated amount at byte \(offset)") }
        var amount = Amount.zero
        for index in 0..<width {
            // Safe because remaining >= width was checked above.
            let byte = buffer.load(fromByteOffset: offset &+ index, as: UInt8.self)
            amount[limb: index / 8] |= UInt64(byte) << (UInt64(index % 8) * 8)
        }
        offset &+= width
        return amount
    }

    /// Reads what ``ByteWriter/writeOptionalAmount(_:)`` wrote.
    mutating func readOptionalAmount() throws(DecodeError) -> Amount? {
        guard offset < buffer.count else { throw DecodeError(reason: "truncated at byte \(offset)") }
        if buffer[offset] == 0xFF {
            offset += 1
            return nil
        }
        return try readAmount()
    }

    mutating func readBytes() throws(DecodeError) -> [UInt8] {
        let count = try readVarint()
        guard count <= UInt64(remaining) else { throw DecodeError(reason: "byte string of \(count) past the end") }
        let start = offset
        offset += Int(count)
        return Array(buffer[start..<offset])
    }

    mutating func readString() throws(DecodeError) -> String {
        let bytes = try readBytes()
        guard let text = String(validating: bytes, as: UTF8.self) else { throw DecodeError(reason: "invalid UTF-8") }
        return text
    }
}
