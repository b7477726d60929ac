import SpoorAnalytics
import SpoorStore
import Testing

/// Small account chain, worked by hand. Addresses: S = 0 (seed), A = 1, B = 2, C = 3, X = 4 (clean).
///
/// ```
///   t0 (block 1)  X ──60──▶ A
///   t1 (block 2)  S ──40──▶ A          A: B = 100, T = 40
///   t2 (block 3)  A ──50──▶ B
///   t3 (block 4)  A ──70──▶ C          A holds 50 then: 20 paid from outside the data set
///   t4 (block 5)  B ──33──▶ C
/// ```
func accountFixture() -> InMemoryAccountFlow {
    let rows: [(UInt64, UInt64, UInt64)] = [(4, 1, 60), (0, 1, 40), (1, 2, 50), (1, 3, 70), (2, 3, 33)]
    return InMemoryAccountFlow(
        transfers: rows.enumerated().map { index, row in
            AccountTransfer(
                id: TransferID(UInt64(index)),
                from: AddressID(row.0),
                to: AddressID(row.1),
                value: Amount(row.2),
                block: UInt64(index + 1),
                logIndex: 0,
                time: Int64(1000 + 10 * index),
                tx: TxID(UInt64(index))
            )
        }
    )
}

/// Small UTXO chain, worked by hand. Addresses: S = 0 (seed), X = 1, A = 2, B = 3, Y = 4, C = 5, D = 6.
///
/// ```
///   tx0: [S 30, X 70] ──▶ [A 60, B 35]          fee 5
///   tx1: [tx0:0 (A 60), Y 40] ──▶ [C 50, D 45]  fee 5
/// ```
func utxoFixture() -> InMemoryUTXOFlow {
    func address(_ raw: UInt64) -> AddressID { AddressID(raw) }
    return InMemoryUTXOFlow(transactions: [
        UTXOTransaction(
            id: TxID(0),
            block: 1,
            index: 0,
            time: 1000,
            inputs: [
                UTXOInput(address: address(0), value: Amount(30), spends: nil),
                UTXOInput(address: address(1), value: Amount(70), spends: nil),
            ],
            outputs: [
                UTXOOutput(address: address(2), value: Amount(60), spentBy: nil),
                UTXOOutput(address: address(3), value: Amount(35), spentBy: nil),
            ]
        ),
        UTXOTransaction(
            id: TxID(1),
            block: 2,
            index: 0,
            time: 1010,
            inputs: [
                UTXOInput(address: address(2), value: Amount(60), spends: OutPoint(tx: TxID(0), index: 0)),
                UTXOInput(address: address(4), value: Amount(40), spends: nil),
            ],
            outputs: [
                UTXOOutput(address: address(5), value: Amount(50), spentBy: nil),
                UTXOOutput(address: address(6), value: Amount(45), spentBy: nil),
            ]
        ),
    ])
}

/// `(received, sent, hop)` of an address in a result, as plain integers (nil when the taint never reached it).
func summary(_ result: TaintResult, _ address: UInt64) -> [String]? {
    guard let entry = result.address(AddressID(address)) else { return nil }
    return [entry.received.description, entry.sent.description, String(entry.hop)]
}

@Suite("Taint: hand-worked fixtures")
struct TaintFixtureTests {
    let seeds = [TaintSeed(address: AddressID(0))]

    @Test func accountHaircut() throws {
        // t1: A gets 40 of taint at hop 1: B = 100, T = 40.
        // t2: A sends 50: ⌊min(50, 100) × 40 / 100⌋ = 20 to B (hop 2); A: B = 50, T = 20.
        // t3: A sends 70: ⌊min(70, 50) × 20 / 50⌋ = 20 to C (hop 2); A: B = 0, T = 0.
        // t4: B (B = 50, T = 20) sends 33: ⌊33 × 20 / 50⌋ = ⌊13.2⌋ = 13 to C (hop 3); B keeps T = 7.
        let result = try AccountTaintEngine(source: accountFixture()).run(
            seeds: seeds,
            options: .init(policy: .haircut)
        )
        #expect(summary(result, 0) == ["0", "40", "0"])
        #expect(summary(result, 1) == ["40", "40", "1"])
        #expect(summary(result, 2) == ["20", "13", "2"])
        #expect(summary(result, 3) == ["33", "0", "2"])
        #expect(summary(result, 4) == nil)
        #expect(
            result.transfers.map { "\($0.transfer.id):\($0.taint):\($0.hop)" } == [
                "1:40:1", "2:20:2", "3:20:2", "4:13:3",
            ]
        )
    }

    @Test func accountPoison() throws {
        // A is poisoned at t1 (hop 1): t2 carries all 50, t3 all 70 (hop 2); B poisoned, t4 carries 33 (hop 3).
        let result = try AccountTaintEngine(source: accountFixture()).run(seeds: seeds, options: .init(policy: .poison))
        #expect(summary(result, 1) == ["40", "120", "1"])
        #expect(summary(result, 2) == ["50", "33", "2"])
        #expect(summary(result, 3) == ["103", "0", "2"])
    }

    @Test func accountFIFO() throws {
        // A's queue: [clean 60][taint 40]. t2 takes 50 from the front: all clean; queue [clean 10][taint 40].
        // t3 takes 70: [clean 10][taint 40] then 20 from outside (clean, last): C gets 40 tainted at hop 2.
        // B holds only clean value: t4 carries nothing.
        let result = try AccountTaintEngine(source: accountFixture()).run(seeds: seeds, options: .init(policy: .fifo))
        #expect(summary(result, 1) == ["40", "40", "1"])
        #expect(summary(result, 2) == nil)
        #expect(summary(result, 3) == ["40", "0", "2"])
    }

    @Test func accountMaxHopsStopAtAndBackward() throws {
        // maxHops 1: taint arriving at hop 2 is not passed on: only A (hop 1) is reached.
        let limited = try AccountTaintEngine(source: accountFixture()).run(
            seeds: seeds,
            options: .init(policy: .haircut, maxHops: 1)
        )
        #expect(limited.addresses.map(\.address.rawValue) == [0, 1])
        // stopAt B: B reports the 20 it received and passes nothing on, so C gets only A's 20.
        let stopped = try AccountTaintEngine(source: accountFixture()).run(
            seeds: seeds,
            options: .init(policy: .haircut, stopAt: [AddressID(2)])
        )
        #expect(summary(stopped, 2) == ["20", "0", "2"])
        #expect(stopped.address(AddressID(2))?.isStopped == true)
        #expect(summary(stopped, 3) == ["20", "0", "2"])
        // Backward from B under haircut, transfers reversed and replayed newest first:
        // t4': C→B (clean to B). t3': C→A 70 clean: A B = 70. t2': B→A 50 from the seed: A B = 120, T = 50 (hop 1).
        // t1': A→S 40: ⌊40 × 50 / 120⌋ = 16 (hop 2); A: B = 80, T = 34. t0': A→X 60: ⌊60 × 34 / 80⌋ = 25 (hop 2).
        let backward = try AccountTaintEngine(source: accountFixture()).run(
            seeds: [TaintSeed(address: AddressID(2))],
            options: .init(policy: .haircut, direction: .backward)
        )
        #expect(summary(backward, 1) == ["50", "41", "1"])
        #expect(summary(backward, 0) == ["16", "0", "2"])
        #expect(summary(backward, 4) == ["25", "0", "2"])
        // Poison backward: A is poisoned by the 50 from B, so S gets 40 and X 60 at hop 2.
        let poison = try AccountTaintEngine(source: accountFixture()).run(
            seeds: [TaintSeed(address: AddressID(2))],
            options: .init(policy: .poison, direction: .backward)
        )
        #expect(summary(poison, 0) == ["40", "0", "2"])
        #expect(summary(poison, 4) == ["60", "0", "2"])
    }

    @Test func utxoHaircut() throws {
        // tx0: Σt = 30, Σv = 100: A gets ⌊60 × 30 / 100⌋ = 18, B gets ⌊35 × 30 / 100⌋ = ⌊10.5⌋ = 10 (hop 1);
        // the fee and the floor keep 2.
        // tx1: Σt = 18, Σv = 100: C gets ⌊50 × 18 / 100⌋ = 9, D gets ⌊45 × 18 / 100⌋ = ⌊8.1⌋ = 8 (hop 2).
        let result = try UTXOTaintEngine(source: utxoFixture()).run(seeds: seeds, options: .init(policy: .haircut))
        #expect(summary(result, 0) == ["0", "30", "0"])
        #expect(summary(result, 2) == ["18", "18", "1"])
        #expect(summary(result, 3) == ["10", "0", "1"])
        #expect(summary(result, 5) == ["9", "0", "2"])
        #expect(summary(result, 6) == ["8", "0", "2"])
        #expect(result.outputs.map { "\($0.tx):\($0.index):\($0.taint)" } == ["0:0:18", "0:1:10", "1:0:9", "1:1:8"])
    }

    @Test func utxoPoison() throws {
        // Any tainted input taints every output fully: A 60, B 35 (hop 1); C 50, D 45 (hop 2).
        let result = try UTXOTaintEngine(source: utxoFixture()).run(seeds: seeds, options: .init(policy: .poison))
        #expect(summary(result, 2) == ["60", "60", "1"])
        #expect(summary(result, 3) == ["35", "0", "1"])
        #expect(summary(result, 5) == ["50", "0", "2"])
        #expect(summary(result, 6) == ["45", "0", "2"])
    }

    @Test func utxoFIFO() throws {
        // tx0 inputs end to end: [taint 30][clean 70]. A takes 0..<60: [taint 30][clean 30] = 30; B takes 60..<95:
        // clean; the fee takes the tail. tx1: [taint 30][clean 30][clean 40]: C takes 0..<50 = 30 (hop 2), D clean.
        let result = try UTXOTaintEngine(source: utxoFixture()).run(seeds: seeds, options: .init(policy: .fifo))
        #expect(summary(result, 2) == ["30", "30", "1"])
        #expect(summary(result, 3) == nil)
        #expect(summary(result, 5) == ["30", "0", "2"])
        #expect(summary(result, 6) == nil)
    }

    @Test func utxoBackwardAndMinTaint() throws {
        // Backward from C under haircut: tx1 reversed: outputs [C 50 tainted, D 45] are the inputs (Σv = 95, Σt = 50),
        // the real inputs [A 60, Y 40] the outputs; the denominator is max(95, 100) = 100:
        // A's input gets ⌊60 × 50 / 100⌋ = 30, Y's ⌊40 × 50 / 100⌋ = 20 (hop 1).
        // tx0 reversed: [A 60 (taint 30), B 35] in (Σ 95), [S 30, X 70] out (Σ 100): S ⌊30 × 30 / 100⌋ = 9,
        // X ⌊70 × 30 / 100⌋ = 21 (hop 2).
        let result = try UTXOTaintEngine(source: utxoFixture()).run(
            seeds: [TaintSeed(address: AddressID(5))],
            options: .init(policy: .haircut, direction: .backward)
        )
        #expect(summary(result, 2) == ["30", "30", "1"])
        #expect(summary(result, 4) == ["20", "0", "1"])
        #expect(summary(result, 0) == ["9", "0", "2"])
        #expect(summary(result, 1) == ["21", "0", "2"])
        // minTaint 10 forward: B's 10 stays (not below 10), C's 9 and D's 8 are dropped.
        let filtered = try UTXOTaintEngine(source: utxoFixture()).run(
            seeds: seeds,
            options: .init(policy: .haircut, minTaint: Amount(10))
        )
        #expect(summary(filtered, 3) == ["10", "0", "1"])
        #expect(summary(filtered, 5) == nil)
        #expect(summary(filtered, 6) == nil)
    }
}
