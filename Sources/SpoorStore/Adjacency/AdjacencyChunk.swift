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
    /// With a `cacheKey`, a zstd chunk's neighbours come from ``NeighborChunkCache`` when it holds this key with
    /// these very bytes, and are put there otherwise. Returns the number of incidences walked (all of the chunk's). Appends the neighbour ids of the stored chunk
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
        to neighbors: inout [AddressID], decompressor: ZstdDecompressor? = nil,
        cacheKey: NeighborChunkCache.Key? = nil
    ) throws(DecodeError) -> Int {
        var reader = ByteReader(bytes)
        guard let kind = Kind(rawValue: try reader.readByte()) else {
            throw DecodeError(reason: "unknown chunk kind \(bytes.first ?? 0)")
        }
        switch kind {
        case .open, .sealedPlain:
            return try appendBodyNeighbors(&reader, direction: direction, owner: owner, to: &neighbors)
        case .sealedCompressed:
            switch try compressedNeighbors(bytes, &reader, decompressor: decompressor, cacheKey: cacheKey) {
            case .packed(let packed):
                appendPacked(packed, direction: direction, owner: owner, to: &neighbors)
                return packed.count
            case .unpackable(let plain):
                let direct = plain.withUnsafeBytes { buffer in
                    var bodyReader = ByteReader(buffer)
                    return Result { () throws(DecodeError) in
                        try appendBodyNeighbors(&bodyReader, direction: direction, owner: owner, to: &neighbors)
                    }
                }
                return try direct.get()
            }
        }
    }

    /// A zstd chunk's incidences as ``packedNeighbors(_:)`` gives them, or its decompressed body when they cannot be
    /// packed.
    private enum CompressedNeighbors {
        case packed([UInt64])
        case unpackable(plain: [UInt8])
    }

    /// Decodes the zstd chunk `bytes` (`reader` just past its kind byte) into packed neighbours. Sealed chunks never
    /// change, so with a `cacheKey` a cached decode is used when its stored bytes are these bytes, and a new one is
    /// kept.
    private static func compressedNeighbors(
        _ bytes: UnsafeRawBufferPointer, _ reader: inout ByteReader, decompressor: ZstdDecompressor?,
        cacheKey: NeighborChunkCache.Key?
    ) throws(DecodeError) -> CompressedNeighbors {
        if let cacheKey, let packed = NeighborChunkCache.shared.packed(for: cacheKey, stored: bytes) {
            return .packed(packed)
        }
        let size = try reader.readVarint()
        guard size <= 1 << 28 else { throw DecodeError(reason: "implausible chunk size \(size)") }
        let plain = try (decompressor ?? ZstdDecompressor()).decompress(
            UnsafeRawBufferPointer(rebasing: bytes[reader.offset...]), size: Int(size))
        let result = plain.withUnsafeBytes { buffer in
            var bodyReader = ByteReader(buffer)
            return Result { () throws(DecodeError) in try packedNeighbors(&bodyReader) }
        }
        guard let packed = try result.get() else { return .unpackable(plain: plain) }
        if let cacheKey { NeighborChunkCache.shared.insert(packed, for: cacheKey, stored: bytes) }
        return .packed(packed)
    }

    private static func appendBodyNeighbors(
        _ reader: inout ByteReader, direction: IncidenceDirection?, owner: AddressID?, to neighbors: inout [AddressID]
    ) throws(DecodeError) -> Int {
        let wantIncoming: UInt8? = direction.map { $0 == .incoming ? Flag.incoming : 0 }
        return try walkBody(&reader) { flags, neighbor in
            if let wantIncoming, flags & Flag.incoming != wantIncoming { return }
            if let owner, wantIncoming == nil, flags & Flag.incoming != 0, neighbor == owner.rawValue { return }
            neighbors.append(AddressID(neighbor))
        }
    }

    /// Appends every incidence of the stored chunk `bytes` to `packed` as `neighbour | incoming << 63` (zstd chunks
    /// through ``NeighborChunkCache`` with a `cacheKey`). Returns `false`, with `packed` in an unspecified state,
    /// when a neighbour id has its top bit set (only a damaged or foreign chunk has one).
    static func appendPacked(
        _ bytes: UnsafeRawBufferPointer, to packed: inout [UInt64], decompressor: ZstdDecompressor? = nil,
        cacheKey: NeighborChunkCache.Key? = nil
    ) throws(DecodeError) -> Bool {
        var reader = ByteReader(bytes)
        guard let kind = Kind(rawValue: try reader.readByte()) else {
            throw DecodeError(reason: "unknown chunk kind \(bytes.first ?? 0)")
        }
        switch kind {
        case .open, .sealedPlain:
            var fits = true
            _ = try walkBody(&reader) { flags, neighbor in
                if neighbor >> 63 != 0 { fits = false }
                packed.append(neighbor | UInt64(flags & Flag.incoming) << 63)
            }
            return fits
        case .sealedCompressed:
            guard case .packed(let decoded) = try compressedNeighbors(
                bytes, &reader, decompressor: decompressor, cacheKey: cacheKey)
            else { return false }
            packed.append(contentsOf: decoded)
            return true
        }
    }

    /// Every incidence of a chunk body as `neighbour | incoming << 63`, the form ``NeighborChunkCache`` keeps; `nil`
    /// when a neighbour id has its top bit set (ids count addresses, so only a damaged or foreign chunk has one).
    static func packedNeighbors(_ reader: inout ByteReader) throws(DecodeError) -> [UInt64]? {
        var packed: [UInt64] = []
        var fits = true
        _ = try walkBody(&reader) { flags, neighbor in
            if neighbor >> 63 != 0 { fits = false }
            packed.append(neighbor | UInt64(flags & Flag.incoming) << 63)
        }
        return fits ? packed : nil
    }

    /// Appends the neighbours of `packed` (from ``packedNeighbors(_:)``) in `direction`, leaving out the incoming
    /// half of `owner`'s self-transfers when `direction` is `nil`.
    static func appendPacked(
        _ packed: [UInt64], direction: IncidenceDirection?, owner: AddressID?, to neighbors: inout [AddressID]
    ) {
        let incomingBit: UInt64 = 1 << 63
        switch direction {
        case .outgoing?:
            for value in packed where value & incomingBit == 0 { neighbors.append(AddressID(value)) }
        case .incoming?:
            for value in packed where value & incomingBit != 0 { neighbors.append(AddressID(value & ~incomingBit)) }
        case nil:
            let skipped = owner.map { $0.rawValue | incomingBit }
            for value in packed where value != skipped { neighbors.append(AddressID(value & ~incomingBit)) }
        }
    }

    /// Walks a chunk body's incidences, calling `visit(flags, neighbour)` for each; every other field is stepped
    /// over through raw pointer reads with one bounds check per field (no per-byte throwing calls). Returns the count.
    @inline(__always)
    private static func walkBody(
        _ reader: inout ByteReader, _ visit: (UInt8, UInt64) -> Void
    ) throws(DecodeError) -> Int {
        let count = try reader.readVarint()
        // Each incidence takes at least 6 bytes, so a larger count is corrupt (and must not reserve memory).
        guard count <= UInt64(reader.remaining / 6) else {
            throw DecodeError(reason: "count \(count) needs more than the \(reader.remaining) bytes left")
        }
        guard count > 0 else {
            guard reader.isAtEnd else { throw DecodeError(reason: "\(reader.remaining) bytes after the last incidence") }
            return 0
        }
        guard let base = reader.buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw DecodeError(reason: "empty chunk body")
        }
        let end = reader.buffer.count
        var position = reader.offset
        /// Reads a varint at `position` (nil when truncated or over 10 bytes).
        @inline(__always) func varint(_ position: inout Int) -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while position < end, shift < 70 {
                let byte = base[position]
                position &+= 1
                result |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return result }
                shift &+= 7
            }
            return nil
        }
        /// Steps over a varint (false when truncated or over 10 bytes).
        @inline(__always) func skip(_ position: inout Int) -> Bool {
            let limit = Swift.min(end, position &+ 10)
            while position < limit {
                let byte = base[position]
                position &+= 1
                if byte < 0x80 { return true }
            }
            return false
        }
        for _ in 0..<count {
            let start = position
            guard position < end else { throw DecodeError(reason: "truncated at byte \(position)") }
            let flags = base[position]
            position &+= 1
            guard let neighbor = varint(&position),
                skip(&position),  // transfer delta
                flags & Flag.sameBlock != 0 || skip(&position),
                skip(&position),  // time delta
                flags & Flag.sameTransaction != 0 || skip(&position),
                skip(&position),  // log index
                flags & Flag.token == 0 || skip(&position),
                position < end
            else { throw DecodeError(reason: "truncated or overlong varint in the incidence at byte \(start)") }
            let width = Int(base[position])
            position &+= 1
            guard width <= 32 else { throw DecodeError(reason: "amount width \(width) > 32 at byte \(position - 1)") }
            guard end - position >= width else { throw DecodeError(reason: "truncated amount at byte \(position)") }
            position &+= width
            visit(flags, neighbor)
        }
        reader.offset = position
        guard reader.isAtEnd else { throw DecodeError(reason: "\(reader.remaining) bytes after the last incidence") }
        return Int(count)
    }
}
