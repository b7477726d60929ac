/// An expression as written, with its source range.
struct Expression: Sendable {
    var kind: ExpressionKind
    var range: SourceRange
    /// The height of the expression tree (1 for a leaf); the parser caps it so later passes cannot overflow the stack.
    var height: Int = 1

    init(_ kind: ExpressionKind, _ range: SourceRange, height: Int = 1) {
        self.kind = kind
        self.range = range
        self.height = height
    }
}

/// The kinds of expression.
indirect enum ExpressionKind: Sendable {
    case literal(Value)
    case parameter(String)
    case variable(String)
    case property(Expression, key: String)
    case hasLabels(Expression, labels: [String])
    case subscriptAccess(Expression, index: Expression)
    case slice(Expression, from: Expression?, to: Expression?)
    case list([Expression])
    case map([MapEntry])
    case unary(UnaryOperator, Expression)
    case binary(BinaryOperator, Expression, Expression)
    case isNull(Expression, negated: Bool)
    case function(name: String, distinct: Bool, arguments: [Expression])
    case countStar
    case caseExpression(subject: Expression?, branches: [CaseBranch], otherwise: Expression?)
    case listComprehension(variable: String, variableRange: SourceRange, list: Expression, predicate: Expression?, projection: Expression?)
    /// A pattern used as a predicate (`WHERE (a)-[:T]->()`): true when it has a match.
    case pattern(PatternPart)
    /// `[p = (a)-->(b) WHERE predicate | projection]`.
    case patternComprehension(PatternPart, predicate: Expression?, projection: Expression)
}

/// `key: value` in a map literal or a pattern's property map.
struct MapEntry: Sendable {
    var key: String
    var keyRange: SourceRange
    var value: Expression
}

/// `WHEN condition THEN result`.
struct CaseBranch: Sendable {
    var condition: Expression
    var result: Expression
}

enum UnaryOperator: String, Sendable {
    case not = "NOT", minus = "-", plus = "+"
}

enum BinaryOperator: String, Sendable {
    case or = "OR", xor = "XOR", and = "AND"
    case equal = "=", notEqual = "<>", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case regexMatch = "=~"
    case inList = "IN", startsWith = "STARTS WITH", endsWith = "ENDS WITH", contains = "CONTAINS"
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^"

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }
}
