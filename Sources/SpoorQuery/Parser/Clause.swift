/// A parsed query: its clauses in order.
struct QueryStatement: Sendable {
    var clauses: [Clause]
    var explain: Bool
    var range: SourceRange
    /// `PROFILE` prefix.
    var profile = false
    /// The queries after the first, each introduced by `UNION [ALL]`.
    var unions: [UnionPart] = []
}

/// One clause of a query.
enum Clause: Sendable {
    case match(MatchClause)
    case unwind(UnwindClause)
    case with(ProjectionClause)
    case returnClause(ProjectionClause)
    case call(CallClause)
}

/// `[OPTIONAL] MATCH pattern, pattern WHERE predicate`.
struct MatchClause: Sendable {
    var optional: Bool
    var patterns: [PatternPart]
    var predicate: Expression?
    var range: SourceRange
}

/// `UNWIND list AS variable`.
struct UnwindClause: Sendable {
    var expression: Expression
    var variable: String
    var variableRange: SourceRange
    var range: SourceRange
}

/// `WITH` or `RETURN` with its modifiers.
struct ProjectionClause: Sendable {
    var distinct: Bool
    var star: Bool
    var items: [ProjectionItem]
    var orderBy: [SortItem]
    var skip: Expression?
    var limit: Expression?
    /// `WITH … WHERE`.
    var predicate: Expression?
    var range: SourceRange
}

/// `expression [AS alias]`.
struct ProjectionItem: Sendable {
    var expression: Expression
    var alias: String?
    var aliasRange: SourceRange?
    /// The expression as written, the column name when there is no alias.
    var text: String
}

/// `expression [ASC|DESC]`.
struct SortItem: Sendable {
    var expression: Expression
    var descending: Bool
}
