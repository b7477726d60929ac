/// What the store knows of one address, kept up to date at ingest.
public struct AddressRecord: Sendable, Hashable {
    /// The dense id.
    public var id: AddressID
    /// The chain's canonical text form (lowercase `0x…` on account chains).
    public var address: String
    /// Time of the first and the last transfer, unix seconds.
    public var firstSeen: Int64
    /// Time of the last transfer, unix seconds.
    public var lastSeen: Int64
    /// Transfers sent (out-degree).
    public var outCount: UInt64
    /// Transfers received (in-degree).
    public var inCount: UInt64
    /// Distinct transactions the address took part in.
    public var txCount: UInt64
    /// Native coin received, exact; `nil` when the total passed 2^256 − 1 (only bogus data gets there: the
    /// transfers themselves are kept exactly, the derived total is then unknown rather than wrapped).
    public var received: Amount?
    /// Native coin sent, exact; `nil` when the total passed 2^256 − 1.
    public var sent: Amount?
    /// The last transaction seen (to count distinct transactions in chain order).
    var lastTx: UInt64
    /// Chunks in the adjacency stream; the last one may be open.
    var chunkCount: UInt32

    init(id: AddressID, address: String) {
        self.id = id
        self.address = address
        firstSeen = 0
        lastSeen = 0
        outCount = 0
        inCount = 0
        txCount = 0
        received = .zero
        sent = .zero
        lastTx = .max
        chunkCount = 0
    }

    /// Transfers in and out.
    public var degree: UInt64 { outCount + inCount }

    /// Counts one more incidence of the address's stream (in chain order).
    mutating func count(_ incidence: Incidence) {
        let properties = incidence.properties
        if degree == 0 { firstSeen = properties.time }
        firstSeen = min(firstSeen, properties.time)
        lastSeen = max(lastSeen, properties.time)
        if lastTx != properties.tx.rawValue {
            txCount += 1
            lastTx = properties.tx.rawValue
        }
        switch incidence.direction {
        case .outgoing:
            outCount += 1
            if properties.asset == .native { sent = sent?.adding(properties.value) }
        case .incoming:
            inCount += 1
            if properties.asset == .native { received = received?.adding(properties.value) }
        }
    }

    /// The record recomputed from the stream `incidences` (after a rollback cut its tail).
    func recounted(_ incidences: [Incidence], chunkCount: UInt32) -> AddressRecord {
        var record = AddressRecord(id: id, address: address)
        for incidence in incidences { record.count(incidence) }
        record.chunkCount = chunkCount
        return record
    }

    /// Native balance inside the data set: received − sent, or `nil` when more was sent than the data set shows
    /// received (the rest came from outside it).
    public var balance: Amount? {
        guard let received, let sent else { return nil }
        return received.subtracting(sent)
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: address.utf8.count + 32)
        writer.writeString(address)
        writer.writeSignedVarint(firstSeen)
        writer.writeSignedVarint(lastSeen &- firstSeen)
        writer.writeVarint(outCount)
        writer.writeVarint(inCount)
        writer.writeVarint(txCount)
        writer.writeOptionalAmount(received)
        writer.writeOptionalAmount(sent)
        writer.writeVarint(lastTx &+ 1)
        writer.writeVarint(UInt64(chunkCount))
        return writer.bytes
    }

    static func decode(id: AddressID, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> AddressRecord {
        var reader = ByteReader(bytes)
        var record = AddressRecord(id: id, address: try reader.readString())
        record.firstSeen = try reader.readSignedVarint()
        record.lastSeen = record.firstSeen &+ (try reader.readSignedVarint())
        record.outCount = try reader.readVarint()
        record.inCount = try reader.readVarint()
        record.txCount = try reader.readVarint()
        record.received = try reader.readOptionalAmount()
        record.sent = try reader.readOptionalAmount()
        record.lastTx = (try reader.readVarint()) &- 1
        let chunks = try reader.readVarint()
        guard chunks <= UInt64(UInt32.max) else { throw DecodeError(reason: "chunk count \(chunks)") }
        record.chunkCount = UInt32(chunks)
        return record
    }
}

/// One transfer as its transaction lists it.
public struct TransactionTransfer: Sendable, Hashable {
    /// The log index (position in the block).
    public var logIndex: UInt32
    /// The transfer's id.
    public var transfer: TransferID
    /// Sender.
    public var from: AddressID
    /// Receiver.
    public var to: AddressID
}

/// What the store knows of one transaction.
public struct TransactionRecord: Sendable, Hashable {
    /// The dense id.
    public var id: TxID
    /// The transaction hash (32 bytes; on UTXO chains in display order, as explorers show the txid).
    public var hash: [UInt8]
    /// Block number (height).
    public var block: UInt64
    /// Block time, unix seconds.
    public var time: Int64
    /// Native value moved: on account chains the sum of its native transfers, on UTXO chains the sum of its outputs;
    /// exact, `nil` when the total passed 2^256 − 1.
    public var value: Amount?
    /// Its transfers in log order (account chains; empty on UTXO chains).
    public var transfers: [TransactionTransfer]
    /// Inputs, outputs and fee (UTXO chains; `nil` on account chains).
    public var utxo: UTXODetails?

    /// Creates a record.
    public init(
        id: TxID, hash: [UInt8], block: UInt64, time: Int64, value: Amount?, transfers: [TransactionTransfer],
        utxo: UTXODetails? = nil
    ) {
        self.id = id
        self.hash = hash
        self.block = block
        self.time = time
        self.value = value
        self.transfers = transfers
        self.utxo = utxo
    }

    /// The hash as text: `0x` + lowercase hex on account chains, plain lowercase hex (the txid) on UTXO chains.
    public var hashText: String { (utxo == nil ? "0x" : "") + hash.hexText }

    private enum Kind {
        static let account: UInt8 = 0
        static let utxo: UInt8 = 1
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 48 + transfers.count * 12 + (utxo.map { ($0.inputs.count + $0.outputs.count) * 8 } ?? 0))
        writer.bytes.append(utxo == nil ? Kind.account : Kind.utxo)
        writer.writeBytes(hash)
        writer.writeVarint(block)
        writer.writeSignedVarint(time)
        writer.writeOptionalAmount(value)
        if let utxo {
            utxo.encode(into: &writer)
            return writer.bytes
        }
        writer.writeVarint(UInt64(transfers.count))
        for transfer in transfers {
            writer.writeVarint(UInt64(transfer.logIndex))
            writer.writeVarint(transfer.transfer.rawValue)
            writer.writeVarint(transfer.from.rawValue)
            writer.writeVarint(transfer.to.rawValue)
        }
        return writer.bytes
    }

    static func decode(id: TxID, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> TransactionRecord {
        var reader = ByteReader(bytes)
        let kind = try reader.readByte()
        guard kind == Kind.account || kind == Kind.utxo else { throw DecodeError(reason: "record kind \(kind)") }
        let hash = try reader.readBytes()
        let block = try reader.readVarint()
        let time = try reader.readSignedVarint()
        let value = try reader.readOptionalAmount()
        if kind == Kind.utxo {
            return TransactionRecord(
                id: id, hash: hash, block: block, time: time, value: value, transfers: [],
                utxo: try UTXODetails.decode(&reader))
        }
        let count = try reader.readVarint()
        guard count <= UInt64(reader.remaining) else { throw DecodeError(reason: "transfer count \(count)") }
        var transfers: [TransactionTransfer] = []
        transfers.reserveCapacity(Int(count))
        for _ in 0..<count {
            let logIndex = try reader.readVarint()
            guard logIndex <= UInt64(UInt32.max) else { throw DecodeError(reason: "log index \(logIndex)") }
            transfers.append(
                TransactionTransfer(
                    logIndex: UInt32(logIndex), transfer: TransferID(try reader.readVarint()),
                    from: AddressID(try reader.readVarint()), to: AddressID(try reader.readVarint())))
        }
        return TransactionRecord(id: id, hash: hash, block: block, time: time, value: value, transfers: transfers)
    }
}

/// A tag on an address, with where it came from.
public struct TagRecord: Sendable, Hashable, Codable {
    /// The address's canonical text (the tag applies even before the address appears in the graph).
    public var address: String
    /// The tag (`ofac`, `exchange`, …).
    public var tag: String
    /// Where the tag came from (a list name or file), if known.
    public var source: String?
    /// How sure the source is, 0 … 1, if known.
    public var confidence: Double?

    /// Creates a tag record.
    public init(address: String, tag: String, source: String? = nil, confidence: Double? = nil) {
        self.address = address
        self.tag = tag
        self.source = source
        self.confidence = confidence
    }

    func encodedValue() -> [UInt8] {
        var writer = ByteWriter(capacity: 32)
        writer.writeString(source ?? "")
        if let confidence {
            writer.bytes.append(1)
            writer.writeVarint(confidence.bitPattern)
        } else {
            writer.bytes.append(0)
        }
        return writer.bytes
    }

    static func decode(address: String, tag: String, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> TagRecord {
        var reader = ByteReader(bytes)
        let source = try reader.readString()
        let hasConfidence = try reader.readByte()
        let confidence = hasConfidence == 1 ? Double(bitPattern: try reader.readVarint()) : nil
        return TagRecord(address: address, tag: tag, source: source.isEmpty ? nil : source, confidence: confidence)
    }
}

extension [UInt8] {
    /// Lowercase hex, two digits per byte.
    var hexText: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
