import SpoorStore

/// Byte-level field parsers shared by the CSV readers. All take the field's raw bytes and never allocate,
/// except ``address(_:)``, which builds the canonical text.
/// Hex digit values by byte; 0xFF for bytes that are not hex digits. A table keeps the hot loops branch-free.
nonisolated(unsafe) private let hexTable: UnsafePointer<UInt8> = {  // Safe because it is written once, then only read.
    let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    table.initialize(repeating: 0xFF, count: 256)
    for (offset, byte) in "0123456789".utf8.enumerated() { table[Int(byte)] = UInt8(offset) }
    for (offset, byte) in "abcdef".utf8.enumerated() {
        table[Int(byte)] = UInt8(10 + offset)
        table[Int(byte) - 32] = UInt8(10 + offset)
    }
    return UnsafePointer(table)
}()

enum FieldParsing {
    /// The value of a hex digit, or `0xFF`.
    @inline(__always)
    static func hexDigit(_ byte: UInt8) -> UInt8 {
        let digit = byte &- UInt8(ascii: "0")
        if digit < 10 { return digit }
        let letter = (byte | 0x20) &- UInt8(ascii: "a")
        if letter < 6 { return letter &+ 10 }
        return 0xFF
    }

    @inline(__always)
    static func hasHexPrefix(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        field.count >= 2 && field[0] == UInt8(ascii: "0") && (field[1] | 0x20) == UInt8(ascii: "x")
    }

    /// `0x` + 64 hex digits.
    static func txHash(_ field: UnsafeBufferPointer<UInt8>) -> TxHash? {
        guard field.count == 66, hasHexPrefix(field), let base = field.baseAddress else { return nil }
        let table = hexTable
        var ok: UInt8 = 0
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for wordIndex in 0..<4 {
            var value: UInt64 = 0
            // Safe because the field has 66 bytes: 2 + 4 · 16.
            let start = base + 2 + wordIndex * 16
            for index in 0..<16 {
                let digit = table[Int(start[index])]
                ok |= digit
                value = value << 4 | UInt64(digit & 0x0F)
            }
            switch wordIndex {
            case 0: words.0 = value
            case 1: words.1 = value
            case 2: words.2 = value
            default: words.3 = value
            }
        }
        // A valid digit is below 16, so any 0xFF sets the high bits of the OR.
        guard ok & 0xF0 == 0 else { return nil }
        return TxHash(words: words)
    }

    /// `0x` + 40 hex digits → the lowercase text.
    static func address(_ field: UnsafeBufferPointer<UInt8>) -> String? {
        guard field.count == 42, hasHexPrefix(field), let base = field.baseAddress else { return nil }
        let table = hexTable
        var ok: UInt8 = 0
        // Safe because the field has 42 bytes.
        for index in 2..<42 { ok |= table[Int(base[index])] }
        guard ok & 0xF0 == 0 else { return nil }
        return String(unsafeUninitializedCapacity: 42) { buffer in
            // Setting bit 5 lowercases hex letters and 'X' and leaves digits unchanged.
            for index in 0..<42 { buffer[index] = field[index] | 0x20 }
            return 42
        }
    }

    /// A non-negative decimal integer of at most `maximum`.
    static func unsigned(_ field: UnsafeBufferPointer<UInt8>, maximum: UInt64) -> UInt64? {
        guard !field.isEmpty, field.count <= 40 else { return nil }
        var value: UInt64 = 0
        for byte in field {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (scaled, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = scaled.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value <= maximum ? value : nil
    }

    enum AmountResult {
        case value(Amount)
        case empty
        case negative
        case nonNumeric
        case tooLarge
    }

    private static let powersOfTen: [UInt64] = (0...19).map { exponent in
        var power: UInt64 = 1
        for _ in 0..<exponent { power *= 10 }
        return power
    }

    /// A non-negative decimal integer below 2^256, 19 digits at a time.
    static func amount(_ field: UnsafeBufferPointer<UInt8>) -> AmountResult {
        guard !field.isEmpty else { return .empty }
        var digitsStart = 0
        if field[0] == UInt8(ascii: "-") {
            digitsStart = 1
        }
        guard field.count > digitsStart else { return .nonNumeric }
        for index in digitsStart..<field.count where field[index] &- UInt8(ascii: "0") >= 10 {
            return .nonNumeric
        }
        if digitsStart == 1 {
            return .negative
        }
        if field.count <= 19 {
            var small: UInt64 = 0
            // Safe because 19 digits are below 10^19 < 2^64.
            for byte in field { small = small &* 10 &+ UInt64(byte &- UInt8(ascii: "0")) }
            return .value(Amount(small))
        }
        var result = Amount.zero
        var index = 0
        // First chunk takes the leftover so that every later chunk is exactly 19 digits.
        var chunkLength = field.count % 19
        if chunkLength == 0 { chunkLength = 19 }
        while index < field.count {
            var chunk: UInt64 = 0
            for offset in index..<(index + chunkLength) {
                chunk = chunk &* 10 &+ UInt64(field[offset] &- UInt8(ascii: "0"))  // Safe: ≤ 19 digits.
            }
            guard let scaled = result.multiplied(by: powersOfTen[chunkLength]), let sum = scaled.adding(Amount(chunk))
            else { return .tooLarge }
            result = sum
            index += chunkLength
            chunkLength = 19
        }
        return .value(result)
    }

    /// Unix seconds as a non-negative decimal integer below 2^63, or an ISO-8601 UTC time:
    /// `2022-08-13 04:47:23 UTC`, `2022-08-13T04:47:23Z` (also with a space or `T`, and `Z`, ` UTC` or nothing).
    static func timestamp(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        if let seconds = unsigned(field, maximum: UInt64(Int64.max)) { return Int64(seconds) }
        return iso8601(field)
    }

    static func iso8601(_ field: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard field.count >= 19 else { return nil }
        func number(_ start: Int, _ length: Int) -> Int? {
            var value = 0
            for index in start..<(start + length) {
                let digit = field[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        guard field[4] == UInt8(ascii: "-"), field[7] == UInt8(ascii: "-"),
            field[10] == UInt8(ascii: " ") || field[10] == UInt8(ascii: "T"),
            field[13] == UInt8(ascii: ":"), field[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        let suffix = Array(field[19...])
        guard suffix.isEmpty || suffix == [UInt8(ascii: "Z")] || suffix == Array(" UTC".utf8) else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61,
            year >= 1970
        else { return nil }
        let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let monthDays = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= monthDays[month - 1] else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = shiftedYear / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64(days * 86_400 + hour * 3_600 + minute * 60 + second)
    }

    static func hexPair(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }

    /// The field as text for an error message: invalid UTF-8 repaired, long text cut at 80 characters.
    static func quoted(_ field: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: field, as: UTF8.self)
        if text.count <= 80 { return "'\(text)'" }
        return "'\(text.prefix(80))…' (\(field.count) bytes)"
    }

    /// Whether the field holds a byte above 0x7F (then it cannot be valid in any transfers-csv column).
    @inline(__always)
    static func hasNonASCII(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in field { combined |= byte }
        return combined & 0x80 != 0
    }
}
