import Testing
@testable import SpoorStore
import SpoorTestSupport

/// Amount arithmetic is checked against a plain decimal-string oracle written here (schoolbook add/compare).
struct AmountTests {
    static let twoTo256Minus1 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    @Test(arguments: ["0", "1", "18446744073709551615", "18446744073709551616", "340282366920938463463374607431768211456",
                      twoTo256Minus1])
    func decimalRoundTrip(text: String) throws {
        let amount = try #require(Amount(decimal: text))
        #expect(amount.description == text)
    }

    @Test(arguments: ["", "-1", "1.5", "12a", " 1",
                      "115792089237316195423570985008687907853269984665640564039457584007913129639936"])
    func rejectsInvalidDecimal(text: String) {
        #expect(Amount(decimal: text) == nil)
    }

    @Test func overflowIsNilNeverAWrap() throws {
        #expect(Amount.max.adding(Amount(1)) == nil)
        #expect(Amount.zero.subtracting(Amount(1)) == nil)
        #expect(Amount.max.multiplied(by: 2) == nil)
        #expect(Amount.max.description == Self.twoTo256Minus1)
        let half = try #require(Amount(decimal: "340282366920938463463374607431768211456"))  // 2^128
        #expect(half.multiplied(by: half) == nil)  // 2^256
        let halfMinus1 = try #require(Amount(decimal: "340282366920938463463374607431768211455"))
        let product = try #require(half.multiplied(by: halfMinus1))
        #expect(product.description == "115792089237316195423570985008687907852929702298719625575994209400481361428480")
    }

    /// Schoolbook decimal addition: the oracle.
    static func addDecimal(_ a: String, _ b: String) -> String {
        let x = Array(a.reversed()), y = Array(b.reversed())
        var out: [Character] = []
        var carry = 0
        for i in 0..<max(x.count, y.count) {
            let d = (i < x.count ? Int(String(x[i]))! : 0) + (i < y.count ? Int(String(y[i]))! : 0) + carry
            out.append(Character(String(d % 10)))
            carry = d / 10
        }
        if carry > 0 { out.append(Character(String(carry))) }
        let text = String(out.reversed()).drop { $0 == "0" }
        return text.isEmpty ? "0" : String(text)
    }

    @Test func randomSumsMatchDecimalOracle() throws {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let a = Amount(words: (0..<4).map { index in index < Int.random(in: 1...4, using: &rng) ? rng.next() >> 1 : 0 })!
            let b = Amount(words: (0..<4).map { index in index < Int.random(in: 1...4, using: &rng) ? rng.next() >> 1 : 0 })!
            let sum = try #require(a.adding(b), "seed \(rng.seed)")
            #expect(sum.description == Self.addDecimal(a.description, b.description), "seed \(rng.seed)")
            #expect(sum.subtracting(b) == a)
            #expect((a < b) == (a.description.count < b.description.count
                || (a.description.count == b.description.count && a.description < b.description)))
        }
    }
}
