import ArgumentParser
import Foundation
import Spoor

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `spoor repl STORE`: interactive Cypher on a store opened read-only.
///
/// A plain `ParsableCommand`: the session blocks on `readLine()`, which should not hold a thread of the concurrency
/// pool.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Query a store interactively (read-only); results to stdout, timings and diagnostics to stderr.",
        discussion: """
            A statement ends with ';' and may span lines. Lines starting with ':' at the start of a statement are \
            commands (:help lists them). A bad query prints its diagnostic and the prompt comes back; Ctrl-C \
            cancels the running query (or clears the input at the prompt), Ctrl-D or :quit leaves.

            There is a prompt only when stdin is a terminal, so a script can be piped in: \
            spoor repl STORE < queries.cypher

            History: the last 1,000 statements in $SPOOR_HISTORY, or ~/.spoor_history (an empty SPOOR_HISTORY \
            keeps none). No line editing: arrow keys are not interpreted.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let graph = try Graph.open(at: storeOptions.store, mode: .readOnly)
        let interactive = isatty(0) == 1
        var session = ReplSession(
            graph: graph, interactive: interactive, history: ReplHistory(path: ReplHistory.defaultPath()))
        session.run()
    }
}

/// The state of one REPL session and its input loop.
struct ReplSession {
    static let prompt = "spoor> "
    static let continuationPrompt = "  ...> "

    let graph: Graph
    /// Whether stdin is a terminal: prompts are shown only then.
    let interactive: Bool
    var history: ReplHistory
    var format = QueryCommand.Format.table
    var parameters: [String: Value] = [:]
    /// The text each parameter was given as, for `:params`.
    var parameterTexts: [String: String] = [:]
    var limits = QueryLimits()
    let interrupts: ReplInterrupts
    private var splitter = ReplStatementSplitter()

    init(graph: Graph, interactive: Bool, history: ReplHistory) {
        self.graph = graph
        self.interactive = interactive
        self.history = history
        interrupts = ReplInterrupts(redrawingPrompt: interactive ? Self.prompt : nil)
    }

    /// Reads and runs until `:quit` or the end of input.
    mutating func run() {
        interrupts.install()
        if interactive {
            Terminal.note("spoor \(SpoorCommand.configuration.version) — :help for help, :quit or Ctrl-D to leave")
        }
        while true {
            StandardOutput.flush()
            if interactive {
                Terminal.writeStandardError(splitter.isEmpty ? Self.prompt : Self.continuationPrompt)
            }
            let interruptsBefore = interrupts.current
            let line = interrupts.waitingForInput { readLine(strippingNewline: true) }
            if interrupts.current != interruptsBefore {
                splitter.reset()  // Ctrl-C at the prompt: the terminal dropped the line, drop the statement too.
            }
            guard let line else { break }
            if splitter.isEmpty {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                if trimmed.hasPrefix(":") {
                    splitter.reset()  // Only blanks and comments were pending.
                    guard runCommand(trimmed) else { return }
                    continue
                }
            }
            for statement in splitter.append(line: line) {
                history.add(statement + ";")
                execute(statement)
            }
        }
        // End of a script: run an unterminated last statement (its last line may lack the ';'). Ctrl-D on a
        // terminal drops one instead.
        if !interactive, let statement = splitter.finish() {
            history.add(statement)
            execute(statement)
        }
        StandardOutput.flush()
        if interactive { Terminal.writeStandardError("\n") }
    }

    // MARK: Statements

    /// Runs one statement: rows to stdout, then `N rows in X ms` (or the diagnostic, or `cancelled`) to stderr.
    mutating func execute(_ text: String) {
        let started = ContinuousClock.now
        let interruptsBefore = interrupts.current
        do {
            if QueryCommand.startsWithExplain(text) {
                try printPlan(of: text)
                return
            }
            let result = try graph.query(text, parameters: parameters, limits: limits)
            // Checked before each row is pulled; a single long `next()` (a sort, an aggregation, a long
            // expansion) runs to its end first: the engine has no cancellation of its own yet.
            let rows = try QueryOutput.write(result, format: format) { [interrupts] in
                interrupts.current != interruptsBefore
            }
            StandardOutput.flush()
            Terminal.note(QueryOutput.timing(rows: rows, since: started))
        } catch let error as QueryError {
            QueryOutput.reportDiagnostic(error, in: text)
        } catch is QueryCancelled {
            StandardOutput.flush()
            Terminal.note(interactive ? "\ncancelled" : "cancelled")  // On a terminal, after the echoed ^C.
        } catch {
            report(error)
        }
    }

    private func printPlan(of text: String) throws {
        let plan = try graph.explain(text)
        var out = StandardOutput()
        print(plan, terminator: plan.hasSuffix("\n") ? "" : "\n", to: &out)
        StandardOutput.flush()
    }

    private func report(_ error: any Error) {
        StandardOutput.flush()
        if let error = error as? ValidationError {
            Terminal.error(error.message)
        } else {
            Terminal.error(String(describing: error))
        }
    }

    // MARK: Commands

    static let help = """
        Statements end with ';' and may span lines; results go to stdout, timings and errors to stderr.
        Commands (at the start of a statement):
          :help                      this text
          :quit, :exit               leave (Ctrl-D too)
          :format table|json|csv     the output format
          :param name=value          set $name; the value is read as for --param (integer, float, true/false/null,
                                     JSON when it starts with [ or {, otherwise a string)
          :params                    list the parameters
          :explain QUERY             print the plan of QUERY without running it
          :timeout SECONDS|off       the time limit of each query
          :history                   list the statement history
        Ctrl-C cancels the running query, or clears the input at the prompt.

        """

    /// Runs a `:` command; returns `false` to leave the REPL.
    mutating func runCommand(_ line: String) -> Bool {
        let name = String(line.prefix { !$0.isWhitespace })
        let argument = line.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        var out = StandardOutput()
        do {
            switch name.lowercased() {
            case ":quit", ":exit", ":q":
                return false
            case ":help", ":h", ":?":
                print(Self.help, terminator: "", to: &out)
            case ":format":
                if argument.isEmpty {
                    print(format.rawValue, to: &out)
                } else if let chosen = QueryCommand.Format(rawValue: argument.lowercased()) {
                    format = chosen
                } else {
                    throw CLIError(":format '\(argument)': expected table, json or csv")
                }
            case ":param":
                guard !argument.isEmpty else { throw CLIError(":param: expected name=value") }
                let (parameter, value) = try QueryParameter.parse(argument, option: ":param")
                parameters[parameter] = value
                parameterTexts[parameter] = String(argument[argument.index(after: argument.firstIndex(of: "=")!)...])
            case ":params":
                for parameter in parameterTexts.keys.sorted() {
                    print("\(parameter)=\(parameterTexts[parameter] ?? "")", to: &out)
                }
            case ":explain":
                var query = argument
                while query.hasSuffix(";") { query.removeLast() }
                guard !query.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw CLIError(":explain: expected a query")
                }
                history.add(line)
                do {
                    let plan = try graph.explain(query)
                    print(plan, terminator: plan.hasSuffix("\n") ? "" : "\n", to: &out)
                } catch let error as QueryError {
                    QueryOutput.reportDiagnostic(error, in: query)
                }
            case ":timeout":
                try setTimeout(argument)
            case ":history":
                print(history.listing, terminator: "", to: &out)
            default:
                throw CLIError("unknown command '\(name)'; :help lists the commands")
            }
        } catch {
            report(error)
        }
        return true
    }

    /// `:timeout` shows the limit; `:timeout SECONDS` (up to a year) sets it; `:timeout off` (or 0) removes it.
    private mutating func setTimeout(_ argument: String) throws {
        switch argument.lowercased() {
        case "":
            var out = StandardOutput()
            print(limits.timeout.map { "\($0.components.seconds)" + Self.fraction($0) + " s" } ?? "off", to: &out)
        case "off", "none", "0":
            limits.timeout = nil
        default:
            guard QueryParameter.isDecimalFloat(argument), let seconds = Double(argument), seconds > 0,
                seconds <= 365 * 86_400
            else {
                throw CLIError(":timeout '\(argument)': expected a number of seconds (at most a year), or off")
            }
            limits.timeout = .milliseconds(max(1, Int64((seconds * 1000).rounded())))
        }
    }

    private static func fraction(_ duration: Duration) -> String {
        let milliseconds = duration.components.attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "" }
        var digits = String(milliseconds)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "." + digits
    }
}
