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

            On a terminal, lines are edited with libedit (emacs keys, ~/.editrc): Up and Down recall statements, \
            Tab completes keywords, functions, labels (after ':'), relationship types (after ':' inside [...]), \
            property names (after '.'), procedures (after CALL or 'spoor.') and :commands.

            History: the last 1,000 statements in $SPOOR_HISTORY, or ~/.spoor_history (an empty SPOOR_HISTORY \
            keeps none).
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
    /// Whether `N rows in X ms` follows each result (`:timing on|off`).
    var timing = true
    let interrupts: ReplInterrupts
    /// The libedit line editor when stdin is a terminal (and libedit could be set up), else `nil`: plain lines.
    private let editor: ReplLineEditor?
    private var splitter = ReplStatementSplitter()

    init(graph: Graph, interactive: Bool, history: ReplHistory) {
        self.graph = graph
        self.interactive = interactive
        self.history = history
        editor = interactive ? ReplLineEditor(completer: .store, history: history.entries) : nil
        // With the editor, Ctrl-C at the prompt is a key (see ReplLineEditor), so the handler never redraws.
        interrupts = ReplInterrupts(redrawingPrompt: interactive && editor == nil ? Self.prompt : nil)
    }

    /// Reads and runs until `:quit` or the end of input.
    mutating func run() {
        interrupts.install()
        if interactive {
            Terminal.note("spoor \(SpoorCommand.configuration.version) — :help for help, :quit or Ctrl-D to leave")
        }
        while true {
            StandardOutput.flush()
            let prompt = splitter.isEmpty ? Self.prompt : Self.continuationPrompt
            let line: String?
            if let editor {
                switch editor.readLine(prompt: prompt) {
                case .line(let text):
                    line = text
                case .interrupted:
                    splitter.reset()  // Ctrl-C at the prompt drops the unfinished statement.
                    continue
                case .end:
                    line = nil
                }
            } else {
                if interactive { Terminal.writeStandardError(prompt) }
                let interruptsBefore = interrupts.current
                line = interrupts.waitingForInput { readLine(strippingNewline: true) }
                if interrupts.current != interruptsBefore {
                    splitter.reset()  // Ctrl-C at the prompt: the terminal dropped the line, drop the statement too.
                }
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
                remember(statement + ";")
                execute(statement)
            }
        }
        // End of a script: run an unterminated last statement (its last line may lack the ';'). Ctrl-D on a
        // terminal drops one instead.
        if !interactive, let statement = splitter.finish() {
            remember(statement)
            execute(statement)
        }
        StandardOutput.flush()
        if interactive { Terminal.writeStandardError("\n") }
    }

    /// Adds `entry` to the history file and to the line editor's recall list.
    private mutating func remember(_ entry: String) {
        history.add(entry)
        editor?.add(entry)
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
            // Checked before each row is pulled; Ctrl-C also cancels `result`, which stops a single long
            // `next()` (a sort, an aggregation, a long expansion) too.
            let rows = try interrupts.cancelling(result.cancellation) {
                try QueryOutput.write(result, format: format) { [interrupts] in
                    interrupts.current != interruptsBefore
                }
            }
            StandardOutput.flush()
            if timing { Terminal.note(QueryOutput.timing(rows: rows, since: started)) }
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
          :format table|json|jsonl|csv
                                     the output format (table text cells wider than 60 characters are cut to
                                     end in …, numbers never; json, jsonl and csv never are)
          :param name=value          set $name; the value is read as for --param (integer, float, true/false/null,
                                     JSON when it starts with [ or {, otherwise a string)
          :param name => value       the same (Cypher shell's form); a value in '…' or "…" is that string
          :params                    list the parameters
          :schema                    labels and relationship types with their counts and property names
          :timing on|off             whether `N rows in X ms` follows each result (on at the start)
          :explain QUERY             print the plan of QUERY without running it
          :timeout SECONDS|off       the time limit of each query
          :history                   list the statement history
        Ctrl-C cancels the running query, or clears the input at the prompt. On a terminal: Up/Down recall
        statements, Tab completes keywords, functions, labels (after :), relationship types (after : inside [...]),
        properties (after .), procedures (after CALL or spoor.) and :commands.

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
                    throw CLIError(":format '\(argument)': expected table, json, jsonl or csv")
                }
            case ":param":
                guard !argument.isEmpty else { throw CLIError(":param: expected name=value or name => value") }
                let (assignment, quoted) = Self.parameterAssignment(argument)
                let text = String(assignment.drop { $0 != "=" }.dropFirst())
                // A quoted value is that string: only the name is checked (an empty value reads as a string).
                let (parameter, value) = try QueryParameter.parse(
                    quoted ? String(assignment.prefix { $0 != "=" }) + "=" : assignment, option: ":param")
                parameters[parameter] = quoted ? .string(text) : value
                parameterTexts[parameter] = text
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
                remember(line)
                do {
                    let plan = try graph.explain(query)
                    print(plan, terminator: plan.hasSuffix("\n") ? "" : "\n", to: &out)
                } catch let error as QueryError {
                    QueryOutput.reportDiagnostic(error, in: query)
                }
            case ":schema":
                try printSchema()
            case ":timing":
                switch argument.lowercased() {
                case "": print(timing ? "on" : "off", to: &out)
                case "on": timing = true
                case "off": timing = false
                default: throw CLIError(":timing '\(argument)': expected on or off")
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

    /// `name => value` (Cypher shell's form: spaces around the arrow) as `name=value`, and whether the value was
    /// in '…' or "…" (then it is that string, quotes dropped); any other text as it is. `a=>1` is the arrow form
    /// too (a string starting with `>` needs the arrow form).
    static func parameterAssignment(_ argument: String) -> (assignment: String, quoted: Bool) {
        guard let equals = argument.firstIndex(of: "="), argument[argument.index(after: equals)...].hasPrefix(">")
        else { return (argument, false) }
        let name = argument[..<equals].trimmingCharacters(in: .whitespaces)
        var value = argument[argument.index(equals, offsetBy: 2)...].trimmingCharacters(in: .whitespaces)
        var quoted = false
        if value.count >= 2, let quote = value.first, quote == "'" || quote == "\"", value.last == quote {
            value = String(value.dropFirst().dropLast())
            quoted = true
        }
        return (name + "=" + value, quoted)
    }

    /// `:schema`: one row per label and relationship type, with its count (from the store's statistics) and its
    /// property names, as a table (never cut) on stdout.
    private func printSchema() throws {
        let counts = try graph.statistics().counts
        let nodeCounts = ["Address": counts.addresses, "Transaction": counts.transactions]
        var cells: [[String]] = []
        for node in StoreGraph.nodeSchema {
            cells.append(["node", node.label, nodeCounts[node.label].map { String($0) } ?? "",
                node.properties.joined(separator: ", ")])
        }
        // Every transfer is one TRANSFER edge and one SENT and one PAID half.
        for relationship in StoreGraph.relationshipSchema {
            cells.append(["relationship", relationship.type, String(counts.transfers),
                relationship.properties.joined(separator: ", ")])
        }
        var out = StandardOutput()
        print(ResultRenderer.boxed(columns: ["kind", "name", "count", "properties"], cells: cells), terminator: "",
            to: &out)
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
