import ArgumentParser
import Foundation
import Spoor

/// `spoor query STORE 'MATCH ...' [--param k=v]... [--format table|json|jsonl|csv] | -f FILE.cypher`
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a Cypher query; results to stdout, timing to stderr.",
        discussion: """
            The query comes as an argument or from a file (-f). Parameters ($name in the query) come from \
            --param name=value; the value is read as, in order: an integer (42, -7; larger non-negative \
            integers become exact amounts), a decimal float (1.5, 2e18), true / false / null, JSON when it \
            starts with [ or {, and otherwise a string (0x addresses stay strings; quote nothing).

            A bad query prints the error with a caret under the offending text on stderr and exits 1. \
            --explain, or an EXPLAIN prefix, prints the plan instead of running the query.

            Formats: table (text cells wider than 60 characters are cut, ending in …; numbers never), json (an array of one object \
            per row), jsonl (one JSON object per line) and csv; json, jsonl and csv are never cut.
            """
    )

    enum Format: String, CaseIterable, ExpressibleByArgument {
        case table, json, jsonl, csv
    }

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The query text (or use -f).", valueName: "query"))
    var query: String?

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("Read the query from a file.", valueName: "file"))
    var file: String?

    @Option(name: .customLong("param"), help: ArgumentHelp("A query parameter, name=value (repeatable).", valueName: "name=value"))
    var parameters: [String] = []

    @Option(help: "Output format: table, json, jsonl or csv.")
    var format: Format = .table

    @Flag(help: "Print the plan instead of running the query.")
    var explain = false

    func validate() throws {
        switch (query, file) {
        case (nil, nil): throw ValidationError("give a query, or a query file with -f")
        case (.some, .some): throw ValidationError("give either a query or -f FILE, not both")
        default: break
        }
        _ = try parsedParameters()
    }

    func parsedParameters() throws -> [String: Value] {
        var result: [String: Value] = [:]
        for argument in parameters {
            let (name, value) = try QueryParameter.parse(argument)
            guard result.updateValue(value, forKey: name) == nil else {
                throw ValidationError("--param \(name) is given twice")
            }
        }
        return result
    }

    func run() async throws {
        let text: String
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError("\(file): cannot read the query file")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = query ?? ""
        }
        let parameters = try parsedParameters()
        let graph = try Graph.open(at: storeOptions.store, mode: .readOnly)
        do {
            if explain || Self.startsWithExplain(text) {
                var out = StandardOutput()
                let plan = try graph.explain(text)
                print(plan, terminator: plan.hasSuffix("\n") ? "" : "\n", to: &out)
                return
            }
            let started = ContinuousClock.now
            let result = try graph.query(text, parameters: parameters)
            let rows = try QueryOutput.write(result, format: format)
            StandardOutput.flush()
            Terminal.note(QueryOutput.timing(rows: rows, since: started))
        } catch let error as QueryError {
            QueryOutput.reportDiagnostic(error, in: text)
            throw ExitCode(1)
        }
    }

    /// Whether the first token of the query (after blanks and comments) is `EXPLAIN`, in any case.
    static func startsWithExplain(_ text: String) -> Bool {
        var rest = Substring(text)
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.hasPrefix("//") {
                rest = rest.drop { $0 != "\n" }
            } else if rest.hasPrefix("/*"), let end = rest.range(of: "*/") {
                rest = rest[end.upperBound...]
            } else {
                break
            }
        }
        let word = rest.prefix { $0.isLetter }
        return word.uppercased() == "EXPLAIN"
    }

    /// `error:` in red on a colour terminal.
    static func colour(_ rendered: String) -> String {
        guard Terminal.useColourOnStandardError, rendered.hasPrefix("error:") else { return rendered }
        return "\u{1B}[1;31merror:\u{1B}[0m" + rendered.dropFirst("error:".count)
    }
}
