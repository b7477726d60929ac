import Foundation
import Testing
import SpoorAnalytics
import SpoorStore
import SpoorTestSupport

/// UTXO taint on a store (through ``StoreUTXOFlow``) against the same chain held in memory, on the chain of
/// `ClusteringTests` (address ids A 0, B 1, C 2, D 3, E 4, P 5, Q 6, X 7, Y 8, R 9, S 10 in first-seen order).
///
/// Haircut from A, by hand: T1 (A 50 tainted + B 50) pays P 60 × 50/100 = 30 and Q 40 × 50/100 = 20; T3 (Q 40 carrying
/// 20 + E 10) pays R 45 × 20/50 = 18; T4 (P 60 carrying 30 + R 45 carrying 18 + A 5, a seed's coin, 5) pays
/// S ⌊105 × 53/110⌋ = 50.
struct StoreUTXOFlowTests {
    static func a(_ n: UInt64) -> AddressID { AddressID(n) }
    static func input(_ address: UInt64, _ value: UInt64, _ tx: UInt64, _ index: Int) -> UTXOInput {
        UTXOInput(address: a(address), value: Amount(value), spends: OutPoint(tx: TxID(tx), index: index))
    }
    static func output(_ address: UInt64, _ value: UInt64) -> UTXOOutput {
        UTXOOutput(address: a(address), value: Amount(value), spentBy: nil)
    }

    static let memory = InMemoryUTXOFlow(transactions: [
        UTXOTransaction(id: TxID(0), block: 0, index: 0, time: 0, inputs: [], outputs: [output(0, 50)]),
        UTXOTransaction(id: TxID(1), block: 0, index: 1, time: 0, inputs: [], outputs: [output(1, 50)]),
        UTXOTransaction(id: TxID(2), block: 0, index: 2, time: 0, inputs: [], outputs: [output(2, 50), output(3, 30), output(4, 10)]),
        UTXOTransaction(id: TxID(3), block: 1, index: 0, time: 600, inputs: [], outputs: [output(0, 5)]),
        UTXOTransaction(id: TxID(4), block: 1, index: 1, time: 600, inputs: [input(0, 50, 0, 0), input(1, 50, 1, 0)],
                        outputs: [output(5, 60), output(6, 40)]),
        UTXOTransaction(id: TxID(5), block: 1, index: 2, time: 600, inputs: [input(2, 50, 2, 0), input(3, 30, 2, 1)],
                        outputs: [output(7, 20), output(8, 20)]),
        UTXOTransaction(id: TxID(6), block: 1, index: 3, time: 600, inputs: [input(6, 40, 4, 1), input(4, 10, 2, 2)],
                        outputs: [output(9, 45)]),
        UTXOTransaction(id: TxID(7), block: 2, index: 0, time: 1200,
                        inputs: [input(5, 60, 4, 0), input(9, 45, 6, 0), input(0, 5, 3, 0)], outputs: [output(10, 105)]),
    ])

    @Test func storeFlowEqualsTheSameChainInMemory() throws {
        let directory = TemporaryDirectory("utxo-flow")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        try store.makeUTXOWriter().append(ClusteringTests.blocks)
        try store.read { (reader) throws in
            let flow = StoreUTXOFlow(reader: reader)
            for raw in 0..<8 {
                #expect(try flow.transaction(TxID(UInt64(raw))) == Self.memory.transaction(TxID(UInt64(raw))), "tx \(raw)")
            }
            for address in 0..<11 {
                #expect(try flow.transactions(of: Self.a(UInt64(address))) == Self.memory.transactions(of: Self.a(UInt64(address))))
            }
            for policy in [TaintPolicy.poison, .haircut, .fifo] {
                for direction in [TaintDirection.forward, .backward] {
                    let options = TaintOptions(policy: policy, direction: direction)
                    let seeds = [TaintSeed(address: direction == .forward ? Self.a(0) : Self.a(10))]
                    let stored = try StoreAnalytics(reader: reader).taint(seeds: seeds, options: options)
                    let expected = try UTXOTaintEngine(source: Self.memory).run(seeds: seeds, options: options)
                    #expect(stored.addresses == expected.addresses, "\(policy) \(direction)")
                    #expect(stored.outputs == expected.outputs, "\(policy) \(direction)")
                }
            }
            let haircut = try StoreAnalytics(reader: reader).taint(seeds: [TaintSeed(address: Self.a(0))], options: TaintOptions())
            #expect(haircut.address(Self.a(10))?.received.description == "50")
            #expect(haircut.address(Self.a(9))?.received.description == "18")
            #expect(haircut.address(Self.a(5))?.received.description == "30")
        }
    }
}

/// UTXO exposure on the same chain, A tagged `ofac`, haircut, by hand:
/// - S (paid 105 by T4 from P 60, R 45, A 5; Σv = 110): total in ⌊105·60/110⌋ + ⌊105·45/110⌋ + ⌊105·5/110⌋ =
///   57 + 42 + 4 = 103, direct in 4 (from A); its output carries taint 50 at hop 1, of which the inputs brought
///   30 (P) + 18 (R) + 5 (A, listed): indirect in ⌊50 · 48/53⌋ = 45; evidence A → S.
/// - R (paid 45 by T3 from Q 40, E 10): total in 36 + 9 = 45, direct in 0, taint 18 at hop 2, all from Q: indirect in
///   18; it sends ⌊105·45/110⌋ = 42 to S (total out 42, nothing reaches A backward: indirect out 0); evidence
///   A → Q (20, T1) then Q → R (18, T3).
struct UTXOExposureTests {
    @Test func handWorkedExposure() throws {
        let directory = TemporaryDirectory("utxo-exposure")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        try store.makeUTXOWriter().append(ClusteringTests.blocks)
        try store.makeWriter().addTags([TagRecord(address: "A", tag: "ofac")])
        try store.read { (reader) throws in
            let analytics = StoreAnalytics(reader: reader)
            let s = try analytics.exposure(of: [AddressID(10)], watchlist: "ofac", options: ExposureOptions())
            #expect(s.totalIn.description == "103" && s.directIn.description == "4" && s.indirectIn.description == "45")
            #expect(s.totalOut.isZero && s.hopIn == 1 && s.hopOut == nil && !s.isListed)
            #expect(s.evidenceIn.map { $0.steps.map { "\($0.transfer.from)>\($0.transfer.to):\($0.taint)" } } == [["0>10:50"]])
            let r = try analytics.exposure(of: [AddressID(9)], watchlist: "ofac", options: ExposureOptions())
            #expect(r.totalIn.description == "45" && r.directIn.isZero && r.indirectIn.description == "18")
            #expect(r.totalOut.description == "42" && r.indirectOut.isZero && r.directOut.isZero)
            #expect(r.hopIn == 2 && r.hopOut == nil)
            #expect(r.evidenceIn.map { $0.steps.map { "\($0.transfer.from)>\($0.transfer.to):\($0.taint)" } } == [["0>6:20", "6>9:18"]])
        }
    }

    /// Outgoing, S tagged `ofac`, target A (haircut, backward from S): T4's inputs carry ⌊v·105/110⌋: P 57, R 42,
    /// A 4 (hop 1); T3's inputs ⌊v·42/50⌋: Q 33, E 8 (hop 2); T1's inputs ⌊v·90/100⌋: A 45, B 45 (hop 2). A sends
    /// 30 + 20 in T1 and ⌊105·5/110⌋ = 4 to S in T4: total out 54, direct out 4, indirect out 45 (T1's outputs
    /// P and Q carry 57 + 33, all to unlisted outsiders), hop out 1; evidence A → S (4), then A → P (45), P → S (57).
    @Test func outgoingExposure() throws {
        let directory = TemporaryDirectory("utxo-exposure-out")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        try store.makeUTXOWriter().append(ClusteringTests.blocks)
        try store.makeWriter().addTags([TagRecord(address: "S", tag: "ofac")])
        try store.read { (reader) throws in
            let a = try StoreAnalytics(reader: reader).exposure(of: [AddressID(0)], watchlist: "ofac", options: ExposureOptions())
            #expect(a.totalOut.description == "54" && a.directOut.description == "4" && a.indirectOut.description == "45")
            #expect(a.totalIn.isZero && a.hopOut == 1 && a.hopIn == nil)
            #expect(a.evidenceOut.map { $0.steps.map { "\($0.transfer.from)>\($0.transfer.to):\($0.taint)" } }
                    == [["0>10:4"], ["0>5:45", "5>10:57"]])
        }
    }

    /// `spoor explain` on a UTXO store: A tagged `ofac`; S is one transaction from A (T4), R two (T1 to Q, T3).
    @Test func evidenceSubgraphOnUTXO() throws {
        let directory = TemporaryDirectory("utxo-explain")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        try store.makeUTXOWriter().append(ClusteringTests.blocks)
        try store.makeWriter().addTags([TagRecord(address: "A", tag: "ofac")])
        try store.read { (reader) throws in
            let s = try EvidencePathFinder().explain("S", watchlist: "ofac", in: reader)
            #expect(s.paths.map(\.addresses) == [["A", "S"]] && s.minimalHops == 1)
            #expect(s.paths.first?.transfers.first?.tx == String(repeating: "14", count: 32))
            let r = try EvidencePathFinder().explain("R", watchlist: "ofac", in: reader)
            #expect(r.paths.map(\.addresses) == [["A", "Q", "R"]])
            #expect(r.dot().contains("digraph"))
            #expect(try EvidencePathFinder(maxHops: 1).explain("R", watchlist: "ofac", in: reader).paths.isEmpty)
        }
    }
}
