/// Everything one run of a query shares: the graph, the parameters, the limits and the evaluator.
final class ExecutionContext {
    let graph: any GraphAccess
    let parameters: [String: Value]
    let limits: QueryLimits
    private let deadline: ContinuousClock.Instant?
    private var ticks = 0
    private(set) var expansions = 0
    let cancellation: QueryCancellation?
    /// Most rows a sort of this run held at once (for tests of the bounded top-k sort).
    var peakSortRows = 0

    init(graph: any GraphAccess, parameters: [String: Value], limits: QueryLimits, cancellation: QueryCancellation? = nil) {
        self.graph = graph
        self.parameters = parameters
        self.limits = limits
        self.cancellation = cancellation
        deadline = limits.timeout.map { ContinuousClock.now.advanced(by: $0) }
    }

    /// Checks cancellation and the timeout every so often; operators call it once per row or candidate.
    @inline(__always)
    func tick() throws(QueryError) {
        ticks &+= 1
        if ticks & 255 == 0 { try checkDeadline() }
    }

    /// Throws if the run was cancelled or is past its deadline.
    func checkDeadline() throws(QueryError) {
        if let cancellation, cancellation.isCancelled {
            throw QueryError(.cancelled, "query cancelled", at: SourceRange(start: 0, end: 0))
        }
        if let deadline, ContinuousClock.now > deadline, let timeout = limits.timeout {
            throw QueryError(.limit, "query timed out after \(timeout); raise the timeout or narrow the query", at: SourceRange(start: 0, end: 0))
        }
    }

    func countExpansions(_ count: Int) throws(QueryError) {
        expansions += count
        if expansions > limits.maxExpansions {
            throw QueryError(.limit, "query expanded more than \(limits.maxExpansions) relationships; raise maxExpansions or narrow the pattern", at: SourceRange(start: 0, end: 0))
        }
        try tick()
    }

    // MARK: Evaluation

    func truth(_ value: Value, _ range: SourceRange) throws(QueryError) -> Bool? {
        switch value {
        case .bool(let b): return b
        case .null: return nil
        default: throw QueryError(.runtime, "type mismatch: expected a Boolean, found \(value.typeName)", at: range)
        }
    }

    private func graphError(_ error: any Error, _ range: SourceRange) -> QueryError {
        if let queryError = error as? QueryError { return queryError }
        return QueryError(.runtime, "graph read failed: \(error)", at: range)
    }

    func evaluate(_ expression: BoundExpression, _ row: [Value], aggregates: [Value] = []) throws(QueryError) -> Value {
        switch expression {
        case .literal(let value): return value
        case .parameter(let name, let range):
            guard let value = parameters[name] else { throw QueryError(.semantic, "missing parameter $\(name)", at: range) }
            return value
        case .slot(let slot): return slot < row.count ? row[slot] : .null
        case .aggregate(let index): return index < aggregates.count ? aggregates[index] : .null
        case .property(let base, let key, let range):
            let value = try evaluate(base, row, aggregates: aggregates)
            return try property(key, of: value, range)
        case .hasLabels(let base, let labels, let range):
            let value = try evaluate(base, row, aggregates: aggregates)
            switch value {
            case .null: return .null
            case .node(let node):
                do {
                    let nodeLabels = try graph.labels(of: node)
                    return .bool(labels.allSatisfy(nodeLabels.contains))
                } catch { throw graphError(error, range) }
            default: throw QueryError(.runtime, "type mismatch: expected a Node for a label check, found \(value.typeName)", at: range)
            }
        case .subscriptAccess(let base, let indexExpression, let range):
            let value = try evaluate(base, row, aggregates: aggregates)
            let index = try evaluate(indexExpression, row, aggregates: aggregates)
            switch (value, index) {
            case (.null, _), (_, .null): return .null
            case (.list(let items), _):
                guard case .integer(let i) = index else {
                    throw QueryError(.runtime, "type mismatch: a list index must be an Integer, found \(index.typeName)", at: range)
                }
                let position = i < 0 ? Int64(items.count) + i : i
                return position >= 0 && position < Int64(items.count) ? items[Int(position)] : .null
            case (.map, .string(let key)), (.node, .string(let key)), (.relationship, .string(let key)):
                return try property(key, of: value, range)
            default:
                throw QueryError(.runtime, "type mismatch: cannot index \(value.typeName) with \(index.typeName)", at: range)
            }
        case .slice(let base, let fromExpression, let toExpression, let range):
            let value = try evaluate(base, row, aggregates: aggregates)
            let from = try fromExpression.map { (e) throws(QueryError) in try evaluate(e, row, aggregates: aggregates) }
            let to = try toExpression.map { (e) throws(QueryError) in try evaluate(e, row, aggregates: aggregates) }
            guard case .list(let items) = value else {
                if case .null = value { return .null }
                throw QueryError(.runtime, "type mismatch: cannot slice \(value.typeName)", at: range)
            }
            func bound(_ v: Value?, _ fallback: Int) throws(QueryError) -> Int? {
                guard let v else { return fallback }
                if case .null = v { return nil }
                guard case .integer(let i) = v else { throw QueryError(.runtime, "type mismatch: a slice bound must be an Integer", at: range) }
                let position = i < 0 ? Int64(items.count) + i : i
                return Int(max(0, min(Int64(items.count), position)))
            }
            guard let lower = try bound(from, 0), let upper = try bound(to, items.count) else { return .null }
            return .list(lower < upper ? Array(items[lower..<upper]) : [])
        case .list(let elements):
            var values: [Value] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try evaluate(element, row, aggregates: aggregates)) }
            return .list(values)
        case .map(let entries):
            var values: [String: Value] = [:]
            for entry in entries { values[entry.key] = try evaluate(entry.value, row, aggregates: aggregates) }
            return .map(values)
        case .not(let operand, let range):
            let value = try evaluate(operand, row, aggregates: aggregates)
            return try truth(value, range).map { .bool(!$0) } ?? .null
        case .negate(let operand, let range):
            return try ValueOperations.negate(try evaluate(operand, row, aggregates: aggregates), range)
        case .and(let left, let right, let range):
            let a = try truth(try evaluate(left, row, aggregates: aggregates), range)
            if a == false { return .bool(false) }
            let b = try truth(try evaluate(right, row, aggregates: aggregates), range)
            if b == false { return .bool(false) }
            return a == true && b == true ? .bool(true) : .null
        case .or(let left, let right, let range):
            let a = try truth(try evaluate(left, row, aggregates: aggregates), range)
            if a == true { return .bool(true) }
            let b = try truth(try evaluate(right, row, aggregates: aggregates), range)
            if b == true { return .bool(true) }
            return a == false && b == false ? .bool(false) : .null
        case .xor(let left, let right, let range):
            let a = try truth(try evaluate(left, row, aggregates: aggregates), range)
            let b = try truth(try evaluate(right, row, aggregates: aggregates), range)
            guard let a, let b else { return .null }
            return .bool(a != b)
        case .binary(let op, let left, let right, let range):
            let a = try evaluate(left, row, aggregates: aggregates)
            let b = try evaluate(right, row, aggregates: aggregates)
            return try binary(op, a, b, range)
        case .isNull(let operand, let negated):
            let isNull = try evaluate(operand, row, aggregates: aggregates).isNull
            return .bool(negated ? !isNull : isNull)
        case .function(let function, let arguments, let range):
            if function == .coalesce {
                for argument in arguments {
                    let value = try evaluate(argument, row, aggregates: aggregates)
                    if !value.isNull { return value }
                }
                return .null
            }
            var values: [Value] = []
            for argument in arguments { values.append(try evaluate(argument, row, aggregates: aggregates)) }
            do {
                return try Functions.call(function, values, graph: graph, range: range)
            } catch { throw graphError(error, range) }
        case .caseExpression(let subject, let branches, let otherwise):
            if let subject {
                let value = try evaluate(subject, row, aggregates: aggregates)
                for (candidate, result) in branches
                where ValueOperations.equals(value, try evaluate(candidate, row, aggregates: aggregates)) == true {
                    return try evaluate(result, row, aggregates: aggregates)
                }
            } else {
                for (condition, result) in branches {
                    if case .bool(true) = try evaluate(condition, row, aggregates: aggregates) {
                        return try evaluate(result, row, aggregates: aggregates)
                    }
                }
            }
            return try otherwise.map { (e) throws(QueryError) in try evaluate(e, row, aggregates: aggregates) } ?? .null
        case .listComprehension(let slot, let listExpression, let predicate, let projection, let range):
            let listValue = try evaluate(listExpression, row, aggregates: aggregates)
            guard case .list(let items) = listValue else {
                if case .null = listValue { return .null }
                throw QueryError(.runtime, "type mismatch: expected a List in the list comprehension, found \(listValue.typeName)", at: range)
            }
            var scratch = row
            if scratch.count <= slot { scratch.append(contentsOf: repeatElement(.null, count: slot + 1 - scratch.count)) }
            var result: [Value] = []
            for item in items {
                scratch[slot] = item
                if let predicate, try truth(try evaluate(predicate, scratch, aggregates: aggregates), range) != true { continue }
                result.append(try projection.map { (e) throws(QueryError) in try evaluate(e, scratch, aggregates: aggregates) } ?? item)
            }
            return .list(result)
        case .patternExists(let pattern, _):
            return .bool(try patternHasMatch(pattern, row))
        case .patternComprehension(let pattern, let projection, _):
            return try patternComprehension(pattern, projection: projection, row)
        case .buildPath(let start, let relationships):
            guard start < row.count, case .node(var current) = row[start] else { return .null }
            var nodes = [current]
            var hops: [GraphRelationship] = []
            for slot in relationships {
                guard slot < row.count else { return .null }
                var segment: [GraphRelationship] = []
                switch row[slot] {
                case .relationship(let r): segment = [r]
                case .list(let items):
                    for item in items { if case .relationship(let r) = item { segment.append(r) } }
                default: return .null
                }
                for r in segment {
                    current = r.start == current ? r.end : r.start
                    nodes.append(current)
                    hops.append(r)
                }
            }
            return .path(PathValue(nodes: nodes, relationships: hops))
        }
    }

    func property(_ key: String, of value: Value, _ range: SourceRange) throws(QueryError) -> Value {
        do {
            switch value {
            case .null: return .null
            case .node(let node): return try graph.nodeProperty(key, of: node)
            case .relationship(let r): return try graph.relationshipProperty(key, of: r)
            case .map(let entries): return entries[key] ?? .null
            default:
                throw QueryError(.runtime, "type mismatch: cannot read property '\(key)' of \(value.typeName)", at: range)
            }
        } catch { throw graphError(error, range) }
    }

    func binary(_ op: BinaryOperator, _ a: Value, _ b: Value, _ range: SourceRange) throws(QueryError) -> Value {
        switch op {
        case .equal: return ValueOperations.equals(a, b).map(Value.bool) ?? .null
        case .notEqual: return ValueOperations.equals(a, b).map { .bool(!$0) } ?? .null
        case .less, .lessEqual, .greater, .greaterEqual: return ValueOperations.ordered(op, a, b)
        case .inList:
            switch b {
            case .null: return .null
            case .list(let items):
                var sawNull = false
                for item in items {
                    switch ValueOperations.equals(a, item) {
                    case .some(true): return .bool(true)
                    case .none: sawNull = true
                    case .some(false): break
                    }
                }
                return sawNull ? .null : .bool(false)
            default:
                throw QueryError(.runtime, "type mismatch: the right side of IN must be a List, found \(b.typeName)", at: range)
            }
        case .startsWith, .endsWith, .contains:
            guard case .string(let x) = a, case .string(let y) = b else { return .null }
            switch op {
            case .startsWith: return .bool(x.hasPrefix(y))
            case .endsWith: return .bool(x.hasSuffix(y))
            default: return .bool(y.isEmpty || x.contains(y))
            }
        case .add, .subtract, .multiply, .divide, .modulo, .power:
            return try ValueOperations.arithmetic(op, a, b, range)
        case .regexMatch:
            return try ValueOperations.regexMatch(a, b, range)
        case .and, .or, .xor:
            throw QueryError(.runtime, "internal: unexpected operator \(op.rawValue)", at: range)
        }
    }
}
