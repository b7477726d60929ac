import SpoorAnalytics
import SpoorStore
import SpoorTestSupport
import Testing

@Suite("WideAmount: exact wide arithmetic")
struct WideAmountTests {
    @Test func decimalRoundTripAndCarries() throws {
        // 2^256 − 1 + 1 = 2^256 (python3: 2**256 = 115792089237316195423570985008687907853269984665640564039457584007913129639936).
        let sum = WideAmount(Amount.max) + WideAmount(1)
        #expect(sum.description == "115792089237316195423570985008687907853269984665640564039457584007913129639936")
        #expect(sum.amount == nil)
        #expect((sum - WideAmount(1)).amount == Amount.max)
        #expect(WideAmount(decimal: sum.description) == sum)
        #expect(WideAmount(decimal: "12a") == nil)
    }

    @Test func multiplyDivideHandWorked() {
        // ⌊(2^256 − 1) × (2^256 − 1) / 2^256⌋ = 2^256 − 2 (since (2^256−1)^2 = 2^512 − 2^257 + 1).
        let max = WideAmount(Amount.max)
        let twoTo256 = max + WideAmount(1)
        #expect(WideAmount.multiplyDivide(max, max, twoTo256) == max - WideAmount(1))
        // ⌊33 × 20 / 50⌋ = 13.
        #expect(WideAmount.multiplyDivide(WideAmount(33), WideAmount(20), WideAmount(50)) == WideAmount(13))
    }

    @Test func multiplyDivideBoundsOnRandomWideValues() throws {
        // q = ⌊a × b / c⌋ holds exactly when q × c ≤ a × b < (q + 1) × c: checked with the limb product alone.
        var generator = SeededGenerator(seed: 20_261_123)
        for _ in 0..<2000 {
            func random() -> WideAmount {
                let words = (0..<4).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) }
                let bits = Int.random(in: 1...256, using: &generator)
                var amount = Amount(words: words)!
                for limb in 0..<4 {
                    let keep = max(0, min(64, bits - 64 * limb))
                    amount[limb: limb] =
                        keep == 0
                        ? 0 : (keep == 64 ? amount[limb: limb] : amount[limb: limb] & ((1 << UInt64(keep)) - 1))
                }
                return WideAmount(amount)
            }
            var (a, b, c) = (random(), random(), random() + WideAmount(1))
            if a > c { swap(&a, &c) }
            let q = WideAmount.multiplyDivide(a, b, c)
            let product = WideAmount.product(a, b)
            #expect(WideAmount.product(q, c) <= product, "seed \(generator.seed)")
            #expect(product < WideAmount.product(q + WideAmount(1), c), "seed \(generator.seed)")
            #expect(q <= b)
        }
    }

    /// The Knuth division equals the plain bit-at-a-time reference (a deliberately simple second implementation)
    /// on random values of 1 … 384 bits and on limb patterns that force the rare steps of algorithm D (digit
    /// estimate too large by two, add-back): all-ones limbs, top bits only, 2^64k ± 1.
    @Test func multiplyDivideEqualsReference() throws {
        var generator = SeededGenerator(seed: 20_261_124)
        let patterns: [UInt64] = [0, 1, 2, .max, .max - 1, 1 << 63, (1 << 63) - 1, (1 << 63) + 1, 0xFFFF_FFFF, 1 << 32]
        func random() -> WideAmount {
            var limbs = [UInt64](repeating: 0, count: 6)
            let count = Int.random(in: 1...6, using: &generator)
            for index in 0..<count {
                limbs[index] =
                    Bool.random(using: &generator)
                    ? patterns.randomElement(using: &generator)! : UInt64.random(in: 0...UInt64.max, using: &generator)
            }
            let keepBits = Int.random(in: 1...64, using: &generator)
            limbs[count - 1] >>= UInt64(64 - keepBits)
            return WideAmount(limbs: limbs)!
        }
        var checked = 0
        for _ in 0..<20_000 {
            var (a, b, c) = (random(), random(), random())
            if c.isZero { c = WideAmount(1) }
            if a > c && b > c { swap(&a, &c) }
            // Sums of two 384-bit values could overflow: keep inputs within the preconditions only.
            let fast = WideAmount.multiplyDivide(a, b, c)
            let reference = WideAmount.multiplyDivideReference(a, b, c)
            #expect(fast == reference, "a \(a) b \(b) c \(c)")
            if fast != reference { return }
            checked += 1
        }
        #expect(checked == 20_000)
        // Hand-worked: ⌊(2^128 − 1) × (2^128 − 1) / (2^128 − 1)⌋ = 2^128 − 1, and ⌊2^383 × 3 / (2^383 + 1)⌋ = 2
        // (3 × 2^383 = 2 × (2^383 + 1) + 2^383 − 2, remainder below the divisor).
        let max128 = WideAmount(limbs: [.max, .max])!
        #expect(WideAmount.multiplyDivide(max128, max128, max128) == max128)
        let top = WideAmount(limbs: [0, 0, 0, 0, 0, 1 << 63])!
        #expect(WideAmount.multiplyDivide(WideAmount(3), top, top + WideAmount(1)) == WideAmount(2))
    }
}
