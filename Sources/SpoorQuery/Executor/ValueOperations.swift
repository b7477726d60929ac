import Foundation
import SpoorStore

/// openCypher semantics of values: equality, comparison, ordering and arithmetic.
enum ValueOperations {
    // MARK: Numbers

    enum Number {
        case integer(Int64)
        case amount(Amount)
        case float(Double)

        init?(_ value: Value) {
            switch value {
            case .integer(let i): self = .integer(i)
            case .amount(let a): self = .amount(a)
            case .float(let d): self = .float(d)
            default: return nil
            }
        }

        var doubleValue: Double {
            switch self {
            case .integer(let i): return Double(i)
            case .amount(let a): return a.doubleValue
            case .float(let d): return d
            }
        }
    }

    /// Compares two numbers; `nil` when one is NaN.
    static func compareNumbers(_ a: Number, _ b: Number) -> Int? {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.amount(let x), .amount(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.integer(let x), .amount(let y)):
            if x < 0 { return -1 }
            let ax = Amount(UInt64(x))
            return ax < y ? -1 : (ax > y ? 1 : 0)
        case (.amount, .integer):
            return compareNumbers(b, a).map { -$0 }
        default:
            let x = a.doubleValue
            let y = b.doubleValue
            if x.isNaN || y.isNaN { return nil }
            return x < y ? -1 : (x > y ? 1 : 0)
        }
    }

    // MARK: Equality and comparison (three-valued)

    /// Cypher `=`: `nil` is null.
    static func equals(_ a: Value, _ b: Value) -> Bool? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.node(let x), .node(let y)): return x == y
        case (.relationship(let x), .relationship(let y)): return x == y
        case (.path(let x), .path(let y)): return x == y
        case (.list(let x), .list(let y)):
            guard x.count == y.count else { return false }
            var sawNull = false
            for (p, q) in zip(x, y) {
                switch equals(p, q) {
                case .some(false): return false
                case .none: sawNull = true
                case .some(true): break
                }
            }
            return sawNull ? nil : true
        case (.map(let x), .map(let y)):
            guard Set(x.keys) == Set(y.keys) else { return false }
            var sawNull = false
            for (key, p) in x {
                switch equals(p, y[key] ?? .null) {
                case .some(false): return false
                case .none: sawNull = true
                case .some(true): break
                }
            }
            return sawNull ? nil : true
        default:
            if let x = Number(a), let y = Number(b) { return compareNumbers(x, y) == 0 }
            return false
        }
    }

    /// `a op b` for `<`, `<=`, `>`, `>=`: false when a number is compared with NaN (as IEEE 754 says), null when the
    /// values are not comparable.
    static func ordered(_ op: BinaryOperator, _ a: Value, _ b: Value) -> Value {
        if let x = Number(a), let y = Number(b), x.doubleValue.isNaN || y.doubleValue.isNaN { return .bool(false) }
        guard let sign = compare(a, b) else { return .null }
        switch op {
        case .less: return .bool(sign < 0)
        case .lessEqual: return .bool(sign <= 0)
        case .greater: return .bool(sign > 0)
        default: return .bool(sign >= 0)
        }
    }

    /// Cypher `<` and friends: the sign of the comparison, or `nil` (null) when the values are not comparable.
    static func compare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.list(let x), .list(let y)):
            for (p, q) in zip(x, y) {
                guard let c = compare(p, q) else { return nil }
                if c != 0 { return c }
            }
            return x.count < y.count ? -1 : (x.count > y.count ? 1 : 0)
        default:
            if let x = Number(a), let y = Number(b) { return compareNumbers(x, y) }
            return nil
        }
    }

    // MARK: Ordering (ORDER BY, min, max): a total order

    private static func orderRank(_ value: Value) -> Int {
        switch value {
        case .map: return 0
        case .node: return 1
        case .relationship: return 2
        case .list: return 3
        case .path: return 4
        case .string: return 5
        case .bool: return 6
        case .integer, .float, .amount: return 7
        case .null: return 8
        }
    }

    /// openCypher orderability: maps < nodes < relationships < lists < paths < strings < booleans < numbers < null;
    /// NaN sorts above every other number.
    static func order(_ a: Value, _ b: Value) -> Int {
        let ra = orderRank(a)
        let rb = orderRank(b)
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.node(let x), .node(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.relationship(let x), .relationship(let y)): return x.id < y.id ? -1 : (x.id > y.id ? 1 : 0)
        case (.list(let x), .list(let y)):
            for (p, q) in zip(x, y) {
                let c = order(p, q)
                if c != 0 { return c }
            }
            return x.count < y.count ? -1 : (x.count > y.count ? 1 : 0)
        case (.path(let x), .path(let y)):
            return order(.list(x.nodes.map(Value.node)), .list(y.nodes.map(Value.node)))
        case (.map(let x), .map(let y)):
            let keys = Array(Set(x.keys).union(y.keys)).sorted()
            for key in keys {
                let c = order(x[key] ?? .null, y[key] ?? .null)
                if c != 0 { return c }
            }
            return 0
        case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.null, .null): return 0
        default:
            guard let x = Number(a), let y = Number(b) else { return 0 }
            if let c = compareNumbers(x, y) { return c }
            let xNaN = x.doubleValue.isNaN
            let yNaN = y.doubleValue.isNaN
            return xNaN == yNaN ? 0 : (xNaN ? 1 : -1)
        }
    }

    // MARK: Arithmetic

    static func typeError(_ op: String, _ a: Value, _ b: Value, _ range: SourceRange) -> QueryError {
        QueryError(.runtime, "type mismatch: cannot apply '\(op)' to \(a.typeName) and \(b.typeName)", at: range)
    }

    private static func overflow(_ op: String, _ range: SourceRange) -> QueryError {
        QueryError(.runtime, "integer overflow in '\(op)'", at: range)
    }

    static func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value, _ range: SourceRange) throws(QueryError) -> Value {
        if case .null = a { return .null }
        if case .null = b { return .null }
        if op == .add {
            switch (a, b) {
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.string(let x), .integer), (.string(let x), .float), (.string(let x), .amount):
                return .string(x + Rendering.plainText(b))
            case (.integer, .string(let y)), (.float, .string(let y)), (.amount, .string(let y)):
                return .string(Rendering.plainText(a) + y)
            case (.list(let x), .list(let y)): return .list(x + y)
            case (.list(let x), _): return .list(x + [b])
            case (_, .list(let y)): return .list([a] + y)
            default: break
            }
        }
        guard let x = Number(a), let y = Number(b) else { throw typeError(op.rawValue, a, b, range) }
        if op == .power { return .float(pow(x.doubleValue, y.doubleValue)) }
        switch (x, y) {
        case (.integer(let p), .integer(let q)):
            let result: (Int64, Bool)
            switch op {
            case .add: result = p.addingReportingOverflow(q)
            case .subtract: result = p.subtractingReportingOverflow(q)
            case .multiply: result = p.multipliedReportingOverflow(by: q)
            case .divide:
                guard q != 0 else { throw QueryError(.runtime, "division by zero", at: range) }
                result = p.dividedReportingOverflow(by: q)
            case .modulo:
                guard q != 0 else { throw QueryError(.runtime, "division by zero in '%'", at: range) }
                result = p.remainderReportingOverflow(dividingBy: q)
                if result.1 { return .integer(0) }
            default: throw typeError(op.rawValue, a, b, range)
            }
            if result.1 { throw overflow(op.rawValue, range) }
            return .integer(result.0)
        case (.float, _), (_, .float):
            let p = x.doubleValue
            let q = y.doubleValue
            switch op {
            case .add: return .float(p + q)
            case .subtract: return .float(p - q)
            case .multiply: return .float(p * q)
            case .divide: return .float(p / q)
            case .modulo: return .float(p.truncatingRemainder(dividingBy: q))
            default: throw typeError(op.rawValue, a, b, range)
            }
        default:
            guard let p = WideInteger(a), let q = WideInteger(b) else { throw typeError(op.rawValue, a, b, range) }
            let result: WideInteger?
            switch op {
            case .add: result = p.adding(q)
            case .subtract: result = p.adding(q.negated)
            case .multiply: result = p.multiplied(by: q)
            case .divide, .modulo:
                guard let (quotient, remainder) = p.quotientAndRemainder(dividingBy: q) else {
                    throw QueryError(.runtime, "division by zero", at: range)
                }
                result = op == .divide ? quotient : remainder
            default: throw typeError(op.rawValue, a, b, range)
            }
            guard let result, let value = result.amountResult else {
                throw QueryError(.runtime, "amount overflow in '\(op.rawValue)': the result is outside -2^63 … 2^256 - 1", at: range)
            }
            return value
        }
    }

    /// `a =~ b`: whether the whole string `a` matches the regular expression `b`; null unless both are strings.
    /// An invalid pattern is a runtime error.
    static func regexMatch(_ a: Value, _ b: Value, _ range: SourceRange) throws(QueryError) -> Value {
        guard case .string(let text) = a, case .string(let pattern) = b else { return .null }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
        } catch {
            throw QueryError(.runtime, "invalid regular expression '\(pattern)'", at: range)
        }
        return .bool(text.wholeMatch(of: regex) != nil)
    }

    static func negate(_ a: Value, _ range: SourceRange) throws(QueryError) -> Value {
        switch a {
        case .null: return .null
        case .integer(let i):
            guard i != .min else { throw overflow("-", range) }
            return .integer(-i)
        case .float(let d): return .float(-d)
        case .amount(let amount):
            guard let value = WideInteger(negative: true, magnitude: amount).amountResult else {
                throw QueryError(.runtime, "amount overflow in '-': -\(amount) does not fit in a 64-bit integer", at: range)
            }
            return value
        default:
            throw QueryError(.runtime, "type mismatch: cannot negate \(a.typeName)", at: range)
        }
    }
}

