/// An error from preparing or running a query. It carries the range of the query text it is about.
///
/// `description` never contains parameter values.
public struct QueryError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable, Hashable {
        /// The text is not a query of the supported grammar.
        case syntax
        /// The query parses but does not make sense (an undefined variable, an unknown function, …).
        case semantic
        /// A value had the wrong type or an operation failed at run time (overflow, division by zero, …).
        case runtime
        /// A limit of ``QueryLimits`` was exceeded.
        case limit
        /// The run was stopped through its ``QueryCancellation``.
        case cancelled
    }

    /// What went wrong, broadly.
    public var kind: Kind
    /// What was expected and what was found.
    public var message: String
    /// The part of the query the error is about (UTF-8 offsets).
    public var range: SourceRange

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, at range: SourceRange) {
        self.kind = kind
        self.message = message
        self.range = range
    }

    public var description: String { "\(kind) error at \(range): \(message)" }

    /// The message, the position and the offending line with a caret under the range:
    /// ```
    /// error: expected ')' to close '(' opened at 1:7, found 'RETURN'
    ///  --> 1:21
    ///   |
    /// 1 | MATCH (a:Address {address: 'x' RETURN a
    ///   |                                ^^^^^^
    /// ```
    public func rendered(in source: String) -> String {
        let bytes = Array(source.utf8)
        let start = max(0, min(range.start, bytes.count))
        let end = max(start, min(range.end, bytes.count))
        let (line, column) = SourceRange.lineAndColumn(of: start, in: source)
        var lineStart = start
        while lineStart > 0, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
        var lineEnd = start
        while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        var lineText = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        if lineText.hasSuffix("\r") { lineText.removeLast() }
        let caretEnd = min(end, lineEnd)
        let caretCount = max(1, String(decoding: bytes[start..<max(start, caretEnd)], as: UTF8.self).count)
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        let prefix = String(decoding: bytes[lineStart..<start], as: UTF8.self)
        let indent = String(prefix.map { $0 == "\t" ? "\t" : " " })
        return """
            error: \(message)
            \(pad)--> \(line):\(column)
            \(pad) |
            \(gutter) | \(lineText)
            \(pad) | \(indent)\(String(repeating: "^", count: caretCount))
            """
    }
}
