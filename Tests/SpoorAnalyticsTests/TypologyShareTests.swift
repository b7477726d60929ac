import SpoorStore
import Testing

@testable import SpoorAnalytics

/// The exact percentage comparisons of the typology detectors, at the edges of the 256-bit range (worked by hand:
/// (2^256 − 1) · 50 / 100 = 2^255 − 1/2, so "at least" needs 2^255 and "at most" allows 2^255 − 1).
@Suite struct TypologyShareTests {
    static let half = Amount(words: [0, 0, 0, 1 << 63])!  // 2^255
    static let halfMinusOne = Amount(words: [.max, .max, .max, (1 << 63) - 1])!  // 2^255 − 1

    @Test func percentagesOfTheLargestAmount() {
        #expect(Share.atLeast(.max, percent: 100, of: .max))
        #expect(!Share.atLeast(Amount.max.subtracting(Amount(1))!, percent: 100, of: .max))
        #expect(Share.atMost(.max, percent: 100, of: .max))
        #expect(Share.atLeast(Self.half, percent: 50, of: .max))
        #expect(!Share.atLeast(Self.halfMinusOne, percent: 50, of: .max))
        #expect(Share.atMost(Self.halfMinusOne, percent: 50, of: .max))
        #expect(!Share.atMost(Self.half, percent: 50, of: .max))
        #expect(Share.atLeast(.zero, percent: 0, of: .max))
        // 200 % of 2^256 − 1 is out of range: nothing reaches it, everything is below it.
        #expect(!Share.atLeast(.max, percent: 200, of: .max))
        #expect(Share.atMost(.max, percent: 200, of: .max))
    }

    @Test func smallAmounts() {
        #expect(Share.atLeast(Amount(45), percent: 90, of: Amount(50)))  // 4500 ≥ 4500
        #expect(!Share.atLeast(Amount(44), percent: 90, of: Amount(50)))
        #expect(Share.atMost(Amount(12), percent: 25, of: Amount(50)))  // 1200 ≤ 1250
        #expect(!Share.atMost(Amount(13), percent: 25, of: Amount(50)))
        #expect(Share.below(Amount(4), percent: 10, of: Amount(41)))  // 400 < 410
        #expect(!Share.below(Amount(5), percent: 10, of: Amount(50)))  // 500 = 500
        #expect(Share.atLeast(Amount(1), percent: 1, of: Amount(99)))  // 100 ≥ 99
        #expect(!Share.atLeast(Amount(0), percent: 1, of: Amount(99)))
    }
}
