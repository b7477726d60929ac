import ArgumentParser
import Foundation
import Spoor

/// Parses `--param name=value` values into query ``Value``s.
///
/// In order: an integer (`42`, `-7`; beyond 64 bits a non-negative one becomes an exact amount), a decimal float
/// (`1.5`, `2e18`; hex floats, `inf` and `nan` are not numbers here), `true` / `false` / `null`, JSON when it
/// starts with `[` or `{`, and otherwise the text itself as a string (so `0x…` addresses stay strings).
enum QueryParameter {
    /// `name=value` split at the first `=`. `option` names where the text came from in error messages
    /// (`--param`, or the REPL's `:param`).
    static func parse(_ argument: String, option: String = "--param") throws -> (name: String, value: Value) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw ValidationError("\(option) '\(argument)' is not name=value")
        }
        var name = String(argument[..<equals])
        if name.hasPrefix("$") { name.removeFirst() }
        guard !name.isEmpty, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
            throw ValidationError("\(option) '\(argument)': '\(name)' is not a parameter name")
        }
        return (name, try value(String(argument[argument.index(after: equals)...]), name: name, option: option))
    }

    static func value(_ text: String, name: String, option: String = "--param") throws -> Value {
        if isInteger(text) {
            if let integer = Int64(text) { return .integer(integer) }
            if !text.hasPrefix("-"), let amount = Amount(decimal: text.hasPrefix("+") ? String(text.dropFirst()) : text) {
                return .amount(amount)
            }
            if let double = Double(text) { return .float(double) }
        }
        if isDecimalFloat(text), let double = Double(text), double.isFinite { return .float(double) }
        switch text {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default: break
        }
        if text.hasPrefix("[") || text.hasPrefix("{") {
            do {
                return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)).value
            } catch {
                throw ValidationError("\(option) \(name): the value starts with '\(text.prefix(1))' but is not JSON")
            }
        }
        return .string(text)
    }

    /// `[+-]digits`.
    static func isInteger(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// `[+-](digits[.digits*]|.digits)([eE][+-]digits)?`: decimal only (Swift's `Double(_:)` also takes hex and
    /// `nan`, which would turn an address into a number).
    static func isDecimalFloat(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        let mantissa = bytes.prefix { isDigit($0) || $0 == UInt8(ascii: ".") }
        let dots = mantissa.filter { $0 == UInt8(ascii: ".") }.count
        guard dots <= 1, mantissa.contains(where: isDigit) else { return false }
        var rest = bytes.dropFirst(mantissa.count)
        if rest.isEmpty { return true }
        guard rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") else { return false }
        rest = rest.dropFirst()
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
        return !rest.isEmpty && rest.allSatisfy(isDigit)
    }
}

/// A JSON document as a query ``Value`` (integers stay integers, other numbers become floats).
struct JSONValue: Decodable {
    var value: Value

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let bool = try? container.decode(Bool.self) {
            value = .bool(bool)
        } else if let integer = try? container.decode(Int64.self) {
            value = .integer(integer)
        } else if let double = try? container.decode(Double.self) {
            value = .float(double)
        } else if let string = try? container.decode(String.self) {
            value = .string(string)
        } else if let list = try? container.decode([JSONValue].self) {
            value = .list(list.map(\.value))
        } else {
            value = .map(try container.decode([String: JSONValue].self).mapValues(\.value))
        }
    }
}
