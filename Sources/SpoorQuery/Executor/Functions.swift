import SpoorStore

/// The scalar functions.
enum Functions {
    private static func mismatch(_ function: BoundExpression.Function, _ value: Value, _ range: SourceRange) -> QueryError {
        QueryError(.runtime, "type mismatch: \(function.rawValue)() does not accept \(value.typeName)", at: range)
    }

    static func call(_ function: BoundExpression.Function, _ arguments: [Value], graph: any GraphAccess, range: SourceRange) throws -> Value {
        if function == .rand { return .float(Double.random(in: 0..<1)) }
        guard let first = arguments.first else { return .null }
        if case .null = first, function != .exists { return .null }
        switch function {
        case .id:
            switch first {
            case .node(let node): return .integer(Int64(bitPattern: node.rawValue))
            case .relationship(let r): return .integer(Int64(bitPattern: r.id.rawValue))
            default: throw mismatch(function, first, range)
            }
        case .labels:
            guard case .node(let node) = first else { throw mismatch(function, first, range) }
            return .list(try graph.labels(of: node).map(Value.string))
        case .type:
            guard case .relationship(let r) = first else { throw mismatch(function, first, range) }
            return .string(r.type)
        case .size:
            switch first {
            case .list(let items): return .integer(Int64(items.count))
            case .string(let text): return .integer(Int64(text.count))
            case .map(let entries): return .integer(Int64(entries.count))
            default: throw mismatch(function, first, range)
            }
        case .length:
            switch first {
            case .path(let path): return .integer(Int64(path.relationships.count))
            case .list(let items): return .integer(Int64(items.count))
            case .string(let text): return .integer(Int64(text.count))
            default: throw mismatch(function, first, range)
            }
        case .coalesce:
            return arguments.first { !$0.isNull } ?? .null
        case .exists:
            return .bool(!first.isNull)
        case .toString:
            switch first {
            case .string, .integer, .float, .amount, .bool: return .string(Rendering.plainText(first))
            default: throw mismatch(function, first, range)
            }
        case .toInteger:
            switch first {
            case .integer: return first
            case .amount(let a): return a.int64Value.map(Value.integer) ?? first
            case .float(let d):
                guard d.isFinite, let i = Int64(exactly: d.rounded(.towardZero)) else {
                    throw QueryError(.runtime, "toInteger(): \(d) is outside the 64-bit integer range", at: range)
                }
                return .integer(i)
            case .bool(let b): return .integer(b ? 1 : 0)
            case .string(let text):
                let trimmed = text.trimmingWhitespace
                if let i = Int64(trimmed) { return .integer(i) }
                if let d = Double(trimmed), d.isFinite, let i = Int64(exactly: d.rounded(.towardZero)) { return .integer(i) }
                if let a = Amount(decimal: trimmed) { return .amount(a) }
                return .null
            default: throw mismatch(function, first, range)
            }
        case .toFloat:
            switch first {
            case .integer(let i): return .float(Double(i))
            case .amount(let a): return .float(a.doubleValue)
            case .float: return first
            case .string(let text): return Double(text.trimmingWhitespace).map(Value.float) ?? .null
            default: throw mismatch(function, first, range)
            }
        case .toBoolean:
            switch first {
            case .bool: return first
            case .string(let text):
                switch text.trimmingWhitespace.lowercased() {
                case "true": return .bool(true)
                case "false": return .bool(false)
                default: return .null
                }
            case .integer(let i): return .bool(i != 0)
            default: throw mismatch(function, first, range)
            }
        case .abs:
            switch first {
            case .integer(let i):
                guard i != .min else { throw QueryError(.runtime, "integer overflow in abs()", at: range) }
                return .integer(Swift.abs(i))
            case .float(let d): return .float(Swift.abs(d))
            case .amount: return first
            default: throw mismatch(function, first, range)
            }
        case .sign:
            switch first {
            case .integer(let i): return .integer(i.signum())
            case .float(let d): return .integer(d > 0 ? 1 : (d < 0 ? -1 : 0))
            case .amount(let a): return .integer(a.isZero ? 0 : 1)
            default: throw mismatch(function, first, range)
            }
        case .round, .floor, .ceil, .sqrt:
            guard let number = ValueOperations.Number(first) else { throw mismatch(function, first, range) }
            let d = number.doubleValue
            switch function {
            case .round: return .float((d < 0 ? -((-d).rounded(.toNearestOrAwayFromZero)) : d.rounded(.toNearestOrAwayFromZero)))
            case .floor: return .float(d.rounded(.down))
            case .ceil: return .float(d.rounded(.up))
            default: return .float(d.squareRoot())
            }
        case .keys, .properties:
            let entries: [String: Value]
            switch first {
            case .node(let node): entries = try graph.nodeProperties(of: node)
            case .relationship(let r): entries = try graph.relationshipProperties(of: r)
            case .map(let m): entries = m
            default: throw mismatch(function, first, range)
            }
            return function == .keys ? .list(entries.keys.sorted().map(Value.string)) : .map(entries)
        case .nodes:
            guard case .path(let path) = first else { throw mismatch(function, first, range) }
            return .list(path.nodes.map(Value.node))
        case .relationships:
            guard case .path(let path) = first else { throw mismatch(function, first, range) }
            return .list(path.relationships.map(Value.relationship))
        case .startNode, .endNode:
            guard case .relationship(let r) = first else { throw mismatch(function, first, range) }
            return .node(function == .startNode ? r.start : r.end)
        case .head, .last, .tail, .reverse:
            if case .string(let text) = first, function == .reverse { return .string(String(text.reversed())) }
            guard case .list(let items) = first else { throw mismatch(function, first, range) }
            switch function {
            case .head: return items.first ?? .null
            case .last: return items.last ?? .null
            case .tail: return .list(Array(items.dropFirst()))
            default: return .list(items.reversed())
            }
        case .toLower, .toUpper, .trim:
            guard case .string(let text) = first else { throw mismatch(function, first, range) }
            switch function {
            case .toLower: return .string(text.lowercased())
            case .toUpper: return .string(text.uppercased())
            default: return .string(text.trimmingWhitespace)
            }
        case .split:
            guard case .string(let text) = first else { throw mismatch(function, first, range) }
            guard case .string(let separator) = arguments[1] else { return .null }
            if separator.isEmpty { return .list(text.map { .string(String($0)) }) }
            return .list(text.split(separator: separator, omittingEmptySubsequences: false).map { .string(String($0)) })
        case .substring, .left, .right:
            guard case .string(let text) = first else { throw mismatch(function, first, range) }
            let characters = Array(text)
            func integer(_ value: Value) throws(QueryError) -> Int {
                guard case .integer(let i) = value, i >= 0 else {
                    throw QueryError(.runtime, "\(function.rawValue)() expects a non-negative Integer, found \(value.typeName)", at: range)
                }
                return Int(clamping: i)
            }
            switch function {
            case .left: return .string(String(characters.prefix(try integer(arguments[1]))))
            case .right: return .string(String(characters.suffix(try integer(arguments[1]))))
            default:
                let start = min(try integer(arguments[1]), characters.count)
                let length = arguments.count > 2 ? try integer(arguments[2]) : characters.count
                return .string(String(characters[start..<min(characters.count, start + min(length, characters.count))]))
            }
        case .replace:
            guard case .string(let text) = first, case .string(let search) = arguments[1], case .string(let replacement) = arguments[2] else {
                if arguments.contains(where: \.isNull) { return .null }
                throw mismatch(function, first, range)
            }
            return .string(text.replacing(search, with: replacement))
        case .quantifierAll, .quantifierAny, .quantifierNone, .quantifierSingle:
            guard case .list(let outcomes) = first else { throw mismatch(function, first, range) }
            return try quantify(function, outcomes, range)
        case .rand:
            return .float(Double.random(in: 0..<1))
        case .spoorTime:
            return try UnixTime.format(first, function: "spoor.time()", range: range)
        case .datetime:
            guard case .map(let entries) = first, entries.count == 1, let seconds = entries["epochSeconds"] else {
                throw QueryError(.runtime, "datetime() is only supported as datetime({epochSeconds: t}); Spoor has no temporal type", at: range)
            }
            return try UnixTime.format(seconds, function: "datetime()", range: range)
        case .range:
            guard case .integer(let start) = first, case .integer(let end) = arguments[1] else { throw mismatch(function, first, range) }
            var step: Int64 = 1
            if arguments.count > 2 {
                guard case .integer(let s) = arguments[2], s != 0 else {
                    throw QueryError(.runtime, "range() step must be a non-zero Integer", at: range)
                }
                step = s
            }
            var result: [Value] = []
            var current = start
            while step > 0 ? current <= end : current >= end {
                result.append(.integer(current))
                if result.count > 10_000_000 { throw QueryError(.limit, "range() would produce more than 10,000,000 values", at: range) }
                let (next, overflow) = current.addingReportingOverflow(step)
                if overflow { break }
                current = next
            }
            return .list(result)
        }
    }
}

extension Functions {
    /// Folds the predicate values of a quantifier with openCypher's three-valued logic: a null value makes the result
    /// null unless the non-null values alone decide it.
    static func quantify(_ function: BoundExpression.Function, _ outcomes: [Value], _ range: SourceRange) throws(QueryError) -> Value {
        var trues = 0
        var falses = 0
        var nulls = 0
        for outcome in outcomes {
            switch outcome {
            case .bool(true): trues += 1
            case .bool(false): falses += 1
            case .null: nulls += 1
            default:
                throw QueryError(.runtime, "type mismatch: the predicate of \(function.rawValue)() must be a Boolean, found \(outcome.typeName)", at: range)
            }
        }
        switch function {
        case .quantifierAll: return falses > 0 ? .bool(false) : (nulls > 0 ? .null : .bool(true))
        case .quantifierAny: return trues > 0 ? .bool(true) : (nulls > 0 ? .null : .bool(false))
        case .quantifierNone: return trues > 0 ? .bool(false) : (nulls > 0 ? .null : .bool(true))
        default: return trues > 1 ? .bool(false) : (nulls > 0 ? .null : .bool(trues == 1))
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
