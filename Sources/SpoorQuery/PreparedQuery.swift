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
    /// Whether the text starts with `PROFILE` (the cursor's ``QueryCursor/profile`` then has per-operator figures).
    public var isProfile: Bool { bound.profile }
    /// The parameter names the query uses.
    public var parameterNames: [String] { bound.parameters.keys.sorted() }

    let bound: BoundQuery
    /// The last plan made for this query (shared by copies).
    let plans: PlanCache

    init(text: String, bound: BoundQuery) {
        self.text = text
        self.bound = bound
        plans = PlanCache(bound)
    }

    /// Lexes, parses and binds `text`. Throws a ``QueryError`` of kind `.syntax` or `.semantic`.
    /// `procedures` resolves `CALL` names and result columns (an unknown procedure is a `.semantic` error).
    public static func prepare(_ text: String, procedures: ProcedureRegistry = .standard) throws(QueryError) -> PreparedQuery {
        let statement = try Parser.parse(text)
        let bound = try Binder.bind(statement, source: text, procedures: procedures)
        return PreparedQuery(text: text, bound: bound)
    }

    /// The plan the query would run on `graph` (node counts and indexes come from the graph; without one the planner
    /// assumes the store's indexes), one operator per line, the result operator first, each with its estimated rows
    /// (see ``GraphStatistics``).
    public func explain(on graph: (any GraphAccess)? = nil) -> String {
        CardinalityEstimator(graph: graph).describe(Planner(graph: graph).plan(bound))
    }

    /// Starts a run. Rows are computed as the cursor is pulled. Throws a ``QueryError`` for a missing parameter;
    /// the cursor throws ``QueryError``s for run-time errors and exceeded limits.
    /// `procedures` runs `CALL`s (a procedure missing from it runs as it was bound) and is what `spoor.procedures()` lists.
    /// `cancellation`, when given, stops the run from another thread: the cursor then throws a `.cancelled` error.
    public func run(
        on graph: any GraphAccess, parameters: [String: Value] = [:], limits: QueryLimits = .default,
        procedures: ProcedureRegistry = .standard, cancellation: QueryCancellation? = nil
    ) throws(QueryError) -> QueryCursor {
        for (name, range) in bound.parameters.sorted(by: { $0.value.start < $1.value.start }) where parameters[name] == nil {
            throw QueryError(.semantic, "missing parameter $\(name)", at: range)
        }
        let context = ExecutionContext(graph: graph, parameters: parameters, limits: limits, cancellation: cancellation)
        let plan = plans.plan(bound, on: graph)
        let profile = bound.profile ? OperatorProfile("Query", reads: graph as? any GraphStatistics) : nil
        let root = OperatorBuilder.build(plan, context: context, width: bound.slotCount, procedures: procedures, profile: profile)
        let cursor = QueryCursor(columns: bound.columns, outputSlots: bound.outputSlots, root: root, context: context, plan: plan)
        cursor.profileRoot = profile
        return cursor
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

    /// The flag passed to `run`, if any.
    public var cancellation: QueryCancellation? { context.cancellation }

    /// Most rows a sort of this run has held at once.
    var peakSortRows: Int { context.peakSortRows }

    var profileRoot: OperatorProfile?

    /// For a `PROFILE` query, the plan with rows produced, time spent (including inputs) and, on a graph that counts
    /// them (``GraphStatistics``), store reads (of the operator itself, inputs excluded) per operator so far, and the
    /// relationships expanded; print it after pulling all rows. `nil` for other queries.
    public var profile: String? {
        guard let profileRoot else { return nil }
        var lines: [String] = []
        for child in profileRoot.children { child.render(into: &lines, indent: 0) }
        lines.append("expansions: \(context.expansions)")
        return lines.joined(separator: "\n")
    }
}
