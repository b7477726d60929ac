/// Cuts the REPL's input into statements at `;`, the way the lexer reads the text: a `;` inside a string
/// (`'…'`, `"…"`, with `\` escapes), a quoted name (`` `…` ``) or a comment (`// …`, `/* … */`) does not end one.
///
/// Input comes a line at a time; a statement may span lines and a line may hold several statements. A statement
/// holding nothing but blanks and comments (a lone `;`) is dropped.
struct ReplStatementSplitter {
    private enum State {
        case code, singleQuoted, doubleQuoted, backQuoted, lineComment, blockComment
    }

    /// The text of the unfinished statement (UTF-8; every byte the scanner looks at is ASCII).
    private var pending: [UInt8] = []
    private var state = State.code
    /// Whether `pending` has something besides blanks and comments.
    private var hasContent = false

    /// Whether nothing but blanks and finished comments is pending (the REPL then shows the primary prompt and reads
    /// `:` commands).
    var isEmpty: Bool { !hasContent && state == .code }

    /// Forgets the unfinished statement (Ctrl-C at the prompt).
    mutating func reset() {
        pending = []
        state = .code
        hasContent = false
    }

    /// Adds one input line (without its newline) and returns the statements it completes, each without its `;`,
    /// its leading blank lines and its trailing blanks (so a diagnostic's line 1 is the statement's first line, and
    /// columns match what was typed).
    mutating func append(line: String) -> [String] {
        var statements: [String] = []
        let bytes = Array(line.utf8) + [0x0A]
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            pending.append(byte)
            index += 1
            switch state {
            case .code:
                switch byte {
                case UInt8(ascii: ";"):
                    pending.removeLast()
                    if hasContent { statements.append(Self.trimmed(pending)) }
                    pending = []
                    hasContent = false
                case UInt8(ascii: "/") where next == UInt8(ascii: "/"):
                    state = .lineComment
                    pending.append(UInt8(ascii: "/"))
                    index += 1
                case UInt8(ascii: "/") where next == UInt8(ascii: "*"):
                    state = .blockComment
                    pending.append(UInt8(ascii: "*"))
                    index += 1
                case UInt8(ascii: "'"):
                    state = .singleQuoted
                    hasContent = true
                case UInt8(ascii: "\""):
                    state = .doubleQuoted
                    hasContent = true
                case UInt8(ascii: "`"):
                    state = .backQuoted
                    hasContent = true
                case 0x20, 0x09, 0x0A, 0x0D:
                    break
                default:
                    hasContent = true
                }
            case .singleQuoted, .doubleQuoted:
                if byte == UInt8(ascii: "\\"), let next {
                    pending.append(next)
                    index += 1
                } else if (state == .singleQuoted && byte == UInt8(ascii: "'"))
                    || (state == .doubleQuoted && byte == UInt8(ascii: "\""))
                {
                    state = .code
                }
            case .backQuoted:
                // A doubled `` inside a quoted name closes and reopens it, which this reads correctly too.
                if byte == UInt8(ascii: "`") { state = .code }
            case .lineComment:
                if byte == 0x0A { state = .code }
            case .blockComment:
                if byte == UInt8(ascii: "*"), next == UInt8(ascii: "/") {
                    pending.append(UInt8(ascii: "/"))
                    index += 1
                    state = .code
                }
            }
        }
        return statements
    }

    /// The unfinished statement at the end of input, if it has more than blanks and comments (it runs as if it
    /// ended with `;`; an unterminated string or comment then gets the lexer's diagnostic).
    mutating func finish() -> String? {
        defer { reset() }
        return hasContent ? Self.trimmed(pending) : nil
    }

    private static func trimmed(_ bytes: [UInt8]) -> String {
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return "" }
        let lineStart = bytes[..<first].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return String(decoding: bytes[lineStart...last], as: UTF8.self)
    }
}
