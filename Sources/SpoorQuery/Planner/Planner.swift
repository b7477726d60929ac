/// Optional capability of a graph: which property indexes it has, so the planner can prefer them.
public protocol GraphIndexCatalog: AnyObject {
    /// Whether `lookupNodes(label:property:value:)` answers for `label` and `property` through an index.
    func hasIndex(label: String?, property: String) -> Bool
}

/// Turns a bound query into a plan tree. For each pattern it starts from the most selective anchor (index seek, tag
/// seek, smallest label, all nodes), expands outward and places each WHERE conjunct right after the operator that
/// binds its last variable.
struct Planner {
    /// Indexes every Spoor store has.
    static let storeIndexes: Set<String> = ["Address.address", "Transaction.txid"]

    let graph: (any GraphAccess)?
    /// Every slot some expression, path or later pattern of the query reads; `nil` while unknown (a pattern
    /// predicate planned on its own), and then no relationship counts as unread.
    var readSlots: Set<Int>? = nil

    /// Set in tests to plan every expansion as relationships and every variable-length pattern as path enumeration
    /// (no neighbours-only expansion, no frontier operators): the reference the frontier plans are checked against.
    @TaskLocal static var frontierDisabled = false

    init(graph: (any GraphAccess)?) { self.graph = graph }

    func plan(_ query: BoundQuery) -> PlanNode {
        var planner = self
        planner.readSlots = Planner.frontierDisabled ? nil : Self.slotsRead(by: query)
        return planner.planQuery(query)
    }

    private func planQuery(_ query: BoundQuery) -> PlanNode {
        var plan = planSteps(query.steps)
        if let first = query.unions.first {
            var union = PlanNode(.union(all: first.all, sources: [query.outputSlots] + query.unions.map(\.outputSlots), target: query.outputSlots))
            union.children = [plan] + query.unions.map { planSteps($0.steps) }
            plan = first.all ? union : PlanNode(.distinct(slots: query.outputSlots, names: query.columns), union)
        }
        return PlanNode(.produceResults(slots: query.outputSlots, columns: query.columns), plan)
    }

    private func planSteps(_ steps: [BoundStep]) -> PlanNode {
        var plan = PlanNode(.start)
        for step in steps {
            switch step {
            case .match(let match):
                if match.optional {
                    let inner = planMatch(match, input: PlanNode(.argument))
                    plan = PlanNode(.optional(nullSlots: match.introduced), plan, inner)
                } else {
                    plan = planMatch(match, input: plan)
                }
            case .unwind(let expression, let slot):
                plan = PlanNode(.unwind(expression, slot: slot, name: "slot\(slot)"), plan)
            case .projection(let projection):
                plan = planProjection(projection, input: plan)
            case .call(let call):
                plan = PlanNode(.procedureCall(call), plan)
                if let predicate = call.predicate { plan = PlanNode(.filter(predicate.expression, text: predicate.text), plan) }
            }
        }
        return plan
    }

    // MARK: MATCH

    private enum Anchor {
        case index(label: String?, property: String, value: BoundExpression, text: String)
        case tag(BoundExpression, text: String)
        case label(String)
        case all
    }

    private func hasIndex(label: String?, property: String) -> Bool {
        if let catalog = graph as? any GraphIndexCatalog { return catalog.hasIndex(label: label, property: property) }
        guard let label else { return false }
        return Planner.storeIndexes.contains("\(label).\(property)")
    }

    /// The best way to start at `node` with the slots in `bound` available, and its rank (lower is better) and cost.
    private func anchor(for node: BoundMatch.Node, predicates: [BoundMatch.Predicate], bound: Set<Int>) -> (Anchor, rank: Int, cost: Int) {
        var best: (Anchor, rank: Int, cost: Int)?
        func consider(_ candidate: (Anchor, rank: Int, cost: Int)) {
            if let current = best, (current.rank, current.cost) <= (candidate.rank, candidate.cost) { return }
            best = candidate
        }
        for predicate in predicates {
            switch predicate.expression {
            case .binary(.equal, let left, let right, _):
                for (side, other) in [(left, right), (right, left)] {
                    guard case .property(.slot(let slot), let key, _) = side, slot == node.slot, other.slots.isSubset(of: bound) else { continue }
                    let valueText = predicate.text.split(separator: "=", maxSplits: 1).last.map { $0.trimmingSpaces } ?? ""
                    let labels: [String?] = node.labels.isEmpty ? [nil] : node.labels
                    for label in labels {
                        let indexed = hasIndex(label: label, property: key)
                        consider((.index(label: label, property: key, value: other, text: valueText), indexed ? 0 : 2, 0))
                    }
                }
            case .binary(.inList, let element, .property(.slot(let slot), "tags", _), _)
            where slot == node.slot && element.slots.isSubset(of: bound):
                consider((.tag(element, text: predicate.text), 1, 0))
            default:
                break
            }
        }
        for label in node.labels {
            consider((.label(label), 3, graph?.estimatedNodeCount(label: label) ?? Int.max / 2))
        }
        consider((.all, 4, graph?.estimatedNodeCount(label: nil) ?? Int.max))
        return best ?? (.all, 4, Int.max)
    }

    /// The plan of a pattern predicate: the match over the current row (an `Argument`).
    func planExistence(_ match: BoundMatch) -> PlanNode { planMatch(match, input: PlanNode(.argument)) }

    private func planMatch(_ match: BoundMatch, input: PlanNode) -> PlanNode {
        var plan = input
        var bound = match.boundBefore
        var pending = match.predicates
        // Labels of nodes become predicates; an operator that already guarantees a label drops it.
        var labelChecks: [Int: [String]] = [:]
        for node in match.nodes where !node.labels.isEmpty { labelChecks[node.slot] = node.labels }
        var remaining = match.relationships
        var unboundNodes = match.nodes.filter { !bound.contains($0.slot) }
        var matchedRelationships: [Int] = []

        func attachFilters() {
            for (slot, labels) in labelChecks where bound.contains(slot) {
                let name = match.names[slot] ?? "?"
                plan = PlanNode(.filter(.hasLabels(.slot(slot), labels: labels, SourceRange(start: 0, end: 0)), text: "\(name):\(labels.joined(separator: ":"))"), plan)
                labelChecks[slot] = nil
            }
            var kept: [BoundMatch.Predicate] = []
            for predicate in pending {
                if predicate.slots.isSubset(of: bound) {
                    plan = PlanNode(.filter(predicate.expression, text: predicate.text), plan)
                } else {
                    kept.append(predicate)
                }
            }
            pending = kept
        }

        attachFilters()
        while !remaining.isEmpty || !unboundNodes.isEmpty {
            // 1. Expand a relationship that touches a bound node (prefer both ends bound, then single hops).
            let candidates = remaining.enumerated().filter { candidate in
                let r = candidate.element
                return r.shortest == nil ? bound.contains(r.from) || bound.contains(r.to) : bound.contains(r.from) && bound.contains(r.to)
            }
            let chosen = candidates.min { lhs, rhs in
                func score(_ r: BoundMatch.Relationship) -> Int {
                    (bound.contains(r.from) && bound.contains(r.to) ? 0 : 2) + (r.length == nil ? 0 : 1)
                }
                return score(lhs.element) < score(rhs.element)
            }
            if let (index, relationship) = chosen {
                remaining.remove(at: index)
                let forward = bound.contains(relationship.from)
                let from = forward ? relationship.from : relationship.to
                let to = forward ? relationship.to : relationship.from
                var direction = relationship.direction
                if !forward {
                    direction = direction == .outgoing ? .incoming : (direction == .incoming ? .outgoing : .both)
                }
                let expansion = PlanOperation.Expansion(
                    from: from, relationship: relationship.slot, to: to, direction: direction, types: relationship.types,
                    length: relationship.length, into: bound.contains(to), relationshipBound: relationship.boundBefore,
                    distinctFrom: matchedRelationships, fromName: match.names[from] ?? "?",
                    relationshipName: match.names[relationship.slot] ?? "?", toName: match.names[to] ?? "?",
                    shortest: relationship.shortest, reversed: !forward,
                    relationshipUnread: match.relationships.count == 1 && readSlots.map { !$0.contains(relationship.slot) } == true)
                plan = PlanNode(.expand(expansion), plan)
                matchedRelationships.append(relationship.slot)  // a bound relationship is part of this pattern too
                bound.insert(relationship.slot)
                bound.insert(to)
                unboundNodes.removeAll { $0.slot == to }
                attachFilters()
                continue
            }
            // 2. Start a new component at its most selective node.
            let ranked = unboundNodes.enumerated().map { ($0.offset, anchor(for: $0.element, predicates: pending, bound: bound)) }
            guard let (index, best) = ranked.min(by: { ($0.1.rank, $0.1.cost, $0.0) < ($1.1.rank, $1.1.cost, $1.0) }) else { break }
            let node = unboundNodes.remove(at: index)
            let name = match.names[node.slot] ?? "?"
            switch best.0 {
            case .index(let label, let property, let value, let text):
                plan = PlanNode(.nodeIndexSeek(slot: node.slot, name: name, label: label, property: property, value: value, valueText: text), plan)
                if let label { labelChecks[node.slot]?.removeAll { $0 == label } }
            case .tag(let tag, let text):
                plan = PlanNode(.nodeByTagSeek(slot: node.slot, name: name, tag: tag, tagText: text), plan)
            case .label(let label):
                plan = PlanNode(.nodeByLabelScan(slot: node.slot, name: name, label: label), plan)
                labelChecks[node.slot]?.removeAll { $0 == label }
            case .all:
                plan = PlanNode(.allNodesScan(slot: node.slot, name: name), plan)
            }
            if labelChecks[node.slot]?.isEmpty == true { labelChecks[node.slot] = nil }
            bound.insert(node.slot)
            attachFilters()
        }
        // Everything is bound now: the named paths are built, then whatever predicates are left (those reading a
        // path, `WHERE length(p) = 1`) filter them.
        if !match.paths.isEmpty {
            plan = PlanNode(.project(match.paths.map { ($0.slot, $0.expression, match.names[$0.slot] ?? "path") }), plan)
        }
        for predicate in pending { plan = PlanNode(.filter(predicate.expression, text: predicate.text), plan) }
        return plan
    }

    // MARK: WITH / RETURN

    private func planProjection(_ projection: BoundProjection, input: PlanNode) -> PlanNode {
        var plan = input
        var needsDistinct = projection.distinct
        if let frontier = frontierPlan(projection, input: input) {
            plan = frontier
            if projection.isAggregating {
                let outputs = projection.items.map { ($0.slot, $0.expression, $0.name) }
                plan = PlanNode(.aggregate(keys: [], aggregates: projection.aggregates, outputs: outputs), plan)
            } else {
                needsDistinct = false  // the frontier's rows are already distinct and carry the projected slot
            }
        } else if projection.isAggregating {
            let keys = projection.items.filter { !$0.containsAggregate }.map { ($0.slot, $0.expression, $0.name) }
            let outputs = projection.items.filter(\.containsAggregate).map { ($0.slot, $0.expression, $0.name) }
            plan = PlanNode(.aggregate(keys: keys, aggregates: projection.aggregates, outputs: outputs), plan)
        } else {
            plan = PlanNode(.project(projection.items.map { ($0.slot, $0.expression, $0.name) }), plan)
        }
        if needsDistinct {
            plan = PlanNode(.distinct(slots: projection.items.map(\.slot), names: projection.items.map(\.name)), plan)
        }
        if !projection.orderBy.isEmpty { plan = PlanNode(.sort(projection.orderBy), plan) }
        if let skip = projection.skip { plan = PlanNode(.skip(skip), plan) }
        if let limit = projection.limit { plan = PlanNode(.limit(limit), plan) }
        if let predicate = projection.predicate { plan = PlanNode(.filter(predicate.expression, text: predicate.text), plan) }
        return plan
    }
}

extension Substring {
    var trimmingSpaces: String {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}

