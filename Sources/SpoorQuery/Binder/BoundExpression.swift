/// An expression with its variables resolved to row slots, ready to evaluate.
indirect enum BoundExpression: Sendable {
    case literal(Value)
    case parameter(String, SourceRange)
    case slot(Int)
    case property(BoundExpression, key: String, SourceRange)
    case hasLabels(BoundExpression, labels: [String], SourceRange)
    case subscriptAccess(BoundExpression, index: BoundExpression, SourceRange)
    case slice(BoundExpression, from: BoundExpression?, to: BoundExpression?, SourceRange)
    case list([BoundExpression])
    case map([(key: String, value: BoundExpression)])
    case not(BoundExpression, SourceRange)
    case negate(BoundExpression, SourceRange)
    case and(BoundExpression, BoundExpression, SourceRange)
    case or(BoundExpression, BoundExpression, SourceRange)
    case xor(BoundExpression, BoundExpression, SourceRange)
    case binary(BinaryOperator, BoundExpression, BoundExpression, SourceRange)
    case isNull(BoundExpression, negated: Bool)
    case function(Function, [BoundExpression], SourceRange)
    /// The result of aggregate number `index` of the projection being evaluated.
    case aggregate(Int)
    case caseExpression(subject: BoundExpression?, branches: [(BoundExpression, BoundExpression)], otherwise: BoundExpression?)
    case listComprehension(slot: Int, list: BoundExpression, predicate: BoundExpression?, projection: BoundExpression?, SourceRange)
    /// A pattern predicate: whether the match has at least one row, given the current row.
    case patternExists(PatternExistence, SourceRange)
    /// A pattern comprehension: the projection for every match of the pattern, given the current row.
    case patternComprehension(PatternExistence, projection: BoundExpression, SourceRange)
    /// A path from the node in `start` along the relationships (or relationship lists) in `relationships`.
    case buildPath(start: Int, relationships: [Int])

    /// The scalar functions.
    enum Function: String, Sendable, CaseIterable {
        case id, labels, type, size, length, coalesce, toString, toInteger, toFloat, toBoolean, abs, keys, properties
        case nodes, relationships, startNode, endNode, head, last, tail, toLower, toUpper, trim, exists, range
        case sign, round, floor, ceil, sqrt, reverse, split, substring, replace, left, right
        /// The quantifiers `all`, `any`, `none`, `single`: their one argument is the list of predicate values.
        case quantifierAll = "all", quantifierAny = "any", quantifierNone = "none", quantifierSingle = "single"
        case rand
        /// `datetime({epochSeconds: t})` and `spoor.time(t)`: unix seconds as an ISO-8601 UTC String (see ``UnixTime``).
        case datetime, spoorTime = "spoor.time"

        /// The quantifier named `name` (lower case), or `nil`.
        init?(quantifier name: String) {
            switch name {
            case "all": self = .quantifierAll
            case "any": self = .quantifierAny
            case "none": self = .quantifierNone
            case "single": self = .quantifierSingle
            default: return nil
            }
        }

        /// Accepted argument counts.
        var arity: ClosedRange<Int> {
            switch self {
            case .coalesce: return 1...Int.max
            case .range: return 2...3
            case .split, .left, .right: return 2...2
            case .substring: return 2...3
            case .replace: return 3...3
            case .rand: return 0...0
            default: return 1...1
            }
        }
    }

    /// The slots the expression reads.
    func collectSlots(into slots: inout Set<Int>) {
        switch self {
        case .literal, .parameter, .aggregate: break
        case .patternExists(let pattern, _), .patternComprehension(let pattern, _, _): slots.formUnion(pattern.outerSlots)
        case .buildPath(let start, let relationships):
            slots.insert(start)
            slots.formUnion(relationships)
        case .slot(let slot): slots.insert(slot)
        case .property(let base, _, _), .hasLabels(let base, _, _), .not(let base, _), .negate(let base, _),
            .isNull(let base, _):
            base.collectSlots(into: &slots)
        case .subscriptAccess(let base, let index, _):
            base.collectSlots(into: &slots)
            index.collectSlots(into: &slots)
        case .slice(let base, let from, let to, _):
            base.collectSlots(into: &slots)
            from?.collectSlots(into: &slots)
            to?.collectSlots(into: &slots)
        case .list(let elements), .function(_, let elements, _):
            for element in elements { element.collectSlots(into: &slots) }
        case .map(let entries):
            for entry in entries { entry.value.collectSlots(into: &slots) }
        case .and(let a, let b, _), .or(let a, let b, _), .xor(let a, let b, _), .binary(_, let a, let b, _):
            a.collectSlots(into: &slots)
            b.collectSlots(into: &slots)
        case .caseExpression(let subject, let branches, let otherwise):
            subject?.collectSlots(into: &slots)
            for (condition, result) in branches {
                condition.collectSlots(into: &slots)
                result.collectSlots(into: &slots)
            }
            otherwise?.collectSlots(into: &slots)
        case .listComprehension(let slot, let list, let predicate, let projection, _):
            list.collectSlots(into: &slots)
            var inner = Set<Int>()
            predicate?.collectSlots(into: &inner)
            projection?.collectSlots(into: &inner)
            inner.remove(slot)
            slots.formUnion(inner)
        }
    }

    /// The slots the expression reads.
    var slots: Set<Int> {
        var result = Set<Int>()
        collectSlots(into: &result)
        return result
    }
}
