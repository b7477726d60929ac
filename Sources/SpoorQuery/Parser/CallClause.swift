/// `CALL ns.proc(args) YIELD a, b AS c WHERE predicate`.
struct CallClause: Sendable {
    /// `YIELD name [AS alias]`.
    struct YieldItem: Sendable {
        var name: String
        var nameRange: SourceRange
        var alias: String?
        var aliasRange: SourceRange?
    }

    var name: String
    var nameRange: SourceRange
    /// `nil` when written without parentheses (standalone: arguments come from parameters of the same names).
    var arguments: [Expression]?
    /// `nil` without `YIELD`.
    var yields: [YieldItem]?
    var yieldStar: Bool
    var predicate: Expression?
    var range: SourceRange
}

/// `UNION [ALL] query`.
struct UnionPart: Sendable {
    var all: Bool
    var clauses: [Clause]
    /// The `UNION [ALL]` keywords.
    var range: SourceRange
}

/// `shortestPath` or `allShortestPaths`.
enum ShortestKind: Sendable, Hashable {
    case single, all
}
