/// An exact unsigned amount in a chain's base unit (satoshi, wei, token units), from 0 up to 2^256 − 1.
///
/// 2^256 − 1 is the EVM's word: real token exports carry values far above 2^127, and those rows matter most
/// to fraud work, so Spoor keeps them exact. Arithmetic is checked: an overflow or a negative result is an
/// error (`nil` or a thrown ``AmountError``), never a wrap.
///
/// The four 64-bit limbs are stored little-endian (`limbs.0` is the least significant).
///
/// ## Topics
/// - ``init(_:)``
/// - ``init(decimal:)``
/// - ``adding(_:)``
/// - ``subtracting(_:)``
/// - ``multiplied(by:)``
/// - ``quotientAndRemainder(dividingBy:)``
public struct Amount: Sendable, Hashable, Comparable, CustomStringConvertible {
    @usableFromInline var limbs: (UInt64, UInt64, UInt64, UInt64)

    /// Zero.
    public static let zero = Amount(0)
    /// 2^256 − 1, the largest amount.
    public static let max = Amount(limbs: (.max, .max, .max, .max))

    @inlinable
    init(limbs: (UInt64, UInt64, UInt64, UInt64)) {
        self.limbs = limbs
    }

    /// An amount from a 64-bit value.
    @inlinable
    public init(_ value: UInt64) {
        self.limbs = (value, 0, 0, 0)
    }

    /// An amount from a non-negative `Int`; `nil` when it is negative.
    public init?(exactly value: Int) {
        guard value >= 0 else { return nil }
        self.init(UInt64(value))
    }

    /// Parses a non-negative decimal integer (digits only, no sign, no separators).
    ///
    /// Returns `nil` when the text is empty, holds anything but ASCII digits, or is 2^256 or more.
    public init?<Bytes: Collection<UInt8>>(decimalBytes bytes: Bytes) {
        guard !bytes.isEmpty else { return nil }
        var result = Amount.zero
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            guard let scaled = result.multiplied(by: 10),
                let next = scaled.adding(Amount(UInt64(byte &- UInt8(ascii: "0"))))
            else { return nil }
            result = next
        }
        self = result
    }

    /// Parses a non-negative decimal integer; see ``init(decimalBytes:)``.
    public init?(decimal text: some StringProtocol) {
        self.init(decimalBytes: Array(text.utf8))
    }

    /// The limbs as an array, least significant first.
    public var words: [UInt64] { [limbs.0, limbs.1, limbs.2, limbs.3] }

    /// Builds an amount from up to four limbs, least significant first; `nil` when more are non-zero.
    public init?(words: [UInt64]) {
        guard words.count <= 4 || words.dropFirst(4).allSatisfy({ $0 == 0 }) else { return nil }
        var padded = words + [0, 0, 0, 0]
        padded.removeLast(padded.count - 4)
        self.limbs = (padded[0], padded[1], padded[2], padded[3])
    }

    /// Whether the amount is zero.
    @inlinable
    public var isZero: Bool { limbs.0 == 0 && limbs.1 == 0 && limbs.2 == 0 && limbs.3 == 0 }

    /// The value as `UInt64` when it fits.
    @inlinable
    public var uint64Value: UInt64? { (limbs.1 | limbs.2 | limbs.3) == 0 ? limbs.0 : nil }

    /// The value as `Int64` when it fits.
    public var int64Value: Int64? {
        guard let small = uint64Value, small <= UInt64(Int64.max) else { return nil }
        return Int64(small)
    }

    /// The nearest `Double` (for ratios and display only; amounts themselves stay exact).
    public var doubleValue: Double {
        let scale = 18_446_744_073_709_551_616.0  // 2^64
        return ((Double(limbs.3) * scale + Double(limbs.2)) * scale + Double(limbs.1)) * scale + Double(limbs.0)
    }

    /// The number of significant bytes (0 for zero, 32 at most).
    @inlinable
    public var byteWidth: Int {
        if limbs.3 != 0 { return 24 + (64 - limbs.3.leadingZeroBitCount + 7) / 8 }
        if limbs.2 != 0 { return 16 + (64 - limbs.2.leadingZeroBitCount + 7) / 8 }
        if limbs.1 != 0 { return 8 + (64 - limbs.1.leadingZeroBitCount + 7) / 8 }
        return (64 - limbs.0.leadingZeroBitCount + 7) / 8
    }

    /// Limb `index` (0 = least significant).
    @inlinable
    public subscript(limb index: Int) -> UInt64 {
        get {
            switch index {
            case 0: return limbs.0
            case 1: return limbs.1
            case 2: return limbs.2
            default: return limbs.3
            }
        }
        set {
            switch index {
            case 0: limbs.0 = newValue
            case 1: limbs.1 = newValue
            case 2: limbs.2 = newValue
            default: limbs.3 = newValue
            }
        }
    }

    /// The sum, or `nil` when it is 2^256 or more.
    @inlinable
    public func adding(_ other: Amount) -> Amount? {
        var result = self
        var carry: UInt64 = 0
        for index in 0..<4 {
            let (partial, overflow1) = self[limb: index].addingReportingOverflow(other[limb: index])
            let (sum, overflow2) = partial.addingReportingOverflow(carry)
            result[limb: index] = sum
            carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        return carry == 0 ? result : nil
    }

    /// The difference, or `nil` when `other` is larger (amounts are never negative).
    @inlinable
    public func subtracting(_ other: Amount) -> Amount? {
        var result = self
        var borrow: UInt64 = 0
        for index in 0..<4 {
            let (partial, overflow1) = self[limb: index].subtractingReportingOverflow(other[limb: index])
            let (difference, overflow2) = partial.subtractingReportingOverflow(borrow)
            result[limb: index] = difference
            borrow = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        return borrow == 0 ? result : nil
    }

    /// The product with a 64-bit factor, or `nil` when it is 2^256 or more.
    @inlinable
    public func multiplied(by factor: UInt64) -> Amount? {
        var result = Amount.zero
        var carry: UInt64 = 0
        for index in 0..<4 {
            let (high, low) = self[limb: index].multipliedFullWidth(by: factor)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            result[limb: index] = sum
            carry = high &+ (overflow ? 1 : 0)  // Safe because high ≤ 2^64 − 2 when a full product is formed.
        }
        return carry == 0 ? result : nil
    }

    /// The product, or `nil` when it is 2^256 or more.
    public func multiplied(by other: Amount) -> Amount? {
        var result = Amount.zero
        for index in 0..<4 where other[limb: index] != 0 {
            guard let partial = multiplied(by: other[limb: index]), let shifted = partial.shiftedLimbs(by: index),
                let sum = result.adding(shifted)
            else { return nil }
            result = sum
        }
        return result
    }

    /// Moves every limb `count` places up; `nil` when a non-zero limb falls off.
    func shiftedLimbs(by count: Int) -> Amount? {
        guard count > 0 else { return self }
        for index in (4 - count)..<4 where self[limb: index] != 0 { return nil }
        var result = Amount.zero
        for index in count..<4 { result[limb: index] = self[limb: index - count] }
        return result
    }

    /// Quotient and remainder of a division by a non-zero 64-bit divisor.
    public func quotientAndRemainder(dividingBy divisor: UInt64) -> (quotient: Amount, remainder: UInt64) {
        precondition(divisor != 0, "Amount division by zero")
        var quotient = Amount.zero
        var remainder: UInt64 = 0
        for index in stride(from: 3, through: 0, by: -1) {
            let (q, r) = divisor.dividingFullWidth((remainder, self[limb: index]))
            quotient[limb: index] = q
            remainder = r
        }
        return (quotient, remainder)
    }

    /// The decimal digits.
    public var description: String {
        if let small = uint64Value { return String(small) }
        var digits: [String] = []
        var rest = self
        let chunk: UInt64 = 10_000_000_000_000_000_000  // 10^19
        while !rest.isZero {
            let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: chunk)
            digits.append(String(remainder))
            rest = quotient
        }
        var text = digits.removeLast()
        for part in digits.reversed() {
            text += String(repeating: "0", count: 19 - part.count) + part
        }
        return text
    }

    @inlinable
    public static func < (lhs: Amount, rhs: Amount) -> Bool {
        if lhs.limbs.3 != rhs.limbs.3 { return lhs.limbs.3 < rhs.limbs.3 }
        if lhs.limbs.2 != rhs.limbs.2 { return lhs.limbs.2 < rhs.limbs.2 }
        if lhs.limbs.1 != rhs.limbs.1 { return lhs.limbs.1 < rhs.limbs.1 }
        return lhs.limbs.0 < rhs.limbs.0
    }

    @inlinable
    public static func == (lhs: Amount, rhs: Amount) -> Bool {
        lhs.limbs.0 == rhs.limbs.0 && lhs.limbs.1 == rhs.limbs.1 && lhs.limbs.2 == rhs.limbs.2
            && lhs.limbs.3 == rhs.limbs.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(limbs.0)
        hasher.combine(limbs.1)
        hasher.combine(limbs.2)
        hasher.combine(limbs.3)
    }
}

extension Amount: Codable {
    /// Amounts travel as decimal strings in JSON, since JSON numbers lose precision past 2^53.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let amount = Amount(decimal: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a decimal integer below 2^256, found '\(text)'")
        }
        self = amount
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
