/// One lexical token with its UTF-8 range.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A name: letters, digits and `_`, or a back-quoted name. Keywords are identifiers the parser recognizes.
        case identifier(String, quoted: Bool)
        case integer(Int64)
        /// An integer literal too large for 64 bits (kept exact as an amount, up to 2^256 − 1).
        case bigInteger(String)
        case float(Double)
        case string(String)
        case parameter(String)
        case symbol(Symbol)
        case endOfInput
    }

    enum Symbol: String, Sendable, Equatable {
        case leftParen = "(", rightParen = ")", leftBracket = "[", rightBracket = "]", leftBrace = "{", rightBrace = "}"
        case comma = ",", dot = ".", dotDot = "..", colon = ":", pipe = "|", semicolon = ";"
        case plus = "+", minus = "-", star = "*", slash = "/", percent = "%", caret = "^"
        case equal = "=", notEqual = "<>", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
        case plusEqual = "+=", regexMatch = "=~"
    }

    var kind: Kind
    var range: SourceRange

    /// The token as an error message shows it: keywords upper case, symbols quoted.
    func display(source: [UInt8]) -> String {
        switch kind {
        case .endOfInput: return "end of input"
        case .identifier(let name, let quoted):
            if !quoted, Keyword.isKeyword(name) { return "'\(name.uppercased())'" }
            return "'\(name)'"
        case .symbol(let symbol): return "'\(symbol.rawValue)'"
        default:
            let start = max(0, min(range.start, source.count))
            let end = max(start, min(range.end, source.count))
            var text = String(decoding: source[start..<end], as: UTF8.self)
            if text.count > 30 { text = String(text.prefix(27)) + "..." }
            return "'\(text)'"
        }
    }
}

/// The reserved words the parser looks for (case-insensitive).
enum Keyword {
    static let all: Set<String> = [
        "MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "UNWIND", "AS", "DISTINCT", "ORDER", "BY", "ASC", "ASCENDING",
        "DESC", "DESCENDING", "SKIP", "LIMIT", "AND", "OR", "XOR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE",
        "STARTS", "ENDS", "CONTAINS", "CASE", "WHEN", "THEN", "ELSE", "END", "EXPLAIN", "PROFILE", "CREATE", "MERGE",
        "DELETE", "SET", "REMOVE", "UNION", "ALL", "CALL", "YIELD",
    ]

    static func isKeyword(_ name: String) -> Bool { all.contains(name.uppercased()) }
}
