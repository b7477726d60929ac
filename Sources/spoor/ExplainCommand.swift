import ArgumentParser
import Foundation
import Spoor
import SpoorAnalytics

/// `spoor explain STORE ADDRESS --watchlist TAG [--max-hops N] [--dot FILE | --svg FILE]`
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Draw the evidence linking an address to a watchlist, as Graphviz DOT or SVG.",
        discussion: """
            For every address tagged TAG that reaches ADDRESS within --max-hops transfers, one shortest \
            time-respecting path (each transfer later in chain order than the one before), with amounts (base units), \
            UTC times and transaction hashes. Listed sources are drawn red, the explained address blue. Without \
            --dot or --svg the DOT text goes to stdout; --svg runs Graphviz's 'dot' program, which must be on PATH \
            (Debian: apt-get install graphviz). A summary goes to stderr.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "The address to explain.")
    var address: String

    @Option(help: "The watchlist tag whose addresses are the sources (e.g. ofac).")
    var watchlist: String

    @Option(help: "Most hops from a listed address (1...16).")
    var maxHops: Int = 3

    @Option(help: "Write the DOT text to this file.")
    var dot: String?

    @Option(help: "Write an SVG picture to this file (needs Graphviz's dot).")
    var svg: String?

    func run() async throws {
        guard (1...16).contains(maxHops) else {
            throw ValidationError("--max-hops must be 1...16, found \(maxHops)")
        }
        let graph = try Graph.open(at: storeOptions.store, mode: .readOnly)
        let canonical = StoreGraph.canonicalAddress(address)
        let subgraph: EvidenceSubgraph
        do {
            subgraph = try graph.read { reader in
                try EvidencePathFinder(maxHops: maxHops).explain(canonical, watchlist: watchlist, in: reader)
            }
        } catch let error as TypologyError {
            throw CLIError(error.message)
        }
        let text = subgraph.dot()
        if let dot {
            do {
                try text.write(toFile: dot, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("cannot write '\(dot)': \(error.localizedDescription)")
            }
        }
        if let svg { try Self.renderSVG(text, to: svg) }
        if dot == nil && svg == nil {
            var out = StandardOutput()
            print(text, terminator: "", to: &out)
        }
        if let hops = subgraph.minimalHops {
            Terminal.note(
                "\(subgraph.paths.count) '\(watchlist)' address(es) reach \(canonical); fewest hops \(hops)")
        } else {
            Terminal.note("no '\(watchlist)' address reaches \(canonical) within \(maxHops) hop(s)")
        }
    }

    /// The `dot` program on PATH, or `nil`.
    static func dotProgram() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = String(directory) + "/dot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func renderSVG(_ text: String, to file: String) throws {
        guard let program = dotProgram() else {
            throw CLIError("Graphviz's 'dot' is not on PATH (Debian: apt-get install graphviz); use --dot FILE instead")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-Tsvg", "-o", file]
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw CLIError("cannot run '\(program)': \(error.localizedDescription)")
        }
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CLIError(
                "'\(program) -Tsvg' failed (status \(process.terminationStatus)): "
                    + String(decoding: message, as: UTF8.self))
        }
    }
}
