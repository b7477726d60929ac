import Foundation
import Testing
@testable import SpoorQuery

/// Runs the openCypher TCK scenarios (`../shared/tck/features`, relative to the project root) against `InMemoryGraph`.
///
/// Scenario failures do not fail the test: the pass rate is a target, printed as a per-file summary. The test asserts
/// only that the runner works: every feature file parses, and a few scenarios the engine handles today pass.
/// The whole set runs in a few seconds, so every scenario runs each time.
@Suite struct TCKTests {
    /// `…/shared/tck/features`, found from this file's path (`<root>/Tests/SpoorQueryTests/TCKTests.swift`).
    static let featuresDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/tck/features").standardizedFileURL

    /// Every `.feature` file below ``featuresDirectory``: its path relative to it and its text.
    static func featureFiles() throws -> [(path: String, text: String)] {
        let root = featuresDirectory.path
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        var files: [(path: String, text: String)] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".feature") else { continue }
            files.append((relative, try String(contentsOfFile: root + "/" + relative, encoding: .utf8)))
        }
        return files
    }

    static func loadSuite() throws -> TCKSuite { TCKSuite(files: try featureFiles()) }

    /// Scenarios the engine handles today; they must keep passing.
    static let mustPass: [(file: String, name: String)] = [
        ("clauses/match/Match1.feature", "[1] Match non-existent nodes returns empty"),
        ("clauses/match/Match1.feature", "[2] Matching all nodes"),
        ("clauses/match/Match2.feature", "[2] Matching a relationship pattern using a label predicate on both sides"),
        ("expressions/literals/Literals1.feature", "[1] Return a boolean true lower case"),
        ("expressions/literals/Literals2.feature", "[1] Return a short positive integer"),
    ]

    @Test func readerParsesEveryFeature() throws {
        let suite = try Self.loadSuite()
        #expect(suite.features.count >= 175)
        let scenarios = suite.scenarios
        let definitions = Set(scenarios.map { "\($0.path):\($0.line)" })
        // 1,206 `Scenario` / `Scenario Outline` definitions; outlines expand to more cases.
        #expect(definitions.count >= 1206)
        #expect(scenarios.count > definitions.count)
        #expect(scenarios.allSatisfy { scenario in scenario.steps.contains { $0.text.hasPrefix("executing query") } })
        // Every `Scenario:` / `Scenario Outline:` line of a file yields at least one scenario.
        for (path, text) in try Self.featureFiles() {
            let declared = text.split(whereSeparator: \.isNewline).filter { line in
                let trimmed = line.drop(while: { $0 == " " })
                return trimmed.hasPrefix("Scenario:") || trimmed.hasPrefix("Scenario Outline:")
            }.count
            let read = Set(suite.scenarios.filter { $0.path == path }.map(\.line)).count
            #expect(read == declared, "\(path): \(read) of \(declared) scenarios read")
        }
    }

    @Test func handPickedScenariosPass() throws {
        let suite = try Self.loadSuite()
        let runner = TCKRunner()
        for (file, name) in Self.mustPass {
            let scenario = suite.scenarios.first { $0.path == file && $0.name == name }
            #expect(scenario != nil, "scenario \(file): \(name) not found")
            guard let scenario else { continue }
            let outcome = runner.run(scenario)
            #expect(outcome.isPassed, "\(file): \(name): \(outcome)")
        }
    }

    /// Runs every scenario (about two seconds in a debug build) and prints the summary; the report with every
    /// failure goes to the temporary directory, or to stdout as well with `SPOOR_TCK_DETAILS=1`.
    @Test func runScenarios() throws {
        let suite = try Self.loadSuite()
        let clock = ContinuousClock()
        let start = clock.now
        let results = suite.run()
        let elapsed = clock.now - start
        let summary = TCKSuite.report(results, details: false)
        print("openCypher TCK against InMemoryGraph (\(elapsed)):\n\(summary)")
        let details = TCKSuite.report(results, details: true)
        let reportURL = FileManager.default.temporaryDirectory.appendingPathComponent("spoor-tck-report.txt")
        try details.write(to: reportURL, atomically: true, encoding: .utf8)
        print("Full TCK report with every failure: \(reportURL.path)")
        if ProcessInfo.processInfo.environment["SPOOR_TCK_DETAILS"] == "1" { print(details) }
        #expect(results.count == suite.scenarios.count)
    }

    @Test func valueNotation() throws {
        let path = try TCKValueParser.parse("<(:A {k: 1})-[:T {w: [1, 2.5]}]->(:B)<-[:U]-()>")
        guard case .path(let start, let steps) = path else {
            Issue.record("not a path: \(path)")
            return
        }
        #expect(start.labels == ["A"])
        #expect(steps.count == 2 && steps[0].forward && !steps[1].forward)
        #expect(try TCKValueParser.parse("[1, 'a', null]").matches(.list([.integer(1), .string("a"), .null]), unorderedLists: false))
        #expect(!(try TCKValueParser.parse("1").matches(.float(1), unorderedLists: false)))
        #expect(try TCKValueParser.parse("[2, 1]").matches(.list([.integer(1), .integer(2)]), unorderedLists: true))
        #expect(try TCKValueParser.parse("{a: -1, b: true}").matches(.map(["a": .integer(-1), "b": .bool(true)]), unorderedLists: false))
    }

    @Test func outlineExpansionAndSetup() throws {
        let feature = TCKFeature.parse(
            """
            Feature: F
              Scenario Outline: O <x>
                Given an empty graph
                And having executed:
                  \"\"\"
                  CREATE (a:L {k: <x>}), (b {s: 'x|y', l: [1, 2]}), (a)-[:T {w: 2}]->(b)<-[:U]-(:M)
                  \"\"\"
                When executing query:
                  \"\"\"
                  MATCH (n:L)-[:T]->(m) RETURN n.k AS k, m.l AS l
                  \"\"\"
                Then the result should be, in any order:
                  | k   | l      |
                  | <x> | [1, 2] |
                And no side effects

                Examples:
                  | x |
                  | 1 |
                  | 2 |
            """, path: "F.feature")
        #expect(feature.scenarios.count == 2)
        #expect(feature.scenarios.first?.steps.count == 5)
        let graph = InMemoryGraph()
        try TCKGraphBuilder.execute("CREATE (a:L {k: 1}), (b {s: 'x|y'}), (a)-[:T {w: 2}]->(b)<-[:U]-(:M)", on: graph)
        #expect(graph.nodeCount == 3 && graph.relationshipCount == 2)
        for scenario in feature.scenarios {
            let outcome = TCKRunner().run(scenario)
            #expect(outcome.isPassed, "\(scenario.name): \(outcome)")
        }
    }
}
