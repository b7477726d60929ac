/// EXPLAIN's estimated rows per operator, from the graph's counts: nodes per label, relationships per type (their
/// ratio is the average degree), nodes per tag; an index seek finds 1 node. Without a graph (or counts) it assumes
/// 1,000 nodes, 10 relationships per node and 10 nodes per tag.
///
/// Selectivity guesses, as simple planners use: an equality filter keeps 10 % of its rows, a label filter the label's
/// share of all nodes (all of them on a node reached by an expansion), other filters half; grouping keys leave the square root of the rows; an `UNWIND` of a
/// non-literal list 10 rows; a variable-length expansion with no upper bound counts up to 5 hops (10 at most).
struct CardinalityEstimator {
    let graph: (any GraphAccess)?

    /// The plan as EXPLAIN prints it: one operator a line, `  estimated rows: N` after each.
    func describe(_ plan: PlanNode) -> String {
        var known = Known()
        return estimate(plan, argumentRows: 1, known: &known).lines.joined(separator: "\n")
    }

    /// What the operators below have established about node slots.
    private struct Known {
        /// The label of a node slot bound by a seek or scan on it, or checked by a label filter.
        var labels: [Int: String] = [:]
        /// Node slots bound by an expansion: a label filter on one is assumed to hold (in a Spoor store the
        /// relationship type implies the end's label: TRANSFER joins addresses, SENT and PAID a transaction).
        var expanded: Set<Int> = []
    }

    /// The rows `plan` produces (given `argumentRows` rows for an `Argument`) and its lines, indented below.
    private func estimate(_ plan: PlanNode, argumentRows: Double, known: inout Known) -> (rows: Double, lines: [String]) {
        var childLines: [String] = []
        var inputs: [Double] = []
        var optionalInner: Double?
        for (index, child) in plan.children.enumerated() {
            if case .optional = plan.operation, index == 1 {
                let inner = estimate(child, argumentRows: 1, known: &known)
                optionalInner = inner.rows
                childLines += inner.lines
            } else {
                let result = estimate(child, argumentRows: argumentRows, known: &known)
                inputs.append(result.rows)
                childLines += result.lines
            }
        }
        let input = inputs.first ?? 1
        let rows: Double
        switch plan.operation {
        case .start: rows = 1
        case .argument: rows = argumentRows
        case .nodeIndexSeek(let slot, _, let label, _, _, _):
            if let label { known.labels[slot] = label }
            rows = input
        case .nodeByTagSeek:
            rows = input * ((graph as? any GraphStatistics)?.estimatedNodesPerTag() ?? 10)
        case .nodeByLabelScan(let slot, _, let label):
            known.labels[slot] = label
            rows = input * nodeCount(label)
        case .allNodesScan:
            rows = input * nodeCount(nil)
        case .expand(let expansion):
            rows = input * expansionFactor(expansion, labels: known.labels)
            known.expanded.insert(expansion.to)
        case .frontier(let frontier):
            // Distinct reached nodes: the expansion's rows, filtered, at most every node.
            var reached = input * expansionFactor(frontier.expansion, labels: known.labels)
            for filter in frontier.filters { reached *= selectivity(filter.expression, known: known) }
            rows = min(reached, nodeCount(nil))
            for slot in frontier.outputSlots { known.expanded.insert(slot) }
        case .filter(let predicate, _):
            // The planner keeps a seek's own predicate as a filter right above it: it keeps every row.
            rows = Self.isAnsweredBySeek(predicate, plan.children.first?.operation)
                ? input : input * selectivity(predicate, known: known)
            // Above a label filter the node's label is known (its degree is then that label's average).
            if case .hasLabels(.slot(let slot), let required, _) = predicate, let label = required.first {
                known.labels[slot] = label
            }
        case .optional:
            rows = input * max(1, optionalInner ?? 1)
        case .project, .produceResults, .distinct, .sort, .procedureCall:
            rows = input
        case .unwind(let list, _, _):
            if case .literal(.list(let items)) = list {
                rows = input * Double(items.count)
            } else if case .list(let items) = list {
                rows = input * Double(items.count)
            } else {
                rows = input * 10
            }
        case .aggregate(let keys, _, _):
            rows = keys.isEmpty ? 1 : max(input > 0 ? 1 : 0, input.squareRoot())
        case .skip(let count):
            rows = Self.integer(count).map { max(0, input - Double($0)) } ?? input
        case .limit(let count):
            rows = Self.integer(count).map { min(input, Double(max(0, $0))) } ?? input
        case .union:
            rows = inputs.reduce(0, +)
        }
        let line = plan.operation.summary + "  estimated rows: " + Self.format(rows)
        return (rows, [line] + childLines.map { "  " + $0 })
    }

    private func nodeCount(_ label: String?) -> Double {
        guard let graph else { return label == nil ? 1000 : 100 }
        return Double(graph.estimatedNodeCount(label: label))
    }

    private func relationshipCount(_ types: [String]) -> Double? {
        guard let statistics = graph as? any GraphStatistics else { return nil }
        if types.isEmpty { return Double(statistics.estimatedRelationshipCount(type: nil)) }
        return types.reduce(0) { $0 + Double(statistics.estimatedRelationshipCount(type: $1)) }
    }

    /// Rows out per row in of an expansion: the average degree (relationships of the types over the nodes of the
    /// start node's label, doubled for both directions), raised over the hops of a variable length; for an
    /// expansion into a bound node, that over the end label's node count.
    private func expansionFactor(_ expansion: PlanOperation.Expansion, labels: [Int: String]) -> Double {
        if expansion.shortest != nil { return 1 }
        let nodes = max(1, nodeCount(labels[expansion.from]))
        let degree: Double
        if let relationships = relationshipCount(expansion.types) {
            degree = relationships / nodes * (expansion.direction == .both ? 2 : 1)
        } else {
            degree = 10
        }
        var factor = degree
        if let length = expansion.length {
            let upper = min(length.max ?? max(length.min, 5), 10)
            factor = 0
            if upper >= length.min {
                for hops in length.min...upper { factor += Self.power(degree, hops) }
            }
        }
        if expansion.into { factor /= max(1, nodeCount(labels[expansion.to])) }
        return factor
    }

    private func selectivity(_ predicate: BoundExpression, known: Known) -> Double {
        switch predicate {
        case .hasLabels(.slot(let slot), let required, _):
            if required.allSatisfy({ known.labels[slot] == $0 }) { return 1 }
            if known.labels[slot] == nil, known.expanded.contains(slot) { return 1 }
            let all = max(1, nodeCount(nil))
            return required.map { min(1, nodeCount($0) / all) }.min() ?? 1
        case .hasLabels: return 0.5
        case .binary(.equal, _, _, _): return 0.1
        case .and(let left, let right, _): return selectivity(left, known: known) * selectivity(right, known: known)
        default: return 0.5
        }
    }

    /// Whether `predicate` is what the seek `input` looked up (`n.key = value` under an index seek on `n.key`,
    /// `tag IN n.tags` under a tag seek on `n`).
    private static func isAnsweredBySeek(_ predicate: BoundExpression, _ input: PlanOperation?) -> Bool {
        switch (predicate, input) {
        case (.binary(.equal, let left, let right, _), .nodeIndexSeek(let slot, _, _, let property, _, _)?):
            for side in [left, right] {
                if case .property(.slot(slot), property, _) = side { return true }
            }
            return false
        case (.binary(.inList, _, .property(.slot(let slot), "tags", _), _), .nodeByTagSeek(let seekSlot, _, _, _)?):
            return slot == seekSlot
        default:
            return false
        }
    }

    private static func power(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<max(0, exponent) { result *= base }
        return result
    }

    private static func integer(_ expression: BoundExpression) -> Int64? {
        if case .literal(.integer(let value)) = expression { return value }
        return nil
    }

    /// Whole rows, at least 1 for any non-zero estimate; huge estimates in exponent form.
    static func format(_ rows: Double) -> String {
        guard rows.isFinite else { return "∞" }
        if rows <= 0 { return "0" }
        if rows >= 1e15 { return String(describing: rows.rounded()) }
        return String(Int64(max(1, rows.rounded())))
    }
}
