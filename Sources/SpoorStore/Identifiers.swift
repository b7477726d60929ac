/// A dense address id, assigned in first-seen order at ingest.
public struct AddressID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The dense number, from 0.
    public var rawValue: UInt64

    /// Wraps a dense address number.
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable public static func < (lhs: AddressID, rhs: AddressID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A dense transaction id, assigned in first-seen (chain) order at ingest.
public struct TxID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The dense number, from 0.
    public var rawValue: UInt64

    /// Wraps a dense transaction number.
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable public static func < (lhs: TxID, rhs: TxID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A dense transfer (edge) id, assigned in chain order at ingest. Both incidences of a transfer carry it.
public struct TransferID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The dense number, from 0.
    public var rawValue: UInt64

    /// Wraps a dense transfer number.
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable public static func < (lhs: TransferID, rhs: TransferID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A dense asset id: 0 is the chain's native coin, others are token contracts in first-seen order.
public struct AssetID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The dense number; 0 is the native coin.
    public var rawValue: UInt32

    /// Wraps a dense asset number.
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The chain's native coin.
    public static let native = AssetID(0)

    @inlinable public static func < (lhs: AssetID, rhs: AssetID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// The properties of one stored transfer edge.
public struct TransferProperties: Sendable, Hashable {
    /// The amount moved, exact, in the asset's base unit.
    public var value: Amount
    /// Block number.
    public var block: UInt64
    /// Block time, unix seconds.
    public var time: Int64
    /// The transaction it belongs to.
    public var tx: TxID
    /// The asset moved (``AssetID/native`` for the chain's coin).
    public var asset: AssetID
    /// Position of the transfer's log in the block (chain order within a block).
    public var logIndex: UInt32

    /// Creates transfer properties.
    public init(value: Amount, block: UInt64, time: Int64, tx: TxID, asset: AssetID, logIndex: UInt32) {
        self.value = value
        self.block = block
        self.time = time
        self.tx = tx
        self.asset = asset
        self.logIndex = logIndex
    }
}

/// Whether an incidence leaves or enters its address.
public enum IncidenceDirection: UInt8, Sendable, Hashable {
    /// The address sent the transfer.
    case outgoing = 0
    /// The address received the transfer.
    case incoming = 1
}

/// One entry of an address's adjacency stream: a transfer seen from one of its two ends.
public struct Incidence: Sendable, Hashable {
    /// Out or in, seen from the address whose stream this is.
    public var direction: IncidenceDirection
    /// The address at the other end.
    public var neighbor: AddressID
    /// The transfer's id (the same at both ends).
    public var transfer: TransferID
    /// The transfer's properties.
    public var properties: TransferProperties

    /// Creates an incidence.
    public init(direction: IncidenceDirection, neighbor: AddressID, transfer: TransferID, properties: TransferProperties) {
        self.direction = direction
        self.neighbor = neighbor
        self.transfer = transfer
        self.properties = properties
    }
}
