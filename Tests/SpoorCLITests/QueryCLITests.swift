import Foundation
import SpoorTestSupport
import Testing

/// `spoor query`: output formats, parameters, diagnostics, EXPLAIN, and the recipes of `Queries/`.
@Suite struct QueryCLITests {
    /// A store holding `CLIFixtures.small`, for one test.
    final class SmallStore {
        let directory = TemporaryDirectory("cli-query")
        let path: String

        init() throws {
            let csv = try directory.write(CLIFixtures.small, to: "small.csv")
            path = directory.appending("store")
            let result = try Spoor.run(["ingest", path, "--format", "transfers-csv", csv])
            try #require(result.status == 0, "\(result)")
        }
    }

    /// What A sent, largest first; A is given in upper case to check that a 0x parameter stays a string.
    static let sentByA = "MATCH (s:Address {address: $a})-[t:TRANSFER]->(r:Address) RETURN r.address, t.value ORDER BY t.value DESC"
    static let upperA = "0x" + CLIFixtures.a.dropFirst(2).uppercased()

    static let tableOutput = """
        +--------------------------------------------+---------+
        | r.address                                  | t.value |
        +--------------------------------------------+---------+
        | 0x00000000000000000000000000000000000000c3 | 250     |
        | 0x00000000000000000000000000000000000000b2 | 100     |
        +--------------------------------------------+---------+
        2 rows

        """
    static let jsonOutput = """
        [
          {"r.address": "0x00000000000000000000000000000000000000c3", "t.value": "250"},
          {"r.address": "0x00000000000000000000000000000000000000b2", "t.value": "100"}
        ]

        """
    static let jsonlOutput = """
        {"r.address":"0x00000000000000000000000000000000000000c3","t.value":"250"}
        {"r.address":"0x00000000000000000000000000000000000000b2","t.value":"100"}

        """
    static let csvOutput =
        "r.address,t.value\r\n0x00000000000000000000000000000000000000c3,250\r\n"
        + "0x00000000000000000000000000000000000000b2,100\r\n"

    @Test(arguments: [("table", tableOutput), ("json", jsonOutput), ("jsonl", jsonlOutput), ("csv", csvOutput)])
    func exactOutput(format: String, expected: String) throws {
        let store = try SmallStore()
        var arguments = ["query", store.path, Self.sentByA, "--param", "a=\(CLIFixtures.a)"]
        if format != "table" { arguments += ["--format", format] }
        let result = try Spoor.run(arguments)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == expected, "\(result)")
        #expect(result.stderr.hasPrefix("2 rows in "), "\(result)")
    }

    /// A checksummed (mixed-case) address finds the lower-case stored one.
    /// Addresses are stored lowercase and `=` is exact (openCypher): a checksummed parameter finds nothing as it is,
    /// and everything through `toLower`, which still anchors on the address index.
    @Test func checksummedAddressParameterGoesThroughToLower() throws {
        let store = try SmallStore()
        let exact = try Spoor.run(["query", store.path, Self.sentByA, "--param", "a=\(Self.upperA)", "--format", "csv"])
        #expect(exact.status == 0, "\(exact)")
        #expect(exact.stdout == "r.address,t.value\r\n", "\(exact)")
        let lowered = Self.sentByA.replacingOccurrences(of: "{address: $a}", with: "{address: toLower($a)}")
        let result = try Spoor.run(["query", store.path, lowered, "--param", "a=\(Self.upperA)", "--format", "csv"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == Self.csvOutput, "\(result)")
        let plan = try Spoor.run(["query", store.path, lowered, "--explain"])
        #expect(!plan.stdout.contains("AllNodesScan") && !plan.stdout.contains("NodeByLabelScan"), "\(plan)")
    }

    @Test func timingGoesToStderr() throws {
        let store = try SmallStore()
        let result = try Spoor.run(["query", store.path, Self.sentByA, "--param", "a=\(CLIFixtures.a)", "--format", "csv"])
        #expect(result.status == 0, "\(result)")
        let stderr = result.stderr
        #expect(stderr.hasPrefix("2 rows in ") && stderr.hasSuffix(" ms\n"), "\(result)")
        #expect(stderr.split(separator: "\n").count == 1)
    }

    /// The query with a marker `‸` where the caret must point; returns the text without it and the 1-based column.
    static func marked(_ text: String) -> (query: String, column: Int) {
        let parts = text.components(separatedBy: "‸")
        return (parts.joined(), parts[0].count + 1)
    }

    @Test(arguments: [
        "MATCH (s:Address)-[t:TRANSFER]->(r:Address) RETURN r.address, ‸, t.value",
        "MATCH (s:Address)-[t:TRANSFER]->(r:Address) WHERE ‸undefinedVariable.x = 1 RETURN r",
        "MATCH (a:Address {address: 'x' ‸RETURN a",
    ])
    func malformedQueryPointsAtTheColumn(markedQuery: String) throws {
        let store = try SmallStore()
        let (query, column) = Self.marked(markedQuery)
        let result = try Spoor.run(["query", store.path, query])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout == "")
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("error: ") == true, "\(result)")
        #expect(lines.contains { $0.hasSuffix("--> 1:\(column)") }, "\(result)")
        let source = try #require(lines.firstIndex { $0.hasPrefix("1 | ") }, "\(result)")
        #expect(lines[source] == "1 | " + query)
        let caretLine = try #require(source + 1 < lines.count ? lines[source + 1] : nil)
        // The caret line has the same gutter width ("  | ") as "1 | ".
        let caretColumn = caretLine.dropFirst(4).prefix { $0 == " " }.count + 1
        #expect(caretLine.dropFirst(4).contains("^"), "\(result)")
        #expect(caretColumn == column, "\(result)")
    }

    @Test func missingParameterIsAUserError() throws {
        let store = try SmallStore()
        let result = try Spoor.run(["query", store.path, Self.sentByA])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix("error: missing parameter $a"), "\(result)")
    }

    @Test func explainPrintsThePlanWithoutRunning() throws {
        let store = try SmallStore()
        for arguments in [
            ["query", store.path, Self.sentByA, "--explain"], ["query", store.path, "EXPLAIN " + Self.sentByA],
            ["query", store.path, "// a comment\nexplain " + Self.sentByA],
        ] {
            let result = try Spoor.run(arguments)
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("NodeIndexSeek"), "\(result)")
            #expect(result.stderr == "", "\(result)")
        }
    }

    @Test func queryFromAFile() throws {
        let store = try SmallStore()
        let file = try store.directory.write("// what A sent\n" + Self.sentByA + "\n", to: "q.cypher")
        let fromFile = try Spoor.run(["query", store.path, "-f", file, "--param", "a=\(CLIFixtures.a)", "--format", "csv"])
        let inline = try Spoor.run(["query", store.path, Self.sentByA, "--param", "a=\(CLIFixtures.a)", "--format", "csv"])
        #expect(fromFile.status == 0 && inline.status == 0, "\(fromFile)\n\(inline)")
        #expect(fromFile.stdout == inline.stdout)
        let missing = try Spoor.run(["query", store.path, "-f", store.directory.appending("none.cypher")])
        #expect(missing.status == 1, "\(missing)")
        #expect(missing.stderr.hasPrefix("error: \(store.directory.appending("none.cypher")): cannot read"), "\(missing)")
    }

    /// Each `--param` form reaches the query as the documented type.
    @Test(arguments: [
        ("42", "42"), ("-7", "-7"), ("1.5", "1.5"), ("2e3", "2000.0"), ("true", "true"), ("null", ""),
        ("0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1", "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"),
        ("nan", "nan"), ("inf", "inf"), ("hello world", "hello world"),
        ("115792089237316195423570985008687907853269984665640564039457584007913129639935",
         "115792089237316195423570985008687907853269984665640564039457584007913129639935"),
    ])
    func parameterValues(text: String, expected: String) throws {
        let store = try SmallStore()
        let result = try Spoor.run(["query", store.path, "RETURN toString($p) AS p", "--param", "p=\(text)", "--format", "csv"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "p\r\n\(expected)\r\n", "\(result)")
    }

    @Test func jsonParameters() throws {
        let store = try SmallStore()
        let result = try Spoor.run([
            "query", store.path, "RETURN size($list) AS n, $list[1] AS second, $map.k AS k", "--param", "list=[1, \"two\", 3.5]",
            "--param", "map={\"k\": true}", "--format", "csv",
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "n,second,k\r\n3,two,true\r\n", "\(result)")
    }
}
