import SpoorAnalytics
import SpoorStore
import Testing

/// A flow source that counts whose streams are read (and refuses a whole-chain pass).
final class CountingFlow: AccountFlowSource {
    let inner: InMemoryAccountFlow
    var reads: [AddressID] = []

    init(_ inner: InMemoryAccountFlow) { self.inner = inner }

    func transfers(of address: AddressID) -> [AccountTransfer] {
        reads.append(address)
        return inner.transfers(of: address)
    }

    func forEachTransfer(_ body: (AccountTransfer) throws -> Void) throws {
        Issue.record("a single-address question must not read the whole chain")
        try inner.forEachTransfer(body)
    }
}

@Suite("Taint follows the seeds, not the whole chain")
struct LazyReadTests {
    @Test func readsOnlyTheStreamsTheTaintReaches() throws {
        // A chain 0 → 1 → 2 → 3 → 4 (seed 0), plus 100 unrelated transfers between addresses 10 … 60.
        var transfers: [AccountTransfer] = []
        func add(_ from: UInt64, _ to: UInt64, _ value: UInt64) {
            let id = UInt64(transfers.count)
            transfers.append(
                AccountTransfer(
                    id: TransferID(id),
                    from: AddressID(from),
                    to: AddressID(to),
                    value: Amount(value),
                    block: id,
                    logIndex: 0,
                    time: Int64(id),
                    tx: TxID(id)
                )
            )
        }
        for index in 0..<4 { add(UInt64(index), UInt64(index + 1), 10) }
        for index in 0..<100 { add(10 + UInt64(index % 50), 11 + UInt64((index * 7) % 50), 5) }
        let flow = CountingFlow(InMemoryAccountFlow(transfers: transfers))
        let result = try AccountTaintEngine(source: flow).run(
            seeds: [TaintSeed(address: AddressID(0))],
            options: TaintOptions(policy: .haircut)
        )
        // Hand-worked: each address passes on all 10 it got (B = T = 10), so 1 … 4 each receive 10.
        #expect(result.addresses.map { "\($0.address):\($0.received)" } == ["0:0", "1:10", "2:10", "3:10", "4:10"])
        // Streams read: the seed, then 1, 2, 3 and 4 as taint reaches them; never the unrelated addresses.
        #expect(flow.reads == [0, 1, 2, 3, 4].map { AddressID($0) })
        // maxHops 2: 2 receives at hop 2 and cannot pass anything on, so its stream is not even read.
        let limited = CountingFlow(InMemoryAccountFlow(transfers: transfers))
        _ = try AccountTaintEngine(source: limited).run(
            seeds: [TaintSeed(address: AddressID(0))],
            options: TaintOptions(policy: .haircut, maxHops: 2)
        )
        #expect(limited.reads == [0, 1].map { AddressID($0) })
    }
}
