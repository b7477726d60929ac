import ArgumentParser
import Foundation
import Spoor

/// `spoor bench-query STORE 'MATCH ...' [--param k=v]... [--repeat N] [--warmup W]` (hidden): times a query in
/// process, for the peer comparison (`Benchmarks/peers/peers.py`).
///
/// The query is prepared once; each run opens a fresh snapshot, starts the query and pulls every row, which is what
/// is timed (not process start-up, not rendering). The rows of the first (warm-up) run go to stdout as CSV; a first
/// run slower than --budget is the only sample. The timings go to stderr as one JSON line starting with `bench: `
/// (rows, runs, p50_us, p95_us, min_us, max_us and every timed run in times_us, sorted).
struct BenchQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-query",
        abstract: "Time a Cypher query in process: median and p95 of repeated runs after a warm-up.",
        shouldDisplay: false
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The query text.", valueName: "query"))
    var query: String

    @Option(name: .customLong("param"), help: ArgumentHelp("A query parameter, name=value (repeatable).", valueName: "name=value"))
    var parameters: [String] = []

    @Option(name: .customLong("repeat"), help: "Timed runs.")
    var repeatCount = 20

    @Option(help: "Untimed warm-up runs (at least 1: its rows are the output).")
    var warmup = 1

    @Option(help: "Stop repeating once the timed runs have taken this many seconds (at least one timed run).")
    var budget: Double = 30

    @Option(help: "Per-run time limit in seconds.")
    var timeout: Double = 300

    @Option(help: "Per-run limit on relationships visited.")
    var maxExpansions = Int.max

    func validate() throws {
        guard repeatCount >= 1 else { throw ValidationError("--repeat must be at least 1, found \(repeatCount)") }
        guard warmup >= 1 else { throw ValidationError("--warmup must be at least 1, found \(warmup)") }
        guard budget > 0, timeout > 0 else { throw ValidationError("--budget and --timeout must be positive") }
        guard maxExpansions >= 1 else { throw ValidationError("--max-expansions must be at least 1") }
        for argument in parameters { _ = try QueryParameter.parse(argument) }
    }

    func run() async throws {
        var values: [String: Value] = [:]
        for argument in parameters {
            let (name, value) = try QueryParameter.parse(argument)
            values[name] = value
        }
        let graph = try Graph.open(at: storeOptions.store, mode: .readOnly)
        let limits = QueryLimits(maxRows: Int.max, timeout: .milliseconds(Int64(timeout * 1000)), maxExpansions: maxExpansions)
        let prepared: PreparedQuery
        do {
            prepared = try PreparedQuery.prepare(query)
        } catch {
            QueryOutput.reportDiagnostic(error, in: query)
            throw ExitCode(1)
        }
        var times: [Double] = []
        var rowCount = 0
        do {
            // First warm-up run: its rows are the output. One that alone takes longer than the budget is the only
            // sample (a query that slow is not repeated).
            let firstStarted = ContinuousClock.now
            let first = try graph.run(prepared, parameters: values, limits: limits)
            rowCount = try QueryOutput.write(first, format: .csv)
            StandardOutput.flush()
            let firstElapsed = ContinuousClock.now - firstStarted
            let firstSeconds = Double(firstElapsed.components.seconds) + Double(firstElapsed.components.attoseconds) / 1e18
            if firstSeconds > budget { times.append(firstSeconds) }
            for _ in 1..<warmup where times.isEmpty {
                try Self.drain(try graph.run(prepared, parameters: values, limits: limits))
            }
            var spent = times.first ?? 0
            while times.count < repeatCount && (times.isEmpty || spent < budget) {
                let started = ContinuousClock.now
                try Self.drain(try graph.run(prepared, parameters: values, limits: limits))
                let elapsed = ContinuousClock.now - started
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                times.append(seconds)
                spent += seconds
            }
        } catch let error as QueryError {
            QueryOutput.reportDiagnostic(error, in: query)
            throw ExitCode(1)
        }
        times.sort()
        let line =
            "bench: {\"rows\": \(rowCount), \"runs\": \(times.count), \"p50_us\": \(Self.micro(Self.percentile(times, 0.5))), "
            + "\"p95_us\": \(Self.micro(Self.percentile(times, 0.95))), \"min_us\": \(Self.micro(times[0])), "
            + "\"max_us\": \(Self.micro(times[times.count - 1])), "
            + "\"times_us\": [\(times.map { Self.micro($0) }.joined(separator: ", "))]}"
        Terminal.writeStandardError(line + "\n")
    }

    /// Pulls every row of `result`.
    static func drain(_ result: QueryResult) throws {
        while try result.next() != nil {}
    }

    /// The nearest-rank percentile of sorted `values` (`fraction` in 0...1): the value at rank ⌈fraction·n⌉.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// Seconds as microseconds with one decimal.
    static func micro(_ seconds: Double) -> String {
        ProgressLine.fixed(seconds * 1e6, digits: 1)
    }
}
