import Testing

@testable import SpoorIngest

/// The transfers-csv ingest's address numbering by 20-byte keys.
@Suite struct AddressInternerTests {
    @Test func numbersDistinctAddressesInFirstSeenOrder() {
        var interner = AddressInterner()
        let a = "0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1"
        let b = "0x00000000000000000000000000000000000000a1"
        let c = "0x10000000000000000000000000000000000000a1"  // differs from b in the first digit only
        #expect(interner.number(a) == 0)
        #expect(interner.number(b) == 1)
        #expect(interner.number(a) == 0)
        #expect(interner.number(c) == 2)
        #expect(interner.number(b) == 1)
    }

    @Test func keyHoldsTheTwentyBytesBigEndian() {
        // Worked by hand: digits 0..15 → high, 16..31 → middle, 32..39 → low.
        let key = AddressInterner.key("0x0123456789abcdef0011223344556677deadbeef")
        #expect(key == AddressInterner.Key(high: 0x0123_4567_89ab_cdef, middle: 0x0011_2233_4455_6677, low: 0xdead_beef))
    }

    @Test func nonCanonicalTextsGetNoNumber() {
        var interner = AddressInterner()
        #expect(interner.number("0x01E2919679362DFBC9EE1644BA9C6DA6D6245BB1") == nil)  // upper case
        #expect(interner.number("0x01e2919679362dfbc9ee1644ba9c6da6d6245bb") == nil)  // 39 digits
        #expect(interner.number("1x01e2919679362dfbc9ee1644ba9c6da6d6245bb1") == nil)
        #expect(interner.number("") == nil)
    }
}
