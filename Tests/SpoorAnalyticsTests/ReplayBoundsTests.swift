import SpoorAnalytics
import SpoorStore
import SpoorTestSupport
import Testing

/// Exposure with the replay bounded to the addresses that can pass taint on to the targets must give exactly what
/// following taint everywhere gives (the unbounded run is the plain reference): figures, hops and evidence paths,
/// for each policy, on random graphs with hubs (many transfers through a few addresses), chains of hop-1 addresses
/// (where taint from far away still arrives at a low hop), two assets, stop-at addresses, windows and clusters.
@Suite("Exposure: bounded replay equals the full replay")
struct ReplayBoundsTests {
    @Test(arguments: TaintPolicy.allCases)
    func boundedEqualsFull(policy: TaintPolicy) throws {
        var compared = 0
        var exposedCompared = 0
        for round in 0..<300 {
            let seed = UInt64(round) &* 1_000_003 &+ UInt64(TaintPolicy.allCases.firstIndex(of: policy) ?? 0)
            var generator = SeededGenerator(seed: seed)
            let addressCount = Int.random(in: 3...40, using: &generator)
            let hubs = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
                UInt64.random(in: 0..<UInt64(addressCount), using: &generator)
            }
            func pick() -> AddressID {
                if !hubs.isEmpty && Int.random(in: 0..<3, using: &generator) == 0 {
                    return AddressID(hubs.randomElement(using: &generator) ?? 0)
                }
                return AddressID(UInt64.random(in: 0..<UInt64(addressCount), using: &generator))
            }
            var transfers: [AccountTransfer] = []
            var block: UInt64 = 0
            for index in 0..<Int.random(in: 1...160, using: &generator) {
                if Bool.random(using: &generator) { block += 1 }
                transfers.append(
                    AccountTransfer(
                        id: TransferID(UInt64(index)),
                        from: pick(),
                        to: pick(),
                        value: Amount(randomValue(&generator)),
                        asset: UInt64.random(in: 0..<6, using: &generator) == 0 ? AssetID(1) : .native,
                        block: block,
                        logIndex: UInt32(index),
                        time: Int64(block * 10),
                        tx: TxID(UInt64(index))
                    )
                )
            }
            var listed = Set<AddressID>()
            for _ in 0..<Int.random(in: 1...3, using: &generator) { listed.insert(pick()) }
            var options = ExposureOptions(
                policy: policy,
                maxHops: Int.random(in: 0...4, using: &generator),
                evidencePaths: Int.random(in: 0...3, using: &generator)
            )
            if Bool.random(using: &generator) { options.stopAt = [pick()] }
            if Int.random(in: 0..<4, using: &generator) == 0 {
                options.window = TimeWindow(from: Int64(block * 2), to: Int64(block * 8))
            }
            if Int.random(in: 0..<5, using: &generator) == 0 { options.asset = AssetID(1) }
            let analyzer = ExposureAnalyzer(source: InMemoryAccountFlow(transfers: transfers))
            var full = options
            full.boundsReplay = false
            for _ in 0..<6 {
                var targets: Set<AddressID> = [pick()]
                if Int.random(in: 0..<4, using: &generator) == 0 { targets.insert(pick()) }
                let bounded = try analyzer.exposure(of: targets, listed: listed, options: options)
                let reference = try analyzer.exposure(of: targets, listed: listed, options: full)
                let expected = Self.describe(reference)
                let actual = Self.describe(bounded)
                #expect(actual == expected, "seed \(seed), targets \(targets.sorted()), listed \(listed.sorted())")
                if actual != expected { return }
                compared += 1
                if reference.hopIn != nil || reference.hopOut != nil { exposedCompared += 1 }
            }
        }
        #expect(compared == 1_800)
        // Enough of the answers are exposed (within the hop limit) for the comparison to mean something.
        #expect(exposedCompared > 300, "only \(exposedCompared) exposed answers")
    }

    static func describe(_ report: ExposureReport) -> String {
        func path(_ path: ExposureEvidencePath) -> String {
            path.steps.map { "\($0.transfer.id):\($0.taint):\($0.hop)" }.joined(separator: ">")
        }
        return [
            report.directIn.description, report.directOut.description, report.indirectIn.description,
            report.indirectOut.description, report.totalIn.description, report.totalOut.description,
            report.hopIn.map(String.init) ?? "-", report.hopOut.map(String.init) ?? "-",
            report.evidenceIn.map(path).joined(separator: "|"), report.evidenceOut.map(path).joined(separator: "|"),
        ].joined(separator: " ")
    }
}
