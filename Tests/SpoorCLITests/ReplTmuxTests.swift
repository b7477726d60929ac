import Foundation
import SpoorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `spoor repl` on a real terminal: a detached tmux session (its own server socket) that the test types into with
/// `send-keys` and reads with `capture-pane`, as a person at the keyboard would. Skipped, with the reason, only when
/// tmux is not installed.
@Suite(.enabled(if: Tmux.path != nil, "tmux is not installed (apt-get install tmux; `make deps` does): the REPL terminal test needs it"))
struct ReplTmuxTests {
    /// Statement history persisted across sessions, multi-line input, `:param`, a diagnostic with its caret, Tab
    /// completion, Up-arrow recall, Ctrl-C cancelling a long query, Ctrl-D leaving with status 0.
    @Test func investigatorSessionAtATerminal() throws {
        let store = try ReplCLITests.InvestigationStore()
        // A statement from an earlier session: the first Up must recall it.
        try "RETURN 'from an earlier session' AS earlier;\n".write(toFile: store.history, atomically: true, encoding: .utf8)
        let binary = try Spoor.requireBinary()
        let tmux = try Tmux(directory: store.directory)
        defer { tmux.stop() }
        // Through sh, to see the exit status in the pane once the REPL has left. sh traps SIGINT (Ctrl-C reaches the
        // whole foreground group) so that it outlives the REPL; the REPL still starts with SIGINT's default action.
        let script = "trap : INT; \"$0\" repl \"$1\"; echo \"spoor exited with status $?\""
        let command = ["/bin/sh", "-c", script, binary, store.path]
        try tmux.start(command, environment: ["SPOOR_HISTORY": store.history, "NO_COLOR": "1"])

        try tmux.waitFor("the prompt") { $0.contains("spoor> ") }

        // Up recalls the last entry of the history file; Enter runs it.
        try tmux.keys("Up")
        try tmux.waitFor("the recalled statement") { Tmux.lastLine($0) == "spoor> RETURN 'from an earlier session' AS earlier;" }
        try tmux.keys("Enter")
        try tmux.waitFor("its result") { $0.contains("| from an earlier session |") }

        // A statement over two lines: the sanctioned address sent 3 transfers (rows 1, 2 and 8 of
        // Tests/Fixtures/investigation.csv).
        try tmux.type("MATCH (s:Address {address: '\(ReplCLITests.sanctioned)'})-[t:TRANSFER]->(r:Address)")
        try tmux.keys("Enter")
        try tmux.waitFor("the continuation prompt") { Tmux.lastLine($0).hasPrefix("  ...>") }
        try tmux.type("RETURN count(*) AS sentBySanctioned;")
        try tmux.keys("Enter")
        try tmux.waitFor("the two-line statement's result") { Tmux.tableRow("sentBySanctioned", in: $0) == "3" }

        // :param, then a query using it: c3 sent one transfer (row 7 of the fixture, to d4).
        try tmux.type(":param a => '\(ReplCLITests.c3)'")
        try tmux.keys("Enter")
        try tmux.type("MATCH (s:Address {address: $a})-[:TRANSFER]->(r) RETURN r.address AS paidByA;")
        try tmux.keys("Enter")
        try tmux.waitFor("the parameterised result") { Tmux.tableRow("paidByA", in: $0) == ReplCLITests.d4 }

        // A malformed query: the diagnostic and its caret under RETURN (column 30), and the prompt comes back.
        try tmux.type("MATCH (a:Address {address: 1 RETURN a;")
        try tmux.keys("Enter")
        try tmux.waitFor("the caret under RETURN") { screen in
            screen.contains("1 | MATCH (a:Address {address: 1 RETURN a")
                && screen.contains("  |                              ^^^^^^")
                && Tmux.lastLine(screen) == "spoor>"
        }

        // Tab completes the label `Add` → `Address`; 5 distinct addresses are in the 8 accepted rows of the fixture
        // (01e2…, a1, b2, c3, d4).
        try tmux.type("MATCH (a:Add")
        try tmux.keys("Tab")
        try tmux.waitFor("the completed label") { Tmux.lastLine($0) == "spoor> MATCH (a:Address" }
        try tmux.type(") RETURN count(a) AS addresses;")
        try tmux.keys("Enter")
        try tmux.waitFor("the count of addresses") { Tmux.tableRow("addresses", in: $0) == "5" }

        // Up recalls that statement; run again, its result shows a second time.
        try tmux.keys("Up")
        try tmux.waitFor("the recalled statement") {
            Tmux.lastLine($0) == "spoor> MATCH (a:Address) RETURN count(a) AS addresses;"
        }
        try tmux.keys("Enter")
        try tmux.waitFor("the second result") { $0.components(separatedBy: "| addresses |").count == 3 }

        // Ctrl-C during a long query (10^10 rows counted inside one pull): `cancelled`, and the session goes on.
        try tmux.type(":timeout off")
        try tmux.keys("Enter")
        try tmux.type("UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN count(*) AS n;")
        try tmux.keys("Enter")
        try tmux.waitFor("the long query to be accepted") { $0.contains("AS n;\n") }
        // Ctrl-C once a second until the query reports `cancelled` (the first may come before the query runs).
        var lastInterrupt = ContinuousClock.now - .seconds(1)
        try tmux.waitFor("the cancellation") { screen in
            if screen.contains("\ncancelled\n") { return true }
            if ContinuousClock.now - lastInterrupt >= .seconds(1) {
                lastInterrupt = ContinuousClock.now
                try? tmux.keys("C-c")
            }
            return false
        }
        try tmux.type("RETURN 'still here' AS alive;")
        try tmux.keys("Enter")
        try tmux.waitFor("a query after the cancellation") { Tmux.tableRow("alive", in: $0) == "still here" }
        #expect(!(try tmux.capture()).contains("| n "), "a cancelled query prints no rows")

        // Ctrl-D on an empty line leaves with status 0.
        try tmux.keys("C-d")
        try tmux.waitFor("the REPL to leave") { $0.contains("\nspoor exited with status 0\n") }

        // The history file now holds this session's statements too, the multi-line one as one entry.
        let history = try String(contentsOfFile: store.history, encoding: .utf8)
        #expect(history.contains("MATCH (a:Address) RETURN count(a) AS addresses;\n"), "\(history)")
        #expect(history.contains("(r:Address)\\nRETURN count(*) AS sentBySanctioned;\n"), "\(history)")
    }
}

/// A tmux server of its own (a socket in the test's directory) running one detached session, 160×50.
final class Tmux {
    /// The tmux executable on `PATH`, or `nil`.
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for directory in directories + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(directory)/tmux"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let socket: String
    private let outputPath: String
    private let session = "repl"

    init(directory: TemporaryDirectory) throws {
        socket = directory.appending("tmux.sock")
        outputPath = directory.appending("tmux.out")
    }

    /// Starts `command` in the detached session; the pane stays after the command ends (to read its last words).
    func start(_ command: [String], environment: [String: String]) throws {
        var arguments = ["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "160", "-y", "50"]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { arguments += ["-e", "\(name)=\(value)"] }
        try run(arguments + command)
        try run(["set-option", "-t", session, "remain-on-exit", "on"])
    }

    /// Types `text` literally (a `;` goes as its hex code: tmux would read an argument ending in `;` as a command
    /// separator).
    func type(_ text: String) throws {
        for (index, piece) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { try run(["send-keys", "-t", session, "-H", "3b"]) }
            if !piece.isEmpty { try run(["send-keys", "-t", session, "-l", "--", String(piece)]) }
        }
    }

    /// Sends named keys (`Enter`, `Tab`, `Up`, `C-c`, `C-d`).
    func keys(_ names: String...) throws {
        try run(["send-keys", "-t", session] + names)
    }

    /// The whole pane, scrollback included, wrapped lines joined, trailing blank lines dropped.
    func capture() throws -> String {
        var text = try run(["capture-pane", "-p", "-J", "-S", "-", "-t", session])
        while text.hasSuffix("\n") { text.removeLast() }
        return text + "\n"
    }

    /// Polls the pane every 50 ms for up to 30 s until `condition` holds; fails with the screen otherwise.
    func waitFor(_ what: String, _ condition: (String) -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var last = ""
        while ContinuousClock.now < deadline {
            last = try capture()
            if condition(last) { return }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \(what); the pane shows:\n\(last)")
        throw Failure(description: "timed out waiting for \(what)")
    }

    /// Ends the server (and the REPL with it).
    func stop() {
        _ = try? run(["kill-server"])
    }

    /// The last non-blank line of a capture, trailing blanks dropped.
    static func lastLine(_ screen: String) -> String {
        let lines = screen.split(separator: "\n").map { String($0.reversed().drop(while: \.isWhitespace).reversed()) }
        return lines.last { !$0.isEmpty } ?? ""
    }

    /// The cell under the one-column header `column` in the last table showing it: `| column |`, a rule, `| cell |`.
    static func tableRow(_ column: String, in screen: String) -> String? {
        let lines = screen.split(separator: "\n").map(String.init)
        guard let header = lines.lastIndex(where: { $0.hasPrefix("| \(column) ") }), header + 2 < lines.count else {
            return nil
        }
        let row = lines[header + 2]
        guard row.hasPrefix("|"), row.hasSuffix("|") else { return nil }
        return row.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
    }

    /// Runs tmux with `arguments` and returns its output; throws when it fails.
    ///
    /// Through `posix_spawn` and `waitpid`, not `Process`: the server that `new-session` forks keeps the client's
    /// descriptors, among them the one `Process` watches for the child's exit, so `waitUntilExit` would never
    /// return. Output goes to a file for the same reason (a pipe would never reach its end).
    @discardableResult
    private func run(_ arguments: [String]) throws -> String {
        guard let path = Self.path else { throw Failure(description: "tmux is not installed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The test process blocks most signals in its threads; a server started with SIGCHLD blocked would never
        // see its pane exit, so tmux starts with an empty mask and every signal at its default action.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        sigdelset(&signals, SIGKILL)
        sigdelset(&signals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path, "-S", socket] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start tmux: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure(description: "waitpid: \(String(cString: strerror(errno)))") }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exited normally (low 7 bits 0) with status 0.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed (\(status)): \(text)")
        }
        return text
    }
}
