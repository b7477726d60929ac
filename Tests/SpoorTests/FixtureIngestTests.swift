import Foundation
import Testing
import Spoor
import SpoorTestSupport

/// The hand-made fixture `Tests/Fixtures/investigation.csv`; every expected number is worked out in its README.
struct FixtureIngestTests {
    static let fixture = TestPaths.fixtures + "/investigation.csv"
    static let sanctioned = "0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1"
    static func address(_ suffix: String) -> String { "0x" + String(repeating: "0", count: 40 - suffix.count) + suffix }

    static func ingestedGraph(_ directory: TemporaryDirectory, batchSize: Int = 3) throws -> (Graph, IngestSummary) {
        let graph = try Graph.open(at: directory.appending("fixture.spoor"), mode: .readWrite)
        let summary = try graph.ingestTransfers(files: [fixture], options: TransfersIngestOptions(batchSize: batchSize))
        return (graph, summary)
    }

    @Test func countsDegreesAndSumsMatchTheHandWorkedAnswers() throws {
        let directory = TemporaryDirectory("fixture")
        let (graph, summary) = try Self.ingestedGraph(directory)
        #expect(summary.rows == 8 && summary.added == 8 && summary.rejected == 2 && summary.duplicates == 0)
        let statistics = try graph.statistics()
        #expect(statistics.counts == StoreCounts(addresses: 5, transactions: 7, transfers: 8, assets: 1))
        let expected: [(String, UInt64, UInt64)] = [
            (Self.sanctioned, 3, 1), (Self.address("a1"), 1, 1), (Self.address("b2"), 2, 1),
            (Self.address("c3"), 1, 3), (Self.address("d4"), 1, 2),
        ]
        try graph.read { (reader) throws in
            for (text, out, incoming) in expected {
                let id = try #require(try reader.addressID(text), "\(text)")
                let record = try #require(try reader.address(id))
                #expect(record.outCount == out && record.inCount == incoming, "\(text)")
            }
            let sID = try #require(try reader.addressID(Self.sanctioned))
            let s = try #require(try reader.address(sID))
            #expect(s.sent == Amount(8000))
            #expect(s.received == Amount(10000))
            #expect(s.balance == Amount(2000))
            let cID = try #require(try reader.addressID(Self.address("c3")))
            let c = try #require(try reader.address(cID))
            #expect(c.received == Amount(3000))
        }
    }

    @Test func streamsAreInChainOrderAndHugeValuesExact() throws {
        let directory = TemporaryDirectory("fixture")
        let (graph, _) = try Self.ingestedGraph(directory)
        let stream = try graph.neighbors(of: Self.sanctioned.uppercased().replacingOccurrences(of: "0X", with: "0x"))
        #expect(stream.map(\.direction) == [.incoming, .outgoing, .outgoing, .outgoing])
        #expect(stream.map(\.properties.value) == [Amount(10000), Amount(5000), Amount(3000), Amount.max])
        #expect(stream.map(\.properties.block) == [99, 100, 100, 103])
        #expect(stream.last?.asset == Self.address("7070"))
        #expect(stream.first?.address == Self.address("d4"))  // the upper-case D in the file is canonicalised
        #expect(try graph.neighbors(of: Self.address("ff")).isEmpty)
    }

    @Test func rejectsFileNamesFileLineAndReason() throws {
        let directory = TemporaryDirectory("fixture")
        let (_, summary) = try Self.ingestedGraph(directory)
        let rejectsFile = try #require(summary.rejectsFiles.first)
        let lines = try String(contentsOfFile: rejectsFile, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(Self.fixture + ":10: "))
        #expect(lines[0].contains("to_address"))
        #expect(lines[1].hasPrefix(Self.fixture + ":11: "))
        #expect(lines[1].contains("value"))
    }

    @Test func ingestingTheSameFileAgainChangesNothing() throws {
        let directory = TemporaryDirectory("fixture")
        let (graph, _) = try Self.ingestedGraph(directory)
        let before = try graph.statistics()
        let again = try graph.ingestTransfers(files: [Self.fixture])
        #expect(again.added == 0 && again.filesAlreadyIngested == 1)
        #expect(try graph.statistics() == before)
        // The same rows under another file name are recognised row by row.
        let copy = directory.appending("copy.csv")
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: copy)
        try "\n".appendLine(to: copy)  // a different file (one more blank line), the same rows
        let copied = try graph.ingestTransfers(files: [copy])
        #expect(copied.added == 0 && copied.duplicates == 8)
        #expect(try graph.statistics().counts == before.counts)
        #expect(try graph.verify().problems == [])
    }

    @Test func strictStopsAtTheFirstBadRowAndStoresNothing() throws {
        let directory = TemporaryDirectory("fixture")
        let graph = try Graph.open(at: directory.appending("strict.spoor"), mode: .readWrite)
        let error = #expect(throws: IngestError.self) {
            try graph.ingestTransfers(files: [Self.fixture], options: TransfersIngestOptions(strict: true))
        }
        #expect(error?.description.hasPrefix(Self.fixture + ":10: ") == true)
        #expect(try graph.statistics().counts.transfers == 0)
    }

    @Test func wrongHeaderFailsBeforeAnythingIsWritten() throws {
        let directory = TemporaryDirectory("fixture")
        let file = try directory.write("tx,block\n0x1,2\n", to: "bad.csv")
        let graph = try Graph.open(at: directory.appending("header.spoor"), mode: .readWrite)
        let error = #expect(throws: IngestError.self) { try graph.ingestTransfers(files: [file]) }
        #expect(error?.description.contains("\(file):1: bad header") == true)
        #expect(try graph.statistics().counts == StoreCounts(addresses: 0, transactions: 0, transfers: 0, assets: 0))
    }

    @Test func tagsArriveBeforeAndAfterTheAddress() throws {
        let directory = TemporaryDirectory("fixture")
        let graph = try Graph.open(at: directory.appending("tags.spoor"), mode: .readWrite)
        try graph.importTags([TagRecord(address: Self.sanctioned, tag: "ofac", source: "OFAC SDN", confidence: 1)])
        _ = try graph.ingestTransfers(files: [Self.fixture])
        #expect(try graph.tags(of: Self.sanctioned).map(\.tag) == ["ofac"])
        #expect(try graph.verify().isSound)
    }
}

extension String {
    func appendLine(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
        try handle.close()
    }
}
