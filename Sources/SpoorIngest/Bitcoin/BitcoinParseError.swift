/// Why Bitcoin data could not be read, with the file and the absolute byte offset where reading stopped.
public struct BitcoinParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// The data ends before `what` could be read: `needed` bytes were wanted, `available` were left.
        case truncated(what: String, needed: Int, available: Int)
        /// A `blk*.dat` record does not start with the network magic.
        case badMagic(expected: [UInt8], found: [UInt8])
        /// A CompactSize count or length is larger than the bytes left or the 0x02000000 protocol limit.
        case oversizedCount(what: String, value: UInt64, limit: UInt64)
        /// A length or flag is not valid for its field (a segwit flag other than 1, a zero-length block record...).
        case badLength(what: String, detail: String)
        /// The merkle root recomputed from the transactions is not the header's (or the tree is mutated, CVE-2012-2459).
        case merkleMismatch(blockHash: String, height: Int?, header: String, computed: String)
        /// Bytes are left after a complete block or transaction.
        case trailingBytes(what: String, count: Int)
        /// The file cannot be opened or mapped.
        case unreadable(reason: String)
    }

    /// What went wrong.
    public var kind: Kind
    /// The file (or label) the bytes came from.
    public var file: String
    /// The absolute byte offset in `file` where the problem was found.
    public var offset: Int

    /// Creates an error.
    public init(_ kind: Kind, file: String, offset: Int) {
        self.kind = kind
        self.file = file
        self.offset = offset
    }

    /// `file: byte N: message`.
    public var description: String {
        let place = "\(file): byte \(offset)"
        switch kind {
        case .truncated(let what, let needed, let available):
            return "\(place): truncated data: expected \(what) (\(needed) bytes), only \(available) left"
        case .badMagic(let expected, let found):
            return "\(place): bad magic: expected \(BitcoinHex.encode(expected)), found \(BitcoinHex.encode(found))"
        case .oversizedCount(let what, let value, let limit):
            return "\(place): oversized \(what): \(value) is larger than \(limit)"
        case .badLength(let what, let detail):
            return "\(place): bad \(what): \(detail)"
        case .merkleMismatch(let blockHash, let height, let header, let computed):
            let heightText = height.map { " at height \($0)" } ?? ""
            return "\(place): merkle root mismatch in block \(blockHash)\(heightText): header has \(header), "
                + "transactions give \(computed)"
        case .trailingBytes(let what, let count):
            return "\(place): \(count) trailing bytes after the \(what)"
        case .unreadable(let reason):
            return "\(file): cannot read file: \(reason)"
        }
    }
}
