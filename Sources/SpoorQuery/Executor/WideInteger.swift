import SpoorStore

/// A signed integer of up to 256 magnitude bits: the exact accumulator for arithmetic that involves amounts and for
/// `sum`. Operations return `nil` on overflow instead of wrapping.
struct WideInteger: Sendable, Equatable {
    var negative: Bool
    var magnitude: Amount

    static let zero = WideInteger(negative: false, magnitude: .zero)

    init(negative: Bool, magnitude: Amount) {
        self.negative = magnitude.isZero ? false : negative
        self.magnitude = magnitude
    }

    init(_ value: Int64) {
        self.init(negative: value < 0, magnitude: Amount(value.magnitude))
    }

    init(_ amount: Amount) { self.init(negative: false, magnitude: amount) }

    init?(_ value: Value) {
        switch value {
        case .integer(let i): self.init(i)
        case .amount(let a): self.init(a)
        default: return nil
        }
    }

    var negated: WideInteger { WideInteger(negative: !negative, magnitude: magnitude) }

    func adding(_ other: WideInteger) -> WideInteger? {
        if negative == other.negative {
            guard let sum = magnitude.adding(other.magnitude) else { return nil }
            return WideInteger(negative: negative, magnitude: sum)
        }
        if magnitude >= other.magnitude {
            guard let difference = magnitude.subtracting(other.magnitude) else { return nil }
            return WideInteger(negative: negative, magnitude: difference)
        }
        guard let difference = other.magnitude.subtracting(magnitude) else { return nil }
        return WideInteger(negative: other.negative, magnitude: difference)
    }

    func multiplied(by other: WideInteger) -> WideInteger? {
        guard let product = magnitude.multiplied(by: other.magnitude) else { return nil }
        return WideInteger(negative: negative != other.negative, magnitude: product)
    }

    /// Truncating division and remainder (the remainder takes the dividend's sign); `nil` for a zero divisor.
    func quotientAndRemainder(dividingBy other: WideInteger) -> (WideInteger, WideInteger)? {
        guard !other.magnitude.isZero else { return nil }
        let (q, r) = WideInteger.divide(magnitude, by: other.magnitude)
        return (WideInteger(negative: negative != other.negative, magnitude: q), WideInteger(negative: negative, magnitude: r))
    }

    /// Unsigned long division of 256-bit magnitudes.
    static func divide(_ dividend: Amount, by divisor: Amount) -> (Amount, Amount) {
        if let small = divisor.uint64Value {
            let (q, r) = dividend.quotientAndRemainder(dividingBy: small)
            return (q, Amount(r))
        }
        var quotient = Amount.zero
        var remainder = Amount.zero
        for bit in stride(from: 255, through: 0, by: -1) {
            // remainder = remainder * 2 + bit; it stays below 2 · divisor < 2^257, and divisor ≥ 2^64 keeps it in range
            remainder = remainder.adding(remainder) ?? remainder
            if (dividend[limb: bit / 64] >> UInt64(bit % 64)) & 1 == 1 {
                remainder = remainder.adding(Amount(1)) ?? remainder
            }
            if remainder >= divisor, let reduced = remainder.subtracting(divisor) {
                remainder = reduced
                quotient[limb: bit / 64] |= 1 << UInt64(bit % 64)
            }
        }
        return (quotient, remainder)
    }

    /// As an `Int64`, when it fits.
    var int64Value: Int64? {
        guard let small = magnitude.uint64Value else { return nil }
        if negative {
            if small == UInt64(Int64.max) + 1 { return .min }
            return small <= UInt64(Int64.max) ? -Int64(small) : nil
        }
        return small <= UInt64(Int64.max) ? Int64(small) : nil
    }

    var doubleValue: Double { negative ? -magnitude.doubleValue : magnitude.doubleValue }

    /// The result of arithmetic that involved an amount: an amount when non-negative, else an integer if it fits.
    var amountResult: Value? {
        if !negative { return .amount(magnitude) }
        return int64Value.map(Value.integer)
    }
}
