/// A range of UTF-8 offsets into a query's text. Line and column are computed only when an error is rendered.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    /// First byte.
    public var start: Int
    /// One past the last byte (`start` for an empty range, such as the end of input).
    public var end: Int

    /// Creates a range; `end` is raised to `start` when smaller.
    public init(start: Int, end: Int) {
        self.start = start
        self.end = Swift.max(start, end)
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: Swift.min(start, other.start), end: Swift.max(end, other.end))
    }

    public var description: String { "\(start)..<\(end)" }

    /// The 1-based line and column (in Characters) of `offset` within `source`.
    public static func lineAndColumn(of offset: Int, in source: String) -> (line: Int, column: Int) {
        let bytes = Array(source.utf8)
        let clamped = Swift.max(0, Swift.min(offset, bytes.count))
        var line = 1
        var lineStart = 0
        for index in 0..<clamped where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let column = String(decoding: bytes[lineStart..<clamped], as: UTF8.self).count + 1
        return (line, column)
    }
}
