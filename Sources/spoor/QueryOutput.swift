import Spoor

/// Writes a query's rows to stdout with SpoorQuery's ``ResultRenderer``, and the timing line and diagnostics that
/// go with them to stderr; shared by `spoor query` and `spoor repl`.
enum QueryOutput {
    /// Pulls every row of `result` (asking `isCancelled` before each pull), renders them in `format` to stdout and
    /// returns how many there were. Throws ``QueryCancelled`` when `isCancelled` answers `true` or the result was
    /// cancelled (``QueryResult/cancel()``) during a pull; nothing is written then.
    static func write(
        _ result: QueryResult, format: QueryCommand.Format, isCancelled: () -> Bool = { false }
    ) throws -> Int {
        var rows: [[Value]] = []
        while true {
            if isCancelled() { throw QueryCancelled() }
            do {
                guard let row = try result.next() else { break }
                rows.append(row)
            } catch let error as QueryError where error.kind == .cancelled {
                throw QueryCancelled()  // `result.cancel()` stopped a pull.
            }
        }
        let renderer = ResultRenderer(graph: result.graph)
        let text = try renderer.render(columns: result.columns, rows: rows, format: format.rendererFormat)
        var out = StandardOutput()
        print(text, terminator: "", to: &out)
        if let profile = result.profile {
            // The profile is a diagnostic, like the timing: stderr, so stdout stays data.
            StandardOutput.flush()
            Terminal.writeStandardError(profile + (profile.hasSuffix("\n") ? "" : "\n"))
        }
        return rows.count
    }

    /// `N rows in X ms`, timed from `started`.
    static func timing(rows: Int, since started: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return "\(rows) row\(rows == 1 ? "" : "s") in \(ProgressLine.fixed(milliseconds, digits: 1)) ms"
    }

    /// Flushes stdout, then writes `error` with a caret under its range in `text` to stderr.
    static func reportDiagnostic(_ error: QueryError, in text: String) {
        StandardOutput.flush()
        Terminal.writeStandardError(QueryCommand.colour(error.rendered(in: text)) + "\n")
    }
}

/// A query stopped before its end because the user asked (Ctrl-C in the REPL).
struct QueryCancelled: Error, CustomStringConvertible {
    var description: String { "cancelled" }
}

extension QueryCommand.Format {
    var rendererFormat: ResultRenderer.Format {
        switch self {
        case .table: return .table
        case .json: return .json
        case .jsonl: return .jsonl
        case .csv: return .csv
        }
    }
}
