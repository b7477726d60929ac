import Testing
@testable import SpoorQuery

/// Parser and binder errors. `⌖` in a query marks where the caret must point; it is removed before preparing.
@Suite struct ErrorTests {
    static let marker: Character = "⌖"

    /// Prepares `marked` without its marker and checks message, kind, the `--> line:column` and the caret column.
    func expectError(_ marked: String, _ message: String, kind: QueryError.Kind = .syntax, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let markerIndex = marked.firstIndex(of: Self.marker) else {
            Issue.record("no marker in \(marked)", sourceLocation: sourceLocation)
            return
        }
        var query = marked
        query.remove(at: markerIndex)
        let before = marked[..<markerIndex]
        let line = before.count(where: { $0 == "\n" }) + 1
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        do {
            let prepared = try PreparedQuery.prepare(query)
            Issue.record("expected an error, prepared \(prepared.columns)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.message == message, sourceLocation: sourceLocation)
            #expect(error.kind == kind, sourceLocation: sourceLocation)
            let rendered = error.rendered(in: query)
            let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.first == "error: \(message)", sourceLocation: sourceLocation)
            #expect(lines.count == 5, sourceLocation: sourceLocation)
            guard lines.count == 5 else { return }
            #expect(lines[1].hasSuffix("--> \(line):\(column)"), "\(rendered)", sourceLocation: sourceLocation)
            let gutter = String(line).count + 3  // "N | "
            let caretColumn = (lines[4].firstIndex(of: "^").map { lines[4].distance(from: lines[4].startIndex, to: $0) } ?? -1) - gutter + 1
            #expect(caretColumn == column, "\(rendered)", sourceLocation: sourceLocation)
        }
    }

    @Test func unclosedMapNamesItsOpening() {
        expectError("MATCH (a:Address {address: 'x' ⌖RETURN a", "expected ',' or '}' to close '{' opened at 1:18, found 'RETURN'")
    }

    @Test func unclosedParenthesis() {
        expectError("MATCH (a:Address ⌖RETURN a", "expected ':', '{' or ')' to close '(' opened at 1:7, found 'RETURN'")
        expectError("RETURN (1 + 2⌖", "expected ')' to close '(' opened at 1:8, found end of input")
    }

    @Test func missingNodeAfterRelationship() {
        expectError("MATCH (a)-[:SENT]->⌖return a", "expected a node pattern after '-[:SENT]->', found 'RETURN'")
    }

    @Test func keywordsShownUpperCase() {
        expectError("match (a) return a order ⌖a", "expected BY after ORDER, found 'a'")
        expectError("MATCH (a) WHERE ⌖RETURN a", "expected an expression, found 'RETURN'")
    }

    @Test func multiLineCaretCountsCharacters() {
        expectError("MATCH (a:Address)\nWHERE a.address = 'é' AND ⌖)\nRETURN a", "expected an expression, found ')'")
    }

    @Test func lexerErrors() {
        expectError("RETURN ⌖'abc", "unterminated string: expected a closing '")
        expectError("RETURN 1 ⌖!= 2", "unexpected '!=': Cypher writes inequality as '<>'")
        expectError("RETURN ⌖#", "unexpected character '#'")
    }

    @Test func queryMustEndWithReturn() {
        expectError("MATCH (a)⌖", "expected RETURN at the end of the query, found end of input")
        expectError("MATCH (a) RETURN a ⌖MATCH (b)", "expected end of input after RETURN, found 'MATCH'")
        expectError("⌖CREATE (a) RETURN a", "CREATE is not supported: Spoor queries are read-only")
    }

    @Test func undefinedVariable() {
        expectError("MATCH (a)-->(b)\nRETURN a, ⌖c.address", "variable 'c' is not defined", kind: .semantic)
        expectError("MATCH (a) WITH a.address AS x RETURN ⌖a", "variable 'a' is not defined", kind: .semantic)
    }

    @Test func semanticErrors() {
        expectError("MATCH (a) RETURN ⌖foo(a)", "unknown function 'foo'", kind: .semantic)
        expectError("MATCH (a) WHERE ⌖count(*) > 1 RETURN a", "aggregate function count(*) is not allowed here; aggregate in RETURN or WITH", kind: .semantic)
        expectError("MATCH (a)-[⌖r]->(r) RETURN a", "variable 'r' is already bound to a node, so it cannot be used as a relationship", kind: .semantic)
        expectError("MATCH (a) RETURN a.x, ⌖a.x", "multiple result columns with the same name 'a.x'; use AS to rename", kind: .semantic)
        expectError("MATCH (a) RETURN count(⌖count(a))", "aggregate functions cannot be nested: count() inside another aggregate", kind: .semantic)
    }

    @Test func tenThousandParenthesesThrowInsteadOfCrashing() {
        let query = "RETURN " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        #expect(throws: QueryError.self) { try PreparedQuery.prepare(query) }
        do {
            _ = try PreparedQuery.prepare(query)
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.message.hasPrefix("query nested too deeply"))
        }
        let deepList = "RETURN " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: QueryError.self) { try PreparedQuery.prepare(deepList) }
        let longChain = "RETURN 1" + String(repeating: " + 1", count: 10_000)
        #expect(throws: QueryError.self) { try PreparedQuery.prepare(longChain) }
        let nots = "RETURN " + String(repeating: "NOT ", count: 10_000) + "true"
        #expect(throws: QueryError.self) { try PreparedQuery.prepare(nots) }
    }

    @Test func moderateNestingWorks() throws {
        let query = "RETURN " + String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150) + " + 1"
        #expect(try Fixture.column(query) == [.integer(2)])
    }

    @Test(arguments: ["", "MATCH", "MATCH (", "MATCH (a)-", "MATCH (a)-[", "MATCH (a)-[r:", "RETURN [1,", "RETURN {a:", "RETURN CASE", "RETURN $", "MATCH (a) RETURN a ORDER BY", "RETURN 1 IS", "UNWIND [1] AS", "RETURN 'a", "RETURN /* x", "RETURN `x", "RETURN \u{0}", "MATCH (a) RETURN a SKIP -⌖"])
    func truncatedInputThrows(query: String) {
        #expect(throws: QueryError.self) { try PreparedQuery.prepare(query) }
    }
}
