import Foundation
import SpoorTestSupport
import Testing

/// Each `Queries/*.cypher` recipe parses, has a `//` header, and runs through `spoor query -f` on the fixture store
/// the way `make demo` runs it (the answers are checked by the recipe tests of SpoorTests).
@Suite struct RecipeCLITests {
    static let recipes: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.queries)) ?? []
        return names.filter { $0.hasSuffix(".cypher") }.sorted()
    }()

    static let defaultParameters = ["--param", "address=0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1"]

    /// Recipes that need another fixture or other parameters to give rows (answers in RecipeTests).
    static let setups: [String: (fixture: String, parameters: [String])] = [
        "direct-sanctions-exposure.cypher": (
            "investigation.csv", ["--param", "address=0x00000000000000000000000000000000000000c3"]
        ),
        "peel-chain-from.cypher": ("typologies.csv", ["--param", "address=0x00000000000000000000000000000000000000f0"]),
        "cluster-and-why.cypher": (
            "investigation.csv",
            [
                "--param", "address=0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1",
                "--param", "target=0x00000000000000000000000000000000000000a1",
            ]
        ),
        "funds-flow-between.cypher": (
            "typologies.csv",
            [
                "--param", "address=0x00000000000000000000000000000000000000b0",
                "--param", "target=0x00000000000000000000000000000000000000d0",
            ]
        ),
    ]

    @Test func thereAreRecipes() {
        #expect(Self.recipes.count >= 3, "\(TestPaths.queries)")
    }

    @Test(arguments: recipes)
    func recipeRunsOnTheFixture(name: String) throws {
        let path = TestPaths.queries + "/" + name
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("// "), "\(name) starts with a // header saying what it answers")

        let directory = TemporaryDirectory("cli-recipe")
        let store = directory.appending("store")
        let (fixture, parameters) = Self.setups[name] ?? ("investigation.csv", Self.defaultParameters)
        let ingest = try Spoor.run(["ingest", store, "--format", "transfers-csv", TestPaths.fixtures + "/" + fixture])
        try #require(ingest.status == 0, "\(ingest)")
        let list = try directory.write("0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1\n", to: "ofac.txt")
        try #require(try Spoor.run(["tags", "import", store, list, "--tag", "ofac"]).status == 0)
        if name == "cluster-and-why.cypher" {  // D is an exchange: C, which pays only D, is a deposit address.
            let exchange = try directory.write("0x00000000000000000000000000000000000000d4\n", to: "exchange.txt")
            try #require(try Spoor.run(["tags", "import", store, exchange, "--tag", "exchange"]).status == 0)
            try #require(try Spoor.run(["cluster", store]).status == 0)
        }

        let explain = try Spoor.run(["query", store, "-f", path, "--explain"])
        #expect(explain.status == 0, "\(explain)")
        let result = try Spoor.run(["query", store, "-f", path] + parameters + ["--format", "csv"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.split(separator: "\r\n").count > 1, "at least one row: \(result)")
    }
}
