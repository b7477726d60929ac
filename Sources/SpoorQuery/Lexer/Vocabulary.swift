/// The words a query can use, for completion in the REPL: reserved words and the names of the built-in functions.
public enum QueryVocabulary {
    /// The reserved words, upper case, sorted.
    public static let keywords: [String] = Keyword.all.sorted()

    /// The built-in scalar and aggregate function names as queries write them (`toInteger`, `count`,
    /// `spoor.time`, `shortestPath`), sorted case-insensitively.
    public static let functions: [String] = {
        var names = Set(BoundExpression.Function.allCases.map(\.rawValue))
        names.formUnion(BoundProjection.Aggregate.Kind.allCases.filter { $0 != .countStar }.map(\.rawValue))
        names.formUnion(["shortestPath", "allShortestPaths"])
        return names.sorted { $0.lowercased() < $1.lowercased() }
    }()
}
