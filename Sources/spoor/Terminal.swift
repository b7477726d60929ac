import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the CLI writes: data to stdout, everything else (progress, summaries, timings, diagnostics) to stderr.
enum Terminal {
    /// Whether stderr is a terminal (progress lines are drawn only then).
    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    /// Whether stdout is a terminal.
    static var standardOutputIsTerminal: Bool { isatty(1) == 1 }

    /// Whether messages on stderr may be coloured: a terminal that is not `dumb`, and `NO_COLOR` unset.
    static var useColourOnStandardError: Bool {
        let environment = ProcessInfo.processInfo.environment
        if environment["NO_COLOR"].map({ !$0.isEmpty }) == true { return false }
        if environment["TERM"] == "dumb" { return false }
        return standardErrorIsTerminal
    }

    /// Writes `text` and a newline to stderr, unbuffered.
    static func note(_ text: String) {
        writeStandardError(text + "\n")
    }

    /// Writes `text` as is to stderr, unbuffered.
    static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(2, base.advanced(by: offset), buffer.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// `error: <message>` on stderr, `error:` in red on a colour terminal.
    static func error(_ message: String) {
        let label = useColourOnStandardError ? "\u{1B}[1;31merror:\u{1B}[0m" : "error:"
        note("\(label) \(message)")
    }

    /// `warning: <message>` on stderr.
    static func warning(_ message: String) {
        let label = useColourOnStandardError ? "\u{1B}[1;33mwarning:\u{1B}[0m" : "warning:"
        note("\(label) \(message)")
    }
}

/// Buffered writes to stdout (the data channel), flushed at the end of a command.
struct StandardOutput: TextOutputStream {
    mutating func write(_ string: String) {
        Swift.print(string, terminator: "")
    }

    static func flush() {
        fflush(nil)  // every output stream, stdout included
    }
}

/// Ends the process with `code`, flushing stdout first.
func terminateProcess(_ code: Int32) -> Never {
    fflush(nil)
    exit(code)
}
