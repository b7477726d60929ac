import SpoorAnalytics
import SpoorStore
import SpoorTestSupport
import Testing

@Suite("Batch scan replay against per-address exposure")
struct ExposureReplayTests {
    /// One pass over the whole chain must give every address the exposure `ExposureAnalyzer` gives it alone (which
    /// follows only what the listed addresses reach), on random graphs, for each policy, with checkpoints that
    /// interrupt and resume the replay midway.
    @Test(arguments: TaintPolicy.allCases)
    func replayMatchesAnalyzer(policy: TaintPolicy) throws {
        for round in 0..<400 {
            let seed = UInt64(round) &* 6_700_417 &+ UInt64(TaintPolicy.allCases.firstIndex(of: policy)!)
            var generator = SeededGenerator(seed: seed)
            let addressCount = Int.random(in: 2...7, using: &generator)
            var transfers: [AccountTransfer] = []
            var block: UInt64 = 0
            for index in 0..<Int.random(in: 1...30, using: &generator) {
                if Bool.random(using: &generator) { block += 1 }
                transfers.append(
                    AccountTransfer(
                        id: TransferID(UInt64(index)),
                        from: AddressID(UInt64.random(in: 0..<UInt64(addressCount), using: &generator)),
                        to: AddressID(UInt64.random(in: 0..<UInt64(addressCount), using: &generator)),
                        value: Amount(randomValue(&generator)),
                        asset: UInt64.random(in: 0..<5, using: &generator) == 0 ? AssetID(1) : .native,
                        block: block,
                        logIndex: UInt32(index),
                        time: Int64(block * 10),
                        tx: TxID(UInt64(index))
                    )
                )
            }
            var listed = Set<AddressID>()
            for _ in 0..<Int.random(in: 1...2, using: &generator) {
                listed.insert(AddressID(UInt64.random(in: 0..<UInt64(addressCount), using: &generator)))
            }
            let stopAt: Set<AddressID> =
                Bool.random(using: &generator)
                ? [AddressID(UInt64.random(in: 0..<UInt64(addressCount), using: &generator))] : []
            let maxHops = Int.random(in: 0...4, using: &generator)
            let flow = InMemoryAccountFlow(transfers: transfers)
            let replay = ExposureReplay(
                transfers: flow.transfers.filter { $0.asset == .native },
                listed: listed,
                stopAt: stopAt,
                policy: policy,
                maxHops: maxHops,
                minTaint: .zero
            )
            // Interrupt at every checkpoint (each 3 transfers) and resume from the saved state.
            var state = ExposureReplay.State()
            var saved = state
            while try !replay.run(
                &state,
                checkpointEvery: 3,
                checkpoint: { current in
                    saved = current
                    return false
                }
            ) {
                state = saved
            }
            let analyzer = ExposureAnalyzer(source: flow)
            for address in (0..<addressCount).map({ AddressID(UInt64($0)) }) {
                let report = try analyzer.exposure(
                    of: [address],
                    listed: listed,
                    options: ExposureOptions(policy: policy, maxHops: maxHops, stopAt: stopAt, evidencePaths: 0)
                )
                let figures = ExposureReplay.figures(state, address)
                let expected =
                    "\(report.directIn) \(report.directOut) \(report.indirectIn) \(report.indirectOut) "
                    + "\(report.totalIn) \(report.totalOut) \(report.hopIn.map(String.init) ?? "-") \(report.hopOut.map(String.init) ?? "-")"
                let actual =
                    "\(figures.directIn) \(figures.directOut) \(figures.indirectIn) \(figures.indirectOut) "
                    + "\(figures.totalIn) \(figures.totalOut) \(figures.hopIn.map(String.init) ?? "-") \(figures.hopOut.map(String.init) ?? "-")"
                #expect(
                    actual == expected,
                    "seed \(seed), address \(address), maxHops \(maxHops), stop \(stopAt), listed \(listed)"
                )
                if actual != expected { return }
            }
        }
    }
}
