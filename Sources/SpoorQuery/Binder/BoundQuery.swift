/// A query after binding: steps over rows of `slotCount` values.
struct BoundQuery: Sendable {
    var steps: [BoundStep]
    var slotCount: Int
    var columns: [String]
    var outputSlots: [Int]
    /// Every parameter the query uses, with where it is first used.
    var parameters: [String: SourceRange]
    var explain: Bool
}

/// One step of a bound query, in clause order.
enum BoundStep: Sendable {
    case match(BoundMatch)
    case unwind(BoundExpression, slot: Int)
    case projection(BoundProjection)
}

/// A `MATCH` with its pattern flattened to nodes and relationships over slots.
struct BoundMatch: Sendable {
    struct Node: Sendable {
        var slot: Int
        var name: String
        var labels: [String]
    }

    struct Relationship: Sendable {
        var slot: Int
        var name: String
        var from: Int
        var to: Int
        /// Direction as seen from `from`.
        var direction: ExpandDirection
        var types: [String]
        var length: (min: Int, max: Int?)?
        /// The slot was bound by an earlier clause: the expansion must find that relationship.
        var boundBefore: Bool
    }

    struct Predicate: Sendable {
        var expression: BoundExpression
        var text: String
        var slots: Set<Int>
    }

    var optional: Bool
    var nodes: [Node]
    var relationships: [Relationship]
    /// `p = …`: slot and the expression that builds it once the pattern is matched.
    var paths: [(slot: Int, expression: BoundExpression)]
    var predicates: [Predicate]
    var boundBefore: Set<Int>
    /// The slots this clause binds (set to null by `OPTIONAL MATCH` when nothing matches).
    var introduced: [Int]
    var names: [Int: String]
}

/// `WITH` or `RETURN`.
struct BoundProjection: Sendable {
    struct Item: Sendable {
        var expression: BoundExpression
        var slot: Int
        var name: String
        var containsAggregate: Bool
    }

    struct Aggregate: Sendable {
        enum Kind: String, Sendable { case count, countStar = "count(*)", sum, min, max, collect, avg }
        var kind: Kind
        var distinct: Bool
        var argument: BoundExpression?
        var range: SourceRange
        var text: String
    }

    var items: [Item]
    var aggregates: [Aggregate]
    var isAggregating: Bool
    var distinct: Bool
    var orderBy: [(expression: BoundExpression, descending: Bool, text: String)]
    var skip: BoundExpression?
    var limit: BoundExpression?
    var predicate: (expression: BoundExpression, text: String)?
    var isReturn: Bool
}
