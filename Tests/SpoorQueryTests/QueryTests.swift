import SpoorStore
import Testing
@testable import SpoorQuery

@Suite struct QueryTests {
    @Test func countsAllTransfers() throws {
        #expect(try Fixture.column("MATCH ()-[t:TRANSFER]->() RETURN count(*)") == [.integer(8)])
    }

    @Test func exactAmountSum() throws {
        let result = try Fixture.column("MATCH ()-[t:TRANSFER]->() RETURN sum(t.value) AS total")
        #expect(result == [.amount(Amount(decimal: Fixture.valueSum)!)])
        if case .amount(let total) = result.first { #expect(total.description == Fixture.valueSum) }
    }

    @Test func simpleAnchoredExpansion() throws {
        let result = try Fixture.column("MATCH (a:Address {address: 'a0'})-[:TRANSFER]->(b) RETURN b.address ORDER BY b.address")
        #expect(result == [.s("a1"), .s("a2")])
    }

    @Test func orderingPutsNullsLastAscendingAndFirstDescending() throws {
        // balances: a0 10, a2 5, others null
        let ascending = try Fixture.column("MATCH (a:Address) RETURN a.address ORDER BY a.balance, a.address")
        #expect(ascending == ["a2", "a0", "a1", "a3", "a4", "a5"].map(Value.s))
        let descending = try Fixture.column("MATCH (a:Address) RETURN a.address ORDER BY a.balance DESC, a.address ASC")
        #expect(descending == ["a1", "a3", "a4", "a5", "a0", "a2"].map(Value.s))
    }

    @Test func orderingComparesAcrossNumberKinds() throws {
        let result = try Fixture.column("UNWIND [3, 2.5, $big, 1] AS x RETURN x ORDER BY x", ["big": .amount(Amount(2))])
        #expect(result == [.integer(1), .amount(Amount(2)), .float(2.5), .integer(3)])
    }

    @Test func distinctSenders() throws {
        // senders: a0 (t0, t1), a1 (t2, t5), a2 (t3, t7), a3 (t4), a4 (t6)
        let result = try Fixture.column("MATCH (a:Address)-[:TRANSFER]->(b) RETURN DISTINCT a.address ORDER BY a.address")
        #expect(result == ["a0", "a1", "a2", "a3", "a4"].map(Value.s))
    }

    @Test func skipAndLimit() throws {
        let result = try Fixture.column("MATCH (a:Address) RETURN a.address ORDER BY a.address SKIP 2 LIMIT 2")
        #expect(result == [.s("a2"), .s("a3")])
        let parameterized = try Fixture.column("MATCH (a:Address) RETURN a.address ORDER BY a.address DESC LIMIT $n", ["n": .integer(1)])
        #expect(parameterized == [.s("a5")])
    }

    @Test func negativeLimitIsAnError() {
        let error = Fixture.error("MATCH (a) RETURN a LIMIT $n", ["n": .integer(-1)])
        #expect(error?.message == "LIMIT expects a non-negative integer, found -1")
    }

    @Test(arguments: [
        ("null AND false", Value.bool(false)), ("null AND true", .null), ("false AND null", .bool(false)),
        ("null OR true", .bool(true)), ("null OR false", .null), ("true OR null", .bool(true)),
        ("null XOR true", .null), ("true XOR false", .bool(true)), ("NOT null", .null), ("NOT false", .bool(true)),
        ("null = null", .null), ("1 <> null", .null), ("null IS NULL", .bool(true)), ("1 IS NOT NULL", .bool(true)),
    ])
    func threeValuedLogic(expression: String, expected: Value) throws {
        #expect(try Fixture.column("RETURN \(expression)") == [expected])
    }

    @Test(arguments: [
        ("1 IN [1, null]", Value.bool(true)), ("2 IN [1, null]", .null), ("2 IN [1, 3]", .bool(false)),
        ("null IN []", .bool(false)), ("null IN [1]", .null), ("1 IN null", .null), ("[1, 2] IN [[1, 2]]", .bool(true)),
        ("[1, null] IN [[2, 2]]", .bool(false)), ("[1, null] IN [[1, 2]]", .null), ("[1, null] IN [[1, null]]", .null),
    ])
    func inWithNulls(expression: String, expected: Value) throws {
        #expect(try Fixture.column("RETURN \(expression)") == [expected])
    }

    @Test func multiPatternJoin() throws {
        // a0 -> a1 -> {a2, a3}; a0 -> a2 -> {a3, a1}
        let rows = try Fixture.rows("""
            MATCH (a:Address {address: 'a0'})-[:TRANSFER]->(b), (b)-[:TRANSFER]->(c)
            RETURN b.address, c.address ORDER BY b.address, c.address
            """)
        #expect(rows == [[.s("a1"), .s("a2")], [.s("a1"), .s("a3")], [.s("a2"), .s("a1")], [.s("a2"), .s("a3")]])
    }

    @Test func cartesianProductOfDisconnectedPatterns() throws {
        #expect(try Fixture.column("MATCH (a:Address), (b:Address) RETURN count(*)") == [.integer(36)])
    }

    @Test func relationshipUniquenessWithinOneMatch() throws {
        // Only the self-loop t6 touches a4: the second hop may not reuse it.
        #expect(try Fixture.column("MATCH (a)-[r1]-(b)-[r2]-(c) WHERE a.address = 'a4' RETURN count(*)") == [.integer(0)])
        // a0 -> b <- c with a different relationship: b = a1 (c = a2 via t7), b = a2 (c = a1 via t2)
        let result = try Fixture.column("MATCH (a {address: 'a0'})-[r1]->(b)<-[r2]-(c) RETURN c.address ORDER BY c.address")
        #expect(result == [.s("a1"), .s("a2")])
        // Separate MATCH clauses may reuse a relationship.
        #expect(try Fixture.column("MATCH (a {address: 'a4'})-[r1]-(b) MATCH (b)-[r2]-(c) RETURN count(*)") == [.integer(1)])
    }

    @Test func undirectedAndIncoming() throws {
        // a3 is touched by t3 (a2), t4 (a0), t5 (a1)
        let both = try Fixture.column("MATCH (a {address: 'a3'})-[:TRANSFER]-(b) RETURN b.address ORDER BY b.address")
        #expect(both == ["a0", "a1", "a2"].map(Value.s))
        let incoming = try Fixture.column("MATCH (a {address: 'a3'})<-[t]-(b) RETURN b.address ORDER BY b.address")
        #expect(incoming == ["a1", "a2"].map(Value.s))
    }

    @Test func implicitGroupingAndAggregates() throws {
        let rows = try Fixture.rows("""
            MATCH (a:Address)-[t:TRANSFER]->(b)
            RETURN a.address AS sender, count(*) AS n, count(t.value) AS valued, collect(b.address) AS to
            ORDER BY sender
            """)
        #expect(rows.map { $0[0] } == ["a0", "a1", "a2", "a3", "a4"].map(Value.s))
        #expect(rows.map { $0[1] } == [2, 2, 2, 1, 1].map(Value.integer))
        #expect(rows.map { $0[2] } == [2, 2, 1, 1, 1].map(Value.integer))  // t7 has no value
        #expect(rows[0][3] == .list([.s("a1"), .s("a2")]))
    }

    @Test func countDistinctMinMax() throws {
        // targets: a1 (t0, t7), a2 (t1, t2), a3 (t3, t5), a0 (t4), a4 (t6) = 5; t.value > 5 is true, false or null
        let row = try Fixture.rows("MATCH (a)-[t]->(b) RETURN count(DISTINCT b), min(t.value), max(t.value), count(DISTINCT t.value > 5)")
        #expect(row == [[.integer(5), .amount(Amount(1)), .amount(Fixture.big), .integer(2)]])
    }

    @Test func aggregatesOnEmptyInput() throws {
        #expect(try Fixture.rows("MATCH (a:Nothing) RETURN count(*), sum(a.x), collect(a), max(a.x)")
            == [[.integer(0), .integer(0), .list([]), .null]])
        #expect(try Fixture.rows("MATCH (a:Nothing) RETURN a.x, count(*)").isEmpty)
    }

    @Test func amountArithmeticStaysExact() throws {
        let values = try Fixture.column("MATCH ()-[t]->() WHERE t.value > 1000000 RETURN t.value + 1")
        #expect(values == [.amount(Amount(decimal: "1606938044258990275541962092341162602522202993782792835301378")!)])
        #expect(try Fixture.column("RETURN $x - 7", ["x": .amount(Amount(5))]) == [.integer(-2)])
        #expect(try Fixture.column("RETURN $x = 5, $x < 5.5", ["x": .amount(Amount(5))]).first == .bool(true))
        #expect(try Fixture.rows("RETURN $x = 5, $x < 5.5", ["x": .amount(Amount(5))]) == [[.bool(true), .bool(true)]])
        #expect(try Fixture.column("RETURN toString($x * 2)", ["x": .amount(Fixture.big)])
            == [.s("3213876088517980551083924184682325205044405987565585670602754")])
    }

    @Test func amountOverflowIsAnError() {
        let max = Amount(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639935")!
        let error = Fixture.error("RETURN $m + 1", ["m": .amount(max)])
        #expect(error?.kind == .runtime)
        let sumError = Fixture.error("UNWIND [$m, $m] AS x RETURN sum(x)", ["m": .amount(max)])
        #expect(sumError?.message.contains("exceeds 2^256 - 1") == true)
    }

    @Test func integerOverflowAndDivisionByZero() {
        let overflow = Fixture.error("RETURN 9223372036854775807 + 1")
        #expect(overflow?.kind == .runtime)
        #expect(overflow?.message == "integer overflow in '+'")
        #expect(overflow?.range == SourceRange(start: 7, end: 30))
        #expect(Fixture.error("RETURN 7 / 0")?.message == "division by zero")
        #expect(Fixture.error("RETURN 7 % 0")?.kind == .runtime)
        #expect(Fixture.error("RETURN -9223372036854775808 * -1")?.kind == .runtime)
    }

    @Test func typeErrors() {
        #expect(Fixture.error("RETURN 1 + true")?.message == "type mismatch: cannot apply '+' to Integer and Boolean")
        #expect(Fixture.error("RETURN 'a' - 1")?.kind == .semantic)  // literal operands: a compile-time type error
        #expect(Fixture.error("RETURN NOT 1")?.message == "type mismatch: expected a Boolean, found Integer")
        #expect(Fixture.error("MATCH (a) WHERE a.address RETURN a")?.message == "type mismatch: WHERE expects a Boolean, found String")
    }

    @Test func arithmeticAndStrings() throws {
        #expect(try Fixture.rows("RETURN 7 / 2, 7 % 3, 2 ^ 3, 1 + 2 * 3, -2 - 3, 'a' + 1, 7.0 / 2")
            == [[.integer(3), .integer(1), .float(8), .integer(7), .integer(-5), .s("a1"), .float(3.5)]])
    }

    @Test func stringPredicates() throws {
        #expect(try Fixture.rows("RETURN 'abc' STARTS WITH 'ab', 'abc' ENDS WITH 'bc', 'abc' CONTAINS 'x', 1 STARTS WITH 'a', null CONTAINS 'a'")
            == [[.bool(true), .bool(true), .bool(false), .null, .null]])
    }

    @Test func chainedComparison() throws {
        #expect(try Fixture.column("RETURN 1 < 2 < 3, 3 > 2 > 2") == [.bool(true)])
    }

    @Test func functions() throws {
        let row = try Fixture.rows("""
            MATCH (a:Address {address: 'a0'})-[t]->(b {address: 'a1'})
            RETURN id(a), labels(a), type(t), size(a.tags), coalesce(a.missing, a.address), toString(42),
                   toInteger('17'), toInteger(3.9), size('héllo'), toString(t.value)
            """)
        #expect(row == [[.integer(0), .list([.s("Address")]), .s("TRANSFER"), .integer(1), .s("a0"), .s("42"),
                         .integer(17), .integer(3), .integer(5), .s("100")]])
    }

    @Test func parametersEverywhere() throws {
        let result = try Fixture.column("MATCH (a:Address {address: $who})-[t]->(b) WHERE t.n >= $min RETURN b.address", ["who": .s("a1"), "min": .integer(5)])
        #expect(result == [.s("a3")])
        #expect(Fixture.error("MATCH (a {address: $who}) RETURN a")?.message == "missing parameter $who")
    }

    @Test func literals() throws {
        #expect(try Fixture.rows(#"RETURN 'it\'s', "say \"hi\"", '\u00e9', [1, [2]], {k: 'v', n: null}.k, 0x1F, 1.5e2, .5"#)
            == [[.s("it's"), .s("say \"hi\""), .s("é"), .list([.integer(1), .list([.integer(2)])]), .s("v"), .integer(31), .float(150), .float(0.5)]])
    }

    @Test func returnStarAndAliases() throws {
        let prepared = try PreparedQuery.prepare("MATCH (b:Address {address: 'a5'}), (a:Address {address: 'a4'}) RETURN *")
        #expect(prepared.columns == ["a", "b"])
        let aliased = try PreparedQuery.prepare("MATCH (a) RETURN a.address AS addr, a.balance")
        #expect(aliased.columns == ["addr", "a.balance"])
    }

    @Test func isNullFilter() throws {
        #expect(try Fixture.column("MATCH (a:Address) WHERE a.balance IS NOT NULL RETURN a.address ORDER BY a.address") == [.s("a0"), .s("a2")])
        #expect(try Fixture.column("MATCH ()-[t]->() WHERE t.value IS NULL RETURN t.n") == [.integer(7)])
    }

    @Test func optionalMatchWithAndVariableLength() throws {
        let optional = try Fixture.rows("""
            MATCH (a:Address) WHERE a.address IN ['a4', 'a5']
            OPTIONAL MATCH (a)-[t]->(b)
            RETURN a.address, t.n ORDER BY a.address
            """)
        #expect(optional == [[.s("a4"), .integer(6)], [.s("a5"), .null]])
        // paths of 1 and 2 hops from a0: 2 + 4
        #expect(try Fixture.column("MATCH (a {address: 'a0'})-[:TRANSFER*1..2]->(b) RETURN count(*)") == [.integer(6)])
        let with = try Fixture.rows("""
            MATCH (a:Address)-[t]->() WITH a, count(t) AS n WHERE n > 1 RETURN a.address, n ORDER BY a.address
            """)
        #expect(with == [[.s("a0"), .integer(2)], [.s("a1"), .integer(2)], [.s("a2"), .integer(2)]])
        #expect(try Fixture.column("MATCH p = (a {address: 'a3'})-[*2]->(c) RETURN length(p)") == [.integer(2), .integer(2)])
    }
}
