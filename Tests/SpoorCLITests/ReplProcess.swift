import Foundation
import SpoorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `spoor repl` with stdin piped (not a terminal), for the REPL tests.
///
/// `Spoor.start` gives the child `/dev/null` as stdin; the REPL needs a pipe it can be fed through, so this starts
/// the same binary with one, and always points `SPOOR_HISTORY` somewhere (never at the user's `~/.spoor_history`).
final class ReplProcess {
    let process = Process()
    let scratch = TemporaryDirectory("spoor-repl-output")
    private let input = Pipe()
    private let stdoutPath: String
    private let stderrPath: String

    /// Starts `spoor repl store` with history in `historyPath` (`""`: no history file).
    init(store: String, historyPath: String) throws {
        let binary = try Spoor.requireBinary()
        // A write to a REPL that has already left must fail, not end the test run.
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
        stdoutPath = scratch.appending("stdout")
        stderrPath = scratch.appending("stderr")
        guard FileManager.default.createFile(atPath: stdoutPath, contents: nil),
            FileManager.default.createFile(atPath: stderrPath, contents: nil),
            let out = FileHandle(forWritingAtPath: stdoutPath), let err = FileHandle(forWritingAtPath: stderrPath)
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["repl", store]
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["SPOOR_HISTORY"] = historyPath
        environment.removeValue(forKey: "SPOOR_LOG_LEVEL")
        process.environment = environment
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        try? out.close()
        try? err.close()
    }

    /// Writes `text` to the REPL's stdin.
    func send(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Closes stdin (end of input, like Ctrl-D).
    func closeInput() throws {
        try input.fileHandleForWriting.close()
    }

    /// Sends `signal` to the REPL.
    func signal(_ signal: Int32) {
        _ = kill(process.processIdentifier, signal)
    }

    /// What has reached stdout so far.
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    /// What has reached stderr so far.
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits up to `seconds` for `condition`; returns whether it held.
    func wait(upTo seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// Closes stdin, waits for the exit (killing the REPL after `seconds`), and returns what it produced.
    func finish(within seconds: Double = 60) -> RunResult {
        try? closeInput()
        if !wait(upTo: seconds, until: { !process.isRunning }) {
            _ = kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return RunResult(
            status: process.terminationStatus, stdout: stdout, stderr: stderr,
            killedBySignal: process.terminationReason == .uncaughtSignal)
    }

    /// Runs `spoor repl store` on `script` to the end.
    static func run(store: String, script: String, historyPath: String) throws -> RunResult {
        let repl = try ReplProcess(store: store, historyPath: historyPath)
        try repl.send(script)
        return repl.finish()
    }
}
