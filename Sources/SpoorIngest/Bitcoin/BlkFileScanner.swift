/// One block record of a `blk*.dat` file.
public struct BlkRecord: Sendable, Hashable {
    /// The absolute byte offset of the block's first byte (just after the 8-byte magic + length prefix).
    public var offset: Int
    /// The block's serialized bytes.
    public var bytes: [UInt8]

    /// Creates a record.
    public init(offset: Int, bytes: [UInt8]) {
        self.offset = offset
        self.bytes = bytes
    }
}

/// Iterates the `(magic, u32le length, block)` records of a Bitcoin Core `blk*.dat` file.
///
/// Stops cleanly at the end of the file or at zero padding (Bitcoin Core preallocates block files with zeros).
/// A record that does not start with the network magic, or whose length runs past the end, is an error naming the
/// file and byte offset. The file is memory-mapped; only the yielded blocks are copied.
public struct BlkFileScanner: Sendable {
    /// The file name used in errors.
    public let file: String
    /// The network whose magic frames the records.
    public let network: BitcoinNetwork
    private let storage: MappedBytes
    private var position = 0

    /// Maps the file at `path`.
    public init(path: String, network: BitcoinNetwork) throws(BitcoinParseError) {
        do {
            storage = try MappedBytes(path: path)
        } catch {
            throw BitcoinParseError(.unreadable(reason: error.description), file: path, offset: 0)
        }
        self.file = path
        self.network = network
    }

    /// Scans in-memory bytes; `file` names them in errors.
    public init(bytes: [UInt8], file: String, network: BitcoinNetwork) {
        storage = MappedBytes(copying: bytes)
        self.file = file
        self.network = network
    }

    /// The file size in bytes.
    public var fileSize: Int { storage.count }

    /// The next block record, or `nil` at the end of the data or at zero padding.
    public mutating func next() throws(BitcoinParseError) -> BlkRecord? {
        guard let record = try nextRange() else { return nil }
        let buffer = UnsafeRawBufferPointer(start: storage.base, count: storage.count)
        return BlkRecord(offset: record.lowerBound, bytes: Array(buffer[record]))
    }

    /// Calls `body` with each block's absolute offset and bytes (valid only during the call), without copying.
    public mutating func forEachBlock(
        _ body: (_ offset: Int, _ bytes: UnsafeRawBufferPointer) throws(BitcoinParseError) -> Void
    ) throws(BitcoinParseError) {
        let buffer = UnsafeRawBufferPointer(start: storage.base, count: storage.count)
        while let range = try nextRange() {
            try body(range.lowerBound, UnsafeRawBufferPointer(rebasing: buffer[range]))
        }
    }

    /// Calls `body` with the bytes of the block whose first byte is at `offset` (a `BlkRecord.offset` or
    /// `BitcoinBlockLocation.offset`), checking the magic and length of its record prefix. The bytes are valid only
    /// during the call.
    public func withBlock<T>(
        at offset: Int,
        _ body: (UnsafeRawBufferPointer) throws(BitcoinParseError) -> T
    ) throws(BitcoinParseError) -> T {
        let count = storage.count
        guard let base = storage.base, offset >= 8, offset <= count else {
            throw BitcoinParseError(
                .badLength(
                    what: "block location",
                    detail: "offset \(offset) is not after a record prefix in a \(count)-byte file"
                ),
                file: file,
                offset: offset
            )
        }
        let buffer = UnsafeRawBufferPointer(start: base, count: count)
        let magic = Array(buffer[(offset - 8)..<(offset - 4)])
        guard magic == network.magic else {
            throw BitcoinParseError(.badMagic(expected: network.magic, found: magic), file: file, offset: offset - 8)
        }
        let length = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset - 4, as: UInt32.self)))
        guard length <= count - offset else {
            throw BitcoinParseError(
                .truncated(
                    what: "a block of the length in its record prefix",
                    needed: length,
                    available: count - offset
                ),
                file: file,
                offset: offset
            )
        }
        return try body(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + length)]))
    }

    /// The block whose first byte is at `offset`, parsed (see `withBlock(at:_:)`); merkle root not checked.
    public func block(at offset: Int) throws(BitcoinParseError) -> BitcoinBlock {
        try withBlock(at: offset) { (bytes) throws(BitcoinParseError) -> BitcoinBlock in
            try BitcoinBlock.parse(buffer: bytes, file: file, offset: offset)
        }
    }

    /// The headers of all blocks of the file with their offsets, without parsing the transactions (the first pass of
    /// an ingest that builds the header chain before reading blocks in height order).
    public mutating func readHeaders() throws(BitcoinParseError) -> [(offset: Int, header: BitcoinBlockHeader)] {
        var headers = [(offset: Int, header: BitcoinBlockHeader)]()
        let file = self.file
        try forEachBlock { (offset, bytes) throws(BitcoinParseError) in
            headers.append((offset, try BitcoinBlockHeader.parse(prefixOf: bytes, file: file, offset: offset)))
        }
        return headers
    }

    /// All block records of the file.
    public mutating func readAll() throws(BitcoinParseError) -> [BlkRecord] {
        var records = [BlkRecord]()
        while let record = try next() { records.append(record) }
        return records
    }

    private mutating func nextRange() throws(BitcoinParseError) -> Range<Int>? {
        let count = storage.count
        guard let base = storage.base, position < count else { return nil }
        let buffer = UnsafeRawBufferPointer(start: base, count: count)
        let remaining = count - position
        // Zero padding: the rest of the prefix (up to 8 bytes) is zeros. Treat the rest of the file as padding only
        // if it is all zeros, so a zeroed-out record in the middle of data is still reported.
        let prefixLength = min(8, remaining)
        if buffer[position..<(position + prefixLength)].allSatisfy({ $0 == 0 }) {
            if let nonZero = buffer[position...].firstIndex(where: { $0 != 0 }) {
                let found = Array(buffer[nonZero..<min(nonZero + 4, count)])
                throw BitcoinParseError(
                    .badMagic(expected: network.magic, found: found),
                    file: file,
                    offset: nonZero
                )
            }
            position = count
            return nil
        }
        guard remaining >= 8 else {
            throw BitcoinParseError(
                .truncated(what: "a block record prefix (magic + length)", needed: 8, available: remaining),
                file: file,
                offset: position
            )
        }
        let magic = Array(buffer[position..<(position + 4)])
        guard magic == network.magic else {
            throw BitcoinParseError(.badMagic(expected: network.magic, found: magic), file: file, offset: position)
        }
        let length = Int(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self)))
        let start = position + 8
        guard length >= BitcoinBlockHeader.size + 1 else {
            throw BitcoinParseError(
                .badLength(what: "block record length", detail: "\(length) is smaller than a header and a count"),
                file: file,
                offset: position + 4
            )
        }
        guard length <= count - start else {
            throw BitcoinParseError(
                .truncated(
                    what: "a block of the length in its record prefix",
                    needed: length,
                    available: count - start
                ),
                file: file,
                offset: start
            )
        }
        position = start + length
        return start..<(start + length)
    }
}
