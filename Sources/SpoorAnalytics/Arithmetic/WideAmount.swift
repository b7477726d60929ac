public import SpoorStore

/// An exact unsigned amount of up to 384 bits: balances and taint totals, which are sums of many ``Amount``s (each
/// below 2^256) and so can pass 2^256 on bogus data without ever reaching 2^320 (that would take 2^64 transfers).
///
/// Arithmetic is checked: an overflow or a negative result traps only through `precondition`, which the engine
/// rules out by construction (a subtraction is always of a part from its whole; a sum of fewer than 2^64 amounts
/// stays below 2^320).
public struct WideAmount: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    @usableFromInline var low: UInt128
    @usableFromInline var middle: UInt128
    @usableFromInline var high: UInt128

    /// Zero.
    public static let zero = WideAmount(low: 0, middle: 0, high: 0)

    @inlinable init(low: UInt128, middle: UInt128, high: UInt128) {
        self.low = low
        self.middle = middle
        self.high = high
    }

    /// A wide amount from a 64-bit value.
    @inlinable public init(_ value: UInt64) { self.init(low: UInt128(value), middle: 0, high: 0) }

    /// A wide amount from an exact ``Amount``.
    @inlinable public init(_ amount: Amount) {
        self.init(
            low: UInt128(amount[limb: 0]) | UInt128(amount[limb: 1]) << 64,
            middle: UInt128(amount[limb: 2]) | UInt128(amount[limb: 3]) << 64, high: 0)
    }

    /// The value as an ``Amount`` when it is below 2^256.
    @inlinable public var amount: Amount? {
        guard high == 0 else { return nil }
        var result = Amount.zero
        result[limb: 0] = UInt64(truncatingIfNeeded: low)
        result[limb: 1] = UInt64(truncatingIfNeeded: low >> 64)
        result[limb: 2] = UInt64(truncatingIfNeeded: middle)
        result[limb: 3] = UInt64(truncatingIfNeeded: middle >> 64)
        return result
    }

    /// Whether the value is zero.
    @inlinable public var isZero: Bool { low == 0 && middle == 0 && high == 0 }

    /// The nearest `Double` (for ratios only).
    public var doubleValue: Double {
        let scale = 340_282_366_920_938_463_463_374_607_431_768_211_456.0  // 2^128
        return (Double(high) * scale + Double(middle)) * scale + Double(low)
    }

    /// The sum; traps on overflow past 2^384 (unreachable: see the type's documentation).
    @inlinable public static func + (lhs: WideAmount, rhs: WideAmount) -> WideAmount {
        let (low, carry0) = lhs.low.addingReportingOverflow(rhs.low)
        let (middle0, carry1) = lhs.middle.addingReportingOverflow(rhs.middle)
        let (middle, carry2) = middle0.addingReportingOverflow(carry0 ? 1 : 0)
        let high = lhs.high + rhs.high + (carry1 ? 1 : 0) + (carry2 ? 1 : 0)
        return WideAmount(low: low, middle: middle, high: high)
    }

    /// Adds in place.
    @inlinable public static func += (lhs: inout WideAmount, rhs: WideAmount) { lhs = lhs + rhs }

    /// The difference; `rhs` must not exceed `lhs` (the engine only takes a part from its whole).
    @inlinable public static func - (lhs: WideAmount, rhs: WideAmount) -> WideAmount {
        precondition(rhs <= lhs, "WideAmount subtraction below zero")
        let (low, borrow0) = lhs.low.subtractingReportingOverflow(rhs.low)
        let (middle0, borrow1) = lhs.middle.subtractingReportingOverflow(rhs.middle)
        let (middle, borrow2) = middle0.subtractingReportingOverflow(borrow0 ? 1 : 0)
        let high = lhs.high - rhs.high - (borrow1 ? 1 : 0) - (borrow2 ? 1 : 0)
        return WideAmount(low: low, middle: middle, high: high)
    }

    /// Subtracts in place.
    @inlinable public static func -= (lhs: inout WideAmount, rhs: WideAmount) { lhs = lhs - rhs }

    @inlinable public static func < (lhs: WideAmount, rhs: WideAmount) -> Bool {
        if lhs.high != rhs.high { return lhs.high < rhs.high }
        if lhs.middle != rhs.middle { return lhs.middle < rhs.middle }
        return lhs.low < rhs.low
    }

    /// The six 64-bit limbs, least significant first.
    var limbs: [UInt64] {
        [low, middle, high].flatMap { [UInt64(truncatingIfNeeded: $0), UInt64(truncatingIfNeeded: $0 >> 64)] }
    }

    /// Builds a value from limbs, least significant first; `nil` when it needs more than 384 bits.
    init?(limbs: [UInt64]) {
        guard limbs.dropFirst(6).allSatisfy({ $0 == 0 }) else { return nil }
        let padded = Array(limbs.prefix(6)) + Array(repeating: 0, count: Swift.max(0, 6 - limbs.count))
        self.init(
            low: UInt128(padded[0]) | UInt128(padded[1]) << 64, middle: UInt128(padded[2]) | UInt128(padded[3]) << 64,
            high: UInt128(padded[4]) | UInt128(padded[5]) << 64)
    }

    /// The decimal digits.
    public var description: String {
        if high == 0 && middle == 0 { return String(low) }
        var limbs = self.limbs
        var chunks: [UInt64] = []
        let base: UInt64 = 10_000_000_000_000_000_000  // 10^19
        while limbs.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in limbs.indices.reversed() {
                let (quotient, rest) = base.dividingFullWidth((remainder, limbs[index]))
                limbs[index] = quotient
                remainder = rest
            }
            chunks.append(remainder)
        }
        var text = String(chunks.last ?? 0)
        for chunk in chunks.dropLast().reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }

    /// Parses decimal digits; `nil` for anything else or a value of 2^384 or more.
    public init?(decimal text: some StringProtocol) {
        guard !text.isEmpty else { return nil }
        var limbs = [UInt64](repeating: 0, count: 7)
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            var carry = UInt64(byte - UInt8(ascii: "0"))
            for index in limbs.indices {
                let (high, low) = limbs[index].multipliedFullWidth(by: 10)
                let (sum, overflow) = low.addingReportingOverflow(carry)
                limbs[index] = sum
                carry = high + (overflow ? 1 : 0)
            }
            guard carry == 0 else { return nil }
        }
        self.init(limbs: limbs)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = WideAmount(decimal: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a decimal integer below 2^384, got \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension WideAmount {
    /// `⌊a × b / c⌋` exactly, for `c > 0` and `a ≤ c` or `b ≤ c` (so the quotient is at most the other factor and
    /// fits). Products up to 768 bits are formed in a limb array; values that fit 128 bits take a fast path.
    public static func multiplyDivide(_ a: WideAmount, _ b: WideAmount, _ c: WideAmount) -> WideAmount {
        precondition(!c.isZero, "division by zero")
        precondition(a <= c || b <= c, "quotient would not fit")
        if a.isZero || b.isZero { return .zero }
        if a.high == 0 && a.middle == 0 && b.high == 0 && b.middle == 0 && c.high == 0 && c.middle == 0 {
            let product = a.low.multipliedFullWidth(by: b.low)
            let (quotient, _) = c.low.dividingFullWidth(product)
            return WideAmount(low: quotient, middle: 0, high: 0)
        }
        let product = multiplyLimbs(a.limbs, b.limbs)
        let quotient = divideLimbs(product, by: c.limbs)
        guard let result = WideAmount(limbs: quotient) else {
            preconditionFailure("quotient larger than a factor")  // Ruled out by the a ≤ c or b ≤ c precondition.
        }
        return result
    }

    /// Schoolbook product of two little-endian limb arrays.
    static func multiplyLimbs(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: a.count + b.count)
        for i in a.indices where a[i] != 0 {
            var carry: UInt64 = 0
            for j in b.indices {
                let (high, low) = a[i].multipliedFullWidth(by: b[j])
                let (sum1, overflow1) = low.addingReportingOverflow(result[i + j])
                let (sum2, overflow2) = sum1.addingReportingOverflow(carry)
                result[i + j] = sum2
                carry = high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0)
            }
            var index = i + b.count
            while carry != 0 {
                let (sum, overflow) = result[index].addingReportingOverflow(carry)
                result[index] = sum
                carry = overflow ? 1 : 0
                index += 1
            }
        }
        return result
    }

    /// Floor division of little-endian limb arrays by binary long division (shift and subtract, one bit at a time:
    /// slow but plain; only values past 128 bits come here). The loop starts at the dividend's highest set bit (the
    /// remainder stays zero through leading zero bits) and the remainder has one limb more than the divisor's
    /// significant limbs (it stays below twice the divisor).
    static func divideLimbs(_ dividend: [UInt64], by divisor: [UInt64]) -> [UInt64] {
        var quotient = [UInt64](repeating: 0, count: dividend.count)
        guard let top = dividend.lastIndex(where: { $0 != 0 }) else { return quotient }
        let significant = (divisor.lastIndex(where: { $0 != 0 }) ?? 0) + 1
        var remainder = [UInt64](repeating: 0, count: significant + 1)
        let divisorWide = Array(divisor.prefix(significant)) + [0]
        let highestBit = top * 64 + 63 - dividend[top].leadingZeroBitCount
        for bit in stride(from: highestBit, through: 0, by: -1) {
            // remainder = remainder << 1 | bit
            var carry = (dividend[bit / 64] >> UInt64(bit % 64)) & 1
            for index in remainder.indices {
                let next = remainder[index] >> 63
                remainder[index] = remainder[index] << 1 | carry
                carry = next
            }
            if !lessThan(remainder, divisorWide) {
                var borrow: UInt64 = 0
                for index in remainder.indices {
                    let (difference1, overflow1) = remainder[index].subtractingReportingOverflow(divisorWide[index])
                    let (difference2, overflow2) = difference1.subtractingReportingOverflow(borrow)
                    remainder[index] = difference2
                    borrow = (overflow1 || overflow2) ? 1 : 0
                }
                quotient[bit / 64] |= 1 << UInt64(bit % 64)
            }
        }
        return quotient
    }

    static func lessThan(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        for index in a.indices.reversed() where a[index] != b[index] { return a[index] < b[index] }
        return false
    }
}

extension WideAmount {
    /// The exact product as little-endian 64-bit limbs, compared limb-wise (for checks of ``multiplyDivide(_:_:_:)``).
    public struct Product: Comparable, Sendable {
        let limbs: [UInt64]
        public static func < (lhs: Product, rhs: Product) -> Bool { WideAmount.lessThan(lhs.limbs, rhs.limbs) }
    }

    /// The exact product of two wide amounts.
    public static func product(_ a: WideAmount, _ b: WideAmount) -> Product { Product(limbs: multiplyLimbs(a.limbs, b.limbs)) }
}
