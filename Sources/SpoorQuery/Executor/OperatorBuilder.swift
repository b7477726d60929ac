/// Builds the iterator tree for a plan.
enum OperatorBuilder {
    static func build(
        _ plan: PlanNode, context: ExecutionContext, width: Int, argument: ArgumentSource? = nil,
        procedures: ProcedureRegistry = .standard, profile parent: OperatorProfile? = nil, sortBound: SortBound? = nil
    ) -> any RowSource {
        let stats = parent.map { parent in
            let stats = OperatorProfile(plan.operation.summary, reads: parent.graph)
            parent.children.append(stats)
            return stats
        }
        let source = buildOperator(
            plan, context: context, width: width, argument: argument, procedures: procedures, profile: stats, sortBound: sortBound)
        guard let stats else { return source }
        return ProfiledSource(source, stats: stats)
    }

    private static func buildOperator(
        _ plan: PlanNode, context: ExecutionContext, width: Int, argument: ArgumentSource?,
        procedures: ProcedureRegistry, profile: OperatorProfile?, sortBound: SortBound?
    ) -> any RowSource {
        func input(_ index: Int = 0, _ argument: ArgumentSource? = argument, sortBound: SortBound? = nil) -> any RowSource {
            guard index < plan.children.count else { return StartSource(width: width) }
            return build(
                plan.children[index], context: context, width: width, argument: argument, procedures: procedures,
                profile: profile, sortBound: sortBound)
        }
        /// What a `SKIP`/`LIMIT` passes down: the bound, when its input is a sort (or a `SKIP` on one).
        func boundForInput(_ bound: SortBound) -> SortBound? {
            guard let child = plan.children.first else { return nil }
            switch child.operation {
            case .sort: return bound
            case .skip where bound.skip == nil: return bound
            default: return nil
            }
        }
        switch plan.operation {
        case .union(_, let sources, let target):
            let inputs = plan.children.indices.map { input($0) }
            return UnionSource(inputs: inputs, sources: sources, target: target, width: width)
        case .procedureCall(let call):
            let procedure = procedures.procedure(named: call.procedure.name) ?? call.procedure
            return ProcedureCallSource(input: input(), call: call, procedure: procedure, procedures: procedures, context: context)
        case .start:
            return StartSource(width: width)
        case .argument:
            return argument ?? StartSource(width: width)
        case .nodeIndexSeek(let slot, _, let label, let property, let value, _):
            return NodeSource(input: input(), slot: slot, access: .index(label: label, property: property, value: value), context: context)
        case .nodeByTagSeek(let slot, _, let tag, _):
            return NodeSource(input: input(), slot: slot, access: .tag(tag), context: context)
        case .nodeByLabelScan(let slot, _, let label):
            return NodeSource(input: input(), slot: slot, access: .label(label), context: context)
        case .allNodesScan(let slot, _):
            return NodeSource(input: input(), slot: slot, access: .all, context: context)
        case .expand(let spec):
            return ExpandSource(input: input(), spec: spec, context: context)
        case .frontier(let spec):
            return FrontierSource(input: input(), spec: spec, context: context, width: width)
        case .filter(let predicate, _):
            return FilterSource(input: input(), predicate: predicate, context: context)
        case .optional(let nullSlots):
            let innerArgument = ArgumentSource()
            let inner = input(1, innerArgument)
            return OptionalSource(input: input(), argument: innerArgument, inner: inner, nullSlots: nullSlots)
        case .project(let items):
            return ProjectSource(input: input(), items: items, context: context)
        case .unwind(let expression, let slot, _):
            return UnwindSource(input: input(), expression: expression, slot: slot, context: context)
        case .aggregate(let keys, let aggregates, let outputs):
            return AggregateSource(input: input(), keys: keys, aggregates: aggregates, outputs: outputs, context: context, width: width)
        case .distinct(let slots, _):
            return DistinctSource(input: input(), slots: slots)
        case .sort(let keys):
            return SortSource(input: input(), keys: keys, bound: sortBound, context: context)
        case .skip(let count):
            // Only a LIMIT directly above makes a bound (SKIP alone needs every row).
            let bound = sortBound.flatMap { $0.skip == nil ? boundForInput(SortBound(skip: count, limit: $0.limit)) : nil }
            return SkipLimitSource(input: input(sortBound: bound), isLimit: false, count: count, context: context)
        case .limit(let count):
            return SkipLimitSource(
                input: input(sortBound: boundForInput(SortBound(skip: nil, limit: count))), isLimit: true, count: count,
                context: context)
        case .produceResults:
            return input()
        }
    }
}
