/// One transaction input.
public struct BitcoinTxIn: Sendable, Hashable {
    /// The txid of the transaction whose output this input spends, internal byte order (all zeros for a coinbase).
    public var previousTxid: [UInt8]
    /// The index of the spent output in that transaction (0xFFFFFFFF for a coinbase).
    public var previousIndex: UInt32
    /// The unlocking script (the coinbase data for a coinbase input).
    public var scriptSig: [UInt8]
    /// The sequence number.
    public var sequence: UInt32
    /// The witness stack (BIP 141); empty for a legacy input.
    public var witness: [[UInt8]]

    /// Creates an input.
    public init(
        previousTxid: [UInt8],
        previousIndex: UInt32,
        scriptSig: [UInt8],
        sequence: UInt32,
        witness: [[UInt8]] = []
    ) {
        self.previousTxid = previousTxid
        self.previousIndex = previousIndex
        self.scriptSig = scriptSig
        self.sequence = sequence
        self.witness = witness
    }

    /// The spent txid in display order.
    public var previousTxidHex: String { BitcoinHex.encodeReversed(previousTxid) }

    /// True for the null outpoint of a coinbase input (zero txid, index 0xFFFFFFFF).
    public var isCoinbaseOutpoint: Bool { previousIndex == 0xFFFF_FFFF && previousTxid.allSatisfy { $0 == 0 } }
}

/// One transaction output.
public struct BitcoinTxOut: Sendable, Hashable {
    /// The value in satoshis.
    public var value: UInt64
    /// The locking script.
    public var scriptPubKey: [UInt8]

    /// Creates an output.
    public init(value: UInt64, scriptPubKey: [UInt8]) {
        self.value = value
        self.scriptPubKey = scriptPubKey
    }
}

/// A transaction with its txid and wtxid, parsed from the legacy or the BIP 144 segwit serialization.
public struct BitcoinTransaction: Sendable, Hashable {
    /// The transaction version.
    public var version: UInt32 { didSet { computeHashes() } }
    /// The inputs in order.
    public var inputs: [BitcoinTxIn] { didSet { computeHashes() } }
    /// The outputs in order.
    public var outputs: [BitcoinTxOut] { didSet { computeHashes() } }
    /// The lock time.
    public var lockTime: UInt32 { didSet { computeHashes() } }
    /// Double SHA-256 of the serialization without witness, internal byte order.
    public private(set) var txid: [UInt8]
    /// Double SHA-256 of the serialization with witness (equals `txid` without witness), internal byte order.
    public private(set) var wtxid: [UInt8]
    /// The serialized size in bytes, witness included.
    public private(set) var size: Int
    /// The serialized size in bytes without the witness (marker, flag and witness stacks).
    public private(set) var baseSize: Int

    /// Creates a transaction from its fields and computes its hashes and sizes.
    public init(version: UInt32, inputs: [BitcoinTxIn], outputs: [BitcoinTxOut], lockTime: UInt32) {
        self.version = version
        self.inputs = inputs
        self.outputs = outputs
        self.lockTime = lockTime
        self.txid = []
        self.wtxid = []
        self.size = 0
        self.baseSize = 0
        computeHashes()
    }

    /// Recomputes the txid, wtxid and sizes (after a field changed: the hashes always match the fields).
    private mutating func computeHashes() {
        let base = serialized(includeWitness: false)
        txid = BitcoinHash.doubleSHA256(base)
        baseSize = base.count
        if hasWitness {
            let full = serialized(includeWitness: true)
            wtxid = BitcoinHash.doubleSHA256(full)
            size = full.count
        } else {
            wtxid = txid
            size = baseSize
        }
    }

    private init(
        parsedVersion version: UInt32,
        inputs: [BitcoinTxIn],
        outputs: [BitcoinTxOut],
        lockTime: UInt32,
        txid: [UInt8],
        wtxid: [UInt8],
        size: Int,
        baseSize: Int
    ) {
        self.version = version
        self.inputs = inputs
        self.outputs = outputs
        self.lockTime = lockTime
        self.txid = txid
        self.wtxid = wtxid
        self.size = size
        self.baseSize = baseSize
    }

    /// The txid in display order (reversed hex), as block explorers show it.
    public var txidHex: String { BitcoinHex.encodeReversed(txid) }

    /// The wtxid in display order.
    public var wtxidHex: String { BitcoinHex.encodeReversed(wtxid) }

    /// True for a coinbase: exactly one input spending the null outpoint.
    public var isCoinbase: Bool { inputs.count == 1 && inputs[0].isCoinbaseOutpoint }

    /// True when some input has a non-empty witness stack (the transaction serializes in the BIP 144 form).
    public var hasWitness: Bool { inputs.contains { !$0.witness.isEmpty } }

    /// BIP 141 weight: base size × 3 + total size.
    public var weight: Int { baseSize * 3 + size }

    /// The sum of the output values; `nil` if it overflows UInt64.
    public var totalOutputValue: UInt64? {
        var total: UInt64 = 0
        for output in outputs {
            let (sum, overflow) = total.addingReportingOverflow(output.value)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// Parses one whole serialized transaction (legacy or BIP 144); bytes left after it are an error.
    public static func parse(
        _ bytes: [UInt8],
        file: String,
        offset: Int = 0
    ) throws(BitcoinParseError) -> BitcoinTransaction {
        try withUnsafeBytesTyped(bytes) { (buffer) throws(BitcoinParseError) -> BitcoinTransaction in
            try parse(buffer: buffer, file: file, offset: offset)
        }
    }

    /// Parses one whole serialized transaction from `buffer`; `offset` is the absolute offset of its first byte.
    public static func parse(
        buffer: UnsafeRawBufferPointer,
        file: String,
        offset: Int = 0
    )
        throws(BitcoinParseError) -> BitcoinTransaction
    {
        var reader = BitcoinByteReader(buffer: buffer, file: file, baseOffset: offset)
        let transaction = try parse(from: &reader)
        if reader.remaining > 0 { throw reader.error(.trailingBytes(what: "transaction", count: reader.remaining)) }
        return transaction
    }

    /// Smallest serialized input: 32 + 4 + 1 + 4 bytes.
    static let minimumInputSize = 41
    /// Smallest serialized output: 8 + 1 bytes.
    static let minimumOutputSize = 9

    static func parse(from reader: inout BitcoinByteReader) throws(BitcoinParseError) -> BitcoinTransaction {
        let start = reader.position
        let version = try reader.readUInt32("the transaction version")
        var segwit = false
        // BIP 144: a zero byte where the input count would be is the marker, followed by a non-zero flag.
        if reader.remaining >= 2 && reader.buffer[reader.position] == 0 {
            let flag = reader.buffer[reader.position + 1]
            guard flag == 1 else {
                throw reader.error(
                    .badLength(what: "segwit flag", detail: "expected 0x01 after the 0x00 marker, found \(flag)")
                )
            }
            segwit = true
            reader.position += 2
        }
        let afterFlag = reader.position
        let inputCount = try reader.readCompactSize("input count", minimumItemSize: minimumInputSize)
        var inputs = [BitcoinTxIn]()
        inputs.reserveCapacity(inputCount)
        for _ in 0..<inputCount {
            let previousTxid = try reader.readBytes(32, "the spent txid of an input")
            let previousIndex = try reader.readUInt32("the spent output index of an input")
            let scriptLength = try reader.readCompactSize("scriptSig length")
            let script = try reader.readBytes(scriptLength, "a scriptSig")
            let sequence = try reader.readUInt32("the sequence of an input")
            inputs.append(
                BitcoinTxIn(
                    previousTxid: previousTxid,
                    previousIndex: previousIndex,
                    scriptSig: script,
                    sequence: sequence
                )
            )
        }
        let outputCount = try reader.readCompactSize("output count", minimumItemSize: minimumOutputSize)
        var outputs = [BitcoinTxOut]()
        outputs.reserveCapacity(outputCount)
        for _ in 0..<outputCount {
            let value = try reader.readUInt64("the value of an output")
            let scriptLength = try reader.readCompactSize("scriptPubKey length")
            let script = try reader.readBytes(scriptLength, "a scriptPubKey")
            outputs.append(BitcoinTxOut(value: value, scriptPubKey: script))
        }
        let witnessStart = reader.position
        if segwit {
            if inputs.isEmpty {
                throw reader.error(.badLength(what: "segwit transaction", detail: "it has no inputs"))
            }
            var anyWitness = false
            for index in inputs.indices {
                let itemCount = try reader.readCompactSize("witness item count")
                if itemCount == 0 { continue }
                anyWitness = true
                var stack = [[UInt8]]()
                stack.reserveCapacity(itemCount)
                for _ in 0..<itemCount {
                    let length = try reader.readCompactSize("witness item length")
                    stack.append(try reader.readBytes(length, "a witness item"))
                }
                inputs[index].witness = stack
            }
            if !anyWitness {
                throw reader.error(
                    .badLength(what: "segwit transaction", detail: "superfluous witness record (all stacks empty)")
                )
            }
        }
        let lockTimeStart = reader.position
        let lockTime = try reader.readUInt32("the lock time")
        let end = reader.position
        let txid: [UInt8]
        let wtxid: [UInt8]
        let baseSize: Int
        if segwit {
            txid = BitcoinHash.doubleSHA256(
                reader.slice(start..<(start + 4)),
                reader.slice(afterFlag..<witnessStart),
                reader.slice(lockTimeStart..<end)
            )
            wtxid = BitcoinHash.doubleSHA256(buffer: reader.slice(start..<end))
            baseSize = 4 + (witnessStart - afterFlag) + 4
        } else {
            txid = BitcoinHash.doubleSHA256(buffer: reader.slice(start..<end))
            wtxid = txid
            baseSize = end - start
        }
        return BitcoinTransaction(
            parsedVersion: version,
            inputs: inputs,
            outputs: outputs,
            lockTime: lockTime,
            txid: txid,
            wtxid: wtxid,
            size: end - start,
            baseSize: baseSize
        )
    }

    /// The serialization: BIP 144 with marker, flag and witnesses when `includeWitness` and the transaction has
    /// witness data, the legacy form otherwise.
    public func serialized(includeWitness: Bool = true) -> [UInt8] {
        var bytes = [UInt8]()
        serialize(into: &bytes, includeWitness: includeWitness)
        return bytes
    }

    /// Appends the serialization (see `serialized(includeWitness:)`) to `bytes`.
    public func serialize(into bytes: inout [UInt8], includeWitness: Bool = true) {
        let witness = includeWitness && hasWitness
        BitcoinWriter.appendUInt32(version, to: &bytes)
        if witness { bytes.append(contentsOf: [0x00, 0x01]) }
        BitcoinWriter.appendCompactSize(inputs.count, to: &bytes)
        for input in inputs {
            bytes.append(contentsOf: input.previousTxid)
            BitcoinWriter.appendUInt32(input.previousIndex, to: &bytes)
            BitcoinWriter.appendCompactSize(input.scriptSig.count, to: &bytes)
            bytes.append(contentsOf: input.scriptSig)
            BitcoinWriter.appendUInt32(input.sequence, to: &bytes)
        }
        BitcoinWriter.appendCompactSize(outputs.count, to: &bytes)
        for output in outputs {
            BitcoinWriter.appendUInt64(output.value, to: &bytes)
            BitcoinWriter.appendCompactSize(output.scriptPubKey.count, to: &bytes)
            bytes.append(contentsOf: output.scriptPubKey)
        }
        if witness {
            for input in inputs {
                BitcoinWriter.appendCompactSize(input.witness.count, to: &bytes)
                for item in input.witness {
                    BitcoinWriter.appendCompactSize(item.count, to: &bytes)
                    bytes.append(contentsOf: item)
                }
            }
        }
        BitcoinWriter.appendUInt32(lockTime, to: &bytes)
    }
}

/// Little-endian and CompactSize writers for the serializers.
public enum BitcoinWriter {
    /// Appends `value` as 4 little-endian bytes.
    @inline(__always)
    public static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Appends `value` as 8 little-endian bytes.
    @inline(__always)
    public static func appendUInt64(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Appends `value` (>= 0) as a canonical CompactSize.
    public static func appendCompactSize(_ value: Int, to bytes: inout [UInt8]) {
        let value = UInt64(max(value, 0))
        switch value {
        case 0..<0xFD: bytes.append(UInt8(value))
        case 0xFD...0xFFFF:
            bytes.append(0xFD)
            bytes.append(UInt8(truncatingIfNeeded: value))
            bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        case 0x1_0000...0xFFFF_FFFF:
            bytes.append(0xFE)
            appendUInt32(UInt32(value), to: &bytes)
        default:
            bytes.append(0xFF)
            appendUInt64(value, to: &bytes)
        }
    }
}
