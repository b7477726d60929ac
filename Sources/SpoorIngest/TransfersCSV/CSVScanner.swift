#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An RFC-4180 record scanner over bytes: splits records and fields, counts lines, never allocates per record.
///
/// Fields are byte ranges into the input. A quoted field's range excludes the surrounding quotes; its doubled
/// quotes (`""`) stay in the range and ``fieldText(_:)`` undoes them. Records end at `\n` or `\r\n` (a lone `\r`
/// at end of input too); a quoted field may span lines.
struct CSVScanner {
    /// The outcome of scanning one record.
    enum Outcome {
        /// A record starting on `line` (1-based); its fields are in `fieldStarts`/`fieldEnds`.
        case record(line: Int)
        /// A record that cannot be split into fields (an unterminated quote and the like).
        case malformed(line: Int, reason: String)
        /// The end of the input.
        case end
    }

    static let maximumStoredFields = 32

    let bytes: MappedBytes
    /// The offset of the next byte to scan.
    private(set) var position: Int
    /// The 1-based line number of the next record.
    private(set) var line: Int = 1
    /// How many fields the last record had (may exceed the stored ones).
    private(set) var fieldCount = 0
    private(set) var fieldStarts: ContiguousArray<Int>
    private(set) var fieldEnds: ContiguousArray<Int>
    private(set) var fieldIsEscaped: ContiguousArray<Bool>

    init(bytes: MappedBytes) {
        self.bytes = bytes
        fieldStarts = ContiguousArray(repeating: 0, count: CSVScanner.maximumStoredFields)
        fieldEnds = ContiguousArray(repeating: 0, count: CSVScanner.maximumStoredFields)
        fieldIsEscaped = ContiguousArray(repeating: false, count: CSVScanner.maximumStoredFields)
        // Skip a UTF-8 byte order mark.
        if bytes.count >= 3, let base = bytes.base, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF {
            position = 3
        } else {
            position = 0
        }
    }

    /// Moves to `offset`, the start of a record found by an earlier scan of the same bytes. Line numbers after a
    /// seek are not meaningful (a re-read of rows already checked needs none).
    mutating func seek(to offset: Int) {
        position = Swift.max(0, Swift.min(offset, bytes.count))
        line = 0
    }

    /// Whether the last record is a blank line (one empty unquoted field).
    var isBlankRecord: Bool { fieldCount == 1 && fieldStarts[0] == fieldEnds[0] && !fieldIsEscaped[0] }

    /// Scans the next record.
    mutating func next() -> Outcome {
        if let outcome = nextUnquoted() { return outcome }
        return nextGeneral()
    }

    /// The fast path for a record with no quoted field: `memchr` for the line end and each comma.
    /// Returns `nil` (having changed nothing) when a field starts with a quote.
    @inline(__always)
    private mutating func nextUnquoted() -> Outcome? {
        guard let base = bytes.base, position < bytes.count else { return .end }
        let count = bytes.count
        let start = position
        // Safe because start < count and the search stays inside the buffer.
        let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), count - start)
        let lineEnd = newline.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? count
        var contentEnd = lineEnd
        if contentEnd > start && base[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
        var fields = 0
        var fieldStart = start
        while true {
            if fieldStart < contentEnd && base[fieldStart] == UInt8(ascii: "\"") { return nil }
            let comma = memchr(base + fieldStart, Int32(UInt8(ascii: ",")), contentEnd - fieldStart)
            let fieldEnd = comma.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? contentEnd
            if fields < CSVScanner.maximumStoredFields {
                fieldStarts[fields] = fieldStart
                fieldEnds[fields] = fieldEnd
                fieldIsEscaped[fields] = false
            }
            fields += 1
            if fieldEnd >= contentEnd { break }
            fieldStart = fieldEnd + 1
        }
        fieldCount = fields
        let recordLine = line
        if lineEnd < count {
            position = lineEnd + 1
            line += 1
        } else {
            position = count
        }
        return .record(line: recordLine)
    }

    private mutating func nextGeneral() -> Outcome {
        guard let base = bytes.base, position < bytes.count else { return .end }
        let count = bytes.count
        let recordLine = line
        var p = position
        fieldCount = 0
        while true {
            var start = p
            var end = p
            var escaped = false
            if p < count && base[p] == UInt8(ascii: "\"") {
                // Quoted field.
                p += 1
                start = p
                var closed = false
                while p < count {
                    let byte = base[p]
                    if byte == UInt8(ascii: "\"") {
                        if p + 1 < count && base[p + 1] == UInt8(ascii: "\"") {
                            escaped = true
                            p += 2
                            continue
                        }
                        end = p
                        p += 1
                        closed = true
                        break
                    }
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    p += 1
                }
                guard closed else {
                    position = count
                    return .malformed(
                        line: recordLine, reason: "unterminated quoted field in column \(fieldCount + 1)")
                }
                let atEnd =
                    p == count || base[p] == UInt8(ascii: ",") || base[p] == UInt8(ascii: "\n")
                    || (base[p] == UInt8(ascii: "\r") && (p + 1 == count || base[p + 1] == UInt8(ascii: "\n")))
                guard atEnd else {
                    let column = fieldCount + 1
                    skipRestOfLine(from: p)
                    return .malformed(
                        line: recordLine, reason: "unexpected character after closing quote in column \(column)")
                }
            } else {
                while p < count {
                    let byte = base[p]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") { break }
                    p += 1
                }
                end = p
                // `\r\n`: the `\r` belongs to the line ending, not the field; so does a `\r` at end of input.
                if end > start && base[end - 1] == UInt8(ascii: "\r") && (p == count || base[p] == UInt8(ascii: "\n")) {
                    end -= 1
                }
            }
            if fieldCount < CSVScanner.maximumStoredFields {
                fieldStarts[fieldCount] = start
                fieldEnds[fieldCount] = end
                fieldIsEscaped[fieldCount] = escaped
            }
            fieldCount += 1
            if p >= count {
                position = count
                return .record(line: recordLine)
            }
            let byte = base[p]
            if byte == UInt8(ascii: ",") {
                p += 1
                continue
            }
            if byte == UInt8(ascii: "\r") { p += 1 }  // Only after a quoted field; checked above.
            if p < count && base[p] == UInt8(ascii: "\n") {
                p += 1
                line += 1
            }
            position = p
            return .record(line: recordLine)
        }
    }

    private mutating func skipRestOfLine(from start: Int) {
        guard let base = bytes.base else { return }
        var p = start
        while p < bytes.count && base[p] != UInt8(ascii: "\n") { p += 1 }
        if p < bytes.count {
            p += 1
            line += 1
        }
        position = p
    }

    /// The raw bytes of stored field `index` of the last record.
    func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        // Safe because the scanner only returns records when `bytes.base` is non-nil and ranges lie inside it.
        UnsafeBufferPointer(start: bytes.base.map { $0 + fieldStarts[index] }, count: fieldEnds[index] - fieldStarts[index])
    }

    /// Field `index` as text, with doubled quotes undone and invalid UTF-8 repaired (for messages and headers).
    func fieldText(_ index: Int) -> String {
        let text = String(decoding: field(index), as: UTF8.self)
        return fieldIsEscaped[index] ? text.replacing("\"\"", with: "\"") : text
    }

    /// Field `index` as text when it is valid UTF-8 (doubled quotes undone); `nil` otherwise.
    func validatedFieldText(_ index: Int) -> String? {
        guard let text = String(validating: field(index), as: UTF8.self) else { return nil }
        return fieldIsEscaped[index] ? text.replacing("\"\"", with: "\"") : text
    }
}
