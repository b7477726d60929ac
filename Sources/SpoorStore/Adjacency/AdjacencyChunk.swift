/// A run of consecutive incidences of one address, the unit of adjacency storage.
///
/// Every address has an adjacency stream: its transfers out and in, in chain order, cut into chunks of at most
/// ``capacity`` incidences under keys `(address id, sequence)`. Only the last chunk is open: new blocks append to it.
/// A full chunk is sealed and compressed with zstd when that is smaller; sealed chunks are never rewritten.
///
/// Encoding (all integers LEB128 varints, deltas against the previous incidence in the chunk, starting from zero):
/// a kind byte (0 open, 1 sealed plain, 2 sealed zstd: then the plain size and the zstd frame), the count, then per
/// incidence a flag byte (direction, non-native asset, same block, same transaction), the neighbour id, the
/// transfer-id delta, the block delta, the zigzag time delta, the zigzag transaction delta, the log index, the asset
/// id when not native, and the amount (width byte + little-endian bytes).
struct AdjacencyChunk: Equatable {
    /// Incidences a chunk holds before it is sealed.
    static let capacity = 64

    enum Kind: UInt8 {
        case open = 0
        case sealedPlain = 1
        case sealedCompressed = 2
    }

    var incidences: [Incidence]
    var isSealed: Bool

    init(incidences: [Incidence] = [], isSealed: Bool = false) {
        self.incidences = incidences
        self.isSealed = isSealed
    }

    private enum Flag {
        static let incoming: UInt8 = 1
        static let token: UInt8 = 2
        static let sameBlock: UInt8 = 4
        static let sameTransaction: UInt8 = 8
    }

    /// The stored bytes: sealed chunks are zstd-compressed when that is smaller.
    func encoded(compressor: ZstdCompressor? = nil) throws(StoreError) -> [UInt8] {
        let body = encodedBody()
        guard isSealed else { return [Kind.open.rawValue] + body }
        let compressed = try (compressor ?? ZstdCompressor()).compress(body)
        var writer = ByteWriter(capacity: compressed.count + 8)
        if compressed.count + 5 < body.count {
            writer.bytes.append(Kind.sealedCompressed.rawValue)
            writer.writeVarint(UInt64(body.count))
            writer.bytes.append(contentsOf: compressed)
        } else {
            writer.bytes.append(Kind.sealedPlain.rawValue)
            writer.bytes.append(contentsOf: body)
        }
        return writer.bytes
    }

    private func encodedBody() -> [UInt8] {
        var writer = ByteWriter(capacity: incidences.count * 16 + 4)
        writer.writeVarint(UInt64(incidences.count))
        var previous = Context()
        for incidence in incidences {
            let properties = incidence.properties
            var flags: UInt8 = incidence.direction == .incoming ? Flag.incoming : 0
            if properties.asset != .native { flags |= Flag.token }
            if properties.block == previous.block { flags |= Flag.sameBlock }
            if properties.tx.rawValue == previous.tx { flags |= Flag.sameTransaction }
            writer.bytes.append(flags)
            writer.writeVarint(incidence.neighbor.rawValue)
            writer.writeSignedVarint(Int64(bitPattern: incidence.transfer.rawValue &- previous.transfer))
            if flags & Flag.sameBlock == 0 {
                writer.writeSignedVarint(Int64(bitPattern: properties.block &- previous.block))
            }
            writer.writeSignedVarint(properties.time &- previous.time)
            if flags & Flag.sameTransaction == 0 {
                writer.writeSignedVarint(Int64(bitPattern: properties.tx.rawValue &- previous.tx))
            }
            writer.writeVarint(UInt64(properties.logIndex))
            if flags & Flag.token != 0 { writer.writeVarint(UInt64(properties.asset.rawValue)) }
            writer.writeAmount(properties.value)
            previous = Context(
                transfer: incidence.transfer.rawValue, block: properties.block, time: properties.time,
                tx: properties.tx.rawValue)
        }
        return writer.bytes
    }

    /// Decodes stored bytes; throws on anything truncated or malformed. Pass the reader's `decompressor` so that a
    /// sealed chunk's decode allocates no zstd context.
    static func decode(
        _ bytes: UnsafeRawBufferPointer, decompressor: ZstdDecompressor? = nil
    ) throws(DecodeError) -> AdjacencyChunk {
        var reader = ByteReader(bytes)
        guard let kind = Kind(rawValue: try reader.readByte()) else {
            throw DecodeError(reason: "unknown chunk kind \(bytes.first ?? 0)")
        }
        switch kind {
        case .open:
            return try decodeBody(&reader, isSealed: false)
        case .sealedPlain:
            return try decodeBody(&reader, isSealed: true)
        case .sealedCompressed:
            let size = try reader.readVarint()
            guard size <= 1 << 28 else { throw DecodeError(reason: "implausible chunk size \(size)") }
            let plain = try (decompressor ?? ZstdDecompressor()).decompress(UnsafeRawBufferPointer(rebasing: bytes[reader.offset...]), size: Int(size))
            let result = plain.withUnsafeBytes { buffer in
                var bodyReader = ByteReader(buffer)
                return Result { () throws(DecodeError) in try decodeBody(&bodyReader, isSealed: true) }
            }
            return try result.get()
        }
    }

    private static func decodeBody(_ reader: inout ByteReader, isSealed: Bool) throws(DecodeError) -> AdjacencyChunk {
        let count = try reader.readVarint()
        // Each incidence takes at least 6 bytes (flags, neighbour, transfer, time, log index, amount width), so a
        // count past that is corrupt (and must not reserve memory).
        guard count <= UInt64(reader.remaining / 6) else {
            throw DecodeError(reason: "count \(count) needs more than the \(reader.remaining) bytes left")
        }
        var incidences: [Incidence] = []
        incidences.reserveCapacity(Int(count))
        var previous = Context()
        for _ in 0..<count {
            let flags = try reader.readByte()
            let neighbor = try reader.readVarint()
            let transfer = previous.transfer &+ UInt64(bitPattern: try reader.readSignedVarint())
            let block =
                flags & Flag.sameBlock != 0
                ? previous.block : previous.block &+ UInt64(bitPattern: try reader.readSignedVarint())
            let time = previous.time &+ (try reader.readSignedVarint())
            let tx =
                flags & Flag.sameTransaction != 0
                ? previous.tx : previous.tx &+ UInt64(bitPattern: try reader.readSignedVarint())
            let logIndex = try reader.readVarint()
            guard logIndex <= UInt64(UInt32.max) else { throw DecodeError(reason: "log index \(logIndex) too large") }
            var asset = AssetID.native
            if flags & Flag.token != 0 {
                let raw = try reader.readVarint()
                guard raw <= UInt64(UInt32.max), raw != 0 else { throw DecodeError(reason: "bad asset id \(raw)") }
                asset = AssetID(UInt32(raw))
            }
            let value = try reader.readAmount()
            incidences.append(
                Incidence(
                    direction: flags & Flag.incoming != 0 ? .incoming : .outgoing,
                    neighbor: AddressID(neighbor), transfer: TransferID(transfer),
                    properties: TransferProperties(
                        value: value, block: block, time: time, tx: TxID(tx), asset: asset,
                        logIndex: UInt32(logIndex))))
            previous = Context(transfer: transfer, block: block, time: time, tx: tx)
        }
        guard reader.isAtEnd else { throw DecodeError(reason: "\(reader.remaining) bytes after the last incidence") }
        return AdjacencyChunk(incidences: incidences, isSealed: isSealed)
    }

    /// The delta base: the previous incidence's fields (zero before the first).
    private struct Context {
        var transfer: UInt64 = 0
        var block: UInt64 = 0
        var time: Int64 = 0
        var tx: UInt64 = 0
    }
}

// MARK: Neighbours only

extension AdjacencyChunk {
    /// Returns the number of incidences walked (all of the chunk's). Appends the neighbour ids of the stored chunk
    /// `bytes` to `neighbors`, in stream order, one per incidence in
    /// `direction` (both directions when `nil`), without materialising incidences: the other fields are skipped
    /// varint by varint, the amount by its width byte. Nothing is allocated except for a zstd chunk's plain bytes
    /// (and `neighbors` growing).
    ///
    /// With `skippingIncomingFrom` set (and `direction` `nil`), an incoming incidence from that address (the stream's
    /// own address: the second half of a self-transfer) is left out, so a self-loop is listed once.
    ///
    /// Throws on the same truncations and bad widths as ``decode(_:decompressor:)`` (it does not range-check the
    /// skipped fields: a log index or asset id out of range is found by the full decode only).
    static func appendNeighbors(
        _ bytes: UnsafeRawBufferPointer, direction: IncidenceDirection?, skippingIncomingFrom owner: AddressID? = nil,
        to neighbors: inout [AddressID], decompressor: ZstdDecompressor? = nil
    ) throws(DecodeError) -> Int {
        var reader = ByteReader(bytes)
        guard let kind = Kind(rawValue: try reader.readByte()) else {
            throw DecodeError(reason: "unknown chunk kind \(bytes.first ?? 0)")
        }
        switch kind {
        case .open, .sealedPlain:
            return try appendBodyNeighbors(&reader, direction: direction, owner: owner, to: &neighbors)
        case .sealedCompressed:
            let size = try reader.readVarint()
            guard size <= 1 << 28 else { throw DecodeError(reason: "implausible chunk size \(size)") }
            let plain = try (decompressor ?? ZstdDecompressor()).decompress(
                UnsafeRawBufferPointer(rebasing: bytes[reader.offset...]), size: Int(size))
            let result = plain.withUnsafeBytes { buffer in
                var bodyReader = ByteReader(buffer)
                return Result { () throws(DecodeError) in
                    try appendBodyNeighbors(&bodyReader, direction: direction, owner: owner, to: &neighbors)
                }
            }
            return try result.get()
        }
    }

    private static func appendBodyNeighbors(
        _ reader: inout ByteReader, direction: IncidenceDirection?, owner: AddressID?, to neighbors: inout [AddressID]
    ) throws(DecodeError) -> Int {
        let count = try reader.readVarint()
        guard count <= UInt64(reader.remaining / 6) else {
            throw DecodeError(reason: "count \(count) needs more than the \(reader.remaining) bytes left")
        }
        let wantIncoming: UInt8? = direction.map { $0 == .incoming ? Flag.incoming : 0 }
        neighbors.reserveCapacity(neighbors.count + Int(count))
        for _ in 0..<count {
            let flags = try reader.readByte()
            let neighbor = try reader.readVarint()
            try reader.skipVarint()  // transfer delta
            if flags & Flag.sameBlock == 0 { try reader.skipVarint() }
            try reader.skipVarint()  // time delta
            if flags & Flag.sameTransaction == 0 { try reader.skipVarint() }
            try reader.skipVarint()  // log index
            if flags & Flag.token != 0 { try reader.skipVarint() }
            let width = Int(try reader.readByte())
            guard width <= 32 else { throw DecodeError(reason: "amount width \(width) > 32 at byte \(reader.offset - 1)") }
            guard reader.remaining >= width else { throw DecodeError(reason: "truncated amount at byte \(reader.offset)") }
            reader.offset &+= width
            if let wantIncoming, flags & Flag.incoming != wantIncoming { continue }
            if let owner, wantIncoming == nil, flags & Flag.incoming != 0, neighbor == owner.rawValue { continue }
            neighbors.append(AddressID(neighbor))
        }
        guard reader.isAtEnd else { throw DecodeError(reason: "\(reader.remaining) bytes after the last incidence") }
        return Int(count)
    }
}

extension ByteReader {
    /// Steps over one LEB128 varint without decoding it; throws on truncation or more than 10 bytes.
    @inline(__always)
    mutating func skipVarint() throws(DecodeError) {
        let end = Swift.min(buffer.count, offset &+ 10)
        var position = offset
        while position < end {
            // Safe because position < end <= count.
            let byte = buffer.load(fromByteOffset: position, as: UInt8.self)
            position &+= 1
            if byte < 0x80 {
                offset = position
                return
            }
        }
        throw DecodeError(
            reason: position >= buffer.count ? "truncated at byte \(position)" : "varint longer than 10 bytes at byte \(offset)")
    }
}
