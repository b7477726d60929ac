import Foundation
import Logging
import Spoor
import SpoorTestSupport
import Testing

/// The cases the Bitcoin generator plants are found after a real ingest: peel chains (UTXOPeelChainDetector), CoinJoins
/// (CoinJoinPattern, which clustering skips) and consolidations (one cluster of all their inputs' addresses). False hits
/// on the rest of the generated chain are counted, printed and bounded.
@Suite struct BitcoinPlantedCasesTests {
    @Test func plantedCasesAreFound() throws {
        var options = BitcoinChainGenerator.Options(seed: 4_242, blocks: 160)
        options.peelChains = 4
        options.coinJoins = 4
        options.consolidations = 3
        let (files, manifest) = try BitcoinChainGenerator(options: options).generateFiles()
        let directory = TemporaryDirectory("btc-planted")
        for file in files { try Data(file.bytes).write(to: URL(fileURLWithPath: directory.appending(file.name))) }
        let graph = try Graph.open(at: directory.appending("store"), mode: .readWrite)
        let summary = try graph.ingestBitcoin(
            files: [directory.path], format: .blk, options: BitcoinIngestOptions(network: .regtest))
        #expect(summary.written.transactions == manifest.transactionCount && summary.written.unknownInputs == 0)

        let chains = try graph.store.read { try UTXOPeelChainDetector().scan($0) }
        let detected = chains.map { $0.hops.map(\.txid) }
        for planted in manifest.peelChains where planted.count >= 3 {
            let found = detected.contains { chain in
                guard let start = chain.firstIndex(of: planted[0]) else { return false }
                return Array(chain[start...].prefix(planted.count)) == planted
            }
            #expect(found, "planted peel chain \(planted)")
        }
        let plantedTxids = Set(manifest.peelChains.flatMap { $0 })
        let falsePeels = detected.filter { Set($0).isDisjoint(with: plantedTxids) }.count
        print("peel chains: \(manifest.peelChains.filter { $0.count >= 3 }.count) planted of 3+ hops, \(detected.count) detected, \(falsePeels) false")
        #expect(falsePeels <= 3)
        let viaQuery = try graph.query("CALL spoor.typology.peelChains(null, {}) YIELD length, txs RETURN length, txs").all()
        #expect(viaQuery.count == detected.count)
        #expect(viaQuery.map { $0[1] } == detected.map { .list($0.map(Value.string)) })
        let refused = #expect(throws: (any Error).self) {
            _ = try graph.query("CALL spoor.typology.fanOut(null, {}) YIELD address RETURN address").all()
        }
        #expect("\(refused.map { "\($0)" } ?? "")".contains("account-chain stores"))

        var coinJoins: Set<String> = []
        try graph.store.read { reader in
            for raw in 0..<(try reader.counts().transactions) {
                guard let record = try reader.transaction(TxID(raw)), let details = record.utxo,
                    CoinJoinPattern.match(details) != nil
                else { continue }
                coinJoins.insert(record.hashText)
            }
        }
        #expect(Set(manifest.coinJoins).isSubset(of: coinJoins), "planted CoinJoins \(manifest.coinJoins)")
        print("CoinJoins: \(manifest.coinJoins.count) planted, \(coinJoins.count) matched, \(coinJoins.subtracting(manifest.coinJoins).count) false")
        #expect(coinJoins.subtracting(manifest.coinJoins).count <= 3)

        // A consolidation's inputs are one owner's: after clustering they share one cluster.
        _ = try AddressClustering(store: graph.store).run()
        try graph.store.read { reader in
            for txid in manifest.consolidations {
                let hash = try #require(Self.bytes(txid))
                let id = try #require(try reader.transactionID(hash: hash))
                let record = try #require(try reader.transaction(id))
                let clusters = try Set(record.utxo?.inputs.compactMap(\.address).map { try reader.cluster(of: $0) } ?? [])
                #expect(clusters.count == 1, "consolidation \(txid)")
            }
        }
    }

    static func bytes(_ hex: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

/// The batch scan on a UTXO store (one forward and one backward taint run from the whole watchlist, one pass over the
/// transactions) gives every address the figures a single-address exposure gives it.
struct UTXOScanAgreementTests {
    @Test(arguments: [TaintPolicy.haircut, .fifo, .poison])
    func scanRowsEqualExposure(policy: TaintPolicy) throws {
        let (files, manifest) = try BitcoinChainGenerator(options: BitcoinChainGenerator.Options(seed: 9, blocks: 60))
            .generateFiles()
        let directory = TemporaryDirectory("utxo-scan")
        for file in files { try Data(file.bytes).write(to: URL(fileURLWithPath: directory.appending(file.name))) }
        let graph = try Graph.open(at: directory.appending("store"), mode: .readWrite)
        _ = try graph.ingestBitcoin(files: [directory.path], format: .blk, options: BitcoinIngestOptions(network: .regtest))
        try graph.importTags([TagRecord(address: manifest.hotWalletAddress, tag: "ofac")])
        let output = directory.appending("scan.jsonl")
        let parameters = ScanParameters(watchlist: "ofac", policy: policy, maxHops: 3, stopAt: [])
        let outcome = try graph.read { reader in
            try ExposureScan(reader: reader, parameters: parameters, riskLevels: .defaults, addresses: nil).run(
                output: output, format: .jsonl, checkpointPath: output + ".checkpoint")
        }
        #expect(outcome == .finished(rows: Int(try graph.statistics().counts.addresses)))
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").dropFirst()
        let rows = try lines.map { try JSONDecoder().decode(ScanRow.self, from: Data($0.utf8)) }
        let exposed = rows.filter { ($0.minimalHop ?? 0) > 0 }
        #expect(exposed.count >= 10, "\(exposed.count) exposed")
        for row in exposed.prefix(60) {
            let report = try #require(try graph.exposure(
                of: [row.address], watchlist: "ofac", options: ExposureOptions(policy: policy, maxHops: 3), stopAtTags: []))
            let expected = [row.directIn, row.directOut, row.indirectIn, row.indirectOut, row.totalIn, row.totalOut]
            let actual = [report.directIn, report.directOut, report.indirectIn, report.indirectOut, report.totalIn,
                          report.totalOut].map(\.description)
            #expect(actual == expected, "\(row.address)")
            #expect(report.hopIn == row.hopIn && report.hopOut == row.hopOut, "\(row.address)")
        }
        // The same inputs give the same bytes.
        let first = try Data(contentsOf: URL(fileURLWithPath: output))
        _ = try graph.read { reader in
            try ExposureScan(reader: reader, parameters: parameters, riskLevels: .defaults, addresses: nil).run(
                output: output, format: .jsonl, checkpointPath: output + ".checkpoint")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == first)
    }
}
