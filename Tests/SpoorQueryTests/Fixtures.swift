import SpoorStore
@testable import SpoorQuery

/// The hand-made graph most tests use.
///
/// Addresses a0…a5 (label Address, property `address`); a0 has balance 10 and tags ['ofac'], a2 balance 5,
/// a3 tags ['mixer', 'ofac']; the others have no balance.
///
///     t0: a0 -> a1  100
///     t1: a0 -> a2  50
///     t2: a1 -> a2  2^200 + 1
///     t3: a2 -> a3  7
///     t4: a3 -> a0  1
///     t5: a1 -> a3  3
///     t6: a4 -> a4  9      (self-loop)
///     t7: a2 -> a1  (no value)
///
/// Sum of values: 2^200 + 171.
enum Fixture {
    static let big = Amount(decimal: "1606938044258990275541962092341162602522202993782792835301377")!  // 2^200 + 1
    static let valueSum = "1606938044258990275541962092341162602522202993782792835301547"  // 2^200 + 171

    static func graph() -> InMemoryGraph {
        let graph = InMemoryGraph()
        graph.addIndex(label: "Address", property: "address")
        var a: [NodeID] = []
        for index in 0..<6 {
            var properties: [String: Value] = ["address": .string("a\(index)")]
            if index == 0 { properties["balance"] = .amount(Amount(10)); properties["tags"] = .list([.string("ofac")]) }
            if index == 2 { properties["balance"] = .amount(Amount(5)) }
            if index == 3 { properties["tags"] = .list([.string("mixer"), .string("ofac")]) }
            a.append(graph.addNode(labels: ["Address"], properties: properties))
        }
        let transfers: [(Int, Int, Value)] = [
            (0, 1, .amount(Amount(100))), (0, 2, .amount(Amount(50))), (1, 2, .amount(big)), (2, 3, .amount(Amount(7))),
            (3, 0, .amount(Amount(1))), (1, 3, .amount(Amount(3))), (4, 4, .amount(Amount(9))), (2, 1, .null),
        ]
        for (index, (from, to, value)) in transfers.enumerated() {
            graph.addRelationship(type: "TRANSFER", from: a[from], to: a[to], properties: ["value": value, "n": .integer(Int64(index))])
        }
        return graph
    }

    static func rows(_ query: String, _ parameters: [String: Value] = [:], graph: (any GraphAccess)? = nil, limits: QueryLimits = .default) throws -> [[Value]] {
        let prepared = try PreparedQuery.prepare(query)
        return try prepared.run(on: graph ?? Fixture.graph(), parameters: parameters, limits: limits).all()
    }

    /// The single column of every row.
    static func column(_ query: String, _ parameters: [String: Value] = [:], graph: (any GraphAccess)? = nil) throws -> [Value] {
        try rows(query, parameters, graph: graph).map { $0.first ?? .null }
    }

    static func error(_ query: String, _ parameters: [String: Value] = [:], limits: QueryLimits = .default) -> QueryError? {
        do {
            _ = try rows(query, parameters, limits: limits)
            return nil
        } catch let error as QueryError {
            return error
        } catch {
            return nil
        }
    }
}

/// Counts the calls the planner's choices cause.
final class SpyGraph: GraphAccess {
    let inner: InMemoryGraph
    var scans = 0
    var lookups = 0
    var tagLookups = 0
    var expands = 0

    init(_ inner: InMemoryGraph) { self.inner = inner }

    func labels(of node: NodeID) throws -> [String] { try inner.labels(of: node) }
    func nodeProperty(_ key: String, of node: NodeID) throws -> Value { try inner.nodeProperty(key, of: node) }
    func nodeProperties(of node: NodeID) throws -> [String: Value] { try inner.nodeProperties(of: node) }
    func relationshipProperty(_ key: String, of relationship: GraphRelationship) throws -> Value {
        try inner.relationshipProperty(key, of: relationship)
    }
    func relationshipProperties(of relationship: GraphRelationship) throws -> [String: Value] {
        try inner.relationshipProperties(of: relationship)
    }
    func scanNodes(label: String?) throws -> [NodeID] {
        scans += 1
        return try inner.scanNodes(label: label)
    }
    func lookupNodes(label: String?, property: String, value: Value) throws -> [NodeID]? {
        lookups += 1
        return try inner.lookupNodes(label: label, property: property, value: value)
    }
    func lookupNodes(taggedWith tag: String) throws -> [NodeID]? {
        tagLookups += 1
        return try inner.lookupNodes(taggedWith: tag)
    }
    func estimatedNodeCount(label: String?) -> Int { inner.estimatedNodeCount(label: label) }
    func expand(_ node: NodeID, direction: ExpandDirection, types: [String]) throws -> [GraphRelationship] {
        expands += 1
        return try inner.expand(node, direction: direction, types: types)
    }
}

extension Value {
    static func s(_ text: String) -> Value { .string(text) }
}
