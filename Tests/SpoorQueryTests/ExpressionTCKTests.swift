import Testing
@testable import SpoorQuery

/// Expression semantics added for the openCypher TCK: quantifiers, compile-time type errors on literal operands,
/// regular expressions, octal literals, NaN comparisons and unix-time formatting. Expected values are worked by hand.
@Suite struct ExpressionTCKTests {
    // MARK: Quantifiers (three-valued: a null predicate value matters only when the others do not decide)

    @Test func allQuantifier() throws {
        #expect(try Fixture.rows("""
            RETURN all(x IN [1, 2, 3] WHERE x > 0), all(x IN [1, null, 3] WHERE x > 0),
                   all(x IN [1, null, -1] WHERE x > 0), all(x IN [] WHERE x > 0), all(x IN null WHERE x > 0)
            """) == [[.bool(true), .null, .bool(false), .bool(true), .null]])
    }

    @Test func anyQuantifier() throws {
        #expect(try Fixture.rows("""
            RETURN any(x IN [1, 2] WHERE x > 5), any(x IN [1, null] WHERE x > 5),
                   any(x IN [1, null, 7] WHERE x > 5), any(x IN [] WHERE x > 5)
            """) == [[.bool(false), .null, .bool(true), .bool(false)]])
    }

    @Test func noneQuantifier() throws {
        #expect(try Fixture.rows("""
            RETURN none(x IN [1, 2] WHERE x > 5), none(x IN [null] WHERE x > 5),
                   none(x IN [6, null] WHERE x > 5), none(x IN [] WHERE x > 5)
            """) == [[.bool(true), .null, .bool(false), .bool(true)]])
    }

    @Test func singleQuantifier() throws {
        #expect(try Fixture.rows("""
            RETURN single(x IN [1, 6] WHERE x > 5), single(x IN [6, 7, null] WHERE x > 5),
                   single(x IN [6, null] WHERE x > 5), single(x IN [1, 2] WHERE x > 5), single(x IN [] WHERE x > 5)
            """) == [[.bool(true), .bool(false), .null, .bool(false), .bool(false)]])
    }

    @Test func quantifierScopeAndErrors() throws {
        // The quantifier's variable shadows the outer x only inside the predicate.
        #expect(try Fixture.rows("WITH 10 AS x RETURN any(x IN [1] WHERE x = 1), x") == [[.bool(true), .integer(10)]])
        #expect(try Fixture.column("UNWIND [[1, 2], [3, -1]] AS l WITH l WHERE all(v IN l WHERE v > 0) RETURN size(l)") == [.integer(2)])
        #expect(Fixture.error("RETURN all(x IN [1])")?.kind == .syntax)
        #expect(Fixture.error("RETURN all([true])")?.kind == .semantic)
        #expect(Fixture.error("RETURN [x IN [1, 2] | count(*)]")?.kind == .semantic)
        #expect(Fixture.error("UNWIND [1] AS y RETURN any(x IN [1] WHERE x = sum(y))")?.kind == .semantic)
        // An aggregate in the list part is fine: collect gives [1, 2], doubled.
        #expect(try Fixture.column("UNWIND [1, 2] AS y RETURN [x IN collect(y) | x * 2]") == [.list([.integer(2), .integer(4)])])
        #expect(Fixture.error("UNWIND [[1]] AS l RETURN any(x IN l WHERE x)")?.kind == .runtime)
    }

    // MARK: Compile-time type errors on operands of statically known type

    @Test func literalTypeErrorsAtCompileTime() {
        let not = Fixture.error("RETURN NOT 'foo'")
        #expect(not?.kind == .semantic)
        #expect(not?.message == "type mismatch: expected a Boolean, found String")
        #expect(Fixture.error("RETURN false AND 123")?.kind == .semantic)
        #expect(Fixture.error("RETURN true OR [false]")?.kind == .semantic)
        #expect(Fixture.error("RETURN 1 IN 'foo'")?.kind == .semantic)
        #expect(Fixture.error("RETURN [1] - 1")?.message == "type mismatch: cannot apply '-' to List and Integer")
        #expect(Fixture.error("RETURN none(x IN ['a'] WHERE x % 2 = 0)")?.kind == .semantic)
        #expect(Fixture.error("RETURN properties(1)")?.kind == .semantic)
        #expect(Fixture.error("MATCH ()-[r]->() RETURN labels(r)")?.kind == .semantic)
        #expect(Fixture.error("MATCH (n) RETURN type(n)")?.kind == .semantic)
    }

    @Test func dynamicTypeErrorsStayAtRuntime() throws {
        #expect(Fixture.error("UNWIND ['foo'] AS v RETURN NOT v")?.kind == .runtime)
        #expect(Fixture.error("UNWIND [1] AS v RETURN v AND true")?.kind == .runtime)
        // null is accepted by every operator, and valid literal combinations still evaluate.
        #expect(try Fixture.rows("RETURN NOT null, null AND true, 1 IN null, 'a' + 1, [1] + 'b'")
            == [[.null, .null, .null, .s("a1"), .list([.integer(1), .s("b")])]])
    }

    // MARK: Regular expressions

    @Test func regularExpressionsMatchTheWholeString() throws {
        #expect(try Fixture.rows("RETURN 'abc' =~ 'a.c', 'abcd' =~ 'a.c', 'xabc' =~ 'a.*', 'ABC' =~ '(?i)abc', null =~ 'a', 'a' =~ null")
            == [[.bool(true), .bool(false), .bool(false), .bool(true), .null, .null]])
        #expect(try Fixture.column("UNWIND ['0xab', '0xzz', 'ab'] AS s WITH s WHERE s =~ '0x[0-9a-f]+' RETURN s") == [.s("0xab")])
        #expect(Fixture.error("RETURN 'a' =~ '('")?.kind == .runtime)
    }

    // MARK: Literals

    @Test func octalAndHexadecimalLiterals() throws {
        // 0o17 = 15, 0x1F = 31, 0o1000000000000000000000 = 8^21 = 2^63 (only valid negated).
        #expect(try Fixture.rows("RETURN 0o17, -0o17, 0x1F, -0o1000000000000000000000, -0x8000000000000000")
            == [[.integer(15), .integer(-15), .integer(31), .integer(.min), .integer(.min)]])
        #expect(Fixture.error("RETURN 0x8000000000000000")?.kind == .syntax)
        #expect(Fixture.error("RETURN 0o1000000000000000000000")?.kind == .syntax)
        #expect(Fixture.error("RETURN -0x8000000000000001")?.kind == .syntax)
        #expect(Fixture.error("RETURN 0o8")?.kind == .syntax)
        #expect(Fixture.error("RETURN 0o")?.kind == .syntax)
        #expect(Fixture.error("RETURN 1.34E999")?.kind == .syntax)
    }

    @Test func notANumberComparesAsFalse() throws {
        #expect(try Fixture.rows("WITH 0.0 / 0.0 AS n RETURN n = n, n <> n, n < 1.0, n >= 1.0, n = 1")
            == [[.bool(false), .bool(true), .bool(false), .bool(false), .bool(false)]])
    }

    // MARK: Percentiles

    @Test func percentiles() throws {
        // Sorted [10, 20, 30]. Cont: position p·(n−1), interpolated. Disc: rank ⌈p·n⌉ − 1, at least 0.
        #expect(try Fixture.rows("""
            UNWIND [30, 10, null, 20] AS x
            RETURN percentileCont(x, 0.5), percentileCont(x, 0.25), percentileCont(x, 1.0),
                   percentileDisc(x, 0.5), percentileDisc(x, 0.34), percentileDisc(x, 0.33), percentileDisc(x, 0.0)
            """) == [[.float(20), .float(15), .float(30), .integer(20), .integer(20), .integer(10), .integer(10)]])
        #expect(try Fixture.rows("UNWIND [] AS x RETURN percentileDisc(x, 0.5)") == [[.null]])
        #expect(Fixture.error("UNWIND [1] AS x RETURN percentileCont(x, 1.5)")?.kind == .runtime)
        #expect(Fixture.error("UNWIND [1] AS x RETURN percentileCont(x)")?.kind == .semantic)
        #expect(Fixture.error("RETURN count(rand())")?.kind == .semantic)
        let random = try Fixture.column("UNWIND range(1, 20) AS i RETURN rand()")
        #expect(random.count == 20 && random.allSatisfy { if case .float(let d) = $0 { d >= 0 && d < 1 } else { false } })
        #expect(Fixture.error("MATCH (n) RETURN length(n)")?.kind == .semantic)
    }

    // MARK: Unix time

    @Test func unixTimeFormatting() throws {
        // 1231006505 is the Bitcoin genesis block; 951782400 = 946684800 (2000-01-01) + 59 days.
        #expect(try Fixture.rows("""
            RETURN spoor.time(0), spoor.time(1231006505), datetime({epochSeconds: 1231006505}),
                   spoor.time(-1), spoor.time(951782400), spoor.time(null)
            """) == [[.s("1970-01-01T00:00:00Z"), .s("2009-01-03T18:15:05Z"), .s("2009-01-03T18:15:05Z"),
                      .s("1969-12-31T23:59:59Z"), .s("2000-02-29T00:00:00Z"), .null]])
        #expect(UnixTime.iso8601(253_402_300_799) == "9999-12-31T23:59:59Z")
        #expect(UnixTime.iso8601(-62_135_596_800) == "0001-01-01T00:00:00Z")
        #expect(Fixture.error("RETURN spoor.time(253402300800)")?.kind == .runtime)
        #expect(Fixture.error("RETURN spoor.time('x')")?.kind == .runtime)
        #expect(Fixture.error("RETURN datetime('2015-07-21')")?.kind == .runtime)
    }
}
