/// A query after binding: steps over rows of `slotCount` values.
struct BoundQuery: Sendable {
    var steps: [BoundStep]
    var slotCount: Int
    var columns: [String]
    var outputSlots: [Int]
    /// Every parameter the query uses, with where it is first used.
    var parameters: [String: SourceRange]
    var explain: Bool
    var profile = false
    /// The queries after the first (`UNION [ALL]`); their output slots map onto `outputSlots`.
    var unions: [(all: Bool, steps: [BoundStep], outputSlots: [Int])] = []
}

/// One step of a bound query, in clause order.
enum BoundStep: Sendable {
    case match(BoundMatch)
    case unwind(BoundExpression, slot: Int)
    case projection(BoundProjection)
    case call(BoundCall)
}

/// `CALL proc(args) YIELD …`.
struct BoundCall: Sendable {
    var procedure: Procedure
    var arguments: [BoundExpression]
    /// Output column index → slot.
    var yields: [(column: Int, slot: Int, name: String)]
    var predicate: (expression: BoundExpression, text: String)?
    var range: SourceRange
    /// A void procedure inside a query passes each input row through once.
    var passThrough = false
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
        /// `shortestPath` / `allShortestPaths`.
        var shortest: ShortestKind? = nil
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
        enum Kind: String, Sendable, CaseIterable {
            case count, countStar = "count(*)", sum, min, max, collect, avg
            /// `percentileCont(x, p)` / `percentileDisc(x, p)`: the argument is bound as the list `[x, p]`.
            case percentileCont, percentileDisc
        }
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
