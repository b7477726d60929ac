public import SpoorStore

/// A node handle. Its meaning is up to the graph behind ``GraphAccess`` (the store encodes the label in the high bits).
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The graph's own number for the node.
    public var rawValue: UInt64

    /// Wraps a raw node number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A relationship handle, unique within one graph.
public struct RelationshipID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The graph's own number for the relationship.
    public var rawValue: UInt64

    /// Wraps a raw relationship number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: RelationshipID, rhs: RelationshipID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// Which relationships of a node an expansion follows.
public enum ExpandDirection: Sendable, Hashable {
    /// Relationships that start at the node.
    case outgoing
    /// Relationships that end at the node.
    case incoming
    /// Both; a self-loop is returned once.
    case both
}

/// Properties a graph hands over together with a relationship, so that reading them costs no second look-up.
public enum RelationshipPayload: Sendable, Hashable {
    /// The graph keeps the properties elsewhere (``GraphAccess/relationshipProperty(_:of:)`` finds them).
    case none
    /// A stored transfer: value, block, time, transaction, asset and log index.
    case transfer(TransferProperties)
}

/// A relationship as an expansion yields it.
public struct GraphRelationship: Sendable, Hashable {
    /// Unique id (`id(r)` in a query).
    public var id: RelationshipID
    /// The relationship type (`type(r)`), for example `TRANSFER`.
    public var type: String
    /// Where it starts.
    public var start: NodeID
    /// Where it ends.
    public var end: NodeID
    /// Properties carried along, if the graph has them at hand.
    public var payload: RelationshipPayload

    /// Creates a relationship handle.
    public init(id: RelationshipID, type: String, start: NodeID, end: NodeID, payload: RelationshipPayload = .none) {
        self.id = id
        self.type = type
        self.start = start
        self.end = end
        self.payload = payload
    }

    public static func == (lhs: GraphRelationship, rhs: GraphRelationship) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

/// What the executor needs from a graph: the LMDB store and the in-memory test graph both provide it.
///
/// One instance serves one query on one thread (a store snapshot is not shared between threads while a query runs).
/// Every method throws for a store that cannot be read; none of them traps on bad data.
public protocol GraphAccess: AnyObject {
    /// The labels of a node (`labels(n)`), in a stable order.
    func labels(of node: NodeID) throws -> [String]
    /// One property of a node, or `.null` when it has none of that name.
    func nodeProperty(_ key: String, of node: NodeID) throws -> Value
    /// All properties of a node (`properties(n)`, `keys(n)`, and `RETURN n`).
    func nodeProperties(of node: NodeID) throws -> [String: Value]
    /// One property of a relationship, or `.null`.
    func relationshipProperty(_ key: String, of relationship: GraphRelationship) throws -> Value
    /// All properties of a relationship.
    func relationshipProperties(of relationship: GraphRelationship) throws -> [String: Value]
    /// Every node, or every node with `label`: the full scan the planner avoids when an anchor exists.
    /// - Complexity: O(nodes).
    func scanNodes(label: String?) throws -> [NodeID]
    /// Nodes whose `property` equals `value`, through an index; `nil` when the graph has no index for it.
    func lookupNodes(label: String?, property: String, value: Value) throws -> [NodeID]?
    /// Nodes carrying a tag (`'ofac' IN a.tags`), through the tag index; `nil` when the graph has no tags.
    func lookupNodes(taggedWith tag: String) throws -> [NodeID]?
    /// An estimate of the number of nodes with `label` (all nodes for `nil`), for the planner.
    func estimatedNodeCount(label: String?) -> Int
    /// The relationships at `node` in `direction`, of one of `types` (any type when empty), in chain order.
    /// - Complexity: O(degree of `node`).
    func expand(_ node: NodeID, direction: ExpandDirection, types: [String]) throws -> [GraphRelationship]
    /// Appends the far end of every relationship `expand(node, direction:, types:)` returns to `neighbors`, in the
    /// same order, without building the relationships: the executor's call when nothing reads the relationship (an
    /// anonymous relationship in a one-relationship pattern, a frontier level). Multiplicity is kept: a node reached
    /// by k parallel relationships appears k times, a self-loop once (also with `.both`, as in `expand`); callers
    /// that want a set deduplicate. The default goes through `expand`; the store decodes only neighbour ids.
    /// - Complexity: O(degree of `node`).
    func appendNeighbors(of node: NodeID, direction: ExpandDirection, types: [String], to neighbors: inout [NodeID])
        throws
}

extension GraphAccess {
    /// The default ``GraphAccess/appendNeighbors(of:direction:types:to:)``: the far end of every relationship
    /// ``GraphAccess/expand(_:direction:types:)`` returns (the reference every fast path must agree with).
    /// - Complexity: O(degree of `node`).
    public func appendNeighbors(
        of node: NodeID, direction: ExpandDirection, types: [String], to neighbors: inout [NodeID]
    ) throws {
        try appendNeighborsByExpanding(of: node, direction: direction, types: types, to: &neighbors)
    }

    /// The far end of every relationship ``GraphAccess/expand(_:direction:types:)`` returns, appended in order.
    public func appendNeighborsByExpanding(
        of node: NodeID, direction: ExpandDirection, types: [String], to neighbors: inout [NodeID]
    ) throws {
        for relationship in try expand(node, direction: direction, types: types) {
            neighbors.append(relationship.start == node ? relationship.end : relationship.start)
        }
    }
}
