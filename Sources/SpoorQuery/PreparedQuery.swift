/// A query parsed and bound once, to run many times with different parameters.
///
/// ```swift
/// let query = try PreparedQuery.prepare("MATCH (a:Address {address: $a})-[t:TRANSFER]->(b) RETURN b.address, t.value")
/// let cursor = try query.run(on: graph, parameters: ["a": .string("0xabc")])
/// while let row = try cursor.next() { print(row) }
/// ```
public struct PreparedQuery: Sendable {
    /// The query text.
    public let text: String
    /// The result column names, in order.
    public var columns: [String] { bound.columns }
    /// Whether the text starts with `EXPLAIN`.
    public var isExplain: Bool { bound.explain }
    /// The parameter names the query uses.
    public var parameterNames: [String] { bound.parameters.keys.sorted() }

    let bound: BoundQuery

    /// Lexes, parses and binds `text`. Throws a ``QueryError`` of kind `.syntax` or `.semantic`.
    public static func prepare(_ text: String) throws(QueryError) -> PreparedQuery {
        let statement = try Parser.parse(text)
        let bound = try Binder.bind(statement, source: text)
        return PreparedQuery(text: text, bound: bound)
    }

    /// The plan the query would run on `graph` (node counts and indexes come from the graph; without one the planner
    /// assumes the store's indexes), one operator per line, the result operator first.
    public func explain(on graph: (any GraphAccess)? = nil) -> String {
        Planner(graph: graph).plan(bound).description
    }

    /// Starts a run. Rows are computed as the cursor is pulled. Throws a ``QueryError`` for a missing parameter;
    /// the cursor throws ``QueryError``s for run-time errors and exceeded limits.
    public func run(on graph: any GraphAccess, parameters: [String: Value] = [:], limits: QueryLimits = .default) throws(QueryError) -> QueryCursor {
        for (name, range) in bound.parameters.sorted(by: { $0.value.start < $1.value.start }) where parameters[name] == nil {
            throw QueryError(.semantic, "missing parameter $\(name)", at: range)
        }
        let context = ExecutionContext(graph: graph, parameters: parameters, limits: limits)
        let plan = Planner(graph: graph).plan(bound)
        let root = OperatorBuilder.build(plan, context: context, width: bound.slotCount)
        return QueryCursor(columns: bound.columns, outputSlots: bound.outputSlots, root: root, context: context, plan: plan)
    }
}

/// The rows of one run, computed as they are pulled.
public final class QueryCursor {
    /// The result column names.
    public let columns: [String]
    /// The plan being run, as EXPLAIN prints it.
    public let planDescription: String
    private let outputSlots: [Int]
    private let root: any RowSource
    private let context: ExecutionContext
    private var rowCount = 0
    private var finished = false

    init(columns: [String], outputSlots: [Int], root: any RowSource, context: ExecutionContext, plan: PlanNode) {
        self.columns = columns
        self.outputSlots = outputSlots
        self.root = root
        self.context = context
        planDescription = plan.description
    }

    /// The next row (one value per column), or `nil` at the end. Throws ``QueryError``.
    public func next() throws(QueryError) -> [Value]? {
        guard !finished else { return nil }
        try context.checkDeadline()
        guard let row = try root.next() else {
            finished = true
            return nil
        }
        rowCount += 1
        if rowCount > context.limits.maxRows {
            finished = true
            throw QueryError(.limit, "query returned more than \(context.limits.maxRows) rows; add LIMIT or raise maxRows", at: SourceRange(start: 0, end: 0))
        }
        return outputSlots.map { $0 < row.count ? row[$0] : .null }
    }

    /// All remaining rows.
    public func all() throws(QueryError) -> [[Value]] {
        var rows: [[Value]] = []
        while let row = try next() { rows.append(row) }
        return rows
    }

    /// Relationships expanded so far.
    public var expansions: Int { context.expansions }
}
