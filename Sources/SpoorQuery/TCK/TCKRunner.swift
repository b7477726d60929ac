import SpoorStore

/// How one TCK scenario went.
enum TCKOutcome: Sendable {
    /// Passed; for a scenario that expects an error, `raised` is the engine's error (grouped as ``TCKRunner/reason(for:)``
    /// does), so that passes for an unrelated reason (an unsupported construct) can be spotted.
    case passed(raised: String?)
    /// The engine's answer differs from the expected one; `reason` is a short, groupable cause, `detail` the specifics.
    case failed(reason: String, detail: String)
    /// The scenario cannot be run by the runner (a procedure, an unsupported setup).
    case skipped(reason: String)

    var isPassed: Bool { if case .passed = self { return true } else { return false } }
}

/// The outcome of one scenario.
struct TCKScenarioResult: Sendable {
    var scenario: TCKScenario
    var outcome: TCKOutcome
}

/// Runs TCK scenarios against an ``InMemoryGraph``.
struct TCKRunner {
    /// Limits for each query (small, so that a runaway query cannot stall the run).
    var limits = QueryLimits(maxRows: 100_000, timeout: .seconds(5), maxExpansions: 1_000_000)

    /// What `When executing query:` produced.
    private enum Execution {
        case rows(columns: [String], rows: [[Value]])
        case compileError(QueryError)
        case runtimeError(QueryError)
    }

    /// Runs every step of `scenario`.
    func run(_ scenario: TCKScenario) -> TCKOutcome {
        let graph = InMemoryGraph()
        var parameters: [String: Value] = [:]
        var procedures = ProcedureRegistry.standard
        var execution: Execution?
        var checked = false
        var raised: String?
        for tag in scenario.tags where tag == "@skip" || tag == "@fails" || tag == "@ignore" {
            return .skipped(reason: "tagged \(tag)")
        }
        for step in scenario.steps {
            let text = step.text
            if text == "an empty graph" || text == "any graph" {
                continue
            } else if text.hasPrefix("having executed") {
                guard let statement = step.docString else { return .skipped(reason: "setup step without a query") }
                do {
                    try TCKGraphBuilder.execute(statement, on: graph)
                } catch {
                    switch error {
                    case .unsupported(let reason): return .skipped(reason: reason)
                    case .failed(let reason): return .failed(reason: "setup failed", detail: reason)
                    }
                }
            } else if text.hasPrefix("parameters are") {
                for row in step.table ?? [] where row.count >= 2 {
                    do {
                        guard let value = try TCKValueParser.parse(row[1]).engineValue else {
                            return .skipped(reason: "parameter value is not a plain value")
                        }
                        parameters[row[0]] = value
                    } catch {
                        return .failed(reason: "runner: unreadable parameter", detail: "\(row[1]): \(error)")
                    }
                }
            } else if text.hasPrefix("there exists a procedure") {
                guard let procedure = TCKProcedures.procedure(from: text, table: step.table) else {
                    return .skipped(reason: "needs a procedure (CALL ... YIELD)")
                }
                procedures.register(procedure)
            } else if text.hasPrefix("executing query") {
                guard let query = step.docString else { return .skipped(reason: "query step without a query") }
                execution = execute(query, graph: graph, parameters: parameters, procedures: procedures)
                if let execution, let reason = Self.outsideSubset(execution) { return .skipped(reason: reason) }
            } else if text.hasPrefix("the result should be") {
                guard let execution else { return .failed(reason: "runner: no query before the result", detail: "") }
                checked = true
                let unordered = text.contains("ignoring element order for lists")
                let ordered = text.hasPrefix("the result should be, in order")
                let expected: [[String]]
                if text.hasPrefix("the result should be empty") {
                    expected = []
                } else {
                    expected = step.table ?? []
                }
                if case .failed(let reason, let detail) = compare(
                    execution, expected: expected, ordered: ordered, unorderedLists: unordered, graph: graph,
                    checkColumns: !text.hasPrefix("the result should be empty"))
                {
                    return .failed(reason: reason, detail: detail)
                }
            } else if text.hasPrefix("a "), text.contains(" should be raised at ") {
                guard let execution else { return .failed(reason: "runner: no query before the error", detail: "") }
                checked = true
                switch checkError(execution, step: text) {
                case .failed(let reason, let detail): return .failed(reason: reason, detail: detail)
                case .passed(let note): raised = note
                case .skipped(let reason): return .skipped(reason: reason)
                }
            } else if text.hasPrefix("no side effects") || text.hasPrefix("the side effects should be") {
                // Read-only queries have none; the graph is not inspected.
                continue
            } else {
                return .skipped(reason: "unknown step: \(step.keyword) \(text)")
            }
        }
        return checked ? .passed(raised: raised) : .skipped(reason: "no Then step")
    }

    private func execute(_ query: String, graph: InMemoryGraph, parameters: [String: Value], procedures: ProcedureRegistry = .standard) -> Execution {
        let prepared: PreparedQuery
        do {
            prepared = try PreparedQuery.prepare(query, procedures: procedures)
        } catch {
            return .compileError(error)
        }
        do {
            let cursor = try prepared.run(on: graph, parameters: parameters, limits: limits, procedures: procedures)
            return .rows(columns: prepared.columns, rows: try cursor.all())
        } catch {
            // A missing parameter is reported by `run`, before any row: still a compile-time problem.
            return error.kind == .semantic ? .compileError(error) : .runtimeError(error)
        }
    }

    /// Why a scenario's query is outside the read-side subset (DESIGN.md section 4), judged by the engine's refusal:
    /// a write clause (Spoor queries are read-only) or a temporal type (Spoor has unix seconds only). `nil` otherwise.
    private static func outsideSubset(_ execution: Execution) -> String? {
        let error: QueryError
        switch execution {
        case .compileError(let e), .runtimeError(let e): error = e
        default: return nil
        }
        if let clause = ["CREATE", "MERGE", "SET", "DELETE", "REMOVE", "DETACH"].first(where: {
            error.message.hasPrefix("\($0) is not supported: Spoor queries are read-only")
        }) {
            return "query uses the write clause \(clause) (outside the read-only subset)"
        }
        let temporal = ["date", "time", "localtime", "localdatetime", "duration"]
        if temporal.contains(where: { error.message == "unknown function '\($0)'" })
            || error.message.hasPrefix("datetime() is only supported as datetime({epochSeconds: t})")
        {
            return "query uses a temporal type (outside the subset: Spoor has unix seconds and datetime({epochSeconds: t}))"
        }
        return nil
    }

    private func describe(_ error: QueryError) -> String { "\(error.kind): \(error.message)" }

    /// A short, groupable form of an engine error: the message (its quoted parts usually name the unsupported thing)
    /// without source positions.
    static func reason(for error: QueryError) -> String {
        var message = error.message
        // "… to close '(' opened at 5:11, found 'WHERE'" → "… to close '(', found 'WHERE'".
        if let opened = message.firstRange(of: " opened at ") {
            let rest = message[opened.upperBound...]
            let tail = rest.firstRange(of: ", found ").map { String(rest[$0.lowerBound...]) } ?? ""
            message = String(message[..<opened.lowerBound]) + tail
        }
        return "\(error.kind) error: \(message)"
    }

    private func compare(
        _ execution: Execution, expected table: [[String]], ordered: Bool, unorderedLists: Bool, graph: InMemoryGraph, checkColumns: Bool
    ) -> TCKOutcome {
        let columns: [String]
        let rows: [[Value]]
        switch execution {
        case .compileError(let error):
            return .failed(reason: Self.reason(for: error), detail: "unexpected compile-time error: \(describe(error))")
        case .runtimeError(let error):
            return .failed(reason: Self.reason(for: error), detail: "unexpected runtime error: \(describe(error))")
        case .rows(let c, let r):
            columns = c
            rows = r
        }
        var order: [Int] = Array(columns.indices)
        if checkColumns, let header = table.first {
            guard header.count == columns.count else {
                return .failed(reason: "different columns", detail: "expected \(header), got \(columns)")
            }
            func normalized(_ name: String) -> String { String(name.filter { $0 != " " }) }
            var mapping: [Int] = []
            for name in header {
                guard let i = columns.firstIndex(of: name) ?? columns.firstIndex(where: { normalized($0) == normalized(name) }) else {
                    return .failed(reason: "different columns", detail: "expected \(header), got \(columns)")
                }
                mapping.append(i)
            }
            order = mapping
        }
        var expectedRows: [[TCKValue]] = []
        for row in table.dropFirst() {
            var values: [TCKValue] = []
            for cell in row {
                do { values.append(try TCKValueParser.parse(cell)) } catch {
                    return .failed(reason: "runner: unreadable expected value", detail: "\(cell): \(error)")
                }
            }
            expectedRows.append(values)
        }
        var actualRows: [[TCKValue]] = []
        do {
            for row in rows { actualRows.append(try order.map { try TCKValue(row[$0], graph: graph) }) }
        } catch {
            return .failed(reason: "runner: graph read failed", detail: "\(error)")
        }
        func rowsEqual(_ a: [TCKValue], _ b: [TCKValue]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { $0.matches($1, unorderedLists: unorderedLists) }
        }
        let same = ordered
            ? expectedRows.count == actualRows.count && zip(expectedRows, actualRows).allSatisfy(rowsEqual)
            : TCKValue.multisetMatch(expectedRows, actualRows, rowsEqual)
        if same { return .passed(raised: nil) }
        func show(_ rows: [[TCKValue]]) -> String {
            let shown = rows.prefix(10).map { "| " + $0.map(\.description).joined(separator: " | ") + " |" }
            return shown.joined(separator: "\n") + (rows.count > 10 ? "\n… \(rows.count - 10) more" : "")
        }
        let reason = expectedRows.count == actualRows.count ? "wrong values" : "wrong number of rows"
        return .failed(reason: reason, detail: "expected:\n\(show(expectedRows))\ngot:\n\(show(actualRows))")
    }

    /// `a SyntaxError should be raised at compile time: DETAIL` — the phase decides which error kinds count.
    private func checkError(_ execution: Execution, step: String) -> TCKOutcome {
        let errorName = step.dropFirst(2).prefix(while: { $0 != " " })
        let phase = step.firstRange(of: " raised at ").map { step[$0.upperBound...].prefix(while: { $0 != ":" }) } ?? ""
        let detailCode = step.firstRange(of: ": ").map { String(step[$0.upperBound...]).tckTrimmingWhitespace() } ?? ""
        let expectedName = detailCode.isEmpty ? String(errorName) : "\(errorName) (\(detailCode))"
        switch execution {
        case .rows(_, let rows):
            return .failed(reason: "expected \(expectedName) at \(phase), got no error", detail: "\(rows.count) rows")
        case .compileError(let error), .runtimeError(let error):
            if error.kind == .limit { return .failed(reason: "limit error instead of \(expectedName)", detail: describe(error)) }
            let isCompile: Bool
            if case .compileError = execution { isCompile = true } else { isCompile = false }
            switch phase {
            case "compile time":
                if isCompile { return .passed(raised: Self.reason(for: error)) }
                return .failed(reason: "\(expectedName) expected at compile time, raised at runtime", detail: describe(error))
            case "runtime":
                if !isCompile || error.kind == .runtime { return .passed(raised: Self.reason(for: error)) }
                return .failed(reason: "\(expectedName) expected at runtime, raised at compile time", detail: describe(error))
            default:
                return .passed(raised: Self.reason(for: error))
            }
        }
    }
}

/// Reads the feature files and runs them, with a report.
struct TCKSuite {
    /// The features read, sorted by path.
    var features: [TCKFeature]


    /// Parses feature files given as (path, text) pairs; they are kept in path order.
    init(files: [(path: String, text: String)]) {
        features = files.sorted { $0.path < $1.path }.map { TCKFeature.parse($0.text, path: $0.path) }
    }

    /// Every scenario, in file order.
    var scenarios: [TCKScenario] { features.flatMap(\.scenarios) }

    /// Runs the scenarios accepted by `filter`.
    func run(where filter: (TCKScenario) -> Bool = { _ in true }, runner: TCKRunner = TCKRunner()) -> [TCKScenarioResult] {
        scenarios.filter(filter).map { TCKScenarioResult(scenario: $0, outcome: runner.run($0)) }
    }

    /// A per-file summary, a total line and the top failure and skip reasons; with `details`, every failure.
    static func report(_ results: [TCKScenarioResult], details: Bool) -> String {
        var lines: [String] = []
        var byFile: [String: [TCKScenarioResult]] = [:]
        for result in results { byFile[result.scenario.path, default: []].append(result) }
        func counts(_ results: [TCKScenarioResult]) -> (passed: Int, failed: Int, skipped: Int) {
            var c = (passed: 0, failed: 0, skipped: 0)
            for r in results {
                switch r.outcome {
                case .passed: c.passed += 1
                case .failed: c.failed += 1
                case .skipped: c.skipped += 1
                }
            }
            return c
        }
        for path in byFile.keys.sorted() {
            let fileResults = byFile[path]!
            let c = counts(fileResults)
            lines.append("\(path): \(c.passed) passed, \(c.failed) failed, \(c.skipped) skipped")
            var skipReasons: [String: Int] = [:]
            for r in fileResults { if case .skipped(let reason) = r.outcome { skipReasons[reason, default: 0] += 1 } }
            for (reason, n) in skipReasons.sorted(by: { $0.value > $1.value || $0.value == $1.value && $0.key < $1.key }) {
                lines.append("    skipped \(n): \(reason)")
            }
        }
        let c = counts(results)
        lines.append("TOTAL: \(results.count) scenarios: \(c.passed) passed, \(c.failed) failed, \(c.skipped) skipped")
        var failReasons: [String: Int] = [:]
        var skipReasons: [String: Int] = [:]
        var raisedReasons: [String: Int] = [:]
        for r in results {
            switch r.outcome {
            case .failed(let reason, _): failReasons[reason, default: 0] += 1
            case .skipped(let reason): skipReasons[reason, default: 0] += 1
            case .passed(let raised?): raisedReasons[raised, default: 0] += 1
            case .passed(nil): break
            }
        }
        func top(_ reasons: [String: Int]) -> [String] {
            reasons.sorted(by: { $0.value > $1.value || $0.value == $1.value && $0.key < $1.key }).map { "  \($0.value)  \($0.key)" }
        }
        lines.append("Failure reasons:")
        lines += top(failReasons)
        lines.append("Skip reasons:")
        lines += top(skipReasons)
        lines.append("Passes that expect an error, by the engine's error (a pass may be for an unrelated reason):")
        lines += top(raisedReasons)
        if details {
            lines.append("")
            lines.append("Failures:")
            for r in results {
                guard case .failed(let reason, let detail) = r.outcome else { continue }
                lines.append("--- \(r.scenario.path):\(r.scenario.line) \(r.scenario.name)")
                lines.append("    reason: \(reason)")
                for step in r.scenario.steps where step.text.hasPrefix("executing query") {
                    lines.append("    query: " + (step.docString ?? "").split(separator: "\n").joined(separator: "\n           "))
                }
                lines.append("    " + detail.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    "))
            }
        }
        return lines.joined(separator: "\n")
    }
}
