import Testing
@testable import SpoorStore
import SpoorTestSupport

struct VerifierTests {
    func makeStore(_ directory: TemporaryDirectory) throws -> Store {
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let transfers = (0..<400).map {
            StoreTests.transfer($0, from: "0x\($0 % 7)", to: "0x\($0 % 5)", value: UInt64($0), block: UInt64($0), log: 0)
        }
        try store.makeWriter().append(transfers)
        try store.makeWriter().addTags([TagRecord(address: "0x1", tag: "ofac")])
        return store
    }

    @Test func soundStoreHasNoProblems() throws {
        let directory = TemporaryDirectory("verify")
        let store = try makeStore(directory)
        let report = try store.read { try $0.verify() }
        #expect(report.problems == [])
        #expect(report.incidencesChecked == 800)
        #expect(report.addressesChecked == 7)  // 0x0 … 0x6 (the receivers 0x0 … 0x4 are among them)
        #expect(report.tagsChecked == 1)
    }

    @Test func corruptChunkAndMissingInEdgeAreReported() throws {
        let directory = TemporaryDirectory("verify")
        let store = try makeStore(directory)
        let id = try #require(try store.read { try $0.addressID("0x3") })
        try store.write { transaction in
            try transaction.put(store.tables.adjacency, key: Key.chunk(id.rawValue, 0), value: [2, 0xFF, 0x01, 0x02])
            try transaction.put(store.tables.tagIndex, key: Key.text("ofac", "0x9"), value: [])
        }
        let report = try store.read { try $0.verify(maximumProblems: 10_000) }
        #expect(report.problems.contains { $0.contains("address \(id) chunk 0 does not decode") })
        #expect(report.problems.contains { $0.contains("never arrives") || $0.contains("never leaves") })
        #expect(report.problems.contains { $0.contains("tag index entry 'ofac/0x9' has no tag record") })
    }
}
