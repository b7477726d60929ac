/// A graph held in memory, built programmatically: for tests, fixtures and (later) the openCypher TCK.
///
/// Property indexes are optional: ``addIndex(label:property:)`` makes `lookupNodes(label:property:value:)` answer
/// for that pair; without one it returns `nil`, as a store without that index would. Tags are read from each node's
/// `tags` list property.
public final class InMemoryGraph: GraphAccess, GraphIndexCatalog, GraphStatistics {
    private struct Node {
        var labels: [String]
        var properties: [String: Value]
    }

    private var nodes: [Node] = []
    private var relationships: [GraphRelationship] = []
    private var relationshipProperties: [[String: Value]] = []
    private var outgoing: [[Int]] = []
    private var incoming: [[Int]] = []
    private var indexes: Set<String> = []
    /// Whether `lookupNodes(taggedWith:)` answers (through a scan of `tags`, standing in for the store's tag index).
    public var hasTagIndex: Bool
    /// What queries have read (for PROFILE): a node's property map counts as one node record, an expansion as one
    /// adjacency list.
    public private(set) var reads = GraphReads()

    /// An empty graph.
    public init(hasTagIndex: Bool = true) { self.hasTagIndex = hasTagIndex }

    /// Adds a node and returns its id (dense, from 0).
    @discardableResult
    public func addNode(labels: [String] = [], properties: [String: Value] = [:]) -> NodeID {
        nodes.append(Node(labels: labels, properties: properties.filter { !$0.value.isNull }))
        outgoing.append([])
        incoming.append([])
        return NodeID(UInt64(nodes.count - 1))
    }

    /// Adds a relationship between two existing nodes and returns it.
    @discardableResult
    public func addRelationship(type: String, from: NodeID, to: NodeID, properties: [String: Value] = [:]) -> GraphRelationship {
        let relationship = GraphRelationship(id: RelationshipID(UInt64(relationships.count)), type: type, start: from, end: to)
        relationships.append(relationship)
        relationshipProperties.append(properties.filter { !$0.value.isNull })
        let index = relationships.count - 1
        if Int(from.rawValue) < outgoing.count { outgoing[Int(from.rawValue)].append(index) }
        if Int(to.rawValue) < incoming.count { incoming[Int(to.rawValue)].append(index) }
        return relationship
    }

    /// Makes `lookupNodes(label:property:value:)` answer for `label` (any label when `nil`) and `property`.
    public func addIndex(label: String?, property: String) {
        indexes.insert("\(label ?? "").\(property)")
    }

    /// Sets (or, with `.null`, removes) a node property.
    public func setNodeProperty(_ key: String, to value: Value, of node: NodeID) {
        guard let index = nodeIndex(node) else { return }
        nodes[index].properties[key] = value.isNull ? nil : value
    }

    /// Number of nodes.
    public var nodeCount: Int { nodes.count }
    /// Number of relationships.
    public var relationshipCount: Int { relationships.count }

    public func hasIndex(label: String?, property: String) -> Bool {
        indexes.contains("\(label ?? "").\(property)")
    }

    private func nodeIndex(_ node: NodeID) -> Int? {
        node.rawValue < UInt64(nodes.count) ? Int(node.rawValue) : nil
    }

    // MARK: GraphAccess

    public func labels(of node: NodeID) throws -> [String] {
        nodeIndex(node).map { nodes[$0].labels } ?? []
    }

    public func nodeProperty(_ key: String, of node: NodeID) throws -> Value {
        reads.nodeRecords += 1
        return nodeIndex(node).flatMap { nodes[$0].properties[key] } ?? .null
    }

    public func nodeProperties(of node: NodeID) throws -> [String: Value] {
        reads.nodeRecords += 1
        return nodeIndex(node).map { nodes[$0].properties } ?? [:]
    }

    public func relationshipProperty(_ key: String, of relationship: GraphRelationship) throws -> Value {
        try relationshipProperties(of: relationship)[key] ?? .null
    }

    public func relationshipProperties(of relationship: GraphRelationship) throws -> [String: Value] {
        let index = relationship.id.rawValue
        return index < UInt64(relationshipProperties.count) ? relationshipProperties[Int(index)] : [:]
    }

    public func scanNodes(label: String?) throws -> [NodeID] {
        nodes.indices.filter { label == nil || nodes[$0].labels.contains(label ?? "") }.map { NodeID(UInt64($0)) }
    }

    public func lookupNodes(label: String?, property: String, value: Value) throws -> [NodeID]? {
        guard hasIndex(label: label, property: property) || (label != nil && hasIndex(label: nil, property: property)) else {
            return nil
        }
        reads.indexSeeks += 1
        return nodes.indices.filter { index in
            (label == nil || nodes[index].labels.contains(label ?? ""))
                && ValueOperations.equals(nodes[index].properties[property] ?? .null, value) == true
        }.map { NodeID(UInt64($0)) }
    }

    public func lookupNodes(taggedWith tag: String) throws -> [NodeID]? {
        guard hasTagIndex else { return nil }
        reads.indexSeeks += 1
        return nodes.indices.filter { index in
            guard case .list(let tags) = nodes[index].properties["tags"] ?? .null else { return false }
            return tags.contains(.string(tag))
        }.map { NodeID(UInt64($0)) }
    }

    public func estimatedNodeCount(label: String?) -> Int {
        guard let label else { return nodes.count }
        return nodes.reduce(0) { $0 + ($1.labels.contains(label) ? 1 : 0) }
    }

    public func expand(_ node: NodeID, direction: ExpandDirection, types: [String]) throws -> [GraphRelationship] {
        guard let index = nodeIndex(node) else { return [] }
        var result: [GraphRelationship] = []
        func add(_ indices: [Int]) {
            for i in indices where types.isEmpty || types.contains(relationships[i].type) {
                result.append(relationships[i])
            }
        }
        switch direction {
        case .outgoing: add(outgoing[index])
        case .incoming: add(incoming[index])
        case .both:
            add(outgoing[index])
            add(incoming[index].filter { relationships[$0].start != node })  // a self-loop once
        }
        reads.adjacencyLists += 1
        reads.adjacencyRecords += result.count
        return result
    }

    public func estimatedRelationshipCount(type: String?) -> Int {
        guard let type else { return relationships.count }
        return relationships.reduce(0) { $0 + ($1.type == type ? 1 : 0) }
    }

    public func estimatedNodesPerTag() -> Double {
        var counts: [String: Int] = [:]
        for node in nodes {
            guard case .list(let tags) = node.properties["tags"] ?? .null else { continue }
            for case .string(let tag) in tags { counts[tag, default: 0] += 1 }
        }
        return counts.isEmpty ? 1 : Double(counts.values.reduce(0, +)) / Double(counts.count)
    }
}
