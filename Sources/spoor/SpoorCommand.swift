import ArgumentParser
import Foundation
import Logging
import Spoor

/// The `spoor` command line: ingest chain data, tag addresses, query the transaction graph, check a store.
@main
struct SpoorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spoor",
        abstract: "An embedded blockchain transaction-graph engine.",
        discussion: """
            stdout carries only data (query results, stats, tag lists); progress, summaries, timings and \
            diagnostics go to stderr.

            Exit codes:
              0   success
              1   user error: a bad query, a bad or unreadable file, a bad store, a store of another format version
              2   internal (unexpected) error
              64  bad command line (unknown option, missing argument, invalid value; EX_USAGE)
            """,
        version: "0.1.0",
        subcommands: [
            IngestCommand.self, TagsCommand.self, QueryCommand.self, ReplCommand.self, StatsCommand.self,
            VerifyCommand.self, GenerateCommand.self, ClusterCommand.self, ExplainCommand.self, ScanCommand.self,
            ExposureCommand.self, BenchQueryCommand.self, CompactCommand.self,
        ]
    )

    /// Parses the command line, runs the command and maps what it throws to an exit code (see the discussion).
    static func main() async {
        bootstrapLogging()
        let command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot()
        } catch {
            // Help and version exit 0, usage errors 64 (swift-argument-parser's own messages).
            exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
            StandardOutput.flush()
        } catch {
            StandardOutput.flush()
            exitMapping(error)
        }
    }

    /// Exits for an error thrown by a command's `run()`.
    static func exitMapping(_ error: any Error) -> Never {
        switch error {
        case is ExitCode, is CleanExit, is ValidationError:
            // Already printed (ExitCode) or the parser's own kind of error (usage → 64).
            exit(withError: error)
        case let error as StoreError:
            Terminal.error(error.description)
            terminateProcess(1)
        case let error as IngestError:
            Terminal.error(error.description)
            terminateProcess(1)
        case let error as QueryError:
            // Commands that have the query text render the caret themselves; this is the fallback.
            Terminal.error(error.description)
            terminateProcess(1)
        case let error as CLIError:
            Terminal.error(error.description)
            terminateProcess(1)
        case is BitcoinParseError, is BitcoinIngestError, is UTXOWriteError:
            // Bad chain data: the message names the file, byte offset and block.
            Terminal.error(String(describing: error))
            terminateProcess(1)
        default:
            // swift-argument-parser's own errors (a help request, a usage error) keep its codes: 0 or 64.
            if exitCode(for: error) != .failure { exit(withError: error) }
            Terminal.error("internal error: \(String(describing: error))")
            terminateProcess(2)
        }
    }

    /// Logs go to stderr (swift-log's default is stdout, which carries data). `SPOOR_LOG_LEVEL` (trace … critical)
    /// sets the level; the default is `warning`.
    static func bootstrapLogging() {
        let environment = ProcessInfo.processInfo.environment
        let level = environment["SPOOR_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
