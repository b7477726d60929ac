import Foundation
import Spoor
import SpoorTestSupport
import Testing

/// The hand-worked account chain of `SpoorAnalyticsTests/TaintFixtureTests` (S, A, B, C, X), ingested as a
/// transfers-csv into a store, so the facade and the procedures answer on GraphReader what the engine answers in
/// memory:
///
/// ```
///   t0 (block 1)  X ──60──▶ A
///   t1 (block 2)  S ──40──▶ A
///   t2 (block 3)  A ──50──▶ B
///   t3 (block 4)  A ──70──▶ C
///   t4 (block 5)  B ──33──▶ C
/// ```
@Suite("Analytics through Graph and CALL")
struct AnalyticsFacadeTests {
    static let s = "0x" + String(repeating: "5", count: 40)
    static let a = "0x" + String(repeating: "a", count: 40)
    static let b = "0x" + String(repeating: "b", count: 40)
    static let c = "0x" + String(repeating: "c", count: 40)
    static let x = "0x" + String(repeating: "9", count: 40)

    static func graph(_ directory: TemporaryDirectory) throws -> Graph {
        let rows = [(x, a, 60), (s, a, 40), (a, b, 50), (a, c, 70), (b, c, 33)]
        var csv = "tx_hash,block_number,block_timestamp,from_address,to_address,value,asset,log_index\n"
        for (index, row) in rows.enumerated() {
            let hash = "0x" + String(repeating: "0", count: 63) + String(index)
            csv += "\(hash),\(index + 1),\(1000 + 10 * index),\(row.0),\(row.1),\(row.2),,0\n"
        }
        let file = try directory.write(csv, to: "transfers.csv")
        let graph = try Graph.open(at: directory.appending("store"), mode: .readWrite)
        _ = try graph.ingestTransfers(files: [file])
        try graph.importTags([TagRecord(address: s, tag: "ofac"), TagRecord(address: b, tag: "exchange")])
        return graph
    }

    @Test func taintAndExposureThroughTheFacade() throws {
        let directory = TemporaryDirectory("analytics")
        let graph = try Self.graph(directory)
        // Haircut from S (see TaintFixtureTests.accountHaircut): A 40, B 20, C 20 + 13 = 33.
        let result = try graph.taint(seedTags: ["ofac"], options: TaintOptions(policy: .haircut))
        var received: [String: String] = [:]
        for entry in result.addresses {
            received[try graph.addressText(entry.address) ?? ""] = entry.received.description
        }
        #expect(received == [Self.s: "0", Self.a: "40", Self.b: "20", Self.c: "33"])
        // Exposure of C with no stop tags: 33 of 103 received, hop 2 (ExposureTests.indirectIncomingWithEvidence).
        let report = try #require(try graph.exposure(of: [Self.c], watchlist: "ofac", stopAtTags: []))
        #expect(report.indirectIn == WideAmount(33))
        #expect(report.hopIn == 2)
        // With B tagged exchange as a stop: B absorbs its 20, so C's indirect exposure is A's 20 only.
        let stopped = try #require(try graph.exposure(of: [Self.c], watchlist: "ofac"))
        #expect(stopped.indirectIn == WideAmount(20))
        #expect(try graph.exposure(of: ["0x" + String(repeating: "7", count: 40)], watchlist: "ofac") == nil)
    }

    @Test func proceduresAnswerTheSame() throws {
        let directory = TemporaryDirectory("analytics")
        let graph = try Self.graph(directory)
        let taint = try graph.query(
            """
            CALL spoor.taint('ofac', {policy: 'fifo'}) YIELD address, received, hop
            RETURN address.address AS address, received, hop ORDER BY address
            """
        ).all()
        // FIFO (TaintFixtureTests.accountFIFO): A 40 at hop 1, C 40 at hop 2, the seed S 0 at hop 0.
        #expect(
            taint == [
                [.string(Self.s), .amount(.zero), .integer(0)],
                [.string(Self.a), .amount(Amount(40)), .integer(1)],
                [.string(Self.c), .amount(Amount(40)), .integer(2)],
            ]
        )
        let exposure = try graph.query(
            """
            CALL spoor.exposure($address, {watchlist: 'ofac', maxHops: 3, policy: 'haircut', stopAt: []})
            YIELD indirectIn, totalIn, hopIn, risk, evidence
            RETURN indirectIn, totalIn, hopIn, risk, size(evidence) AS paths
            """,
            parameters: ["address": .string(Self.c.uppercased().replacingOccurrences(of: "0X", with: "0x"))]
        ).all()
        #expect(exposure == [[.amount(Amount(33)), .amount(Amount(103)), .integer(2), .string("severe"), .integer(2)]])
        #expect(throws: QueryError.self) {
            try graph.query(
                "CALL spoor.exposure($a, {maxHops: 3}) YIELD risk RETURN risk",
                parameters: ["a": .string(Self.c)]
            ).all()
        }
        #expect(throws: QueryError.self) {
            try graph.query("CALL spoor.taint('ofac', {policy: 'bogus'}) YIELD hop RETURN hop").all()
        }
    }
}

/// On a generated store, the batch scan (one replay of the whole chain) and `Graph.exposure` (taint followed from the
/// listed addresses through the adjacency streams) give every address the same figures.
@Suite("Scan and per-address exposure agree on a generated store")
struct ScanAgreementTests {
    @Test(arguments: [TaintPolicy.haircut, .fifo, .poison])
    func scanRowsEqualExposure(policy: TaintPolicy) throws {
        let directory = TemporaryDirectory("agreement")
        let ofac = try String(
            contentsOfFile: TestPaths.sharedData + "/ofac/sanctioned_addresses_ETH.txt",
            encoding: .utf8
        )
        .split(separator: "\n").map(String.init).filter { $0.hasPrefix("0x") }
        var options = TransfersGenerator.Options(seed: 3, transferCount: 20_000)
        options.sanctioned = Array(ofac.prefix(5))
        let csv = directory.appending("t.csv")
        _ = try TransfersGenerator(options: options).write(to: csv)
        let graph = try Graph.open(at: directory.appending("store"), mode: .readWrite)
        _ = try graph.ingestTransfers(files: [csv])
        try graph.importTags(ofac.map { TagRecord(address: $0.lowercased(), tag: "ofac") })
        let output = directory.appending("scan.jsonl")
        let parameters = ScanParameters(watchlist: "ofac", policy: policy, maxHops: 3, stopAt: [])
        let outcome = try graph.read { reader in
            try ExposureScan(reader: reader, parameters: parameters, riskLevels: .defaults, addresses: nil).run(
                output: output,
                format: .jsonl,
                checkpointPath: output + ".checkpoint"
            )
        }
        guard case .finished = outcome else {
            Issue.record("scan did not finish")
            return
        }
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").dropFirst()
        let rows = try lines.map { try JSONDecoder().decode(ScanRow.self, from: Data($0.utf8)) }
        let exposed = rows.filter { ($0.minimalHop ?? 0) > 0 }
        #expect(exposed.count >= 10)  // 5 planted senders × 10 transfers reach at least their receivers.
        for row in exposed.prefix(40) {
            let report = try #require(
                try graph.exposure(
                    of: [row.address],
                    watchlist: "ofac",
                    options: ExposureOptions(policy: policy, maxHops: 3),
                    stopAtTags: []
                )
            )
            let expected = [row.directIn, row.directOut, row.indirectIn, row.indirectOut, row.totalIn, row.totalOut]
            let actual = [
                report.directIn, report.directOut, report.indirectIn, report.indirectOut, report.totalIn,
                report.totalOut,
            ]
            .map(\.description)
            #expect(actual == expected, "\(row.address)")
            #expect(report.hopIn == row.hopIn && report.hopOut == row.hopOut, "\(row.address)")
        }
    }
}
