import SpoorStore

/// Unix time as ISO-8601 text. Spoor has no temporal value type: `spoor.time(t)` and `datetime({epochSeconds: t})`
/// turn a block timestamp (seconds since 1970-01-01T00:00:00Z) into a String such as `2009-01-03T18:15:05Z`, always
/// in UTC, which sorts and compares chronologically.
enum UnixTime {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years four digits can show.
    static let supported: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// `seconds` as `YYYY-MM-DDThh:mm:ssZ`, or `nil` outside ``supported``.
    static func iso8601(_ seconds: Int64) -> String? {
        guard supported.contains(seconds) else { return nil }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm, proleptic Gregorian calendar).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3_600, 2)):\(pad(secondOfDay % 3_600 / 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    /// `spoor.time(t)` / `datetime({epochSeconds: t})` on an evaluated argument.
    static func format(_ value: Value, function: String, range: SourceRange) throws(QueryError) -> Value {
        let seconds: Int64
        switch value {
        case .null: return .null
        case .integer(let i): seconds = i
        case .amount(let a):
            guard let i = a.int64Value else { throw outOfRange(function, range) }
            seconds = i
        default:
            throw QueryError(.runtime, "type mismatch: \(function) expects Integer seconds since 1970-01-01T00:00:00Z, found \(value.typeName)", at: range)
        }
        guard let text = iso8601(seconds) else { throw outOfRange(function, range) }
        return .string(text)
    }

    private static func outOfRange(_ function: String, _ range: SourceRange) -> QueryError {
        QueryError(.runtime, "\(function): the time is outside the years 0001 to 9999", at: range)
    }
}
