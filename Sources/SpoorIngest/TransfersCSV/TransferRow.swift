public import SpoorStore

/// A 32-byte transaction hash, stored inline (no allocation per row).
public struct TxHash: Sendable, Hashable, Comparable, CustomStringConvertible {
    // Big-endian 64-bit words: `word0` holds bytes 0..<8.
    var word0: UInt64
    var word1: UInt64
    var word2: UInt64
    var word3: UInt64

    init(words: (UInt64, UInt64, UInt64, UInt64)) {
        (word0, word1, word2, word3) = words
    }

    /// A hash from exactly 32 bytes; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in bytes.enumerated() {
            words[index / 8] = words[index / 8] << 8 | UInt64(byte)
        }
        self.init(words: (words[0], words[1], words[2], words[3]))
    }

    /// Parses `0x` followed by 64 hex digits, in any case.
    public init?(hex text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard let hash = utf8.withUnsafeBufferPointer({ FieldParsing.txHash($0) }) else { return nil }
        self = hash
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(32)
        for word in [word0, word1, word2, word3] {
            for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return result
    }

    /// `0x` and 64 lowercase hex digits.
    public var description: String {
        var text = "0x"
        for byte in bytes { text += FieldParsing.hexPair(byte) }
        return text
    }

    public static func < (lhs: TxHash, rhs: TxHash) -> Bool {
        (lhs.word0, lhs.word1, lhs.word2, lhs.word3) < (rhs.word0, rhs.word1, rhs.word2, rhs.word3)
    }
}

/// One valid row of a transfers-csv file: a transfer of `value` units of `asset` from `from` to `to`.
public struct TransferRow: Sendable, Hashable {
    /// The transaction hash.
    public var txHash: TxHash
    /// The block number (below 2^63).
    public var blockNumber: UInt64
    /// The block time, unix seconds (0 when the source does not carry it).
    public var timestamp: Int64
    /// The sender, canonical: `0x` and 40 lowercase hex digits.
    public var from: String
    /// The receiver, canonical like ``from``.
    public var to: String
    /// The exact amount in the asset's base unit.
    public var value: Amount
    /// The token contract (canonical like ``from``), or `nil` for the chain's native coin.
    public var asset: String?
    /// The log index within the block (below 2^32).
    public var logIndex: UInt32
    /// The 1-based line the row starts on in its file (0 when it was not read from a file).
    public var line: Int

    /// Creates a row. Addresses should already be canonical (see ``TransferRow/canonicalAddress(_:)``).
    public init(
        txHash: TxHash, blockNumber: UInt64, timestamp: Int64, from: String, to: String, value: Amount,
        asset: String?, logIndex: UInt32, line: Int = 0
    ) {
        self.txHash = txHash
        self.blockNumber = blockNumber
        self.timestamp = timestamp
        self.from = from
        self.to = to
        self.value = value
        self.asset = asset
        self.logIndex = logIndex
        self.line = line
    }

    /// `0x` + 40 hex digits in any case, lowercased; `nil` when the text is not such an address.
    public static func canonicalAddress(_ text: some StringProtocol) -> String? {
        let utf8 = Array(text.utf8)
        return utf8.withUnsafeBufferPointer { FieldParsing.address($0) }
    }
}

/// What the reader yields for each record: a valid row or a rejection.
public enum TransfersCSVRecord: Sendable, Hashable {
    /// A valid transfer.
    case row(TransferRow)
    /// A record that could not be ingested, and why.
    case rejected(RowRejection)
}
