/// One comma-separated part of a `MATCH` pattern: a chain of nodes and relationships, optionally named (`p = …`).
struct PatternPart: Sendable {
    var pathVariable: String?
    var pathVariableRange: SourceRange?
    var nodes: [NodePattern]
    /// `relationships[i]` joins `nodes[i]` and `nodes[i + 1]`.
    var relationships: [RelationshipPattern]
    var range: SourceRange
    /// `shortestPath(…)` or `allShortestPaths(…)` around the chain.
    var shortest: ShortestKind? = nil
}

/// `(variable:Label1:Label2 {key: value})`.
struct NodePattern: Sendable {
    var variable: String?
    var variableRange: SourceRange?
    var labels: [String]
    var properties: [MapEntry]
    var range: SourceRange
}

/// `-[variable:T1|T2 *min..max {key: value}]->`.
struct RelationshipPattern: Sendable {
    /// Direction as written, from the node on the left to the node on the right.
    enum Direction: Sendable { case leftToRight, rightToLeft, undirected }

    var variable: String?
    var variableRange: SourceRange?
    var types: [String]
    var properties: [MapEntry]
    var direction: Direction
    /// `nil` for a single hop; otherwise the bounds of a variable-length pattern (`max == nil` is unbounded).
    var length: (min: Int, max: Int?)?
    var range: SourceRange
}
