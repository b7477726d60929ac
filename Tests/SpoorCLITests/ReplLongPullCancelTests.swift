import Foundation
import SpoorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C in the REPL during one long pull (an aggregation that returns a single row at its end).
struct ReplLongPullCancelTests {
    @Test func interruptStopsALongAggregation() throws {
        let store = try ReplCLITests.InvestigationStore()
        let repl = try ReplProcess(store: store.path, historyPath: "")
        try repl.send("RETURN 0 AS ready;\n")
        #expect(repl.wait(upTo: 30) { repl.stderr.contains("1 row in ") })
        // 100M rows counted inside one `next()`: minutes, unless Ctrl-C cancels the engine's run.
        try repl.send(":timeout off\nUNWIND range(1, 10000) AS x UNWIND range(1, 10000) AS y RETURN count(*) AS n;\n")
        let started = ContinuousClock.now
        let cancelled = repl.wait(upTo: 30) {
            if repl.stderr.contains("cancelled\n") { return true }
            repl.signal(SIGINT)
            usleep(300_000)
            return false
        }
        #expect(cancelled, "\(repl.stderr)")
        #expect(ContinuousClock.now - started < .seconds(20))
        try repl.send("RETURN 'after' AS next;\n")
        let result = repl.finish()
        #expect(result.status == 0 && !result.killedBySignal, "\(result)")
        #expect(result.stdout.contains("after"), "\(result)")
        #expect(!result.stdout.contains("| n "), "a cancelled query prints no rows: \(result)")
        #expect(!result.stderr.contains("error"), "cancellation is not a diagnostic: \(result)")
    }
}
