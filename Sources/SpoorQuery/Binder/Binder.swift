/// Resolves names: assigns every variable a row slot, checks that variables are defined and used as what they are,
/// resolves functions and extracts aggregates. Errors carry the range of the offending name.
struct Binder {
    enum VariableKind: String { case node, relationship, relationshipList = "relationship list", path, value }

    struct Variable {
        var slot: Int
        var kind: VariableKind
        /// For a `.value` projected by WITH: its type when known at compile time (a literal, a list, a map, …).
        var valueType: StaticType? = nil
    }

    private let bytes: [UInt8]
    private var slotCount = 0
    private var scope: [String: Variable] = [:]
    private var parameters: [String: SourceRange] = [:]
    /// Where aggregates go while binding projection items; `nil` where aggregates are not allowed.
    private var aggregateSink: [BoundProjection.Aggregate]?
    private var aggregateContext = "here"
    private var insideAggregate = false
    private var procedures = ProcedureRegistry.standard

    init(source: String) { bytes = Array(source.utf8) }

    static func bind(_ statement: QueryStatement, source: String, procedures: ProcedureRegistry = .standard) throws(QueryError) -> BoundQuery {
        var binder = Binder(source: source)
        binder.procedures = procedures
        return try binder.bindQuery(statement)
    }

    private func text(_ range: SourceRange) -> String {
        let start = max(0, min(range.start, bytes.count))
        return String(decoding: bytes[start..<max(start, min(range.end, bytes.count))], as: UTF8.self)
    }

    private mutating func newSlot() -> Int {
        defer { slotCount += 1 }
        return slotCount
    }

    private func semantic(_ message: String, _ range: SourceRange) -> QueryError { QueryError(.semantic, message, at: range) }

    // MARK: Query

    private mutating func bindQuery(_ statement: QueryStatement) throws(QueryError) -> BoundQuery {
        let first = try bindSingle(statement.clauses)
        var unions: [(all: Bool, steps: [BoundStep], outputSlots: [Int])] = []
        for part in statement.unions {
            if let previous = statement.unions.first, previous.all != part.all {
                throw semantic("cannot mix UNION and UNION ALL in one query", part.range)
            }
            scope = [:]
            let bound = try bindSingle(part.clauses)
            guard bound.columns == first.columns else {
                throw semantic("all queries in a UNION must return the same column names: [\(first.columns.joined(separator: ", "))] before UNION, [\(bound.columns.joined(separator: ", "))] after it", part.range)
            }
            unions.append((part.all, bound.steps, bound.outputSlots))
        }
        return BoundQuery(
            steps: first.steps, slotCount: slotCount, columns: first.columns, outputSlots: first.outputSlots, parameters: parameters,
            explain: statement.explain, profile: statement.profile, unions: unions)
    }

    private mutating func bindSingle(_ clauses: [Clause]) throws(QueryError) -> (steps: [BoundStep], columns: [String], outputSlots: [Int]) {
        var steps: [BoundStep] = []
        var columns: [String] = []
        var outputSlots: [Int] = []
        for clause in clauses {
            switch clause {
            case .match(let match):
                steps.append(.match(try bindMatch(match)))
            case .unwind(let unwind):
                let expression = try bindExpression(unwind.expression)
                if scope[unwind.variable] != nil {
                    throw semantic("variable '\(unwind.variable)' is already defined", unwind.variableRange)
                }
                let slot = newSlot()
                scope[unwind.variable] = Variable(slot: slot, kind: .value)
                steps.append(.unwind(expression, slot: slot))
            case .with(let projection):
                steps.append(.projection(try bindProjection(projection, isReturn: false)))
            case .returnClause(let projection):
                let bound = try bindProjection(projection, isReturn: true)
                columns = bound.items.map(\.name)
                outputSlots = bound.items.map(\.slot)
                steps.append(.projection(bound))
            case .call(let call):
                let standalone = clauses.count == 1
                let bound = try bindCall(call, standalone: standalone)
                if standalone {
                    columns = bound.yields.map(\.name)
                    outputSlots = bound.yields.map(\.slot)
                }
                steps.append(.call(bound))
            }
        }
        return (steps, columns, outputSlots)
    }

    // MARK: Pattern predicates

    private mutating func bindPatternPredicate(_ part: PatternPart) throws(QueryError) -> BoundExpression {
        for node in part.nodes {
            if let name = node.variable, scope[name] == nil {
                throw semantic("a pattern predicate cannot introduce the new variable '\(name)'; match it in MATCH first", node.variableRange ?? part.range)
            }
        }
        for relationship in part.relationships {
            if let name = relationship.variable, scope[name] == nil {
                throw semantic("a pattern predicate cannot introduce the new variable '\(name)'; match it in MATCH first", relationship.variableRange ?? part.range)
            }
        }
        if part.pathVariable != nil || part.shortest != nil {
            throw semantic("a pattern predicate cannot name a path or use shortestPath", part.range)
        }
        let saved = scope
        let match = try bindMatch(MatchClause(optional: false, patterns: [part], predicate: nil, range: part.range))
        scope = saved
        var outer = Set<Int>()
        let inScope = Set(saved.values.map(\.slot))
        for node in match.nodes where inScope.contains(node.slot) { outer.insert(node.slot) }
        for relationship in match.relationships where inScope.contains(relationship.slot) { outer.insert(relationship.slot) }
        for predicate in match.predicates { outer.formUnion(predicate.slots.intersection(inScope)) }
        return .patternExists(PatternExistence(match: match, outerSlots: outer), part.range)
    }

    // MARK: CALL

    private mutating func bindCall(_ call: CallClause, standalone: Bool) throws(QueryError) -> BoundCall {
        guard let procedure = procedures.procedure(named: call.name) else {
            throw semantic("unknown procedure '\(call.name)'; CALL spoor.procedures() lists the procedures", call.nameRange)
        }
        var arguments: [BoundExpression] = []
        if let written = call.arguments {
            guard written.count == procedure.parameters.count else {
                let expected = procedure.parameters.map { "\($0.name) :: \($0.type.rawValue)" }.joined(separator: ", ")
                throw semantic("\(procedure.name)(\(expected)) takes \(procedure.parameters.count) argument\(procedure.parameters.count == 1 ? "" : "s"), found \(written.count)", call.range)
            }
            for (argument, parameter) in zip(written, procedure.parameters) {
                let bound = try bindExpression(argument)
                if case .literal(let value) = bound, !parameter.type.accepts(value) {
                    throw semantic("type mismatch: argument '\(parameter.name)' of \(procedure.name) expects \(parameter.type.rawValue), found \(value.typeName)", argument.range)
                }
                arguments.append(bound)
            }
        } else {
            guard standalone else {
                throw semantic("CALL \(procedure.name) inside a query needs its arguments in parentheses", call.nameRange)
            }
            for parameter in procedure.parameters {
                if parameters[parameter.name] == nil { parameters[parameter.name] = call.nameRange }
                arguments.append(.parameter(parameter.name, call.nameRange))
            }
        }
        var yields: [(column: Int, slot: Int, name: String)] = []
        var items: [(column: Int, name: String, range: SourceRange)] = []
        if let written = call.yields {
            for item in written {
                guard let column = procedure.outputs.firstIndex(where: { $0.name == item.name }) else {
                    throw semantic("procedure \(procedure.name) has no result column '\(item.name)'; it yields \(procedure.outputs.map(\.name).joined(separator: ", "))", item.nameRange)
                }
                items.append((column, item.alias ?? item.name, item.aliasRange ?? item.nameRange))
            }
        } else if call.yieldStar, !standalone {
            throw QueryError(.syntax, "YIELD * is only allowed in a standalone CALL; name the result columns", at: call.range)
        } else if call.yieldStar || standalone {
            for (column, output) in procedure.outputs.enumerated() { items.append((column, output.name, call.range)) }
        } else if !procedure.outputs.isEmpty {
            throw semantic("CALL \(procedure.name) inside a query must name its result columns with YIELD", call.range)
        }
        for item in items {
            if scope[item.name] != nil { throw semantic("variable '\(item.name)' is already defined", item.range) }
            let slot = newSlot()
            let kind: VariableKind
            switch procedure.outputs[item.column].type {
            case .node: kind = .node
            case .relationship: kind = .relationship
            case .path: kind = .path
            default: kind = .value
            }
            scope[item.name] = Variable(slot: slot, kind: kind)
            yields.append((item.column, slot, item.name))
        }
        var predicate: (expression: BoundExpression, text: String)?
        if let written = call.predicate {
            aggregateContext = "in WHERE"
            predicate = (try bindExpression(written), text(written.range))
        }
        return BoundCall(
            procedure: procedure, arguments: arguments, yields: yields, predicate: predicate, range: call.nameRange,
            passThrough: !standalone && procedure.outputs.isEmpty)
    }

    // MARK: MATCH

    private mutating func bindMatch(_ clause: MatchClause) throws(QueryError) -> BoundMatch {
        let boundBefore = Set(scope.values.map(\.slot))
        var nodes: [BoundMatch.Node] = []
        var nodeIndex: [Int: Int] = [:]
        var relationships: [BoundMatch.Relationship] = []
        var introduced: [Int] = []
        var names: [Int: String] = [:]
        var pendingProperties: [(slot: Int, entries: [MapEntry], isNode: Bool)] = []
        var paths: [(slot: Int, start: Int, relationships: [Int], name: String, range: SourceRange)] = []
        var relationshipNamesInClause: Set<String> = []

        func declare(_ name: String?, range: SourceRange?, kind: VariableKind, binder: inout Binder) throws(QueryError) -> (slot: Int, isNew: Bool) {
            guard let name else {
                let slot = binder.newSlot()
                return (slot, true)
            }
            if let existing = binder.scope[name] {
                let compatible = existing.kind == kind || existing.kind == .value
                    || (kind == .relationship && existing.kind == .relationshipList)
                if existing.kind == .value, let type = existing.valueType, type != .null,
                    !(type == .list && kind == .relationshipList), type != (kind == .node ? .node : .relationship) {
                    throw binder.semantic("variable '\(name)' is already bound to a \(type.name), so it cannot be used as a \(kind.rawValue)", range ?? clause.range)
                }
                guard compatible else {
                    throw binder.semantic("variable '\(name)' is already bound to a \(existing.kind.rawValue), so it cannot be used as a \(kind.rawValue)", range ?? clause.range)
                }
                return (existing.slot, false)
            }
            let slot = binder.newSlot()
            binder.scope[name] = Variable(slot: slot, kind: kind)
            return (slot, true)
        }

        for part in clause.patterns {
            var nodeSlots: [Int] = []
            for node in part.nodes {
                let (slot, isNew) = try declare(node.variable, range: node.variableRange, kind: .node, binder: &self)
                if isNew, !boundBefore.contains(slot), !introduced.contains(slot) { introduced.append(slot) }
                names[slot] = node.variable ?? "anon_\(slot)"
                if let index = nodeIndex[slot] {
                    for label in node.labels where !nodes[index].labels.contains(label) { nodes[index].labels.append(label) }
                } else {
                    nodeIndex[slot] = nodes.count
                    var labels: [String] = []
                    for label in node.labels where !labels.contains(label) { labels.append(label) }
                    nodes.append(BoundMatch.Node(slot: slot, name: names[slot] ?? "", labels: labels))
                }
                if !node.properties.isEmpty { pendingProperties.append((slot, node.properties, true)) }
                nodeSlots.append(slot)
            }
            var relationshipSlots: [Int] = []
            for (offset, relationship) in part.relationships.enumerated() {
                if let name = relationship.variable {
                    guard relationshipNamesInClause.insert(name).inserted else {
                        throw semantic("relationship variable '\(name)' is used twice in one MATCH", relationship.variableRange ?? relationship.range)
                    }
                }
                if part.shortest != nil, part.relationships.count != 1 {
                    throw semantic("shortestPath and allShortestPaths need a pattern with exactly one relationship", part.range)
                }
                if part.shortest != nil, let length = relationship.length, length.min > 1 {
                    throw semantic("shortestPath and allShortestPaths support a minimum length of 0 or 1 only", relationship.range)
                }
                let kind: VariableKind = relationship.length == nil && part.shortest == nil ? .relationship : .relationshipList
                let (slot, isNew) = try declare(relationship.variable, range: relationship.variableRange, kind: kind, binder: &self)
                if isNew { introduced.append(slot) }
                if !isNew, relationship.length != nil, let variableRange = relationship.variableRange {
                    throw semantic("a variable-length relationship cannot reuse the bound variable '\(relationship.variable ?? "")'", variableRange)
                }
                names[slot] = relationship.variable ?? "anon_\(slot)"
                let direction: ExpandDirection
                switch relationship.direction {
                case .leftToRight: direction = .outgoing
                case .rightToLeft: direction = .incoming
                case .undirected: direction = .both
                }
                relationships.append(BoundMatch.Relationship(
                    slot: slot, name: names[slot] ?? "", from: nodeSlots[offset], to: nodeSlots[offset + 1],
                    direction: direction, types: relationship.types,
                    length: relationship.length ?? (part.shortest != nil ? (1, 1) : nil), boundBefore: !isNew, shortest: part.shortest))
                if !relationship.properties.isEmpty {
                    if relationship.length != nil {
                        throw semantic("property maps on variable-length relationships are not supported", relationship.range)
                    }
                    pendingProperties.append((slot, relationship.properties, false))
                }
                relationshipSlots.append(slot)
            }
            if let pathName = part.pathVariable {
                let (slot, isNew) = try declare(pathName, range: part.pathVariableRange, kind: .path, binder: &self)
                guard isNew else { throw semantic("path variable '\(pathName)' is already defined", part.pathVariableRange ?? part.range) }
                introduced.append(slot)
                paths.append((slot, nodeSlots[0], relationshipSlots, pathName, part.range))
            }
        }

        var predicates: [BoundMatch.Predicate] = []
        func addPredicate(_ expression: BoundExpression, _ text: String) {
            predicates.append(BoundMatch.Predicate(expression: expression, text: text, slots: expression.slots))
        }
        for (slot, entries, _) in pendingProperties {
            for entry in entries {
                let value = try bindExpression(entry.value)
                let range = entry.keyRange.union(entry.value.range)
                let name = names[slot] ?? "?"
                addPredicate(.binary(.equal, .property(.slot(slot), key: entry.key, range), value, range), "\(name).\(entry.key) = \(text(entry.value.range))")
            }
        }
        if let predicate = clause.predicate {
            try checkPredicateType(predicate)
            let bound = try bindExpression(predicate)
            // Split on AND (bound form) so that each conjunct can be pushed down on its own.
            var stack = [bound]
            var texts = [text(predicate.range)]
            var parts: [(BoundExpression, String)] = []
            var astStack = [predicate]
            while let next = stack.popLast(), let nextText = texts.popLast(), let ast = astStack.popLast() {
                if case .and(let a, let b, _) = next, case .binary(.and, let astA, let astB) = ast.kind {
                    stack.append(b); texts.append(text(astB.range)); astStack.append(astB)
                    stack.append(a); texts.append(text(astA.range)); astStack.append(astA)
                } else {
                    parts.append((next, nextText))
                }
            }
            for (part, partText) in parts { addPredicate(part, partText) }
        }
        return BoundMatch(
            optional: clause.optional, nodes: nodes, relationships: relationships,
            paths: paths.map { ($0.slot, BoundExpression.buildPath(start: $0.start, relationships: $0.relationships)) },
            predicates: predicates, boundBefore: boundBefore, introduced: introduced, names: names)
    }

    static func conjuncts(of expression: Expression) -> [Expression] {
        if case .binary(.and, let a, let b) = expression.kind { return conjuncts(of: a) + conjuncts(of: b) }
        return [expression]
    }

    // MARK: WITH / RETURN

    private static func normalized(_ text: String) -> String {
        String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)).lowercased()
    }

    private mutating func bindProjection(_ clause: ProjectionClause, isReturn: Bool) throws(QueryError) -> BoundProjection {
        let clauseName = isReturn ? "RETURN" : "WITH"
        var items: [BoundProjection.Item] = []
        var aggregates: [BoundProjection.Aggregate] = []
        var newScope: [String: Variable] = [:]
        var seenNames: Set<String> = []
        var projected: [(name: String, expression: Expression?, kind: VariableKind, source: BoundExpression)] = []

        if clause.star {
            let visible = scope.filter { !$0.key.isEmpty }.sorted { $0.key < $1.key }
            if visible.isEmpty, clause.items.isEmpty {
                throw semantic("\(clauseName) * is not allowed when there are no variables in scope", clause.range)
            }
            for (name, variable) in visible { projected.append((name, nil, variable.kind, .slot(variable.slot))) }
        }
        for item in clause.items {
            if case .pattern = item.expression.kind {
                throw QueryError(.syntax, "a pattern cannot be projected in \(clauseName); use exists(…) or a pattern comprehension", at: item.expression.range)
            }
            aggregateSink = []
            aggregateContext = "here"
            let bound = try bindExpression(item.expression)
            let found = aggregateSink ?? []
            aggregateSink = nil
            var kind = VariableKind.value
            if case .variable(let name) = item.expression.kind, let variable = scope[name] { kind = variable.kind }
            var name = item.alias ?? item.text
            if item.alias == nil, case .variable(let variableName) = item.expression.kind { name = variableName }
            if item.alias == nil, !isReturn, !(item.expression.kind.isVariable) {
                throw semantic("expression in WITH must be aliased (use AS)", item.expression.range)
            }
            if !found.isEmpty {
                // Aggregates in this item: renumber into the projection's list.
                let offset = aggregates.count
                aggregates.append(contentsOf: found)
                let renumbered = Binder.shiftAggregates(bound, by: offset)
                var slots = Set<Int>()
                Binder.collectSlotsOutsideAggregates(renumbered, into: &slots)
                if !slots.isEmpty {
                    throw semantic("'\(item.text)' mixes an aggregate with a non-aggregated value; project the value as its own item (implicit grouping key)", item.expression.range)
                }
                projected.append((name, item.expression, kind, renumbered))
                items.append(BoundProjection.Item(expression: renumbered, slot: -1, name: name, containsAggregate: true))
            } else {
                projected.append((name, item.expression, kind, bound))
                items.append(BoundProjection.Item(expression: bound, slot: -1, name: name, containsAggregate: false))
            }
        }
        // Star items come first, then explicit items.
        var allItems: [BoundProjection.Item] = []
        var itemIndex = 0
        for entry in projected {
            guard seenNames.insert(entry.name).inserted else {
                let range = entry.expression?.range ?? clause.range
                throw semantic("multiple result columns with the same name '\(entry.name)'; use AS to rename", range)
            }
            let slot = newSlot()
            if entry.expression == nil {
                allItems.append(BoundProjection.Item(expression: entry.source, slot: slot, name: entry.name, containsAggregate: false))
            } else {
                var item = items[itemIndex]
                itemIndex += 1
                item.slot = slot
                allItems.append(item)
            }
            var valueType: StaticType?
            if entry.kind == .value, let expression = entry.expression {
                valueType = StaticType.of(expression, variable: { staticType(ofVariable: $0) })
            }
            newScope[entry.name] = Variable(slot: slot, kind: entry.kind, valueType: valueType)
        }
        let isAggregating = !aggregates.isEmpty

        // ORDER BY sees the projected names; without aggregation or DISTINCT it also sees the earlier variables.
        let previousScope = scope
        let itemTexts = Dictionary(projected.enumerated().compactMap { index, entry in
            entry.expression.map { (Binder.normalized(text($0.range)), allItems[index].slot) }
        }, uniquingKeysWith: { first, _ in first })
        if isAggregating || clause.distinct {
            scope = newScope
        } else {
            scope = previousScope.merging(newScope) { _, new in new }
        }
        var orderBy: [(expression: BoundExpression, descending: Bool, text: String)] = []
        for sort in clause.orderBy {
            let sortText = text(sort.expression.range)
            if let slot = itemTexts[Binder.normalized(sortText)] {
                orderBy.append((.slot(slot), sort.descending, sortText))
                continue
            }
            do {
                aggregateContext = "in ORDER BY"
                orderBy.append((try bindExpression(sort.expression), sort.descending, sortText))
            } catch let error where error.kind == .semantic && (isAggregating || clause.distinct) && previousScope[Binder.firstVariable(sort.expression) ?? ""] != nil {
                throw semantic("ORDER BY after \(clause.distinct ? "DISTINCT" : "aggregation") can only use the projected columns; '\(sortText)' is not one of them", sort.expression.range)
            }
        }
        scope = newScope
        let skip = try bindConstant(clause.skip, "SKIP")
        let limit = try bindConstant(clause.limit, "LIMIT")
        var predicate: (expression: BoundExpression, text: String)?
        if let where_ = clause.predicate {
            aggregateContext = "in WHERE"
            // Without aggregation, WITH … WHERE also sees the variables from before the WITH (their slots are
            // still in the row).
            if !isAggregating { scope = previousScope.merging(newScope) { _, new in new } }
            defer { scope = newScope }
            try checkPredicateType(where_)
            predicate = (try bindExpression(where_), text(where_.range))
        }
        return BoundProjection(
            items: allItems, aggregates: aggregates, isAggregating: isAggregating, distinct: clause.distinct,
            orderBy: orderBy, skip: skip, limit: limit, predicate: predicate, isReturn: isReturn)
    }

    private static func firstVariable(_ expression: Expression) -> String? {
        switch expression.kind {
        case .variable(let name): return name
        case .property(let base, _): return firstVariable(base)
        default: return nil
        }
    }

    private mutating func bindConstant(_ expression: Expression?, _ what: String) throws(QueryError) -> BoundExpression? {
        guard let expression else { return nil }
        let saved = scope
        scope = [:]
        defer { scope = saved }
        let bound: BoundExpression
        do {
            bound = try bindExpression(expression)
        } catch {
            throw semantic("\(what) expects a non-negative integer literal or parameter, found '\(text(expression.range))'", expression.range)
        }
        // A literal that can never be a row count fails now, not when the query runs (openCypher: a SyntaxError at
        // compile time, NegativeIntegerArgument or InvalidArgumentType); a parameter is checked at run time.
        var literal = bound
        var negated = false
        if case .negate(let inner, _) = bound { literal = inner; negated = true }
        switch literal {
        case .literal(.integer(let value)) where negated ? value > 0 : value < 0:
            throw semantic("\(what) expects a non-negative integer, found '\(text(expression.range))'", expression.range)
        case .literal(.float), .literal(.string), .literal(.bool), .literal(.list), .literal(.map):
            throw semantic("\(what) expects a non-negative integer, found '\(text(expression.range))'", expression.range)
        default:
            return bound
        }
    }

    private static func shiftAggregates(_ expression: BoundExpression, by offset: Int) -> BoundExpression {
        guard offset > 0 else { return expression }
        return expression.mapAggregates { .aggregate($0 + offset) }
    }

    private static func collectSlotsOutsideAggregates(_ expression: BoundExpression, into slots: inout Set<Int>) {
        // Aggregates are already replaced by `.aggregate(i)`, so the remaining slots are outside them.
        expression.collectSlots(into: &slots)
    }

    // MARK: Expressions

    /// A WHERE whose type is known before the query runs and is not a Boolean (`WHERE (n)` with `n` a node) is an
    /// error now (openCypher: InvalidArgumentType at compile time).
    private func checkPredicateType(_ predicate: Expression) throws(QueryError) {
        guard let type = StaticType.of(predicate, variable: { staticType(ofVariable: $0) }), type != .boolean,
            type != .null
        else { return }
        throw semantic("type mismatch: expected a Boolean, found \(type.name)", predicate.range)
    }

    private func staticType(ofVariable name: String) -> StaticType? {
        switch scope[name]?.kind {
        case .node: return .node
        case .relationship: return .relationship
        case .path: return .path
        case .relationshipList: return .list
        case .value: return scope[name]?.valueType
        case nil: return nil
        }
    }

    mutating func bindExpression(_ expression: Expression) throws(QueryError) -> BoundExpression {
        let range = expression.range
        if let message = StaticType.error(in: expression, variable: { staticType(ofVariable: $0) }) {
            throw semantic(message, range)
        }
        switch expression.kind {
        case .literal(let value):
            return .literal(value)
        case .parameter(let name):
            if parameters[name] == nil { parameters[name] = range }
            return .parameter(name, range)
        case .variable(let name):
            guard let variable = scope[name] else {
                throw semantic("variable '\(name)' is not defined", range)
            }
            return .slot(variable.slot)
        case .property(let base, let key):
            return .property(try bindExpression(base), key: key, range)
        case .hasLabels(let base, let labels):
            return .hasLabels(try bindExpression(base), labels: labels, range)
        case .subscriptAccess(let base, let index):
            return .subscriptAccess(try bindExpression(base), index: try bindExpression(index), range)
        case .slice(let base, let from, let to):
            let boundFrom: BoundExpression? = if let from { try bindExpression(from) } else { nil }
            let boundTo: BoundExpression? = if let to { try bindExpression(to) } else { nil }
            return .slice(try bindExpression(base), from: boundFrom, to: boundTo, range)
        case .list(let elements):
            var bound: [BoundExpression] = []
            for element in elements { bound.append(try bindExpression(element)) }
            return .list(bound)
        case .map(let entries):
            var bound: [(key: String, value: BoundExpression)] = []
            for entry in entries { bound.append((entry.key, try bindExpression(entry.value))) }
            return .map(bound)
        case .unary(let op, let operand):
            let bound = try bindExpression(operand)
            switch op {
            case .not: return .not(bound, range)
            case .minus: return .negate(bound, range)
            case .plus: return .binary(.add, .literal(.integer(0)), bound, range)
            }
        case .binary(let op, let left, let right):
            let a = try bindExpression(left)
            let b = try bindExpression(right)
            switch op {
            case .and: return .and(a, b, range)
            case .or: return .or(a, b, range)
            case .xor: return .xor(a, b, range)
            default: return .binary(op, a, b, range)
            }
        case .isNull(let operand, let negated):
            return .isNull(try bindExpression(operand), negated: negated)
        case .countStar:
            return try bindAggregate(.countStar, distinct: false, arguments: [], range: range)
        case .pattern(let part):
            return try bindPatternPredicate(part)
        case .patternComprehension(let part, let predicate, let projection):
            if part.shortest != nil { throw semantic("a pattern comprehension cannot use shortestPath", part.range) }
            let saved = scope
            defer { scope = saved }
            let match = try bindMatch(MatchClause(optional: false, patterns: [part], predicate: predicate, range: part.range))
            let boundProjection = try bindExpression(projection)
            let inScope = Set(saved.values.map(\.slot))
            var outer = boundProjection.slots.intersection(inScope)
            for node in match.nodes where inScope.contains(node.slot) { outer.insert(node.slot) }
            for relationship in match.relationships where inScope.contains(relationship.slot) { outer.insert(relationship.slot) }
            for predicate in match.predicates { outer.formUnion(predicate.slots.intersection(inScope)) }
            return .patternComprehension(PatternExistence(match: match, outerSlots: outer), projection: boundProjection, range)
        case .function(let name, let distinct, let arguments):
            let lower = name.lowercased()
            if lower == "exists", arguments.count == 1, case .pattern(let part) = arguments[0].kind {
                return try bindPatternPredicate(part)
            }
            if let kind = BoundProjection.Aggregate.Kind.allCases.first(where: { $0.rawValue.lowercased() == lower }), kind != .countStar {
                return try bindAggregate(kind, distinct: distinct, arguments: arguments, range: range)
            }
            if let quantifier = BoundExpression.Function(quantifier: lower) {
                return try bindQuantifier(quantifier, name: name, arguments: arguments, range: range)
            }
            guard let function = BoundExpression.Function.allCases.first(where: { $0.rawValue.lowercased() == lower }) else {
                throw semantic("unknown function '\(name)'", range)
            }
            if distinct { throw semantic("DISTINCT is only allowed in aggregate functions, not in \(name)()", range) }
            guard function.arity.contains(arguments.count) else {
                let expected = function.arity.lowerBound == function.arity.upperBound
                    ? "\(function.arity.lowerBound)" : "at least \(function.arity.lowerBound)"
                throw semantic("\(function.rawValue)() takes \(expected) argument\(function.arity.lowerBound == 1 && function.arity.upperBound == 1 ? "" : "s"), found \(arguments.count)", range)
            }
            var bound: [BoundExpression] = []
            for argument in arguments { bound.append(try bindExpression(argument)) }
            return .function(function, bound, range)
        case .caseExpression(let subject, let branches, let otherwise):
            let boundSubject: BoundExpression? = if let subject { try bindExpression(subject) } else { nil }
            var boundBranches: [(BoundExpression, BoundExpression)] = []
            for branch in branches {
                boundBranches.append((try bindExpression(branch.condition), try bindExpression(branch.result)))
            }
            let boundOtherwise: BoundExpression? = if let otherwise { try bindExpression(otherwise) } else { nil }
            return .caseExpression(subject: boundSubject, branches: boundBranches, otherwise: boundOtherwise)
        case .listComprehension(let variable, _, let list, let predicate, let projection):
            let boundList = try bindExpression(list)
            let slot = newSlot()
            let saved = scope[variable]
            let elementType = StaticType.elementType(of: list, variable: { staticType(ofVariable: $0) })
            scope[variable] = Variable(slot: slot, kind: .value, valueType: elementType)
            // Aggregates are allowed in the list, not in the per-element predicate and projection.
            let savedSink = aggregateSink
            let savedContext = aggregateContext
            aggregateSink = nil
            aggregateContext = "inside a list comprehension or quantifier"
            defer {
                scope[variable] = saved
                aggregateSink = savedSink
                aggregateContext = savedContext
            }
            let boundPredicate: BoundExpression? = if let predicate { try bindExpression(predicate) } else { nil }
            let boundProjection: BoundExpression? = if let projection { try bindExpression(projection) } else { nil }
            return .listComprehension(slot: slot, list: boundList, predicate: boundPredicate, projection: boundProjection, range)
        }
    }

    /// `all(x IN list WHERE p)` and friends: bound as the quantifier function applied to `[x IN list | p]`, the list of
    /// the predicate's values (true, false or null), which the function then folds with three-valued logic.
    private mutating func bindQuantifier(
        _ function: BoundExpression.Function, name: String, arguments: [Expression], range: SourceRange
    ) throws(QueryError) -> BoundExpression {
        guard arguments.count == 1,
            case .listComprehension(let variable, let variableRange, let list, let predicate?, nil) = arguments[0].kind
        else {
            throw semantic("\(name)() expects 'variable IN list WHERE predicate'", range)
        }
        let rewritten = Expression(
            .listComprehension(variable: variable, variableRange: variableRange, list: list, predicate: nil, projection: predicate),
            arguments[0].range, height: arguments[0].height)
        return .function(function, [try bindExpression(rewritten)], range)
    }

    private mutating func bindAggregate(
        _ kind: BoundProjection.Aggregate.Kind, distinct: Bool, arguments: [Expression], range: SourceRange
    ) throws(QueryError) -> BoundExpression {
        let display = kind == .countStar ? "count(*)" : "\(kind.rawValue)()"
        guard aggregateSink != nil else {
            throw semantic("aggregate function \(display) is not allowed \(aggregateContext == "here" ? "here" : aggregateContext); aggregate in RETURN or WITH", range)
        }
        guard !insideAggregate else { throw semantic("aggregate functions cannot be nested: \(display) inside another aggregate", range) }
        if let random = arguments.first(where: { $0.callsRand }) {
            throw semantic("\(display) cannot aggregate a non-deterministic value: rand() is not allowed in an aggregate's argument", random.range)
        }
        let isPercentile = kind == .percentileCont || kind == .percentileDisc
        if kind != .countStar, arguments.count != (isPercentile ? 2 : 1) {
            throw semantic("\(display) takes \(isPercentile ? 2 : 1) argument\(isPercentile ? "s" : ""), found \(arguments.count)", range)
        }
        var argument: BoundExpression?
        if isPercentile {
            insideAggregate = true
            defer { insideAggregate = false }
            argument = .list([try bindExpression(arguments[0]), try bindExpression(arguments[1])])
        } else if let first = arguments.first {
            insideAggregate = true
            defer { insideAggregate = false }
            argument = try bindExpression(first)
        }
        let index = aggregateSink?.count ?? 0
        let aggregate = BoundProjection.Aggregate(kind: kind, distinct: distinct, argument: argument, range: range, text: text(range))
        aggregateSink?.append(aggregate)
        return .aggregate(index)
    }
}

extension ExpressionKind {
    var isVariable: Bool { if case .variable = self { return true } else { return false } }
}

extension BoundExpression {
    /// The expression with every `.aggregate(i)` replaced.
    func mapAggregates(_ transform: (Int) -> BoundExpression) -> BoundExpression {
        switch self {
        case .aggregate(let index): return transform(index)
        case .literal, .parameter, .slot, .buildPath, .patternExists, .patternComprehension: return self
        case .property(let base, let key, let range): return .property(base.mapAggregates(transform), key: key, range)
        case .hasLabels(let base, let labels, let range): return .hasLabels(base.mapAggregates(transform), labels: labels, range)
        case .subscriptAccess(let base, let index, let range):
            return .subscriptAccess(base.mapAggregates(transform), index: index.mapAggregates(transform), range)
        case .slice(let base, let from, let to, let range):
            return .slice(base.mapAggregates(transform), from: from?.mapAggregates(transform), to: to?.mapAggregates(transform), range)
        case .list(let elements): return .list(elements.map { $0.mapAggregates(transform) })
        case .map(let entries): return .map(entries.map { ($0.key, $0.value.mapAggregates(transform)) })
        case .not(let a, let range): return .not(a.mapAggregates(transform), range)
        case .negate(let a, let range): return .negate(a.mapAggregates(transform), range)
        case .and(let a, let b, let range): return .and(a.mapAggregates(transform), b.mapAggregates(transform), range)
        case .or(let a, let b, let range): return .or(a.mapAggregates(transform), b.mapAggregates(transform), range)
        case .xor(let a, let b, let range): return .xor(a.mapAggregates(transform), b.mapAggregates(transform), range)
        case .binary(let op, let a, let b, let range): return .binary(op, a.mapAggregates(transform), b.mapAggregates(transform), range)
        case .isNull(let a, let negated): return .isNull(a.mapAggregates(transform), negated: negated)
        case .function(let function, let arguments, let range): return .function(function, arguments.map { $0.mapAggregates(transform) }, range)
        case .caseExpression(let subject, let branches, let otherwise):
            return .caseExpression(
                subject: subject?.mapAggregates(transform),
                branches: branches.map { ($0.0.mapAggregates(transform), $0.1.mapAggregates(transform)) },
                otherwise: otherwise?.mapAggregates(transform))
        case .listComprehension(let slot, let list, let predicate, let projection, let range):
            return .listComprehension(slot: slot, list: list.mapAggregates(transform), predicate: predicate?.mapAggregates(transform), projection: projection?.mapAggregates(transform), range)
        }
    }
}
