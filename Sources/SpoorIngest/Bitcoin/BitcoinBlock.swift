/// A whole block: header and transactions, parsed from its consensus serialization (witness included).
public struct BitcoinBlock: Sendable, Hashable {
    /// The header.
    public var header: BitcoinBlockHeader
    /// The transactions, the coinbase first.
    public var transactions: [BitcoinTransaction]
    /// The serialized size in bytes (when parsed, the number of bytes read).
    public var size: Int

    /// Creates a block from a header and transactions (for the generator and tests; no check is made).
    public init(header: BitcoinBlockHeader, transactions: [BitcoinTransaction]) {
        self.header = header
        self.transactions = transactions
        var total = BitcoinBlockHeader.size + BitcoinBlock.compactSizeLength(transactions.count)
        for transaction in transactions { total += transaction.size }
        self.size = total
    }

    /// Smallest serialized transaction: version, one-byte counts for no inputs and no outputs, lock time.
    static let minimumTransactionSize = 10

    /// Parses one block that fills `bytes` exactly; `offset` is the absolute offset of its first byte in `file`.
    public static func parse(_ bytes: [UInt8], file: String, offset: Int = 0) throws(BitcoinParseError) -> BitcoinBlock
    {
        try withUnsafeBytesTyped(bytes) { (buffer) throws(BitcoinParseError) -> BitcoinBlock in
            try parse(buffer: buffer, file: file, offset: offset)
        }
    }

    /// Parses one block that fills `buffer` exactly; `offset` is the absolute offset of its first byte in `file`.
    public static func parse(
        buffer: UnsafeRawBufferPointer,
        file: String,
        offset: Int = 0
    )
        throws(BitcoinParseError) -> BitcoinBlock
    {
        var reader = BitcoinByteReader(buffer: buffer, file: file, baseOffset: offset)
        let header = try BitcoinBlockHeader.parse(from: &reader)
        let count = try reader.readCompactSize("transaction count", minimumItemSize: minimumTransactionSize)
        var transactions = [BitcoinTransaction]()
        transactions.reserveCapacity(count)
        for _ in 0..<count {
            transactions.append(try BitcoinTransaction.parse(from: &reader))
        }
        if reader.remaining > 0 {
            throw reader.error(.trailingBytes(what: "block \(header.hashHex)", count: reader.remaining))
        }
        var block = BitcoinBlock(header: header, transactions: [])
        block.transactions = transactions
        block.size = reader.position
        return block
    }

    /// The merkle root of the txids (internal byte order), duplicating the last hash of odd levels.
    public func computedMerkleRoot() -> [UInt8] { Self.merkleRoot(transactions.map(\.txid)).root }

    /// The merkle root of `hashes` and whether the tree is mutated (CVE-2012-2459: two equal siblings at some level,
    /// which lets a different transaction list give the same root). An empty list gives 32 zero bytes.
    public static func merkleRoot(_ hashes: [[UInt8]]) -> (root: [UInt8], mutated: Bool) {
        guard !hashes.isEmpty else { return ([UInt8](repeating: 0, count: 32), false) }
        // One flat buffer of 32-byte nodes, each level written over the front of the previous one (node k of the
        // next level is written after nodes 2k and 2k+1 were read), so no array is allocated per node.
        var level = [UInt8]()
        level.reserveCapacity(hashes.count * 32)
        for hash in hashes {
            // Hashes are 32 bytes; anything else is cut or zero-padded so that the tree stays well-formed.
            level.append(contentsOf: hash.prefix(32))
            if hash.count < 32 { level += [UInt8](repeating: 0, count: 32 - hash.count) }
        }
        var count = hashes.count
        var mutated = false
        level.withUnsafeMutableBytes { buffer in
            while count > 1 {
                var next = 0
                var index = 0
                while index < count {
                    let left = index * 32
                    let right = (index + 1 < count ? index + 1 : index) * 32
                    if index + 1 < count && buffer[left..<(left + 32)].elementsEqual(buffer[right..<(right + 32)]) {
                        mutated = true
                    }
                    BitcoinHash.merkleParent(
                        UnsafeRawBufferPointer(rebasing: buffer[left..<(left + 32)]),
                        UnsafeRawBufferPointer(rebasing: buffer[right..<(right + 32)]),
                        into: UnsafeMutableRawBufferPointer(rebasing: buffer[(next * 32)..<(next * 32 + 32)]))
                    next += 1
                    index += 2
                }
                count = next
            }
        }
        return (Array(level[0..<32]), mutated)
    }

    /// Throws `merkleMismatch` naming the block hash, `height` when known, `file` and `offset` when the recomputed
    /// root differs from the header's, when the tree is mutated (equal siblings), or when there are no transactions.
    public func verifyMerkleRoot(height: Int? = nil, file: String, offset: Int) throws(BitcoinParseError) {
        let (root, mutated) = Self.merkleRoot(transactions.map(\.txid))
        if transactions.isEmpty || mutated || root != header.merkleRoot {
            var computed = BitcoinHex.encodeReversed(root)
            if transactions.isEmpty { computed = "nothing (the block has no transactions)" }
            if mutated { computed += " (mutated: duplicate transactions at a merkle level)" }
            throw BitcoinParseError(
                .merkleMismatch(
                    blockHash: header.hashHex,
                    height: height,
                    header: header.merkleRootHex,
                    computed: computed
                ),
                file: file,
                offset: offset
            )
        }
    }

    /// The BIP 141 witness commitment found in the coinbase: the 32 bytes after `OP_RETURN 0x24 aa21a9ed` in the
    /// last coinbase output that has that shape; `nil` when there is none.
    public var coinbaseWitnessCommitment: [UInt8]? {
        guard let coinbase = transactions.first else { return nil }
        for output in coinbase.outputs.reversed() {
            let script = output.scriptPubKey
            if script.count >= 38 && script[0] == 0x6A && script[1] == 0x24 && script[2] == 0xAA && script[3] == 0x21
                && script[4] == 0xA9 && script[5] == 0xED
            {
                return Array(script[6..<38])
            }
        }
        return nil
    }

    /// The BIP 141 commitment recomputed from the transactions: double SHA-256 of the merkle root of the wtxids (the
    /// coinbase's taken as zero) followed by the coinbase's witness reserved value (its first witness item, or 32
    /// zero bytes).
    public func computedWitnessCommitment() -> [UInt8] {
        var wtxids = [[UInt8](repeating: 0, count: 32)]
        wtxids.append(contentsOf: transactions.dropFirst().map(\.wtxid))
        let reserved = transactions.first?.inputs.first?.witness.first ?? [UInt8](repeating: 0, count: 32)
        return BitcoinHash.doubleSHA256(Self.merkleRoot(wtxids).root + reserved)
    }

    /// The BIP 34 height pushed at the start of the coinbase scriptSig, for blocks of version 2 or more;
    /// `nil` for version-1 blocks, a missing coinbase or a scriptSig that does not start with a number.
    public var bip34Height: Int? {
        guard header.version >= 2, let coinbase = transactions.first, coinbase.isCoinbase else { return nil }
        return Self.scriptNumberPrefix(coinbase.inputs[0].scriptSig)
    }

    /// The number pushed by the first opcode of `script`: OP_0, OP_1..OP_16, or a 1..8-byte minimal push of a
    /// non-negative little-endian script number.
    static func scriptNumberPrefix(_ script: [UInt8]) -> Int? {
        guard let first = script.first else { return nil }
        switch first {
        case 0x00: return 0
        case 0x51...0x60: return Int(first) - 0x50
        case 0x01...0x08:
            let length = Int(first)
            guard script.count >= 1 + length else { return nil }
            let bytes = script[1...length]
            if let last = bytes.last, last & 0x80 != 0 { return nil }  // negative
            var value = 0
            for (index, byte) in bytes.enumerated() { value |= Int(byte) << (8 * index) }
            return value
        default: return nil
        }
    }

    /// The consensus serialization (with witnesses unless `includeWitness` is false).
    public func serialized(includeWitness: Bool = true) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(size)
        header.serialize(into: &bytes)
        BitcoinWriter.appendCompactSize(transactions.count, to: &bytes)
        for transaction in transactions { transaction.serialize(into: &bytes, includeWitness: includeWitness) }
        return bytes
    }

    static func compactSizeLength(_ value: Int) -> Int {
        switch value {
        case ..<0xFD: return 1
        case ...0xFFFF: return 3
        case ...0xFFFF_FFFF: return 5
        default: return 9
        }
    }
}
