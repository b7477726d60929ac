/// Frontier planning: where a pattern's relationship is never read, expansions list neighbours, and a `DISTINCT`
/// (or distinct-only aggregate) over the reached node becomes one set-at-a-time operator.
extension Planner {
    /// The frontier plan of a projection over `input`, or `nil` when the projection and its input do not fit.
    ///
    /// It fits when `input` is an expansion (one hop, or a directed variable-length run with minimum 0 or 1) whose
    /// relationship is unread and alone in its pattern (``PlanOperation/Expansion/relationshipUnread``), not into a
    /// bound node, followed only by filters that read nothing but the reached node; and the projection is either
    /// `DISTINCT` of that node alone (`WITH DISTINCT b`, `RETURN DISTINCT b`, any ORDER BY / SKIP / LIMIT / WHERE
    /// reading only it), or an aggregation without grouping keys whose aggregates are all `count`, `sum`, `min`,
    /// `max` or `avg` with `DISTINCT` over an expression of the reached node alone (`count(DISTINCT d)`). In both
    /// cases the result depends only on the set of reached nodes that pass the filters, which is what
    /// ``FrontierSource`` computes; every other slot of its rows is null, which is right because the projection
    /// ends the scope of every other variable.
    func frontierPlan(_ projection: BoundProjection, input: PlanNode) -> PlanNode? {
        guard readSlots != nil else { return nil }
        var node = input
        var filters: [(expression: BoundExpression, text: String)] = []
        while case .filter(let expression, let text) = node.operation, node.children.count == 1 {
            filters.insert((expression, text), at: 0)
            node = node.children[0]
        }
        guard case .expand(let expansion) = node.operation, node.children.count == 1,
            Self.isFrontierEligible(expansion)
        else { return nil }
        let target = expansion.to
        guard filters.allSatisfy({ $0.expression.slots.isSubset(of: [target]) }) else { return nil }
        var outputSlots = [target]
        if projection.isAggregating {
            let allowed: Set<BoundProjection.Aggregate.Kind> = [.count, .sum, .min, .max, .avg]
            guard !projection.aggregates.isEmpty, projection.items.allSatisfy(\.containsAggregate),
                projection.items.allSatisfy({ $0.expression.slots.isEmpty }),
                projection.aggregates.allSatisfy({ aggregate in
                    aggregate.distinct && allowed.contains(aggregate.kind)
                        && (aggregate.argument?.slots.isSubset(of: [target]) ?? false)
                })
            else { return nil }
        } else {
            guard projection.distinct, projection.items.count == 1, case .slot(target) = projection.items[0].expression
            else { return nil }
            let item = projection.items[0].slot
            if item != target { outputSlots.append(item) }
            var read = Set<Int>()
            for key in projection.orderBy { key.expression.collectSlots(into: &read) }
            projection.skip?.collectSlots(into: &read)
            projection.limit?.collectSlots(into: &read)
            projection.predicate?.expression.collectSlots(into: &read)
            guard read.isSubset(of: Set(outputSlots)) else { return nil }
        }
        return PlanNode(.frontier(.init(expansion: expansion, filters: filters, outputSlots: outputSlots)), node.children[0])
    }

    /// Whether the set of nodes an expansion reaches can be computed without its relationships: see
    /// ``FrontierSource`` for why breadth-first levels give path enumeration's set of ends for a directed run with
    /// minimum length 0 or 1 (an undirected run keeps path enumeration).
    static func isFrontierEligible(_ expansion: PlanOperation.Expansion) -> Bool {
        guard expansion.relationshipUnread, !expansion.relationshipBound, expansion.shortest == nil, !expansion.into,
            expansion.distinctFrom.isEmpty
        else { return false }
        guard let bounds = expansion.length else { return true }
        return bounds.min >= 0 && bounds.min <= 1 && expansion.direction != .both
    }

    /// Every slot something in the query reads after binding it: predicates, named paths, relationships reused by a
    /// later pattern, projections (items, aggregate arguments, ORDER BY, SKIP, LIMIT, WHERE), UNWIND and CALL
    /// arguments, in every part of a UNION.
    static func slotsRead(by query: BoundQuery) -> Set<Int> {
        var slots = Set(query.outputSlots)
        for steps in [query.steps] + query.unions.map(\.steps) {
            for step in steps {
                switch step {
                case .match(let match):
                    for predicate in match.predicates { slots.formUnion(predicate.slots) }
                    for path in match.paths { path.expression.collectSlots(into: &slots) }
                    for relationship in match.relationships where relationship.boundBefore { slots.insert(relationship.slot) }
                case .unwind(let expression, _):
                    expression.collectSlots(into: &slots)
                case .projection(let projection):
                    for item in projection.items { item.expression.collectSlots(into: &slots) }
                    for aggregate in projection.aggregates { aggregate.argument?.collectSlots(into: &slots) }
                    for key in projection.orderBy { key.expression.collectSlots(into: &slots) }
                    projection.skip?.collectSlots(into: &slots)
                    projection.limit?.collectSlots(into: &slots)
                    projection.predicate?.expression.collectSlots(into: &slots)
                case .call(let call):
                    for argument in call.arguments { argument.collectSlots(into: &slots) }
                    call.predicate?.expression.collectSlots(into: &slots)
                }
            }
        }
        for union in query.unions { slots.formUnion(union.outputSlots) }
        return slots
    }
}
