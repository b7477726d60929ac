/// One operator of a query plan and its inputs: the plan is a tree of these (`children[0]` is the input; an
/// `optional` operator has the inner plan it runs per row as `children[1]`).
struct PlanNode: Sendable, CustomStringConvertible {
    var operation: PlanOperation
    var children: [PlanNode]

    init(_ operation: PlanOperation, _ children: PlanNode...) {
        self.operation = operation
        self.children = children
    }

    /// One operator per line, inputs indented below the operator that consumes them.
    var description: String {
        var lines: [String] = []
        render(into: &lines, indent: 0)
        return lines.joined(separator: "\n")
    }

    private func render(into lines: inout [String], indent: Int) {
        lines.append(String(repeating: "  ", count: indent) + operation.summary)
        for child in children { child.render(into: &lines, indent: indent + 1) }
    }
}

/// What an operator does. `text` fields keep the query text for EXPLAIN.
enum PlanOperation: Sendable {
    /// One empty row: the start of a query.
    case start
    /// The current outer row (inside `optional`).
    case argument
    case nodeIndexSeek(slot: Int, name: String, label: String?, property: String, value: BoundExpression, valueText: String)
    case nodeByTagSeek(slot: Int, name: String, tag: BoundExpression, tagText: String)
    case nodeByLabelScan(slot: Int, name: String, label: String)
    case allNodesScan(slot: Int, name: String)
    case expand(Expansion)
    /// The distinct nodes reached from the input rows' nodes: one hop, or breadth-first levels of a variable-length
    /// run (see ``FrontierSource``). Replaces `Expand` + filters on the reached node + `Distinct` (or the input of an
    /// aggregate that only counts distinct reached nodes) when the relationship is never read.
    case frontier(Frontier)
    case filter(BoundExpression, text: String)
    case optional(nullSlots: [Int])
    case project([(slot: Int, expression: BoundExpression, name: String)])
    case unwind(BoundExpression, slot: Int, name: String)
    case aggregate(keys: [(slot: Int, expression: BoundExpression, name: String)], aggregates: [BoundProjection.Aggregate], outputs: [(slot: Int, expression: BoundExpression, name: String)])
    case distinct(slots: [Int], names: [String])
    case sort([(expression: BoundExpression, descending: Bool, text: String)])
    case skip(BoundExpression)
    case limit(BoundExpression)
    case produceResults(slots: [Int], columns: [String])
    /// Rows of every child in turn, each child's `sources[i]` slots copied to `target` (UNION ALL; UNION adds Distinct).
    case union(all: Bool, sources: [[Int]], target: [Int])
    /// `CALL proc(args) YIELD …`: one row per result row of the procedure, per input row.
    case procedureCall(BoundCall)

    /// One relationship hop (or a variable-length run of hops).
    struct Expansion: Sendable {
        var from: Int
        var relationship: Int
        var to: Int
        var direction: ExpandDirection
        var types: [String]
        var length: (min: Int, max: Int?)?
        /// `to` is already bound: keep only expansions that reach it.
        var into: Bool
        /// The relationship variable was bound by an earlier clause: keep only that relationship.
        var relationshipBound: Bool
        /// Relationship slots bound earlier in the same MATCH: the new relationship must differ from them.
        var distinctFrom: [Int]
        var fromName: String
        var relationshipName: String
        var toName: String
        /// `shortestPath` / `allShortestPaths` between two bound nodes (breadth-first, both sides).
        var shortest: ShortestKind? = nil
        /// The expansion runs from the pattern's right node to its left one: a relationship list is reversed into
        /// pattern order.
        var reversed = false
        /// The relationship (list) slot is never read and the pattern has no other relationship, so no
        /// relationship-uniqueness check involves it: a single hop may expand through
        /// ``GraphAccess/appendNeighbors(of:direction:types:to:)`` and leave the slot null.
        var relationshipUnread = false

        /// A single hop that lists neighbours instead of relationships.
        var neighborsOnly: Bool { relationshipUnread && length == nil && shortest == nil && !relationshipBound }
    }

    /// A frontier step: the expansion (one hop when `length` is `nil`), the filters on the reached node that were
    /// above it, and every slot the reached node is written to (its own and the projected alias).
    struct Frontier: Sendable {
        var expansion: Expansion
        var filters: [(expression: BoundExpression, text: String)]
        var outputSlots: [Int]
    }

    var summary: String {
        switch self {
        case .start: return "Start"
        case .argument: return "Argument"
        case .nodeIndexSeek(_, let name, let label, let property, _, let valueText):
            return "NodeIndexSeek (\(name)\(label.map { ":" + $0 } ?? "") {\(property): \(valueText)})"
        case .nodeByTagSeek(_, let name, _, let tagText): return "NodeByTagSeek (\(name)) \(tagText)"
        case .nodeByLabelScan(_, let name, let label): return "NodeByLabelScan (\(name):\(label))"
        case .allNodesScan(_, let name): return "AllNodesScan (\(name))"
        case .expand(let e):
            let types = e.types.isEmpty ? "" : ":" + e.types.joined(separator: "|")
            var length = ""
            if let bounds = e.length { length = "*\(bounds.min)..\(bounds.max.map(String.init) ?? "")" }
            let left = e.direction == .incoming ? "<-" : "-"
            let right = e.direction == .outgoing ? "->" : "-"
            if let shortest = e.shortest {
                return "\(shortest == .single ? "ShortestPath" : "AllShortestPaths") (\(e.fromName))\(left)[\(e.relationshipName)\(types)\(length)]\(right)(\(e.toName))"
            }
            let name = e.into ? "Expand(Into)" : (e.length == nil ? (e.neighborsOnly ? "Expand(Neighbors)" : "Expand(All)") : "VarLengthExpand(All)")
            return "\(name) (\(e.fromName))\(left)[\(e.relationshipName)\(types)\(length)]\(right)(\(e.toName))"
        case .frontier(let f):
            let e = f.expansion
            let types = e.types.isEmpty ? "" : ":" + e.types.joined(separator: "|")
            var length = ""
            if let bounds = e.length { length = "*\(bounds.min)..\(bounds.max.map(String.init) ?? "")" }
            let left = e.direction == .incoming ? "<-" : "-"
            let right = e.direction == .outgoing ? "->" : "-"
            let name = e.length == nil ? "FrontierExpand(Distinct)" : "BreadthFirstReach(Distinct)"
            let filters = f.filters.isEmpty ? "" : " WHERE " + f.filters.map(\.text).joined(separator: " AND ")
            return "\(name) (\(e.fromName))\(left)[\(types)\(length)]\(right)(\(e.toName))\(filters)"
        case .filter(_, let text): return "Filter \(text)"
        case .optional: return "Optional"
        case .project(let items): return "Projection " + items.map(\.name).joined(separator: ", ")
        case .unwind(_, _, let name): return "Unwind AS \(name)"
        case .aggregate(let keys, let aggregates, _):
            return "EagerAggregation keys: [\(keys.map(\.name).joined(separator: ", "))] aggregates: [\(aggregates.map(\.text).joined(separator: ", "))]"
        case .distinct(_, let names): return "Distinct " + names.joined(separator: ", ")
        case .sort(let keys): return "Sort " + keys.map { $0.text + ($0.descending ? " DESC" : "") }.joined(separator: ", ")
        case .skip: return "Skip"
        case .limit: return "Limit"
        case .produceResults(_, let columns): return "ProduceResults " + columns.joined(separator: ", ")
        case .union(let all, _, _): return all ? "UnionAll" : "Union"
        case .procedureCall(let call):
            return "ProcedureCall \(call.procedure.name)" + (call.yields.isEmpty ? "" : " YIELD " + call.yields.map(\.name).joined(separator: ", "))
        }
    }
}
