/// Turns query text into tokens. Works on the UTF-8 bytes; every token keeps its byte range.
struct Lexer {
    let bytes: [UInt8]
    private var position = 0

    init(_ source: String) { bytes = Array(source.utf8) }

    /// Every token of the text, ending with `.endOfInput`.
    static func tokenize(_ source: String) throws(QueryError) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.nextToken()
            tokens.append(token)
            if token.kind == .endOfInput { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }

    private mutating func skipTrivia() throws(QueryError) {
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                position += 1
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
                while let b = peek(), b != 0x0A { position += 1 }
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                let start = position
                position += 2
                while true {
                    guard let b = peek() else {
                        throw QueryError(.syntax, "unterminated comment: expected '*/'", at: SourceRange(start: start, end: start + 2))
                    }
                    if b == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                        position += 2
                        break
                    }
                    position += 1
                }
            } else {
                return
            }
        }
    }

    mutating func nextToken() throws(QueryError) -> Token {
        try skipTrivia()
        let start = position
        guard let byte = peek() else { return Token(kind: .endOfInput, range: SourceRange(start: start, end: start)) }
        func token(_ kind: Token.Kind) -> Token { Token(kind: kind, range: SourceRange(start: start, end: position)) }

        if Lexer.isIdentifierStart(byte) {
            while let b = peek(), Lexer.isIdentifierPart(b) { position += 1 }
            return token(.identifier(String(decoding: bytes[start..<position], as: UTF8.self), quoted: false))
        }
        if Lexer.isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(Lexer.isDigit) == true) {
            return try lexNumber()
        }
        switch byte {
        case UInt8(ascii: "`"):
            position += 1
            var name: [UInt8] = []
            while true {
                guard let b = peek() else {
                    throw QueryError(.syntax, "unterminated quoted name: expected '`'", at: SourceRange(start: start, end: start + 1))
                }
                position += 1
                if b == UInt8(ascii: "`") {
                    if peek() == UInt8(ascii: "`") {  // `` inside a quoted name is one back-quote
                        name.append(b)
                        position += 1
                        continue
                    }
                    break
                }
                name.append(b)
            }
            return token(.identifier(String(decoding: name, as: UTF8.self), quoted: true))
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return try lexString(quote: byte)
        case UInt8(ascii: "$"):
            position += 1
            if let b = peek(), Lexer.isIdentifierPart(b) {
                while let b = peek(), Lexer.isIdentifierPart(b) { position += 1 }
                return token(.parameter(String(decoding: bytes[(start + 1)..<position], as: UTF8.self)))
            }
            if peek() == UInt8(ascii: "`") {
                let quoted = try nextToken()
                if case .identifier(let name, _) = quoted.kind {
                    return Token(kind: .parameter(name), range: SourceRange(start: start, end: quoted.range.end))
                }
            }
            throw QueryError(.syntax, "expected a parameter name after '$'", at: SourceRange(start: start, end: position))
        default:
            break
        }
        position += 1
        let next = peek()
        let symbol: Token.Symbol
        switch byte {
        case UInt8(ascii: "("): symbol = .leftParen
        case UInt8(ascii: ")"): symbol = .rightParen
        case UInt8(ascii: "["): symbol = .leftBracket
        case UInt8(ascii: "]"): symbol = .rightBracket
        case UInt8(ascii: "{"): symbol = .leftBrace
        case UInt8(ascii: "}"): symbol = .rightBrace
        case UInt8(ascii: ","): symbol = .comma
        case UInt8(ascii: "."):
            if next == UInt8(ascii: ".") { position += 1; symbol = .dotDot } else { symbol = .dot }
        case UInt8(ascii: ":"): symbol = .colon
        case UInt8(ascii: "|"): symbol = .pipe
        case UInt8(ascii: ";"): symbol = .semicolon
        case UInt8(ascii: "+"):
            if next == UInt8(ascii: "=") { position += 1; symbol = .plusEqual } else { symbol = .plus }
        case UInt8(ascii: "-"): symbol = .minus
        case UInt8(ascii: "*"): symbol = .star
        case UInt8(ascii: "/"): symbol = .slash
        case UInt8(ascii: "%"): symbol = .percent
        case UInt8(ascii: "^"): symbol = .caret
        case UInt8(ascii: "="):
            if next == UInt8(ascii: "~") { position += 1; symbol = .regexMatch } else { symbol = .equal }
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "=") {
                position += 1; symbol = .lessEqual
            } else if next == UInt8(ascii: ">") {
                position += 1; symbol = .notEqual
            } else {
                symbol = .less
            }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: "=") { position += 1; symbol = .greaterEqual } else { symbol = .greater }
        case UInt8(ascii: "!"):
            if next == UInt8(ascii: "=") {
                position += 1
                throw QueryError(.syntax, "unexpected '!=': Cypher writes inequality as '<>'", at: SourceRange(start: start, end: position))
            }
            fallthrough
        default:
            // Consume the whole UTF-8 scalar so the caret covers one character.
            while let b = peek(), b & 0xC0 == 0x80 { position += 1 }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            throw QueryError(.syntax, "unexpected character '\(text)'", at: SourceRange(start: start, end: position))
        }
        return token(.symbol(symbol))
    }

    private mutating func lexNumber() throws(QueryError) -> Token {
        let start = position
        if peek() == UInt8(ascii: "0"), let x = peek(1),
            x == UInt8(ascii: "x") || x == UInt8(ascii: "X") || x == UInt8(ascii: "o") || x == UInt8(ascii: "O")
        {
            let isHex = x == UInt8(ascii: "x") || x == UInt8(ascii: "X")
            position += 2
            let digitsStart = position
            while let b = peek(), Lexer.isIdentifierPart(b) { position += 1 }
            let text = String(decoding: bytes[digitsStart..<position], as: UTF8.self)
            let prefix = isHex ? "0x" : "0o"
            // Up to 2^63 is accepted: 2^63 itself only as the operand of '-', like the decimal 9223372036854775808.
            guard !text.isEmpty, let value = UInt64(text, radix: isHex ? 16 : 8), value <= UInt64(Int64.max) + 1 else {
                throw QueryError(
                    .syntax, "invalid \(isHex ? "hexadecimal" : "octal") integer '\(prefix)\(text)'",
                    at: SourceRange(start: start, end: position))
            }
            let range = SourceRange(start: start, end: position)
            // 2^63 keeps its spelling: valid only after '-' (the parser checks), never an amount.
            if value > UInt64(Int64.max) { return Token(kind: .bigInteger(prefix + text), range: range) }
            return Token(kind: .integer(Int64(value)), range: range)
        }
        var isFloat = false
        while let b = peek(), Lexer.isDigit(b) { position += 1 }
        if peek() == UInt8(ascii: "."), let next = peek(1), Lexer.isDigit(next) {
            isFloat = true
            position += 1
            while let b = peek(), Lexer.isDigit(b) { position += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var lookahead = 1
            if let sign = peek(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { lookahead = 2 }
            if let digit = peek(lookahead), Lexer.isDigit(digit) {
                isFloat = true
                position += lookahead
                while let b = peek(), Lexer.isDigit(b) { position += 1 }
            }
        }
        if let b = peek(), Lexer.isIdentifierStart(b) {
            while let b = peek(), Lexer.isIdentifierPart(b) { position += 1 }
            throw QueryError(.syntax, "invalid number '\(String(decoding: bytes[start..<position], as: UTF8.self))'", at: SourceRange(start: start, end: position))
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        let range = SourceRange(start: start, end: position)
        if isFloat {
            guard let value = Double(text) else { throw QueryError(.syntax, "invalid number '\(text)'", at: range) }
            guard value.isFinite else { throw QueryError(.syntax, "floating-point literal '\(text)' is too large", at: range) }
            return Token(kind: .float(value), range: range)
        }
        if let value = Int64(text) { return Token(kind: .integer(value), range: range) }
        return Token(kind: .bigInteger(text), range: range)
    }

    private mutating func lexString(quote: UInt8) throws(QueryError) -> Token {
        let start = position
        position += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            if !raw.isEmpty {
                scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
            }
        }
        while true {
            guard let byte = peek() else {
                throw QueryError(.syntax, "unterminated string: expected a closing \(quote == UInt8(ascii: "'") ? "'" : "\"")", at: SourceRange(start: start, end: start + 1))
            }
            if byte == quote {
                position += 1
                break
            }
            if byte == UInt8(ascii: "\\") {
                let escapeStart = position
                position += 1
                guard let code = peek() else { continue }
                position += 1
                flush()
                switch code {
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "'"): scalars.append("'")
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let count = code == UInt8(ascii: "u") ? 4 : 8
                    var hex = ""
                    for _ in 0..<count {
                        guard let h = peek(), let scalar = Unicode.Scalar(UInt32(h)), scalar.properties.isASCIIHexDigit else { break }
                        hex.unicodeScalars.append(scalar)
                        position += 1
                    }
                    guard hex.count == count, let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                        throw QueryError(.syntax, "invalid unicode escape: expected \(count) hexadecimal digits of a valid code point", at: SourceRange(start: escapeStart, end: position))
                    }
                    scalars.append(scalar)
                default:
                    while let b = peek(), b & 0xC0 == 0x80 { position += 1 }
                    let text = String(decoding: bytes[escapeStart..<position], as: UTF8.self)
                    throw QueryError(.syntax, "invalid escape sequence '\(text)' in string", at: SourceRange(start: escapeStart, end: position))
                }
                continue
            }
            raw.append(byte)
            position += 1
        }
        flush()
        return Token(kind: .string(String(scalars)), range: SourceRange(start: start, end: position))
    }
}
