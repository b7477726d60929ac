import Foundation
import Testing
@testable import SpoorStore
import SpoorTestSupport

/// The store against a plain in-memory model of the same transfers.
struct StoreTests {
    static func hash(_ n: Int) -> [UInt8] { (0..<32).map { UInt8(truncatingIfNeeded: n >> (($0 % 4) * 8)) ^ UInt8($0) } }

    static func transfer(_ n: Int, from: String, to: String, value: UInt64, block: UInt64, log: UInt32,
                         asset: String? = nil, tx: Int? = nil) -> TransferInput {
        TransferInput(txHash: hash(tx ?? n), block: block, time: Int64(1_700_000_000 + block * 12), from: from, to: to,
                      value: Amount(value), asset: asset, logIndex: log)
    }

    @Test func roundTripMatchesPlainModel() throws {
        let directory = TemporaryDirectory("store")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeWriter()
        var rng = SeededGenerator(seed: 11)
        let names = (0..<50).map { "0x" + String(format: "%040x", $0) }
        var model: [String: [(String, String, UInt64)]] = [:]  // address -> (direction, neighbour, value)
        var transfers: [TransferInput] = []
        for n in 0..<3000 {
            let from = names[Int.random(in: 0..<50, using: &rng)]
            let to = names[Int.random(in: 0..<50, using: &rng)]
            let value = rng.next() >> 20
            transfers.append(Self.transfer(n, from: from, to: to, value: value, block: UInt64(n / 10), log: UInt32(n % 10)))
            model[from, default: []].append(("out", to, value))
            model[to, default: []].append(("in", from, value))
        }
        // Three batches, as three ingest transactions.
        for batch in [transfers[0..<1000], transfers[1000..<2500], transfers[2500...]] {
            let result = try writer.append(Array(batch))
            #expect(result.added == batch.count)
        }
        try store.read { (reader) throws in
            #expect(try reader.counts() == StoreCounts(addresses: 50, transactions: 3000, transfers: 3000, assets: 0))
            for name in names {
                let id = try #require(try reader.addressID(name))
                let stream = try reader.incidences(of: id)
                var got: [(String, String, UInt64)] = []
                for incidence in stream {
                    let neighbour = try #require(try reader.address(incidence.neighbor)).address
                    got.append((incidence.direction == .outgoing ? "out" : "in", neighbour, incidence.properties.value.uint64Value!))
                }
                let expected = model[name] ?? []
                #expect(got.count == expected.count)
                #expect(zip(got, expected).allSatisfy { $0 == $1 }, "stream of \(name)")
                let record = try #require(try reader.address(id))
                #expect(record.outCount == UInt64(expected.filter { $0.0 == "out" }.count))
                let sent = expected.filter { $0.0 == "out" }.reduce(Amount.zero) { $0.adding(Amount($1.2))! }
                #expect(record.sent == sent)
            }
        }
        // The same transfers again: all duplicates, nothing changes.
        let again = try writer.append(transfers)
        #expect(again.added == 0 && again.duplicates == 3000)
        #expect(try store.read { try $0.counts().transfers } == 3000)
    }

    @Test func tokensAndHugeValuesKeepTheirAssetAndDigits() throws {
        let directory = TemporaryDirectory("store")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let token = "0x" + String(repeating: "ab", count: 20)
        var huge = Self.transfer(1, from: "0xa", to: "0xb", value: 0, block: 5, log: 7, asset: token)
        huge.value = .max
        try store.makeWriter().append([huge, Self.transfer(2, from: "0xb", to: "0xa", value: 3, block: 6, log: 0)])
        try store.read { (reader) throws in
            let a = try #require(try reader.addressID("0xa"))
            let stream = try reader.incidences(of: a)
            #expect(stream.count == 2)
            #expect(stream[0].properties.value == .max)
            #expect(try reader.assetAddress(stream[0].properties.asset) == token)
            #expect(stream[1].properties.asset == .native)
            let record = try #require(try reader.address(a))
            #expect(record.received == Amount(3))
            #expect(record.sent == .zero)  // token amounts are not mixed into the native totals
        }
    }

    @Test func nativeTotalsPastTwoTo256BecomeUnknownNotWrappedAndIngestGoesOn() throws {
        let directory = TemporaryDirectory("store")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        var first = Self.transfer(1, from: "0xa", to: "0xb", value: 0, block: 1, log: 0)
        first.value = .max
        var second = Self.transfer(2, from: "0xa", to: "0xb", value: 0, block: 2, log: 0)
        second.value = Amount(2)
        try store.makeWriter().append([first, second])
        try store.read { (reader) throws in
            let bID = try #require(try reader.addressID("0xb"))
            let b = try #require(try reader.address(bID))
            #expect(b.received == nil && b.balance == nil && b.inCount == 2)
            #expect(try reader.incidences(of: b.id).map(\.properties.value) == [.max, Amount(2)])
            #expect(try reader.verify().isSound)
        }
    }

    /// An airdrop: one transaction with 20,000 transfers, given twice; duplicate detection stays linear.
    @Test func oneTransactionWithManyTransfers() throws {
        let directory = TemporaryDirectory("store")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let transfers = (0..<20_000).map {
            Self.transfer(0, from: "0xdrop", to: "0x\($0 % 5000)", value: 1, block: 7, log: UInt32($0), tx: 1)
        }
        let writer = try store.makeWriter()
        #expect(try writer.append(transfers).added == 20_000)
        #expect(try writer.append(transfers).duplicates == 20_000)
        try store.read { (reader) throws in
            let tx = try #require(try reader.transaction(TxID(0)))
            #expect(tx.transfers.count == 20_000 && tx.value == Amount(20_000))
            #expect(try reader.counts() == StoreCounts(addresses: 5001, transactions: 1, transfers: 20_000, assets: 0))
        }
    }

    @Test func reimportingATagWithoutSourceKeepsTheStoredSource() throws {
        let directory = TemporaryDirectory("store")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeWriter()
        #expect(try writer.addTags([TagRecord(address: "0xbad", tag: "ofac", source: "OFAC SDN", confidence: 0.9)]) == 1)
        #expect(try writer.addTags([TagRecord(address: "0xbad", tag: "ofac")]) == 0)
        let tags = try store.read { try $0.tags(ofAddress: "0xbad") }
        #expect(tags == [TagRecord(address: "0xbad", tag: "ofac", source: "OFAC SDN", confidence: 0.9)])
    }

    @Test func mapGrowsByItselfAndNothingIsLost() throws {
        let directory = TemporaryDirectory("store")
        let store = try Store.open(at: directory.path, mode: .readWrite, options: StoreOptions(initialMapSize: 64 * 1024))
        let before = store.mapSize
        let transfers = (0..<5000).map { Self.transfer($0, from: "0x\($0 % 700)", to: "0x\($0 % 333)", value: UInt64($0), block: UInt64($0), log: 0) }
        try store.makeWriter().append(transfers)
        #expect(store.mapSize > before)
        #expect(try store.read { try $0.counts().transfers } == 5000)
    }

    @Test func versionMismatchNamesBothVersions() throws {
        let directory = TemporaryDirectory("store")
        do {
            let store = try Store.open(at: directory.path, mode: .readWrite)
            try store.write { transaction in
                try transaction.put(store.tables.meta, key: Array("format_version".utf8), value: Array("7".utf8))
            }
        }
        let error = #expect(throws: StoreError.self) { try Store.open(at: directory.path, mode: .readOnly) }
        #expect(error?.description.contains("format version 7") == true)
        #expect(error?.description.contains("format version \(Store.formatVersion)") == true)
    }

    @Test func readOnlyNeverWritesTheDataFile() throws {
        let directory = TemporaryDirectory("store")
        do {
            let store = try Store.open(at: directory.path, mode: .readWrite)
            try store.makeWriter().append([Self.transfer(1, from: "0xa", to: "0xb", value: 1, block: 1, log: 0)])
        }
        let dataFile = directory.appending("data.mdb")
        let before = try Data(contentsOf: URL(fileURLWithPath: dataFile))
        let modified = try FileManager.default.attributesOfItem(atPath: dataFile)[.modificationDate] as? Date
        let store = try Store.open(at: directory.path, mode: .readOnly)
        #expect(try store.read { try $0.counts().transfers } == 1)
        #expect(throws: StoreError.self) { try store.makeWriter() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dataFile)) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: dataFile)[.modificationDate] as? Date == modified)
    }

    @Test func readOnlyOpenOfMissingStoreIsAClearError() {
        let directory = TemporaryDirectory("store")
        let error = #expect(throws: StoreError.self) { try Store.open(at: directory.appending("nope"), mode: .readOnly) }
        #expect(error?.description.contains("is not a Spoor store") == true)
    }

    @Test func tagsBeforeTheAddressAppears() throws {
        let directory = TemporaryDirectory("store")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeWriter()
        try writer.addTags([TagRecord(address: "0xbad", tag: "ofac", source: "OFAC SDN", confidence: 1),
                            TagRecord(address: "0xbad", tag: "mixer"), TagRecord(address: "0xok", tag: "exchange")])
        try writer.append([Self.transfer(1, from: "0xbad", to: "0xok", value: 9, block: 1, log: 0)])
        try store.read { (reader) throws in
            #expect(try reader.tags(ofAddress: "0xbad").map(\.tag) == ["mixer", "ofac"])
            #expect(try reader.tags(ofAddress: "0xbad").first { $0.tag == "ofac" }?.source == "OFAC SDN")
            #expect(try reader.addresses(taggedWith: "ofac") == ["0xbad"])
            #expect(try reader.tagCounts().map(\.tag) == ["exchange", "mixer", "ofac"])
        }
    }

    @Test func concurrentReadersSeeConsistentSnapshots() async throws {
        let directory = TemporaryDirectory("store")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeWriter()
        try writer.append((0..<100).map { Self.transfer($0, from: "0xa", to: "0xb", value: 1, block: UInt64($0), log: 0) })
        let snapshot = try store.makeReader()
        try writer.append((100..<200).map { Self.transfer($0, from: "0xa", to: "0xb", value: 1, block: UInt64($0), log: 0) })
        #expect(try snapshot.counts().transfers == 100)  // the old snapshot does not move
        snapshot.close()
        let totals = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for _ in 0..<8 { group.addTask { try await store.read { try $0.counts().transfers } } }
            return try await group.reduce(into: [UInt64]()) { $0.append($1) }
        }
        #expect(totals == Array(repeating: 200, count: 8))
    }
}
