import Foundation
import SpoorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `spoor repl`, driven through a pipe (no terminal, so no prompts): statements, diagnostics, commands, history and
/// Ctrl-C.
@Suite struct ReplCLITests {
    /// A store built from `Tests/Fixtures/investigation.csv`, and a history path, for one test.
    final class InvestigationStore {
        let directory = TemporaryDirectory("cli-repl")
        let path: String
        let history: String

        init() throws {
            path = directory.appending("store")
            history = directory.appending("history")
            let ingest = try Spoor.run(["ingest", path, "--format", "transfers-csv", TestPaths.fixtures + "/investigation.csv"])
            try #require(ingest.status == 0, "\(ingest)")
        }
    }

    static let sanctioned = "0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1"
    static let c3 = "0x00000000000000000000000000000000000000c3"
    static let d4 = "0x00000000000000000000000000000000000000d4"

    /// What the sanctioned address sent, over three lines (the table format).
    static let sentBySanctioned = """
        MATCH (s:Address {address: '\(sanctioned)'})-[t:TRANSFER]->(r:Address)
        RETURN r.address, t.value
        ORDER BY t.value DESC;
        """
    /// A missing `}` (the caret goes under RETURN, column 32 of the statement's only line).
    static let malformed = "MATCH (a:Address {address: 'x' RETURN a;"
    /// What `$a` sent.
    static let sentByA = "MATCH (s:Address {address: $a})-[t:TRANSFER]->(r:Address) RETURN r.address, t.value ORDER BY t.value DESC;"

    static let script = """
        \(sentBySanctioned)

        \(malformed)
        :format csv
        :param a=\(c3)
        :params
        \(sentByA)
        :quit
        RETURN 'after quit' AS never;

        """

    static let expectedStdout = """
        +--------------------------------------------+--------------------------------------------------------------------------------+
        | r.address                                  | t.value                                                                        |
        +--------------------------------------------+--------------------------------------------------------------------------------+
        | \(c3) | 115792089237316195423570985008687907853269984665640564039457584007913129639935 |
        | 0x00000000000000000000000000000000000000a1 | 5000                                                                           |
        | 0x00000000000000000000000000000000000000b2 | 3000                                                                           |
        +--------------------------------------------+--------------------------------------------------------------------------------+
        3 rows

        """
        + "a=\(c3)\n"
        + "r.address,t.value\r\n\(d4),2500\r\n"

    @Test func scriptRunsStatementsAndCommandsAndSurvivesABadQuery() throws {
        let store = try InvestigationStore()
        let result = try ReplProcess.run(store: store.path, script: Self.script, historyPath: store.history)
        #expect(result.status == 0, "\(result)")
        #expect(!result.killedBySignal, "\(result)")
        #expect(result.stdout == Self.expectedStdout, "\(result)")

        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // No prompt when stdin is not a terminal: stderr has only timings and the diagnostic, in order.
        #expect(lines.first?.hasPrefix("3 rows in ") == true && lines.first?.hasSuffix(" ms") == true, "\(result)")
        #expect(lines.contains("error: expected ',' or '}' to close '{' opened at 1:18, found 'RETURN'"), "\(result)")
        // Line and column are the statement's own, not the script's (it is on line 5 of the script).
        #expect(lines.contains(" --> 1:32"), "\(result)")
        #expect(lines.contains("1 | MATCH (a:Address {address: 'x' RETURN a"), "\(result)")
        #expect(lines.contains("  |                                ^^^^^^"), "\(result)")
        #expect(lines.contains { $0.hasPrefix("1 row in ") && $0.hasSuffix(" ms") }, "\(result)")
        #expect(!result.stderr.contains("never") && !result.stdout.contains("never"), "\(result)")
        let errorLine = try #require(lines.firstIndex { $0.hasPrefix("error: ") })
        let secondTiming = try #require(lines.firstIndex { $0.hasPrefix("1 row in ") })
        #expect(errorLine < secondTiming, "the statement after the bad one still ran: \(result)")
    }

    @Test func historyRecordsTheStatements() throws {
        let store = try InvestigationStore()
        let script = """
            RETURN 1 AS one;
            MATCH (a:Address)
            RETURN count(a) AS n;
            RETURN 'a;b' AS text; // a comment
            :format json

            """
        let result = try ReplProcess.run(store: store.path, script: script, historyPath: store.history)
        #expect(result.status == 0, "\(result)")
        let file = try String(contentsOfFile: store.history, encoding: .utf8)
        #expect(
            file == "RETURN 1 AS one;\nMATCH (a:Address)\\nRETURN count(a) AS n;\nRETURN 'a;b' AS text;\n",
            "\(file)")
        let attributes = try FileManager.default.attributesOfItem(atPath: store.history)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        // A second session loads it, lists it with :history, and appends to it.
        let second = try ReplProcess.run(store: store.path, script: "RETURN 2 AS two;\n:history\n", historyPath: store.history)
        #expect(second.status == 0, "\(second)")
        #expect(
            second.stdout.hasSuffix(
                """
                    1  RETURN 1 AS one;
                    2  MATCH (a:Address)
                       RETURN count(a) AS n;
                    3  RETURN 'a;b' AS text;
                    4  RETURN 2 AS two;

                """), "\(second)")
    }

    @Test func historyKeepsTheLastThousandEntries() throws {
        let store = try InvestigationStore()
        let old = (1...1200).map { "RETURN \($0) AS n;\n" }.joined()
        try old.write(toFile: store.history, atomically: true, encoding: .utf8)
        let result = try ReplProcess.run(store: store.path, script: "RETURN 'new' AS n;\n:history\n", historyPath: store.history)
        #expect(result.status == 0, "\(result)")
        let listed = result.stdout.split(separator: "\n").filter { $0.contains("  RETURN ") }
        #expect(listed.count == 1000, "\(listed.count)")
        #expect(listed.first?.hasSuffix("RETURN 202 AS n;") == true, "\(listed.first ?? "")")
        #expect(listed.last?.hasSuffix("RETURN 'new' AS n;") == true, "\(listed.last ?? "")")
        let file = try String(contentsOfFile: store.history, encoding: .utf8).split(separator: "\n")
        #expect(file.count == 1000, "\(file.count)")
        #expect(file.first == "RETURN 202 AS n;" && file.last == "RETURN 'new' AS n;")
    }

    @Test func badCommandsAndOddInputKeepTheSessionGoing() throws {
        let store = try InvestigationStore()
        let script = """
            :frobnicate
            :format xml
            :param novalue
            :param list=[1,
            :timeout soon
            :timeout 5
            :explain MATCH (a:Address {address: $a}) RETURN a;
            :explain MATCH (a RETURN a
            ;
               \t
            /* only a comment */;
            RETURN 'semi;colon' AS s, "dq;" AS d; RETURN 2 AS two;
            RETURN $missing AS m;
            RETURN 1 / 0 AS boom;
            EXPLAIN MATCH (a:Address) RETURN a;
            RETURN 'last, unterminated' AS last
            """
        let result = try ReplProcess.run(store: store.path, script: script, historyPath: "")
        #expect(result.status == 0, "\(result)")
        #expect(!result.killedBySignal, "\(result)")
        for message in [
            "error: unknown command ':frobnicate'; :help lists the commands",
            "error: :format 'xml': expected table, json, jsonl or csv",
            "error: :param 'novalue' is not name=value",
            "error: :param list: the value starts with '[' but is not JSON",
            "error: :timeout 'soon': expected a number of seconds (at most a year), or off",
            "error: missing parameter $missing",
        ] {
            #expect(result.stderr.contains(message + "\n"), "\(message)\n\(result)")
        }
        #expect(result.stdout.contains("NodeIndexSeek"), "\(result)")
        #expect(result.stdout.contains("semi;colon") && result.stdout.contains("dq;"), "\(result)")
        #expect(result.stdout.contains("| two |"), "\(result)")
        #expect(result.stdout.contains("last, unterminated"), "the last statement runs without its ';': \(result)")
    }

    @Test func replIsACommandAndNeedsAStore() throws {
        let help = try Spoor.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("repl"), "\(help)")
        let directory = TemporaryDirectory("cli-repl-missing")
        let missing = try Spoor.run(["repl", directory.appending("none")])
        #expect(missing.status == 1, "\(missing)")
        #expect(missing.stderr.hasPrefix("error: "), "\(missing)")
    }

    @Test func helpListsTheCommands() throws {
        let store = try InvestigationStore()
        let result = try ReplProcess.run(store: store.path, script: ":help\n", historyPath: "")
        #expect(result.status == 0, "\(result)")
        for command in [":quit", ":format", ":param", ":params", ":explain", ":timeout", ":history", ":schema", ":timing", "jsonl", "=>"] {
            #expect(result.stdout.contains(command), "\(command): \(result)")
        }
        #expect(result.stderr == "", "\(result)")
    }

    /// `:schema`: labels and relationship types with their counts and property names, as a table on stdout.
    @Test func schemaListsLabelsTypesAndProperties() throws {
        let store = try InvestigationStore()
        let counts = try ReplProcess.run(
            store: store.path,
            script: ":format csv\nMATCH (a:Address) RETURN count(a) AS n;\nMATCH (t:Transaction) RETURN count(t) AS n;\n"
                + "MATCH ()-[r:TRANSFER]->() RETURN count(r) AS n;\n",
            historyPath: "")
        let numbers = counts.stdout.split(separator: "\r\n").filter { $0 != "n" }.map(String.init)
        try #require(numbers.count == 3, "\(counts)")
        let result = try ReplProcess.run(store: store.path, script: ":schema\n", historyPath: "")
        #expect(result.status == 0 && result.stderr == "", "\(result)")
        let lines = result.stdout.split(separator: "\n").map {
            $0.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(lines.contains(["", "kind", "name", "count", "properties", ""]), "\(result)")
        let address = "address, firstSeen, lastSeen, txCount, outDegree, inDegree, received, sent, tags, balance, cluster"
        #expect(lines.contains(["", "node", "Address", numbers[0], address, ""]), "\(result)")
        #expect(lines.contains(["", "node", "Transaction", numbers[1], "txid, block, time, value, transfers, fee, inputs, outputs, coinbase", ""]), "\(result)")
        for type in ["TRANSFER", "SENT", "PAID"] {
            #expect(lines.contains(["", "relationship", type, numbers[2], "value, block, time, logIndex, asset, tx, index, spentBy", ""]), "\(result)")
        }
        #expect(result.stdout.hasPrefix("+------") && result.stdout.hasSuffix("+\n"), "\(result)")
    }

    /// `:timing off` drops the `N rows in X ms` line; `:timing on` brings it back.
    @Test func timingCanBeTurnedOff() throws {
        let store = try InvestigationStore()
        let script = "RETURN 1 AS a;\n:timing off\nRETURN 2 AS b;\n:timing\n:timing on\n:timing\nRETURN 3 AS c;\n:timing maybe\n"
        let result = try ReplProcess.run(store: store.path, script: script, historyPath: "")
        #expect(result.status == 0, "\(result)")
        let stderr = result.stderr.split(separator: "\n").map(String.init)
        #expect(stderr.count == 3 && stderr[0].hasPrefix("1 row in ") && stderr[1].hasPrefix("1 row in "), "\(result)")
        #expect(stderr.last == "error: :timing 'maybe': expected on or off", "\(result)")
        #expect(result.stdout.contains("| b |\n") && result.stdout.contains("\noff\n") && result.stdout.contains("\non\n"), "\(result)")
    }

    /// `:param name => value` (Cypher shell's form) besides `name=value`; `:format jsonl` prints a JSON object a row.
    @Test func arrowParametersAndJSONLines() throws {
        let store = try InvestigationStore()
        let script = """
            :param a => '\(Self.sanctioned)'
            :param n=>41
            :param s => "41"
            :param list => [1, "x"]
            :param  b  =>  \(Self.c3)
            :param e=>
            :param a-b => 1
            :format jsonl
            :params
            RETURN $a AS a, $n + 1 AS n, $s AS s, $list AS list, $b AS b, $e AS e;
            \(Self.sentBySanctioned)

            """
        let result = try ReplProcess.run(store: store.path, script: script, historyPath: "")
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("error: :param 'a-b=1': 'a-b' is not a parameter name\n"), "\(result)")
        #expect(
            result.stdout == """
                a=\(Self.sanctioned)
                b=\(Self.c3)
                e=
                list=[1, "x"]
                n=41
                s=41
                {"a":"\(Self.sanctioned)","n":42,"s":"41","list":[1,"x"],"b":"\(Self.c3)","e":""}
                {"r.address":"\(Self.c3)","t.value":"115792089237316195423570985008687907853269984665640564039457584007913129639935"}
                {"r.address":"0x00000000000000000000000000000000000000a1","t.value":"5000"}
                {"r.address":"0x00000000000000000000000000000000000000b2","t.value":"3000"}

                """, "\(result)")
    }

    /// Ctrl-C (SIGINT) between statements does not end the session.
    @Test func interruptAtThePromptKeepsTheSession() throws {
        let store = try InvestigationStore()
        let repl = try ReplProcess(store: store.path, historyPath: "")
        try repl.send("RETURN 1 AS first;\n")
        // Once a result is out the handler is installed (it is, before the first line is read).
        #expect(repl.wait(upTo: 30) { repl.stderr.contains("1 row in ") })
        repl.signal(SIGINT)
        try repl.send("MATCH (a:Address)\n")  // dropped by the next Ctrl-C
        usleep(300_000)
        repl.signal(SIGINT)
        usleep(300_000)
        try repl.send("RETURN 2 AS second;\n")
        let result = repl.finish()
        #expect(result.status == 0 && !result.killedBySignal, "\(result)")
        #expect(result.stdout.contains("| first |") && result.stdout.contains("| second |"), "\(result)")
        #expect(!result.stderr.contains("error"), "the unfinished MATCH was dropped: \(result)")
    }

    /// Ctrl-C while rows are being pulled stops the query, prints `cancelled`, and the next statement runs.
    @Test func interruptCancelsTheRunningQuery() throws {
        let store = try InvestigationStore()
        let repl = try ReplProcess(store: store.path, historyPath: "")
        try repl.send("RETURN 0 AS ready;\n")
        #expect(repl.wait(upTo: 30) { repl.stderr.contains("1 row in ") })
        // About a million rows, pulled one by one: far longer than the time until the signal.
        try repl.send(":timeout off\nUNWIND range(1, 1000) AS x UNWIND range(1, 1000) AS y RETURN x * y AS p;\n")
        // A Ctrl-C that comes before the query starts only clears the (empty) input, so keep pressing it.
        let cancelled = repl.wait(upTo: 30) {
            if repl.stderr.contains("cancelled\n") { return true }
            repl.signal(SIGINT)
            usleep(300_000)
            return false
        }
        #expect(cancelled, "\(repl.stderr)")
        try repl.send("RETURN 'after' AS next;\n")
        let result = repl.finish()
        #expect(result.status == 0 && !result.killedBySignal, "\(result)")
        #expect(result.stdout.contains("after"), "\(result)")
        #expect(!result.stdout.contains("| p "), "a cancelled query prints no rows: \(result)")
    }
}
