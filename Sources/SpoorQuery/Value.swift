public import SpoorStore

/// A value a query computes, compares or returns.
///
/// `==` and `hash(into:)` implement openCypher *equivalence* (used by `DISTINCT` and grouping): numbers are
/// equivalent when they denote the same mathematical value (`.amount(5)`, `.integer(5)` and `.float(5.0)`), `null`
/// is equivalent to `null` and NaN to NaN. Cypher's three-valued `=` is ``cypherEquals(_:)``.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case float(Double)
    case string(String)
    /// An exact unsigned integer up to 2^256 − 1 (transfer values); a number like the others.
    case amount(Amount)
    case list([Value])
    case map([String: Value])
    case node(NodeID)
    case relationship(GraphRelationship)
    case path(PathValue)

    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.map(let a), .map(let b)): return a == b
        case (.node(let a), .node(let b)): return a == b
        case (.relationship(let a), .relationship(let b)): return a == b
        case (.path(let a), .path(let b)): return a == b
        default:
            guard let a = lhs.numericKey, let b = rhs.numericKey else { return false }
            return a == b
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .string(let s): hasher.combine(2); hasher.combine(s)
        case .list(let l): hasher.combine(3); hasher.combine(l)
        case .map(let m): hasher.combine(4); hasher.combine(m)
        case .node(let n): hasher.combine(5); hasher.combine(n)
        case .relationship(let r): hasher.combine(6); hasher.combine(r)
        case .path(let p): hasher.combine(7); hasher.combine(p)
        case .integer, .float, .amount:
            hasher.combine(8)
            if let key = numericKey { hasher.combine(key) }
        }
    }

    /// The canonical form of a number, so that equal numbers of different cases are equivalent.
    var numericKey: NumericKey? {
        switch self {
        case .integer(let i): return .integer(i)
        case .amount(let a): return a.int64Value.map(NumericKey.integer) ?? .big(a)
        case .float(let d):
            if d.isNaN { return .nan }
            if d == d.rounded(.towardZero) {
                if let i = Int64(exactly: d) { return .integer(i) }
                if let a = Amount(exactlyDouble: d) { return .big(a) }
            }
            return .fractional(d == 0 ? 0 : d)
        default: return nil
        }
    }

    /// Whether the value is `null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The openCypher type name, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "Null"
        case .bool: return "Boolean"
        case .integer: return "Integer"
        case .float: return "Float"
        case .string: return "String"
        case .amount: return "Amount"
        case .list: return "List"
        case .map: return "Map"
        case .node: return "Node"
        case .relationship: return "Relationship"
        case .path: return "Path"
        }
    }
}

/// A path value: `nodes.count == relationships.count + 1`.
public struct PathValue: Sendable, Hashable {
    /// The nodes along the path, from its start.
    public var nodes: [NodeID]
    /// The relationships between consecutive nodes.
    public var relationships: [GraphRelationship]

    /// Creates a path.
    public init(nodes: [NodeID], relationships: [GraphRelationship]) {
        self.nodes = nodes
        self.relationships = relationships
    }
}

/// Canonical numbers for equivalence and hashing.
enum NumericKey: Hashable {
    case integer(Int64)
    case big(Amount)
    case fractional(Double)
    case nan
}

extension Amount {
    /// The amount equal to an integral, non-negative `Double` below 2^256, or `nil`.
    init?(exactlyDouble value: Double) {
        guard value.isFinite, value >= 0, value == value.rounded(.towardZero), value < 0x1p256 else { return nil }
        if let small = UInt64(exactly: value) {
            self.init(small)
            return
        }
        // value = significand · 2^(exponent − 52) with a 53-bit integer significand.
        let exponent = Int(value.exponent)
        let significand = value.significandBitPattern | (1 << 52)
        let shift = exponent - 52
        guard shift >= 0 else { return nil }
        var words: [UInt64] = [0, 0, 0, 0]
        let limb = shift / 64
        let bit = shift % 64
        guard limb < 4 else { return nil }
        words[limb] = significand << UInt64(bit)
        if bit > 0, limb + 1 < 4 { words[limb + 1] = significand >> UInt64(64 - bit) }
        self.init(words: words)
    }
}
