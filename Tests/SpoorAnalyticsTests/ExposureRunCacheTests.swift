import SpoorStore
import SpoorTestSupport
import Testing

@testable import SpoorAnalytics

/// Exposure answered from whole-snapshot runs shared across questions (``ExposureRunCache``) must give exactly what
/// the plain reference (taint followed everywhere, each question on its own) gives, on the first question (bounded
/// runs), the second (which builds the shared runs) and later ones; and a write to the store must invalidate them.
@Suite("Exposure: shared whole-snapshot runs")
struct ExposureRunCacheTests {
    static func address(_ index: Int) -> String {
        "0x" + String(repeating: "0", count: 38) + (index < 16 ? "0" : "") + String(index, radix: 16)
    }

    /// Random transfers among `count` addresses with a few hubs (seeded).
    static func transfers(
        _ generator: inout SeededGenerator,
        count: Int,
        addresses: Int,
        firstBlock: UInt64
    )
        -> [TransferInput]
    {
        let hubs = [3, 7]
        func pick() -> String {
            Int.random(in: 0..<3, using: &generator) == 0
                ? address(hubs.randomElement(using: &generator) ?? 3)
                : address(Int.random(in: 0..<addresses, using: &generator))
        }
        var block = firstBlock
        return (0..<count).map { index in
            if Bool.random(using: &generator) { block += 1 }
            var hash = [UInt8](repeating: 0, count: 32)
            withUnsafeBytes(of: (block << 20 | UInt64(index)).bigEndian) { hash.replaceSubrange(24..<32, with: $0) }
            return TransferInput(
                txHash: hash,
                block: block,
                time: Int64(block) * 12,
                from: pick(),
                to: pick(),
                value: Amount(UInt64.random(in: 1...1_000_000, using: &generator)),
                asset: nil,
                logIndex: 0
            )
        }
    }

    @Test(arguments: TaintPolicy.allCases)
    func sharedRunsEqualReferenceAndAWriteInvalidatesThem(policy: TaintPolicy) throws {
        let directory = TemporaryDirectory("exposure-cache")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeWriter()
        var generator = SeededGenerator(seed: 7_000 + UInt64(TaintPolicy.allCases.firstIndex(of: policy) ?? 0))
        try writer.append(Self.transfers(&generator, count: 400, addresses: 30, firstBlock: 1))
        try writer.addTags([0, 11, 22].map { TagRecord(address: Self.address($0), tag: "watch", source: "test") })
        let cache = ExposureRunCache(limitBytes: 64 << 20, buildAfter: .zero)
        let options = ExposureOptions(policy: policy, maxHops: 3, evidencePaths: 3)
        var reference = options
        reference.boundsReplay = false

        /// Every target's answer (cached path) next to the reference, for the current snapshot.
        func answers(
            _ cache: ExposureRunCache
        ) throws -> (cached: [String], expected: [String], exposed: Int, transaction: Int) {
            try store.read { reader in
                var analyzer = ExposureAnalyzer(source: StoreAccountFlow(reader: reader))
                analyzer.runCache = cache
                let listed = Set(try reader.addresses(taggedWith: "watch").compactMap { try reader.addressID($0) })
                var cached: [String] = []
                var expected: [String] = []
                var exposed = 0
                for index in 0..<30 {
                    guard let id = try reader.addressID(Self.address(index)) else { continue }
                    var targets: Set<AddressID> = [id]
                    // Every fifth question is about a cluster of two.
                    if index % 5 == 4, let other = try reader.addressID(Self.address(index - 1)) {
                        targets.insert(other)
                    }
                    let plain = try analyzer.exposure(of: targets, listed: listed, options: reference)
                    expected.append(ReplayBoundsTests.describe(plain))
                    cached.append(
                        ReplayBoundsTests.describe(try analyzer.exposure(of: targets, listed: listed, options: options))
                    )
                    if plain.hopIn != nil || plain.hopOut != nil { exposed += 1 }
                }
                return (cached, expected, exposed, reader.snapshotIdentity?.transaction ?? -1)
            }
        }

        // First pass (runs built once any bounded answer was given): the first question is bounded, the second
        // builds the shared runs, the rest use them.
        let first = try answers(cache)
        #expect(first.cached == first.expected)
        #expect(first.cached.count == 30)
        #expect(first.exposed > 10, "only \(first.exposed) exposed answers")
        #expect(cache.held.runs == 1 && cache.held.transaction == first.transaction)
        // A second pass on the same snapshot (another read transaction) answers from the kept runs.
        let again = try answers(cache)
        #expect(again.cached == first.expected && again.transaction == first.transaction)

        // A write: listed address 0 pays address 5 and address 5 pays on; the kept runs are of the old snapshot.
        var more = Self.transfers(&generator, count: 60, addresses: 30, firstBlock: 500)
        var hash = [UInt8](repeating: 0xee, count: 32)
        more.append(
            TransferInput(
                txHash: hash,
                block: 600,
                time: 7_200,
                from: Self.address(0),
                to: Self.address(5),
                value: Amount(999),
                asset: nil,
                logIndex: 0
            )
        )
        hash[0] = 0xef
        more.append(
            TransferInput(
                txHash: hash,
                block: 601,
                time: 7_212,
                from: Self.address(5),
                to: Self.address(6),
                value: Amount(500),
                asset: nil,
                logIndex: 0
            )
        )
        try writer.append(more)
        let after = try answers(cache)
        #expect(after.transaction != first.transaction)
        #expect(after.cached == after.expected)
        #expect(after.expected != first.expected)
        #expect(cache.held.runs == 1 && cache.held.transaction == after.transaction)

        // Questions that stay cheap in all (below the cache's threshold) never build the runs.
        let patient = ExposureRunCache(limitBytes: 64 << 20, buildAfter: .seconds(3_600))
        let cheap = try answers(patient)
        #expect(cheap.cached == after.expected)
        #expect(patient.held.runs == 0)
    }
}
