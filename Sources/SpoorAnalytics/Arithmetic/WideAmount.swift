public import SpoorStore

/// An exact unsigned amount of up to 384 bits: balances and taint totals, which are sums of many ``Amount``s (each
/// below 2^256) and so can pass 2^256 on bogus data without ever reaching 2^320 (that would take 2^64 transfers).
///
/// Arithmetic is checked: an overflow or a negative result traps only through `precondition`, which the engine
/// rules out by construction (a subtraction is always of a part from its whole; a sum of fewer than 2^64 amounts
/// stays below 2^320).
public struct WideAmount: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    // Six 64-bit limbs, least significant first. Not `UInt128` fields: structs holding `UInt128` have been
    // miscompiled at -Onone (swiftlang/swift#91204), and a debug test run crashed that way here.
    @usableFromInline var w0, w1, w2, w3, w4, w5: UInt64

    /// Zero.
    public static let zero = WideAmount(0)

    /// A wide amount from a 64-bit value.
    @inlinable public init(_ value: UInt64) {
        (w0, w1, w2, w3, w4, w5) = (value, 0, 0, 0, 0, 0)
    }

    /// A wide amount from an exact ``Amount``.
    @inlinable public init(_ amount: Amount) {
        (w0, w1, w2, w3, w4, w5) = (amount[limb: 0], amount[limb: 1], amount[limb: 2], amount[limb: 3], 0, 0)
    }

    /// The value as an ``Amount`` when it is below 2^256.
    @inlinable public var amount: Amount? {
        guard w4 == 0 && w5 == 0 else { return nil }
        var result = Amount.zero
        result[limb: 0] = w0
        result[limb: 1] = w1
        result[limb: 2] = w2
        result[limb: 3] = w3
        return result
    }

    /// Whether the value is zero.
    @inlinable public var isZero: Bool { (w0 | w1 | w2 | w3 | w4 | w5) == 0 }

    /// Whether the value fits in 64 bits.
    @inlinable var fitsUInt64: Bool { (w1 | w2 | w3 | w4 | w5) == 0 }

    /// The nearest `Double` (for ratios only).
    public var doubleValue: Double {
        var result = 0.0
        for limb in limbs.reversed() { result = result * 18_446_744_073_709_551_616.0 + Double(limb) }
        return result
    }

    /// The sum; traps on overflow past 2^384 (unreachable: see the type's documentation).
    @inlinable public static func + (lhs: WideAmount, rhs: WideAmount) -> WideAmount {
        var result = lhs
        var carry = false
        func add(_ a: inout UInt64, _ b: UInt64) {
            let (sum1, overflow1) = a.addingReportingOverflow(b)
            let (sum2, overflow2) = sum1.addingReportingOverflow(carry ? 1 : 0)
            a = sum2
            carry = overflow1 || overflow2
        }
        add(&result.w0, rhs.w0)
        add(&result.w1, rhs.w1)
        add(&result.w2, rhs.w2)
        add(&result.w3, rhs.w3)
        add(&result.w4, rhs.w4)
        add(&result.w5, rhs.w5)
        precondition(!carry, "WideAmount overflow")
        return result
    }

    /// Adds in place.
    @inlinable public static func += (lhs: inout WideAmount, rhs: WideAmount) { lhs = lhs + rhs }

    /// The difference; `rhs` must not exceed `lhs` (the engine only takes a part from its whole).
    @inlinable public static func - (lhs: WideAmount, rhs: WideAmount) -> WideAmount {
        var result = lhs
        var borrow = false
        func subtract(_ a: inout UInt64, _ b: UInt64) {
            let (difference1, overflow1) = a.subtractingReportingOverflow(b)
            let (difference2, overflow2) = difference1.subtractingReportingOverflow(borrow ? 1 : 0)
            a = difference2
            borrow = overflow1 || overflow2
        }
        subtract(&result.w0, rhs.w0)
        subtract(&result.w1, rhs.w1)
        subtract(&result.w2, rhs.w2)
        subtract(&result.w3, rhs.w3)
        subtract(&result.w4, rhs.w4)
        subtract(&result.w5, rhs.w5)
        precondition(!borrow, "WideAmount subtraction below zero")
        return result
    }

    /// Subtracts in place.
    @inlinable public static func -= (lhs: inout WideAmount, rhs: WideAmount) { lhs = lhs - rhs }

    @inlinable public static func < (lhs: WideAmount, rhs: WideAmount) -> Bool {
        if lhs.w5 != rhs.w5 { return lhs.w5 < rhs.w5 }
        if lhs.w4 != rhs.w4 { return lhs.w4 < rhs.w4 }
        if lhs.w3 != rhs.w3 { return lhs.w3 < rhs.w3 }
        if lhs.w2 != rhs.w2 { return lhs.w2 < rhs.w2 }
        if lhs.w1 != rhs.w1 { return lhs.w1 < rhs.w1 }
        return lhs.w0 < rhs.w0
    }

    /// The six 64-bit limbs, least significant first.
    var limbs: [UInt64] { [w0, w1, w2, w3, w4, w5] }

    /// Builds a value from limbs, least significant first; `nil` when it needs more than 384 bits.
    public init?(limbs: [UInt64]) {
        guard limbs.dropFirst(6).allSatisfy({ $0 == 0 }) else { return nil }
        let padded = Array(limbs.prefix(6)) + Array(repeating: 0, count: Swift.max(0, 6 - limbs.count))
        (w0, w1, w2, w3, w4, w5) = (padded[0], padded[1], padded[2], padded[3], padded[4], padded[5])
    }

    /// The decimal digits.
    public var description: String {
        if fitsUInt64 { return String(w0) }
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
                in: container,
                debugDescription: "expected a decimal integer below 2^384, got \(text)"
            )
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
    /// fits). Values that fit 64 bits take one hardware multiply and divide; the rest form the product (up to 768
    /// bits) in a stack buffer and divide it by Knuth's algorithm D (64-bit digits), without allocating.
    @inlinable public static func multiplyDivide(_ a: WideAmount, _ b: WideAmount, _ c: WideAmount) -> WideAmount {
        precondition(!c.isZero, "division by zero")
        precondition(a <= c || b <= c, "quotient would not fit")
        if a.isZero || b.isZero { return .zero }
        if a.fitsUInt64 && b.fitsUInt64 && c.fitsUInt64 {
            let product = a.w0.multipliedFullWidth(by: b.w0)
            return WideAmount(c.w0.dividingFullWidth(product).quotient)
        }
        return multiplyDivideWide(a, b, c)
    }

    /// The general case of ``multiplyDivide(_:_:_:)``.
    @usableFromInline static func multiplyDivideWide(_ a: WideAmount, _ b: WideAmount, _ c: WideAmount) -> WideAmount {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 43) { buffer -> WideAmount in
            let base = buffer.baseAddress!  // capacity 43 > 0: never nil.
            base.initialize(repeating: 0, count: 43)
            defer { base.deinitialize(count: 43) }
            // Layout: a 0..<6, b 6..<12, product (shifted: 13 limbs) 12..<25, divisor 25..<31, quotient 31..<43.
            a.store(to: base)
            b.store(to: base + 6)
            c.store(to: base + 25)
            let aCount = significantLimbs(base, 6)
            let bCount = significantLimbs(base + 6, 6)
            let u = base + 12
            for i in 0..<aCount {
                var carry: UInt64 = 0
                for j in 0..<bCount {
                    let (high, low) = base[i].multipliedFullWidth(by: base[6 + j])
                    let (sum1, overflow1) = low.addingReportingOverflow(u[i + j])
                    let (sum2, overflow2) = sum1.addingReportingOverflow(carry)
                    u[i + j] = sum2
                    carry = high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0)
                }
                u[i + bCount] = carry
            }
            let v = base + 25
            let q = base + 31
            let n = significantLimbs(v, 6)
            let productCount = significantLimbs(u, 12)
            if productCount < n { return .zero }
            if n == 1 {
                var remainder: UInt64 = 0
                for index in stride(from: productCount - 1, through: 0, by: -1) {
                    (q[index], remainder) = v[0].dividingFullWidth((remainder, u[index]))
                }
            } else {
                divideKnuth(u, productCount, v, n, q)
            }
            return WideAmount(limbs: q)
        }
    }

    /// The number of limbs up to the highest non-zero one.
    @usableFromInline static func significantLimbs(_ limbs: UnsafeMutablePointer<UInt64>, _ count: Int) -> Int {
        var result = count
        while result > 0 && limbs[result - 1] == 0 { result -= 1 }
        return result
    }

    /// Knuth's algorithm D (TAOCP vol. 2, 4.3.1; the 64-bit-digit form of Hacker's Delight's `divmnu`): `q` =
    /// ⌊u / v⌋ for `u` of `m` limbs (with one spare zero limb above) and `v` of `n ≥ 2` limbs, the top one non-zero.
    /// `u` and `v` are overwritten (normalised); `q` receives `m − n + 1` limbs.
    @usableFromInline static func divideKnuth(
        _ u: UnsafeMutablePointer<UInt64>,
        _ m: Int,
        _ v: UnsafeMutablePointer<UInt64>,
        _ n: Int,
        _ q: UnsafeMutablePointer<UInt64>
    ) {
        // Normalise: shift so the divisor's top bit is set (u gains a limb at index m).
        let shift = UInt64(v[n - 1].leadingZeroBitCount)
        if shift > 0 {
            for index in stride(from: n - 1, to: 0, by: -1) {
                v[index] = v[index] << shift | v[index - 1] >> (64 - shift)
            }
            v[0] <<= shift
            u[m] = u[m - 1] >> (64 - shift)
            for index in stride(from: m - 1, to: 0, by: -1) {
                u[index] = u[index] << shift | u[index - 1] >> (64 - shift)
            }
            u[0] <<= shift
        } else {
            u[m] = 0
        }
        let top = v[n - 1]
        let second = v[n - 2]
        for j in stride(from: m - n, through: 0, by: -1) {
            // Estimate the digit from the top two limbs of the running remainder (at most 2 too large).
            var estimate: UInt64
            var rest: UInt64
            var restOverflow = false
            if u[j + n] >= top {
                estimate = .max
                (rest, restOverflow) = u[j + n - 1].addingReportingOverflow(top)
            } else {
                (estimate, rest) = top.dividingFullWidth((u[j + n], u[j + n - 1]))
            }
            while !restOverflow {
                let (high, low) = estimate.multipliedFullWidth(by: second)
                guard high > rest || (high == rest && low > u[j + n - 2]) else { break }
                estimate -= 1
                (rest, restOverflow) = rest.addingReportingOverflow(top)
            }
            // Multiply and subtract.
            var carry: UInt64 = 0
            var borrow: UInt64 = 0
            for i in 0..<n {
                let (high, low) = estimate.multipliedFullWidth(by: v[i])
                let (product, overflow) = low.addingReportingOverflow(carry)
                carry = high &+ (overflow ? 1 : 0)
                let (difference1, borrow1) = u[i + j].subtractingReportingOverflow(product)
                let (difference2, borrow2) = difference1.subtractingReportingOverflow(borrow)
                u[i + j] = difference2
                borrow = (borrow1 ? 1 : 0) &+ (borrow2 ? 1 : 0)
            }
            let (difference1, borrow1) = u[j + n].subtractingReportingOverflow(carry)
            let (difference2, borrow2) = difference1.subtractingReportingOverflow(borrow)
            u[j + n] = difference2
            if borrow1 || borrow2 {
                // The estimate was one too large: add the divisor back.
                estimate -= 1
                var addCarry: UInt64 = 0
                for i in 0..<n {
                    let (sum1, overflow1) = u[i + j].addingReportingOverflow(v[i])
                    let (sum2, overflow2) = sum1.addingReportingOverflow(addCarry)
                    u[i + j] = sum2
                    addCarry = (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0)
                }
                u[j + n] &+= addCarry
            }
            q[j] = estimate
        }
    }

    /// Writes the six limbs, least significant first.
    @usableFromInline func store(to pointer: UnsafeMutablePointer<UInt64>) {
        pointer[0] = w0
        pointer[1] = w1
        pointer[2] = w2
        pointer[3] = w3
        pointer[4] = w4
        pointer[5] = w5
    }

    /// Reads a value from limbs, least significant first; the limbs past the sixth must be zero (the callers'
    /// preconditions guarantee it).
    @usableFromInline init(limbs pointer: UnsafeMutablePointer<UInt64>) {
        (w0, w1, w2, w3, w4, w5) = (pointer[0], pointer[1], pointer[2], pointer[3], pointer[4], pointer[5])
    }

    /// `⌊a × b / c⌋` by a product in limb arrays and bit-at-a-time long division: slow, plain, and kept as the
    /// reference the tests compare ``multiplyDivide(_:_:_:)`` with.
    public static func multiplyDivideReference(_ a: WideAmount, _ b: WideAmount, _ c: WideAmount) -> WideAmount {
        precondition(!c.isZero, "division by zero")
        precondition(a <= c || b <= c, "quotient would not fit")
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
    /// slow but plain; only values past 128 bits come here).
    static func divideLimbs(_ dividend: [UInt64], by divisorLimbs: [UInt64]) -> [UInt64] {
        var quotient = [UInt64](repeating: 0, count: dividend.count)
        var divisor = divisorLimbs
        while divisor.count > 1, divisor.last == 0 { divisor.removeLast() }
        var remainder = [UInt64](repeating: 0, count: divisor.count + 1)
        let divisorWide = divisor + [0]
        guard let top = dividend.lastIndex(where: { $0 != 0 }) else { return quotient }
        let highestBit = top * 64 + (63 - dividend[top].leadingZeroBitCount)
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
    public static func product(_ a: WideAmount, _ b: WideAmount) -> Product {
        Product(limbs: multiplyLimbs(a.limbs, b.limbs))
    }
}
