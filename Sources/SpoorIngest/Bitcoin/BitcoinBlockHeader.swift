public import SpoorStore

/// An 80-byte block header. Hashes are kept in internal (serialized) byte order; `hashHex` is the display order.
public struct BitcoinBlockHeader: Sendable, Hashable {
    /// The block version (signed in Bitcoin Core).
    public var version: Int32 { didSet { hash = BitcoinHash.doubleSHA256(serialized()) } }
    /// The previous block's hash, internal byte order (all zeros for a genesis block).
    public var previousBlockHash: [UInt8] { didSet { hash = BitcoinHash.doubleSHA256(serialized()) } }
    /// The merkle root of the block's txids, internal byte order.
    public var merkleRoot: [UInt8] { didSet { hash = BitcoinHash.doubleSHA256(serialized()) } }
    /// The block time, seconds since the Unix epoch.
    public var time: UInt32 { didSet { hash = BitcoinHash.doubleSHA256(serialized()) } }
    /// The compact target (`nBits`).
    public var bits: UInt32 { didSet { hash = BitcoinHash.doubleSHA256(serialized()) } }
    /// The nonce.
    public var nonce: UInt32 { didSet { hash = BitcoinHash.doubleSHA256(serialized()) } }
    /// Double SHA-256 of the 80 serialized bytes, internal byte order.
    public private(set) var hash: [UInt8]

    /// The serialized size of a header.
    public static let size = 80

    /// Creates a header from its fields and computes its hash.
    public init(
        version: Int32,
        previousBlockHash: [UInt8],
        merkleRoot: [UInt8],
        time: UInt32,
        bits: UInt32,
        nonce: UInt32
    ) {
        self.version = version
        self.previousBlockHash = previousBlockHash
        self.merkleRoot = merkleRoot
        self.time = time
        self.bits = bits
        self.nonce = nonce
        self.hash = []
        self.hash = BitcoinHash.doubleSHA256(serialized())
    }

    /// Parses exactly 80 bytes (a header file entry); `file`/`offset` name them in errors.
    public static func parse(
        _ bytes: [UInt8],
        file: String,
        offset: Int
    ) throws(BitcoinParseError) -> BitcoinBlockHeader {
        try withUnsafeBytesTyped(bytes) { (buffer) throws(BitcoinParseError) -> BitcoinBlockHeader in
            var reader = BitcoinByteReader(buffer: buffer, file: file, baseOffset: offset)
            let header = try parse(from: &reader)
            if reader.remaining > 0 {
                throw reader.error(.trailingBytes(what: "block header", count: reader.remaining))
            }
            return header
        }
    }

    /// Parses the 80-byte header at the start of `buffer` (e.g. a whole block); the rest is ignored.
    /// `offset` is the absolute offset of `buffer`'s first byte in `file`.
    public static func parse(
        prefixOf buffer: UnsafeRawBufferPointer,
        file: String,
        offset: Int
    )
        throws(BitcoinParseError) -> BitcoinBlockHeader
    {
        var reader = BitcoinByteReader(buffer: buffer, file: file, baseOffset: offset)
        return try parse(from: &reader)
    }

    static func parse(from reader: inout BitcoinByteReader) throws(BitcoinParseError) -> BitcoinBlockHeader {
        try reader.need(size, "an 80-byte block header")
        let start = reader.position
        let version = Int32(bitPattern: try reader.readUInt32("the header version"))
        let previous = try reader.readBytes(32, "the previous block hash")
        let merkle = try reader.readBytes(32, "the merkle root")
        let time = try reader.readUInt32("the header time")
        let bits = try reader.readUInt32("the header bits")
        let nonce = try reader.readUInt32("the header nonce")
        var header = BitcoinBlockHeader(
            unhashedVersion: version,
            previousBlockHash: previous,
            merkleRoot: merkle,
            time: time,
            bits: bits,
            nonce: nonce
        )
        header.hash = BitcoinHash.doubleSHA256(buffer: reader.slice(start..<(start + size)))
        return header
    }

    private init(
        unhashedVersion version: Int32,
        previousBlockHash: [UInt8],
        merkleRoot: [UInt8],
        time: UInt32,
        bits: UInt32,
        nonce: UInt32
    ) {
        self.version = version
        self.previousBlockHash = previousBlockHash
        self.merkleRoot = merkleRoot
        self.time = time
        self.bits = bits
        self.nonce = nonce
        self.hash = []
    }

    /// The block hash in display order (reversed hex), e.g. `000000000019d6689c085ae165831e93...` for genesis.
    public var hashHex: String { BitcoinHex.encodeReversed(hash) }

    /// The previous block hash in display order.
    public var previousBlockHashHex: String { BitcoinHex.encodeReversed(previousBlockHash) }

    /// The merkle root in display order.
    public var merkleRootHex: String { BitcoinHex.encodeReversed(merkleRoot) }

    /// True when the previous hash is all zeros (a genesis block).
    public var isGenesis: Bool { previousBlockHash.allSatisfy { $0 == 0 } }

    /// The expected number of hashes to find this block: 2^256 / (target + 1), as Bitcoin Core's `GetBlockProof`;
    /// zero for a negative, zero or overflowing compact target.
    public var work: Amount { Self.work(bits: bits) }

    /// The work of a compact target `bits` (see `work`).
    public static func work(bits: UInt32) -> Amount {
        guard let target = BitcoinUInt256(compactTarget: bits), !target.isZero else { return .zero }
        // 2^256 / (target + 1) == ~target / (target + 1) + 1 (Bitcoin Core's arith), all within 256 bits.
        let quotient = target.complement.dividing(by: target.addingOne)
        return Amount(words: quotient.addingOne.limbs) ?? .zero
    }

    /// The 80 serialized bytes.
    public func serialized() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.size)
        serialize(into: &bytes)
        return bytes
    }

    /// Appends the 80 serialized bytes to `bytes`.
    public func serialize(into bytes: inout [UInt8]) {
        BitcoinWriter.appendUInt32(UInt32(bitPattern: version), to: &bytes)
        bytes.append(contentsOf: previousBlockHash)
        bytes.append(contentsOf: merkleRoot)
        BitcoinWriter.appendUInt32(time, to: &bytes)
        BitcoinWriter.appendUInt32(bits, to: &bytes)
        BitcoinWriter.appendUInt32(nonce, to: &bytes)
    }
}

/// A minimal unsigned 256-bit integer for targets and work (little-endian 64-bit limbs).
struct BitcoinUInt256: Hashable {
    var limbs: [UInt64]

    init(limbs: [UInt64]) { self.limbs = limbs }

    /// Bitcoin Core's `SetCompact`: `nil` for a negative or overflowing target.
    init?(compactTarget bits: UInt32) {
        let exponent = Int(bits >> 24)
        let mantissa = UInt64(bits & 0x007F_FFFF)
        if mantissa != 0 && bits & 0x0080_0000 != 0 { return nil }
        if mantissa != 0
            && (exponent > 34 || (mantissa > 0xFF && exponent > 33) || (mantissa > 0xFFFF && exponent > 32))
        {
            return nil
        }
        var value = BitcoinUInt256(limbs: [mantissa, 0, 0, 0])
        if exponent <= 3 {
            value = value.shiftedRight(8 * (3 - exponent))
        } else {
            value = value.shiftedLeft(8 * (exponent - 3))
        }
        self = value
    }

    var isZero: Bool { limbs.allSatisfy { $0 == 0 } }
    var complement: BitcoinUInt256 { BitcoinUInt256(limbs: limbs.map { ~$0 }) }

    var addingOne: BitcoinUInt256 {
        var result = limbs
        for index in 0..<4 {
            let (sum, overflow) = result[index].addingReportingOverflow(1)
            result[index] = sum
            if !overflow { break }
        }
        return BitcoinUInt256(limbs: result)
    }

    func shiftedLeft(_ count: Int) -> BitcoinUInt256 {
        guard count < 256 else { return BitcoinUInt256(limbs: [0, 0, 0, 0]) }
        var result: [UInt64] = [0, 0, 0, 0]
        let limbShift = count / 64
        let bitShift = UInt64(count % 64)
        for index in stride(from: 3, through: limbShift, by: -1) {
            var value = limbs[index - limbShift] << bitShift
            if bitShift > 0 && index - limbShift - 1 >= 0 { value |= limbs[index - limbShift - 1] >> (64 - bitShift) }
            result[index] = value
        }
        return BitcoinUInt256(limbs: result)
    }

    func shiftedRight(_ count: Int) -> BitcoinUInt256 {
        guard count < 256 else { return BitcoinUInt256(limbs: [0, 0, 0, 0]) }
        var result: [UInt64] = [0, 0, 0, 0]
        let limbShift = count / 64
        let bitShift = UInt64(count % 64)
        for index in 0..<(4 - limbShift) {
            var value = limbs[index + limbShift] >> bitShift
            if bitShift > 0 && index + limbShift + 1 < 4 { value |= limbs[index + limbShift + 1] << (64 - bitShift) }
            result[index] = value
        }
        return BitcoinUInt256(limbs: result)
    }

    static func >= (lhs: BitcoinUInt256, rhs: BitcoinUInt256) -> Bool {
        for index in stride(from: 3, through: 0, by: -1) where lhs.limbs[index] != rhs.limbs[index] {
            return lhs.limbs[index] > rhs.limbs[index]
        }
        return true
    }

    func subtracting(_ other: BitcoinUInt256) -> BitcoinUInt256 {
        var result: [UInt64] = [0, 0, 0, 0]
        var borrow: UInt64 = 0
        for index in 0..<4 {
            let (first, overflow1) = limbs[index].subtractingReportingOverflow(other.limbs[index])
            let (second, overflow2) = first.subtractingReportingOverflow(borrow)
            result[index] = second
            borrow = (overflow1 || overflow2) ? 1 : 0
        }
        return BitcoinUInt256(limbs: result)
    }

    /// Schoolbook binary long division; `divisor` must be non-zero.
    func dividing(by divisor: BitcoinUInt256) -> BitcoinUInt256 {
        var quotient: [UInt64] = [0, 0, 0, 0]
        var remainder = BitcoinUInt256(limbs: [0, 0, 0, 0])
        for bit in stride(from: 255, through: 0, by: -1) {
            // A bit shifted out of the top means the true remainder is >= 2^256 > divisor; the wrapping subtraction
            // below still gives the right (smaller than divisor) result.
            let carry = remainder.limbs[3] >> 63 == 1
            remainder = remainder.shiftedLeft(1)
            if limbs[bit / 64] >> UInt64(bit % 64) & 1 == 1 { remainder.limbs[0] |= 1 }
            if carry || remainder >= divisor {
                remainder = remainder.subtracting(divisor)
                quotient[bit / 64] |= 1 << UInt64(bit % 64)
            }
        }
        return BitcoinUInt256(limbs: quotient)
    }
}
