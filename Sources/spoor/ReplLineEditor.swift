import CLibEdit
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The REPL's input on a terminal: libedit (emacs key bindings, `~/.editrc` honoured), its own in-memory history
/// (Up/Down, Ctrl-R) loaded from the session's ``ReplHistory``, Tab completion through ``ReplCompleter``, and
/// Ctrl-C as a key that abandons the line.
///
/// While a line is edited the terminal's ISIG is off, so Ctrl-C arrives as a key rather than as SIGINT; while a query
/// runs the terminal is back in its normal mode and Ctrl-C raises SIGINT, which ``ReplInterrupts`` turns into a
/// cancellation. The editor draws on stderr, so stdout carries only results.
final class ReplLineEditor {
    /// What one ``readLine(prompt:)`` returned.
    enum Input: Equatable {
        /// A line, without its newline.
        case line(String)
        /// Ctrl-C: the line was abandoned.
        case interrupted
        /// Ctrl-D on an empty line, or the end of input.
        case end
    }

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let completer: ReplCompleter
    /// The prompt libedit draws (a `strdup` copy, freed when replaced).
    private var prompt: UnsafeMutablePointer<CChar>?
    /// Set by the Ctrl-C key function during ``readLine(prompt:)``.
    private var interrupted = false

    /// Sets up libedit on stdin (drawing on stderr), or returns `nil` when it cannot be set up (then the caller reads
    /// plain lines).
    init?(completer: ReplCompleter, history entries: [String]) {
        setlocale(LC_CTYPE, "")  // UTF-8 input is edited as characters, not bytes.
        guard let editLine = el_init("spoor", spoor_standard_input(), spoor_standard_error(), spoor_standard_error()) else { return nil }
        guard let history = history_init() else {
            el_end(editLine)
            return nil
        }
        self.editLine = editLine
        self.history = history
        self.completer = completer
        _ = spoor_history_set_size(history, Int32(ReplHistory.capacity))
        _ = spoor_history_set_unique(history, 1)
        for entry in entries { add(entry) }

        _ = spoor_el_set_editor(editLine, "emacs")
        _ = spoor_el_set_history(editLine, history)
        _ = spoor_el_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
        _ = spoor_el_set_prompt(editLine, promptFunction)
        _ = spoor_el_add_function(editLine, "spoor-complete", "Complete the word before the cursor", completeFunction)
        _ = spoor_el_add_function(editLine, "spoor-interrupt", "Abandon the line", interruptFunction)
        _ = spoor_el_bind(editLine, "^I", "spoor-complete")
        _ = spoor_el_bind(editLine, "^C", "spoor-interrupt")
        _ = spoor_el_keep_interrupt_key(editLine)
        _ = el_source(editLine, nil)  // ~/.editrc, when there is one
    }

    deinit {
        el_end(editLine)
        history_end(history)
        free(prompt)
    }

    /// Reads one line, showing `prompt`.
    func readLine(prompt text: String) -> Input {
        free(prompt)
        prompt = strdup(text)
        interrupted = false
        el_resize(editLine)
        while true {
            var count: Int32 = 0
            guard let line = el_gets(editLine, &count) else {
                if count < 0, errno == EINTR { continue }
                return interrupted ? .interrupted : .end
            }
            if interrupted { return .interrupted }
            var text = String(cString: line)
            if text.hasSuffix("\n") { text.removeLast() }
            return .line(text)
        }
    }

    /// Adds a statement to the recallable history (a multi-line statement as one line, its lines joined by a blank
    /// unless one holds a `//` comment, which would swallow the lines after it).
    func add(_ entry: String) {
        let lines = entry.split(separator: "\n", omittingEmptySubsequences: false)
        let line = lines.contains { $0.contains("//") } ? entry : lines.joined(separator: " ")
        _ = spoor_history_enter(history, line)
    }

    /// The editor owning `editLine` (its client data).
    fileprivate static func owner(of editLine: OpaquePointer?) -> ReplLineEditor? {
        guard let editLine, let data = spoor_el_client_data(editLine) else { return nil }
        return Unmanaged<ReplLineEditor>.fromOpaque(data).takeUnretainedValue()
    }

    fileprivate var promptText: UnsafeMutablePointer<CChar>? { prompt }

    /// Tab: replaces the word before the cursor by its completion, or lists the candidates under the line.
    fileprivate func complete() -> UInt8 {
        guard let info = el_line(editLine) else { return UInt8(CC_ERROR) }
        let length = info.pointee.cursor - info.pointee.buffer
        let before = String(
            decoding: UnsafeRawBufferPointer(start: info.pointee.buffer, count: max(0, length)), as: UTF8.self)
        guard let completion = completer.complete(before) else { return UInt8(CC_REFRESH_BEEP) }
        if completion.alternatives.isEmpty {
            if completion.replacing > 0 { el_deletestr(editLine, Int32(completion.replacing)) }
            guard el_insertstr(editLine, completion.text) == 0 else { return UInt8(CC_ERROR) }
            return UInt8(CC_REFRESH)
        }
        Terminal.writeStandardError("\n" + ReplCompleter.columns(completion.alternatives, width: Self.terminalWidth()))
        return UInt8(CC_REDISPLAY)
    }

    /// Ctrl-C: marks the line abandoned and ends it (a newline pushed back as the next key), leaving what was typed
    /// visible with `^C` after it.
    fileprivate func interrupt() -> UInt8 {
        interrupted = true
        if let info = el_line(editLine) {
            _ = el_cursor(editLine, Int32(info.pointee.lastchar - info.pointee.cursor))
        }
        _ = el_insertstr(editLine, "^C")
        el_push(editLine, "\n")
        return UInt8(CC_REFRESH)
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

private let promptFunction: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = { editLine in
    ReplLineEditor.owner(of: editLine)?.promptText
}

private let completeFunction: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { editLine, _ in
    ReplLineEditor.owner(of: editLine)?.complete() ?? UInt8(CC_ERROR)
}

private let interruptFunction: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { editLine, _ in
    ReplLineEditor.owner(of: editLine)?.interrupt() ?? UInt8(CC_ERROR)
}
