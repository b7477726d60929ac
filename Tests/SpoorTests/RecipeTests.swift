import Foundation
import Spoor
import SpoorTestSupport
import Testing

/// Every `Queries/*.cypher` recipe runs on the store of `Tests/Fixtures/investigation.csv` (S tagged `ofac`,
/// `$address` = S) and must give the rows worked out by hand below. A recipe without an entry here fails.
struct RecipeTests {
    static let s = FixtureIngestTests.sanctioned
    static func a(_ suffix: String) -> Value { .string(FixtureIngestTests.address(suffix)) }

    /// Expected rows per recipe file, from the fixture's README.
    static let expected: [String: [[Value]]] = [
        // S's transfers in time order: D→S 10000 (block 99), S→A 5000 and S→B 3000 (block 100), S→C 2^256−1 of T.
        "address-timeline.cypher": [
            [.integer(988), .integer(99), a("d4"), .string(s), .amount(Amount(10000)), .null],
            [.integer(1000), .integer(100), .string(s), a("a1"), .amount(Amount(5000)), .null],
            [.integer(1000), .integer(100), .string(s), a("b2"), .amount(Amount(3000)), .null],
            [.integer(1036), .integer(103), .string(s), a("c3"), .amount(.max), a("7070")],
        ],
        // Everything S sent, largest first.
        "direct-receivers.cypher": [
            [.string(s), a("c3"), .amount(.max), .integer(1036)],
            [.string(s), a("a1"), .amount(Amount(5000)), .integer(1000)],
            [.string(s), a("b2"), .amount(Amount(3000)), .integer(1000)],
        ],
        // Native only: 5000 + 3000 in 2 transfers to 2 receivers.
        "sanctioned-outflows.cypher": [[.string(s), .amount(Amount(8000)), .integer(2), .integer(2)]],
    ]

    static let recipes: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: TestPaths.queries)) ?? [])
            .filter { $0.hasSuffix(".cypher") }.sorted()
    }()

    @Test(arguments: recipes)
    func recipeGivesTheHandWorkedRows(name: String) throws {
        let expected = try #require(Self.expected[name], "no hand-worked answer for Queries/\(name): add one")
        let text = try String(contentsOfFile: TestPaths.queries + "/" + name, encoding: .utf8)
        let directory = TemporaryDirectory("recipe")
        let graph = try FixtureQueryTests.graph(directory)
        let rows = try graph.query(text, parameters: ["address": .string(Self.s)]).all()
        #expect(rows == expected)
    }
}
