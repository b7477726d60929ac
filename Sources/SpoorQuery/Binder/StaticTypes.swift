/// The type of an expression as far as it is known before running the query: from literals, from variables bound to
/// nodes, relationships or paths, and from list-comprehension variables over literal lists. The binder uses it to
/// report type errors on such operands at compile time (openCypher's `InvalidArgumentType`); anything it cannot
/// decide (`nil`) is checked at run time as before.
enum StaticType: Equatable, Sendable {
    case null, boolean, integer, float, string, list, map, node, relationship, path

    var name: String {
        switch self {
        case .null: return "Null"
        case .boolean: return "Boolean"
        case .integer: return "Integer"
        case .float: return "Float"
        case .string: return "String"
        case .list: return "List"
        case .map: return "Map"
        case .node: return "Node"
        case .relationship: return "Relationship"
        case .path: return "Path"
        }
    }

    var isNumber: Bool { self == .integer || self == .float }

    init?(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool: self = .boolean
        case .integer, .amount: self = .integer
        case .float: self = .float
        case .string: self = .string
        case .list: self = .list
        case .map: self = .map
        case .node: self = .node
        case .relationship: self = .relationship
        case .path: self = .path
        }
    }

    /// The static type of `expression`; `variable` gives the known type of a variable, if any.
    static func of(_ expression: Expression, variable: (String) -> StaticType?) -> StaticType? {
        switch expression.kind {
        case .literal(let value): return StaticType(value)
        case .variable(let name): return variable(name)
        case .list, .listComprehension: return .list
        case .map: return .map
        case .isNull, .hasLabels: return .boolean
        case .unary(.not, _): return .boolean
        case .unary(_, let operand):
            let type = of(operand, variable: variable)
            return type?.isNumber == true ? type : nil
        case .binary(let op, let left, let right):
            switch op {
            case .and, .or, .xor, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .regexMatch,
                .startsWith, .endsWith, .contains, .inList:
                return .boolean
            case .add, .subtract, .multiply, .divide, .modulo, .power:
                guard let a = of(left, variable: variable), let b = of(right, variable: variable) else { return nil }
                if a == .null || b == .null { return .null }
                if op == .add, a == .list || b == .list { return .list }
                if op == .add, a == .string || b == .string { return .string }
                guard a.isNumber, b.isNumber else { return nil }
                if op == .power { return .float }
                return a == .float || b == .float ? .float : .integer
            }
        case .function(let name, _, _):
            switch name.lowercased() {
            case "all", "any", "none", "single", "exists", "toboolean": return nil
            case "tostring", "tolower", "toupper", "trim", "type", "substring", "left", "right", "replace": return nil
            case "size", "length", "id": return nil
            case "keys", "labels", "nodes", "relationships", "range", "split", "tail": return .list
            default: return nil
            }
        default: return nil
        }
    }

    /// The element type shared by every element of a list literal, if all are known and equal (nulls aside).
    static func elementType(of expression: Expression, variable: (String) -> StaticType?) -> StaticType? {
        guard case .list(let elements) = expression.kind, !elements.isEmpty else { return nil }
        var result: StaticType?
        for element in elements {
            guard let type = of(element, variable: variable) else { return nil }
            if type == .null { continue }
            if let known = result, known != type { return nil }
            result = type
        }
        return result
    }

    /// The compile-time type error of `expression` at its top level, or `nil`. Only operands whose types are known
    /// are checked, and `null` is always accepted.
    static func error(in expression: Expression, variable: (String) -> StaticType?) -> String? {
        func type(_ e: Expression) -> StaticType? {
            let t = of(e, variable: variable)
            return t == .null ? nil : t
        }
        switch expression.kind {
        case .unary(let op, let operand):
            guard let t = type(operand) else { return nil }
            if op == .not, t != .boolean { return "type mismatch: expected a Boolean, found \(t.name)" }
            if op == .minus, !t.isNumber { return "type mismatch: cannot negate \(t.name)" }
            return nil
        case .binary(let op, let left, let right):
            let a = type(left)
            let b = type(right)
            switch op {
            case .and, .or, .xor:
                for t in [a, b] {
                    if let t, t != .boolean {
                        return "type mismatch: expected a Boolean, found \(t.name)"
                    }
                }
                return nil
            case .inList:
                if let b, b != .list { return "type mismatch: the right side of IN must be a List, found \(b.name)" }
                return nil
            case .subtract, .multiply, .divide, .modulo, .power:
                guard let a, let b, !(a.isNumber && b.isNumber) else { return nil }
                return "type mismatch: cannot apply '\(op.rawValue)' to \(a.name) and \(b.name)"
            case .add:
                guard let a, let b else { return nil }
                if a == .list || b == .list { return nil }
                if a.isNumber && b.isNumber { return nil }
                if (a == .string && (b == .string || b.isNumber)) || (b == .string && a.isNumber) { return nil }
                return "type mismatch: cannot apply '+' to \(a.name) and \(b.name)"
            default:
                return nil
            }
        case .property(let base, let key):
            guard let t = type(base) else { return nil }
            if t == .node || t == .relationship || t == .map { return nil }
            return "type mismatch: cannot read property '\(key)' of \(t.name)"
        case .function(let name, _, let arguments):
            if name.lowercased() == "size", let first = arguments.first, case .pattern = first.kind {
                return "size() of a pattern is not allowed: count its matches with size([p = pattern | p])"
            }
            guard let first = arguments.first, let t = type(first) else { return nil }
            let accepted: [StaticType]
            switch name.lowercased() {
            case "labels": accepted = [.node]
            case "type": accepted = [.relationship]
            case "properties", "keys": accepted = [.node, .relationship, .map]
            case "size": accepted = [.list, .string, .map]
            case "length": accepted = [.path, .list, .string]
            case "nodes", "relationships": accepted = [.path]
            case "startnode", "endnode": accepted = [.relationship]
            default: return nil
            }
            if accepted.contains(t) { return nil }
            return "type mismatch: \(name)() does not accept \(t.name)"
        default:
            return nil
        }
    }
}

extension Expression {
    /// Whether the expression calls `rand()`: such an argument makes an aggregate non-deterministic, which openCypher
    /// rejects at compile time (`NonConstantExpression`).
    var callsRand: Bool {
        switch kind {
        case .function(let name, _, let arguments):
            return name.lowercased() == "rand" || arguments.contains { $0.callsRand }
        case .property(let base, _), .hasLabels(let base, _), .unary(_, let base), .isNull(let base, _):
            return base.callsRand
        case .subscriptAccess(let base, let index):
            return base.callsRand || index.callsRand
        case .slice(let base, let from, let to):
            return base.callsRand || from?.callsRand == true || to?.callsRand == true
        case .list(let elements):
            return elements.contains { $0.callsRand }
        case .map(let entries):
            return entries.contains { $0.value.callsRand }
        case .binary(_, let left, let right):
            return left.callsRand || right.callsRand
        case .caseExpression(let subject, let branches, let otherwise):
            return subject?.callsRand == true || otherwise?.callsRand == true
                || branches.contains { $0.condition.callsRand || $0.result.callsRand }
        case .listComprehension(_, _, let list, let predicate, let projection):
            return list.callsRand || predicate?.callsRand == true || projection?.callsRand == true
        default:
            return false
        }
    }
}
