import Foundation
import SpoorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `spoor repl` with stdin piped (not a terminal), for the REPL tests. It always points `SPOOR_HISTORY` somewhere
/// (never at the user's `~/.spoor_history`).
final class ReplProcess {
    private let input = Pipe()
    private let running: RunningSpoor
    var process: Process { running.process }

    /// Starts `spoor repl store` with history in `historyPath` (`""`: no history file).
    init(store: String, historyPath: String) throws {
        // A write to a REPL that has already left must fail, not end the test run.
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
        running = try Spoor.start(["repl", store], standardInput: input, environment: ["SPOOR_HISTORY": historyPath])
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
    var stdout: String { running.stdout }
    /// What has reached stderr so far.
    var stderr: String { running.stderr }

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
        return running.finish()
    }

    /// Runs `spoor repl store` on `script` to the end.
    static func run(store: String, script: String, historyPath: String) throws -> RunResult {
        let repl = try ReplProcess(store: store, historyPath: historyPath)
        try repl.send(script)
        return repl.finish()
    }
}
