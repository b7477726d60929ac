public import SpoorStore

/// One transfer cited as evidence by a typology detector or an evidence path: both ends as text, the exact amount,
/// the asset, the transaction hash, and where it sits in chain order.
public struct TypologyTransfer: Sendable, Hashable {
    /// The stored transfer's id.
    public var id: TransferID
    /// Sender, canonical text.
    public var from: String
    /// Receiver, canonical text.
    public var to: String
    /// Amount moved, exact, in the asset's base unit.
    public var value: Amount
    /// Token contract, or `nil` for the chain's native coin.
    public var asset: String?
    /// Transaction hash, `0x` + 64 lowercase hex digits.
    public var tx: String
    /// Block number.
    public var block: UInt64
    /// Block time, unix seconds.
    public var time: Int64
    /// Position in the block.
    public var logIndex: UInt32

    /// Creates an evidence transfer.
    public init(
        id: TransferID, from: String, to: String, value: Amount, asset: String?, tx: String, block: UInt64, time: Int64,
        logIndex: UInt32
    ) {
        self.id = id
        self.from = from
        self.to = to
        self.value = value
        self.asset = asset
        self.tx = tx
        self.block = block
        self.time = time
        self.logIndex = logIndex
    }
}

/// Errors of the typology detectors and evidence paths: a parameter out of range, named with what was expected.
public struct TypologyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong and what was expected.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Reads streams and turns incidences into ``TypologyTransfer``s, caching address texts, transaction hashes, asset
/// contracts and (boundedly) streams for the length of one detector run.
final class TypologyContext {
    let reader: GraphReader
    private var texts: [AddressID: String] = [:]
    private var hashes: [TxID: String] = [:]
    private var assets: [AssetID: String?] = [:]
    private var streams: [AddressID: [Incidence]] = [:]
    private var records: [AddressID: AddressRecord] = [:]

    init(reader: GraphReader) {
        self.reader = reader
    }

    /// The canonical text of an address id.
    func text(_ id: AddressID) throws -> String {
        if let text = texts[id] { return text }
        guard let record = try reader.address(id) else {
            throw TypologyError("address id \(id) is referenced by a transfer but has no record")
        }
        if texts.count > 200_000 { texts.removeAll(keepingCapacity: true) }
        texts[id] = record.address
        return record.address
    }

    /// The record of an address id (cached).
    func record(_ id: AddressID) throws -> AddressRecord? {
        if let record = records[id] { return record }
        guard let record = try reader.address(id) else { return nil }
        if records.count > 200_000 { records.removeAll(keepingCapacity: true) }
        records[id] = record
        return record
    }

    /// The address's stream in chain order (cached up to a bound).
    func stream(_ id: AddressID) throws -> [Incidence] {
        if let stream = streams[id] { return stream }
        let stream = try reader.incidences(of: id)
        if streams.count > 20_000 { streams.removeAll(keepingCapacity: true) }
        streams[id] = stream
        return stream
    }

    /// Evidence for one incidence of `owner`'s stream.
    func transfer(_ incidence: Incidence, of owner: AddressID) throws -> TypologyTransfer {
        let properties = incidence.properties
        let (from, to) =
            incidence.direction == .outgoing ? (owner, incidence.neighbor) : (incidence.neighbor, owner)
        return TypologyTransfer(
            id: incidence.transfer, from: try text(from), to: try text(to), value: properties.value,
            asset: try asset(properties.asset), tx: try hash(properties.tx), block: properties.block,
            time: properties.time, logIndex: properties.logIndex)
    }

    func hash(_ id: TxID) throws -> String {
        if let hash = hashes[id] { return hash }
        guard let record = try reader.transaction(id) else {
            throw TypologyError("transaction id \(id) is referenced by a transfer but has no record")
        }
        if hashes.count > 200_000 { hashes.removeAll(keepingCapacity: true) }
        hashes[id] = record.hashText
        return record.hashText
    }

    func asset(_ id: AssetID) throws -> String? {
        if let asset = assets[id] { return asset }
        let asset = try reader.assetAddress(id)
        assets[id] = asset
        return asset
    }
}

/// Exact percentage comparisons on amounts (no floating point, no overflow).
enum Share {
    /// Whether `part × 100 ≥ whole × percent`.
    static func atLeast(_ part: Amount, percent: UInt64, of whole: Amount) -> Bool {
        let (quotient, remainder) = whole.quotientAndRemainder(dividingBy: 100)
        let extra = (remainder * percent + 99) / 100  // Safe: remainder < 100 and percent ≤ 10,000.
        guard let base = quotient.multiplied(by: percent), let threshold = base.adding(Amount(extra)) else {
            return false  // The threshold is above 2^256 − 1, so no amount reaches it.
        }
        return part >= threshold
    }

    /// Whether `part × 100 ≤ whole × percent`.
    static func atMost(_ part: Amount, percent: UInt64, of whole: Amount) -> Bool {
        let (quotient, remainder) = whole.quotientAndRemainder(dividingBy: 100)
        let extra = remainder * percent / 100
        guard let base = quotient.multiplied(by: percent), let threshold = base.adding(Amount(extra)) else {
            return true
        }
        return part <= threshold
    }

    /// Whether `part × 100 < whole × percent`.
    static func below(_ part: Amount, percent: UInt64, of whole: Amount) -> Bool {
        !atLeast(part, percent: percent, of: whole)
    }
}

/// Time arithmetic that cannot overflow, whatever times the data holds and whatever limits the caller passes.
enum Seconds {
    /// Whether `later − earlier ≤ limit`.
    static func within(_ later: Int64, after earlier: Int64, limit: Int64) -> Bool {
        let (difference, overflow) = later.subtractingReportingOverflow(earlier)
        return overflow ? later < earlier : difference <= limit
    }

    /// `time + span`, saturating at the ends of `Int64`.
    static func adding(_ time: Int64, _ span: Int64) -> Int64 {
        let (sum, overflow) = time.addingReportingOverflow(span)
        return overflow ? (span > 0 ? .max : .min) : sum
    }

    /// `later − earlier`, saturating at the ends of `Int64`.
    static func between(_ earlier: Int64, _ later: Int64) -> Int64 {
        let (difference, overflow) = later.subtractingReportingOverflow(earlier)
        return overflow ? (later > earlier ? .max : .min) : difference
    }
}

extension Incidence {
    /// Chain order of the transfer: block, then log index.
    var chainKey: (UInt64, UInt32) { (properties.block, properties.logIndex) }
    /// Whether the transfer counts for a detector: a non-zero amount between two different addresses.
    func counts(owner: AddressID) -> Bool { !properties.value.isZero && neighbor != owner }
}

/// Throws unless `value` is a percentage in 0...`maximum`.
func percentIsValid(_ value: UInt64, name: String, maximum: UInt64 = 100) throws(TypologyError) {
    guard value <= maximum else { throw TypologyError("\(name) must be a percentage 0...\(maximum), found \(value)") }
}
