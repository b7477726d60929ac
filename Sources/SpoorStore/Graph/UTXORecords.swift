/// Where a UTXO input's coins came from.
public enum UTXOInputSource: Sendable, Hashable {
    /// A coinbase input: new coins (subsidy and fees).
    case coinbase
    /// The output `index` of the stored transaction `transaction`.
    case output(transaction: TxID, index: UInt32)
    /// An output the store does not hold (a partial data set): the spent txid (display order) and index. The input's
    /// address and value are unknown; it is counted, never dropped.
    case unknown(txid: [UInt8], index: UInt32)
}

/// One input of a UTXO transaction, resolved to the output it spends.
public struct UTXOInputRecord: Sendable, Hashable {
    /// The spent output's address, `nil` for coinbase, unknown sources and address-less outputs.
    public var address: AddressID?
    /// The spent output's value in satoshi, `nil` for coinbase and unknown sources.
    public var value: Amount?
    /// Where the coins came from.
    public var source: UTXOInputSource

    /// Creates an input record.
    public init(address: AddressID?, value: Amount?, source: UTXOInputSource) {
        self.address = address
        self.value = value
        self.source = source
    }
}

/// One output of a UTXO transaction.
public struct UTXOOutputRecord: Sendable, Hashable {
    /// The paid address, `nil` for null-data (OP_RETURN) outputs.
    public var address: AddressID?
    /// Value in satoshi.
    public var value: Amount

    /// Creates an output record.
    public init(address: AddressID?, value: Amount) {
        self.address = address
        self.value = value
    }
}

/// The UTXO half of a ``TransactionRecord``: position, inputs, outputs and fee.
public struct UTXODetails: Sendable, Hashable {
    /// Position in its block (0 is the coinbase).
    public var position: UInt32
    /// Whether it is its block's coinbase.
    public var isCoinbase: Bool
    /// Inputs in input order.
    public var inputs: [UTXOInputRecord]
    /// Outputs in output order.
    public var outputs: [UTXOOutputRecord]

    /// Creates details.
    public init(position: UInt32, isCoinbase: Bool, inputs: [UTXOInputRecord], outputs: [UTXOOutputRecord]) {
        self.position = position
        self.isCoinbase = isCoinbase
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Sum of the input values, `nil` when an input's value is unknown (coinbase or outside the data set).
    public var inputValue: Amount? {
        var total = Amount.zero
        for input in inputs {
            guard let value = input.value, let sum = total.adding(value) else { return nil }
            total = sum
        }
        return total
    }

    /// Sum of the output values (`nil` only past 2^256 − 1, which satoshi amounts never reach).
    public var outputValue: Amount? {
        var total = Amount.zero
        for output in outputs {
            guard let sum = total.adding(output.value) else { return nil }
            total = sum
        }
        return total
    }

    /// Inputs minus outputs; `nil` for a coinbase or when an input is unknown.
    public var fee: Amount? {
        guard !isCoinbase, let inputs = inputValue, let outputs = outputValue else { return nil }
        return inputs.subtracting(outputs)
    }

    /// Inputs whose source the store does not hold.
    public var unknownInputs: Int {
        inputs.count { if case .unknown = $0.source { true } else { false } }
    }

    private enum SourceTag {
        static let coinbase: UInt8 = 0
        static let output: UInt8 = 1
        static let unknown: UInt8 = 2
    }

    func encode(into writer: inout ByteWriter) {
        writer.writeVarint(UInt64(position))
        writer.bytes.append(isCoinbase ? 1 : 0)
        writer.writeVarint(UInt64(inputs.count))
        for input in inputs {
            switch input.source {
            case .coinbase:
                writer.bytes.append(SourceTag.coinbase)
            case .output(let transaction, let index):
                writer.bytes.append(SourceTag.output)
                writer.writeVarint(transaction.rawValue)
                writer.writeVarint(UInt64(index))
                writer.writeVarint(input.address.map { $0.rawValue + 1 } ?? 0)
                writer.writeOptionalAmount(input.value)
            case .unknown(let txid, let index):
                writer.bytes.append(SourceTag.unknown)
                writer.writeBytes(txid)
                writer.writeVarint(UInt64(index))
            }
        }
        writer.writeVarint(UInt64(outputs.count))
        for output in outputs {
            writer.writeVarint(output.address.map { $0.rawValue + 1 } ?? 0)
            writer.writeAmount(output.value)
        }
    }

    static func decode(_ reader: inout ByteReader) throws(DecodeError) -> UTXODetails {
        let position = try reader.readVarint()
        guard position <= UInt64(UInt32.max) else { throw DecodeError(reason: "position \(position)") }
        let isCoinbase = try reader.readByte() == 1
        let inputCount = try reader.readVarint()
        guard inputCount <= UInt64(reader.remaining) else { throw DecodeError(reason: "input count \(inputCount)") }
        var inputs: [UTXOInputRecord] = []
        inputs.reserveCapacity(Int(inputCount))
        for _ in 0..<inputCount {
            switch try reader.readByte() {
            case SourceTag.coinbase:
                inputs.append(UTXOInputRecord(address: nil, value: nil, source: .coinbase))
            case SourceTag.output:
                let transaction = TxID(try reader.readVarint())
                let index = try readIndex(&reader)
                let address = try reader.readVarint()
                let value = try reader.readOptionalAmount()
                inputs.append(
                    UTXOInputRecord(
                        address: address == 0 ? nil : AddressID(address - 1), value: value,
                        source: .output(transaction: transaction, index: index)))
            case SourceTag.unknown:
                let txid = try reader.readBytes()
                inputs.append(
                    UTXOInputRecord(address: nil, value: nil, source: .unknown(txid: txid, index: try readIndex(&reader))))
            case let tag:
                throw DecodeError(reason: "input source tag \(tag)")
            }
        }
        let outputCount = try reader.readVarint()
        guard outputCount <= UInt64(reader.remaining) else { throw DecodeError(reason: "output count \(outputCount)") }
        var outputs: [UTXOOutputRecord] = []
        outputs.reserveCapacity(Int(outputCount))
        for _ in 0..<outputCount {
            let address = try reader.readVarint()
            outputs.append(
                UTXOOutputRecord(address: address == 0 ? nil : AddressID(address - 1), value: try reader.readAmount()))
        }
        return UTXODetails(position: UInt32(position), isCoinbase: isCoinbase, inputs: inputs, outputs: outputs)
    }

    private static func readIndex(_ reader: inout ByteReader) throws(DecodeError) -> UInt32 {
        let index = try reader.readVarint()
        guard index <= UInt64(UInt32.max) else { throw DecodeError(reason: "output index \(index)") }
        return UInt32(index)
    }
}

/// A stored block of a UTXO chain: what the chain position and a rollback need.
public struct StoredBlock: Sendable, Hashable {
    /// Height.
    public var height: UInt64
    /// Block hash, display order.
    public var hash: [UInt8]
    /// Block time, unix seconds.
    public var time: Int64
    /// The first transaction id of the block (ids are dense in chain order).
    public var firstTransaction: TxID
    /// Transactions in the block.
    public var transactionCount: UInt32
    /// The next address id before the block was applied (a rollback gives the ids back).
    var firstAddress: UInt64
    /// The next transfer (edge) id before the block was applied.
    var firstTransfer: UInt64

    /// The block hash as display hex.
    public var hashText: String { hash.hexText }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.writeBytes(hash)
        writer.writeSignedVarint(time)
        writer.writeVarint(firstTransaction.rawValue)
        writer.writeVarint(UInt64(transactionCount))
        writer.writeVarint(firstAddress)
        writer.writeVarint(firstTransfer)
        return writer.bytes
    }

    static func decode(height: UInt64, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> StoredBlock {
        var reader = ByteReader(bytes)
        let hash = try reader.readBytes()
        let time = try reader.readSignedVarint()
        let first = TxID(try reader.readVarint())
        let count = try reader.readVarint()
        guard count <= UInt64(UInt32.max) else { throw DecodeError(reason: "transaction count \(count)") }
        return StoredBlock(
            height: height, hash: hash, time: time, firstTransaction: first, transactionCount: UInt32(count),
            firstAddress: try reader.readVarint(), firstTransfer: try reader.readVarint())
    }
}

/// A stored output of a UTXO transaction as the outpoint table keeps it: who it paid, how much, who spent it.
struct StoredOutpoint: Hashable {
    var address: AddressID?
    var value: UInt64
    var spentBy: TxID?

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 20)
        writer.writeVarint(address.map { $0.rawValue + 1 } ?? 0)
        writer.writeVarint(value)
        writer.writeVarint(spentBy.map { $0.rawValue + 1 } ?? 0)
        return writer.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> StoredOutpoint {
        var reader = ByteReader(bytes)
        let address = try reader.readVarint()
        let value = try reader.readVarint()
        let spentBy = try reader.readVarint()
        return StoredOutpoint(
            address: address == 0 ? nil : AddressID(address - 1), value: value,
            spentBy: spentBy == 0 ? nil : TxID(spentBy - 1))
    }
}
