/// A forward cursor over serialized Bitcoin data. Offsets in errors are `baseOffset + position`.
struct BitcoinByteReader: ~Copyable {
    let buffer: UnsafeRawBufferPointer
    let file: String
    let baseOffset: Int
    var position: Int = 0

    init(buffer: UnsafeRawBufferPointer, file: String, baseOffset: Int) {
        self.buffer = buffer
        self.file = file
        self.baseOffset = baseOffset
    }

    var remaining: Int { buffer.count - position }
    var absoluteOffset: Int { baseOffset + position }

    func error(_ kind: BitcoinParseError.Kind) -> BitcoinParseError {
        BitcoinParseError(kind, file: file, offset: absoluteOffset)
    }

    @inline(__always)
    func need(_ count: Int, _ what: @autoclosure () -> String) throws(BitcoinParseError) {
        if count > remaining { throw error(.truncated(what: what(), needed: count, available: remaining)) }
    }

    @inline(__always)
    mutating func readUInt8(_ what: @autoclosure () -> String) throws(BitcoinParseError) -> UInt8 {
        try need(1, what())
        defer { position += 1 }
        return buffer[position]
    }

    @inline(__always)
    mutating func readUInt32(_ what: @autoclosure () -> String) throws(BitcoinParseError) -> UInt32 {
        try need(4, what())
        defer { position += 4 }
        return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }

    @inline(__always)
    mutating func readUInt64(_ what: @autoclosure () -> String) throws(BitcoinParseError) -> UInt64 {
        try need(8, what())
        defer { position += 8 }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }

    @inline(__always)
    mutating func readBytes(_ count: Int, _ what: @autoclosure () -> String) throws(BitcoinParseError) -> [UInt8] {
        try need(count, what())
        defer { position += count }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[position..<(position + count)]))
    }

    mutating func skip(_ count: Int, _ what: @autoclosure () -> String) throws(BitcoinParseError) {
        try need(count, what())
        position += count
    }

    /// A CompactSize (varint) that must be at most `min(remaining / minimumItemSize, 0x02000000)`.
    mutating func readCompactSize(
        _ what: @autoclosure () -> String,
        minimumItemSize: Int = 1
    )
        throws(BitcoinParseError) -> Int
    {
        let start = position
        let first = try readUInt8("the CompactSize of \(what())")
        let value: UInt64
        switch first {
        case 0xFD:
            try need(2, "the CompactSize of \(what())")
            value = UInt64(UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: position, as: UInt16.self)))
            position += 2
        case 0xFE: value = UInt64(try readUInt32("the CompactSize of \(what())"))
        case 0xFF: value = try readUInt64("the CompactSize of \(what())")
        default: value = UInt64(first)
        }
        let canonicalMinimum: UInt64 =
            first == 0xFD ? 0xFD : first == 0xFE ? 0x1_0000 : first == 0xFF ? 0x1_0000_0000 : 0
        if value < canonicalMinimum {
            let kind = BitcoinParseError.Kind.badLength(
                what: "CompactSize of \(what())",
                detail: "non-canonical encoding of \(value)"
            )
            throw BitcoinParseError(kind, file: file, offset: baseOffset + start)
        }
        let protocolLimit: UInt64 = 0x0200_0000
        let fitLimit = UInt64(remaining / max(minimumItemSize, 1))
        let limit = min(protocolLimit, fitLimit)
        if value > limit {
            let kind = BitcoinParseError.Kind.oversizedCount(what: what(), value: value, limit: limit)
            throw BitcoinParseError(kind, file: file, offset: baseOffset + start)
        }
        return Int(value)
    }

    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[range]) }
}

/// `bytes.withUnsafeBytes(body)` keeping `body`'s typed error (the stdlib method only rethrows `any Error`).
func withUnsafeBytesTyped<T>(
    _ bytes: [UInt8],
    _ body: (UnsafeRawBufferPointer) throws(BitcoinParseError) -> T
) throws(BitcoinParseError) -> T {
    let result = bytes.withUnsafeBytes { (buffer) -> Result<T, BitcoinParseError> in
        do throws(BitcoinParseError) {
            return .success(try body(buffer))
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}
