import Foundation
import SpoorTestSupport
import Testing

/// `spoor tags import` and `spoor tags list`.
@Suite struct TagsCLITests {
    @Test func importThenListCountsAndOneAddress() throws {
        let directory = TemporaryDirectory("cli-tags")
        let csv = try directory.write(CLIFixtures.small, to: "small.csv")
        let store = directory.appending("store")
        try #require(try Spoor.run(["ingest", store, "--format", "transfers-csv", csv]).status == 0)
        // Mixed case and a comment; one line is not an address.
        let list = try directory.write(
            "# watchlist\n\(CLIFixtures.a.uppercased().replacingOccurrences(of: "0X", with: "0x"))\n\(CLIFixtures.b)\nnot an address\n",
            to: "watch.txt")
        let imported = try Spoor.run(["tags", "import", store, list, "--tag", "ofac", "--source", "test list", "--confidence", "0.9"])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stdout == "")
        #expect(imported.stderr.contains("warning: \(list):4: "), "\(imported)")
        #expect(imported.stderr.contains("2 entries, 2 new tags"), "\(imported)")

        let again = try Spoor.run(["tags", "import", store, list, "--tag", "ofac", "--source", "test list", "--confidence", "0.9"])
        #expect(again.status == 0)
        #expect(again.stderr.contains("2 entries, 0 new tags"), "\(again)")

        let counts = try Spoor.run(["tags", "list", store])
        #expect(counts.status == 0, "\(counts)")
        #expect(counts.stdout == "tag\taddresses\nofac\t2\n")
        #expect(counts.stderr == "")

        let one = try Spoor.run(["tags", "list", store, CLIFixtures.a.uppercased().replacingOccurrences(of: "0X", with: "0x")])
        #expect(one.status == 0, "\(one)")
        #expect(one.stdout == "tag\tsource\tconfidence\nofac\ttest list\t0.9\n")

        let none = try Spoor.run(["tags", "list", store, CLIFixtures.c])
        #expect(none.stdout == "tag\tsource\tconfidence\n")

        let stats = try statsJSON(store)
        let tags = stats["tags"] as? [[String: Any]] ?? []
        #expect(tags.count == 1 && tags.first?["tag"] as? String == "ofac")
    }

    @Test func importOfAMissingFileIsAUserError() throws {
        let directory = TemporaryDirectory("cli-tags-missing")
        let result = try Spoor.run(["tags", "import", directory.appending("store"), directory.appending("none.txt"), "--tag", "x"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix("error: \(directory.appending("none.txt")): cannot read file"), "\(result)")
    }
}
