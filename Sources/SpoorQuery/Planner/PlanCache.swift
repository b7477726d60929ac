import Synchronization

/// The last plan of one prepared query and the graph counts it was made from, so that running the query again on a
/// graph with the same counts skips planning.
///
/// A plan depends on the graph only through ``GraphAccess/estimatedNodeCount(label:)`` of the query's labels (and of
/// all nodes) and, for a ``GraphIndexCatalog``, its indexes; those are not cached (their indexes can change).
final class PlanCache: Sendable {
    private struct Key: Equatable {
        var graphType: ObjectIdentifier
        var counts: [Int]
        var frontierDisabled: Bool
    }

    private let entry = Mutex<(key: Key, plan: PlanNode)?>(nil)
    /// Every label a node pattern of the query names (the planner compares their counts).
    private let labels: [String]

    init(_ query: BoundQuery) {
        var labels = Set<String>()
        for steps in [query.steps] + query.unions.map(\.steps) {
            for case .match(let match) in steps {
                for node in match.nodes { labels.formUnion(node.labels) }
            }
        }
        self.labels = labels.sorted()
    }

    /// The plan of `query` on `graph`, from the cache when `graph`'s counts are those it was made from.
    func plan(_ query: BoundQuery, on graph: any GraphAccess) -> PlanNode {
        if graph is any GraphIndexCatalog { return Planner(graph: graph).plan(query) }
        let key = Key(
            graphType: ObjectIdentifier(type(of: graph)),
            counts: [graph.estimatedNodeCount(label: nil)] + labels.map { graph.estimatedNodeCount(label: $0) },
            frontierDisabled: Planner.frontierDisabled)
        if let cached = entry.withLock({ $0?.key == key ? $0?.plan : nil }) { return cached }
        let plan = Planner(graph: graph).plan(query)
        entry.withLock { $0 = (key, plan) }
        return plan
    }
}
