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
