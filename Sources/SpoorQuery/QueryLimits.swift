/// Bounds on the work one query run may do. Exceeding one throws a ``QueryError`` of kind `.limit`.
public struct QueryLimits: Sendable {
    /// Most rows the cursor returns.
    public var maxRows: Int
    /// Wall-clock budget of a run, measured from `run`; `nil` for none.
    public var timeout: Duration?
    /// Most relationships all expansions of a run may visit.
    public var maxExpansions: Int

    /// Creates limits; the defaults are 1,000,000 rows, 30 seconds and 10,000,000 expansions.
    public init(maxRows: Int = 1_000_000, timeout: Duration? = .seconds(30), maxExpansions: Int = 10_000_000) {
        self.maxRows = maxRows
        self.timeout = timeout
        self.maxExpansions = maxExpansions
    }

    /// The default limits.
    public static let `default` = QueryLimits()
}
