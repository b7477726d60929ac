import Foundation
import Testing
@testable import SpoorStore
import SpoorTestSupport

/// The neighbours-only chunk walk against the full decode: the reference is `decode(...).incidences` filtered by
/// direction and mapped to `neighbor` (the plain, independent path every other store reader uses).
@Suite struct NeighborDecodeTests {
    /// The neighbours the full decode gives, filtered the way `appendNeighbors` documents.
    static func expected(_ incidences: [Incidence], direction: IncidenceDirection?, owner: AddressID?) -> [AddressID] {
        incidences.filter { incidence in
            if let direction, incidence.direction != direction { return false }
            if let owner, direction == nil, incidence.direction == .incoming, incidence.neighbor == owner { return false }
            return true
        }.map(\.neighbor)
    }

    static func neighbors(_ bytes: [UInt8], direction: IncidenceDirection?, owner: AddressID? = nil) throws -> [AddressID] {
        var result: [AddressID] = []
        try bytes.withUnsafeBytes { buffer in
            let walked = try AdjacencyChunk.appendNeighbors(buffer, direction: direction, skippingIncomingFrom: owner, to: &result)
            #expect(walked == (try AdjacencyChunk.decode(buffer)).incidences.count)
        }
        return result
    }

    /// Random chunks of every kind: open, sealed plain (random values do not compress) and sealed zstd (a
    /// repetitive stream), 0 to 127 incidences.
    @Test(arguments: [0, 1, 2, 17, 64, 127])
    func randomChunksMatchFullDecode(count: Int) throws {
        var rng = SeededGenerator(seed: UInt64(1000 + count))
        var kinds = Set<UInt8>()
        for round in 0..<6 {
            var incidences = CodecTests.randomIncidences(count: count, rng: &rng)
            if round >= 3 {
                // Compressible: few distinct neighbours and values, so sealing picks zstd.
                for index in incidences.indices {
                    incidences[index].neighbor = AddressID(UInt64(index % 3))
                    incidences[index].properties.value = Amount(UInt64(index % 2))
                    incidences[index].properties.asset = .native
                    incidences[index].properties.logIndex = 0
                }
            }
            // Some self-transfers of the owner (both halves, as the writer stores them).
            let owner = AddressID(UInt64(round))
            if count >= 2 {
                incidences[0].neighbor = owner
                incidences[1].neighbor = owner
                incidences[1].direction = .incoming
            }
            for sealed in [false, true] {
                let bytes = try AdjacencyChunk(incidences: incidences, isSealed: sealed).encoded()
                kinds.insert(bytes[0])
                let full = try bytes.withUnsafeBytes { try AdjacencyChunk.decode($0) }.incidences
                for direction in [nil, IncidenceDirection.outgoing, .incoming] {
                    #expect(try Self.neighbors(bytes, direction: direction) == Self.expected(full, direction: direction, owner: nil))
                    #expect(
                        try Self.neighbors(bytes, direction: direction, owner: owner)
                            == Self.expected(full, direction: direction, owner: owner))
                }
            }
        }
        // The encodings exercised: open (0) always; sealed plain (1) for tiny chunks (zstd's frame is larger than
        // them); sealed zstd (2) for the repetitive ones.
        #expect(kinds.contains(0))
        if count >= 1 && count <= 2 { #expect(kinds.contains(1), "kinds \(kinds)") }
        if count >= 17 { #expect(kinds.contains(2), "kinds \(kinds)") }
    }

    /// The shared decoded-chunk cache answers only for the very bytes it decoded: two different zstd chunks under one
    /// key, read alternately, each give their own neighbours (the full decode's), on a miss and on a hit.
    @Test func chunkCacheAnswersOnlyForIdenticalBytes() throws {
        func compressible(_ shift: UInt64) -> [Incidence] {
            var rng = SeededGenerator(seed: 3)
            var incidences = CodecTests.randomIncidences(count: AdjacencyChunk.capacity, rng: &rng)
            for index in incidences.indices {
                incidences[index].neighbor = AddressID(UInt64(index % 4) + shift)
                incidences[index].properties.value = Amount(UInt64(index % 2))
                incidences[index].properties.asset = .native
                incidences[index].properties.logIndex = 0
            }
            return incidences
        }
        let key = NeighborChunkCache.Key(address: UInt64.max - 1, sequence: 7)
        let chunks = try [compressible(10), compressible(20)].map { incidences in
            (bytes: try AdjacencyChunk(incidences: incidences, isSealed: true).encoded(), incidences: incidences)
        }
        for (bytes, _) in chunks { #expect(bytes[0] == AdjacencyChunk.Kind.sealedCompressed.rawValue) }
        for round in 0..<4 {
            let (bytes, incidences) = chunks[round % 2]
            for direction in [nil, IncidenceDirection.outgoing, .incoming] {
                var got: [AddressID] = []
                try bytes.withUnsafeBytes { buffer in
                    _ = try AdjacencyChunk.appendNeighbors(buffer, direction: direction, to: &got, cacheKey: key)
                }
                #expect(got == Self.expected(incidences, direction: direction, owner: nil), "round \(round)")
            }
        }
    }

    /// The shared per-snapshot list cache never serves an older snapshot's list: neighbours read, transfers added,
    /// then a new reader sees the new ones (each equal to `incidences(of:)` of its own snapshot), and a reader opened
    /// before the write keeps seeing its own.
    @Test func listCacheFollowsSnapshots() throws {
        let directory = TemporaryDirectory("neighbor-snapshots")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeWriter()
        let names = (0..<5).map { "0x" + String(repeating: String($0), count: 40) }
        func batch(_ range: Range<Int>) -> [TransferInput] {
            range.map { n in
                StoreTests.transfer(n, from: names[0], to: names[1 + n % 4], value: UInt64(n + 1), block: UInt64(n), log: 0)
            }
        }
        _ = try writer.append(batch(0..<150))
        let old = try store.makeReader()
        let hub = try #require(try old.addressID(names[0]))
        for round in 0..<3 {
            _ = try writer.append(batch(150 + round * 100..<250 + round * 100))
            let reader = try store.makeReader()
            for snapshot in [reader, old] {
                let expected = try snapshot.incidences(of: hub).map(\.neighbor)
                for _ in 0..<2 {  // a miss, then a hit
                    var got: [AddressID] = []
                    try snapshot.appendNeighbors(of: hub, direction: nil, to: &got)
                    #expect(got == expected, "round \(round)")
                }
            }
            #expect(try reader.incidences(of: hub).count == 250 + round * 100)  // by construction: all from the hub
            reader.close()
        }
        #expect(try old.incidences(of: hub).count == 150)
        old.close()
    }

    /// Truncated chunks throw (as the full decode does) and flipped bytes never trap.
    @Test func damagedChunksThrowOrDecode() throws {
        var rng = SeededGenerator(seed: 5)
        for sealed in [false, true] {
            let good = try AdjacencyChunk(incidences: CodecTests.randomIncidences(count: 40, rng: &rng), isSealed: sealed).encoded()
            for cut in stride(from: 0, to: good.count, by: 7) {
                let truncated = Array(good[..<cut])
                #expect(throws: DecodeError.self) { _ = try Self.neighbors(truncated, direction: nil) }
            }
            for index in stride(from: 0, to: good.count, by: 3) {
                var flipped = good
                flipped[index] ^= 0xA5
                _ = try? Self.neighbors(flipped, direction: .outgoing)  // must not trap
            }
        }
    }

    /// A store of the real token transfers of blocks 15320500–15320589 (12,888 transfers, many addresses past one
    /// chunk): for every address, `appendNeighbors` equals the neighbours of `incidences(of:)`.
    @Test func realStoreNeighborsMatchIncidences() throws {
        let path = TestPaths.sharedData + "/ethereum/token_transfers_15320500_15320589.csv"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        var transfers: [TransferInput] = []
        for line in lines {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == 7, let value = Amount(decimal: f[3]), let log = UInt32(f[5]), let block = UInt64(f[6]) else {
                Issue.record("bad line \(line)")
                continue
            }
            let hex = Array(f[4].utf8.dropFirst(2))
            let hash = stride(from: 0, to: 64, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16) ?? 0 }
            transfers.append(
                TransferInput(
                    txHash: hash, block: block, time: Int64(block) * 12, from: String(f[1]), to: String(f[2]),
                    value: value, asset: String(f[0]), logIndex: log))
        }
        #expect(transfers.count == 12_888)  // wc -l of the file minus its header
        let directory = TemporaryDirectory("neighbors")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeWriter()
        var added = 0
        for start in stride(from: 0, to: transfers.count, by: 4000) {
            added += try writer.append(Array(transfers[start..<min(start + 4000, transfers.count)])).added
        }
        #expect(added > 12_000)
        try store.read { (reader) throws in
            let counts = try reader.counts()
            var longest = 0
            var compared = 0
            for raw in 0..<counts.addresses {
                let id = AddressID(raw)
                let incidences = try reader.incidences(of: id)
                longest = max(longest, incidences.count)
                for direction in [nil, IncidenceDirection.outgoing, .incoming] {
                    var got: [AddressID] = []
                    try reader.appendNeighbors(of: id, direction: direction, to: &got)
                    #expect(got == Self.expected(incidences, direction: direction, owner: nil), "address \(raw)")
                    var once: [AddressID] = []
                    try reader.appendNeighbors(of: id, direction: direction, selfLoopsOnce: true, to: &once)
                    #expect(once == Self.expected(incidences, direction: direction, owner: direction == nil ? id : nil))
                    compared += got.count
                }
            }
            #expect(longest > 3 * AdjacencyChunk.capacity)  // sealed chunks were read too
            #expect(compared == 4 * added)  // each transfer at two ends: both for `nil`, then once out and once in
        }
    }
}
