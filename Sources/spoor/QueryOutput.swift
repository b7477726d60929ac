import Spoor

/// Writes a query's rows to stdout with SpoorQuery's ``ResultRenderer`` and returns how many there were.
enum QueryOutput {
    static func write(_ result: QueryResult, format: QueryCommand.Format) throws -> Int {
        let rows = try result.all()
        let renderer = ResultRenderer(graph: result.graph)
        let text = try renderer.render(columns: result.columns, rows: rows, format: format.rendererFormat)
        var out = StandardOutput()
        print(text, terminator: "", to: &out)
        return rows.count
    }
}

extension QueryCommand.Format {
    var rendererFormat: ResultRenderer.Format {
        switch self {
        case .table: return .table
        case .json: return .json
        case .csv: return .csv
        }
    }
}
