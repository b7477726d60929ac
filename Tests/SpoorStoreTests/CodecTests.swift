import Testing
@testable import SpoorStore
import SpoorTestSupport

/// Codecs against plain arrays: whatever goes in comes out, including extremes; corrupt bytes throw, never trap.
struct CodecTests {
    static let extremes: [UInt64] = [0, 1, 127, 128, 255, 16383, 16384, UInt64(UInt32.max), UInt64.max - 1, UInt64.max]

    @Test func varintRoundTripsExtremesAndRandom() throws {
        var rng = SeededGenerator(seed: 7)
        let values = Self.extremes + (0..<5000).map { _ in rng.next() >> UInt64.random(in: 0...63, using: &rng) }
        var writer = ByteWriter()
        for value in values { writer.writeVarint(value) }
        for value in values { writer.writeSignedVarint(Int64(bitPattern: value)) }
        try writer.bytes.withUnsafeBytes { (buffer) throws -> Void in
            var reader = ByteReader(buffer)
            for value in values {
                let decoded = try reader.readVarint()
                #expect(decoded == value)
            }
            for value in values {
                let decoded = try reader.readSignedVarint()
                #expect(decoded == Int64(bitPattern: value))
            }
            #expect(reader.isAtEnd)
        }
        #expect(writer.bytes.count < values.count * 2 * 10)
    }

    @Test func truncatedVarintThrows() {
        let bytes: [UInt8] = [0x80, 0x80]
        bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            #expect(throws: DecodeError.self) { try reader.readVarint() }
        }
        let tooLong = [UInt8](repeating: 0xFF, count: 11)
        tooLong.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            #expect(throws: DecodeError.self) { try reader.readVarint() }
        }
    }

    @Test func smallAmountsStaySmall() {
        var writer = ByteWriter()
        writer.writeAmount(.zero)
        #expect(writer.bytes == [0])
        writer = ByteWriter()
        writer.writeAmount(Amount(1000))
        #expect(writer.bytes == [2, 0xE8, 0x03])
        writer = ByteWriter()
        writer.writeAmount(.max)
        #expect(writer.bytes.count == 33)
    }

    static func randomIncidences(count: Int, rng: inout SeededGenerator) -> [Incidence] {
        var block: UInt64 = UInt64.random(in: 0...20_000_000, using: &rng)
        var time: Int64 = 1_600_000_000
        var transfer: UInt64 = 0
        var tx: UInt64 = 0
        return (0..<count).map { _ in
            if Bool.random(using: &rng) { block += UInt64.random(in: 0...5, using: &rng); time += Int64.random(in: 0...60, using: &rng) }
            transfer += UInt64.random(in: 1...1000, using: &rng)
            if Int.random(in: 0..<4, using: &rng) > 0 { tx += UInt64.random(in: 1...100, using: &rng) }
            let width = [1, 8, 16, 32][Int.random(in: 0..<4, using: &rng)]
            let value = Amount(words: (0..<4).map { index in index * 8 < width ? rng.next() : 0 })!
            return Incidence(
                direction: Bool.random(using: &rng) ? .outgoing : .incoming,
                neighbor: AddressID(rng.next() >> UInt64.random(in: 0...63, using: &rng)),
                transfer: TransferID(transfer),
                properties: TransferProperties(
                    value: Int.random(in: 0..<10, using: &rng) == 0 ? .max : value, block: block, time: time,
                    tx: TxID(tx), asset: Bool.random(using: &rng) ? .native : AssetID(UInt32.random(in: 1...UInt32.max, using: &rng)),
                    logIndex: UInt32.random(in: 0...UInt32.max, using: &rng)))
        }
    }

    @Test(arguments: [0, 1, 2, 17, 127, 128], [false, true])
    func chunkRoundTrip(count: Int, sealed: Bool) throws {
        var rng = SeededGenerator(seed: UInt64(count * 2 + (sealed ? 1 : 0)))
        let chunk = AdjacencyChunk(incidences: Self.randomIncidences(count: count, rng: &rng), isSealed: sealed)
        let bytes = try chunk.encoded()
        let decoded = try bytes.withUnsafeBytes { try AdjacencyChunk.decode($0) }
        #expect(decoded == chunk, "seed \(rng.seed)")
    }

    @Test func sealedChunkOfRepetitiveDataIsCompressed() throws {
        let properties = TransferProperties(value: Amount(1_000_000), block: 100, time: 1_700_000_000, tx: TxID(5), asset: .native, logIndex: 3)
        let incidences = (0..<128).map { index in
            Incidence(direction: .incoming, neighbor: AddressID(42), transfer: TransferID(UInt64(index)), properties: properties)
        }
        let open = try AdjacencyChunk(incidences: incidences, isSealed: false).encoded()
        let sealed = try AdjacencyChunk(incidences: incidences, isSealed: true).encoded()
        #expect(sealed.first == AdjacencyChunk.Kind.sealedCompressed.rawValue)
        #expect(sealed.count < open.count / 4)
    }

    /// The smallest incidences (same block and transaction, zero value, small ids) still decode in a full chunk.
    @Test func fullChunkOfMinimalIncidencesRoundTrips() throws {
        let properties = TransferProperties(value: .zero, block: 0, time: 0, tx: TxID(0), asset: .native, logIndex: 0)
        let incidences = (0..<AdjacencyChunk.capacity).map { index in
            Incidence(direction: .outgoing, neighbor: AddressID(1), transfer: TransferID(UInt64(index)), properties: properties)
        }
        for sealed in [false, true] {
            let chunk = AdjacencyChunk(incidences: incidences, isSealed: sealed)
            let bytes = try chunk.encoded()
            #expect(try bytes.withUnsafeBytes { try AdjacencyChunk.decode($0) } == chunk)
        }
    }

    @Test func corruptChunksThrowNeverTrap() throws {
        var rng = SeededGenerator(seed: 99)
        let good = try AdjacencyChunk(incidences: Self.randomIncidences(count: 40, rng: &rng), isSealed: true).encoded()
        for cut in [0, 1, 2, good.count / 2, good.count - 1] {
            let truncated = Array(good.prefix(cut))
            #expect(throws: DecodeError.self) { try truncated.withUnsafeBytes { try AdjacencyChunk.decode($0) } }
        }
        for _ in 0..<300 {
            var flipped = good
            flipped[Int.random(in: 0..<flipped.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            _ = try? flipped.withUnsafeBytes { try AdjacencyChunk.decode($0) }  // must not trap
        }
    }
}
