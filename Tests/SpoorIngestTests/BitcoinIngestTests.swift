import Foundation
import Logging
import Testing
@testable import SpoorIngest
import SpoorStore
import SpoorTestSupport

/// Bitcoin blocks into the store. Expected values come from a separate Python reading of the same files (a plain
/// parser with hashlib, written for these tests): blocks 0–255 hold 263 transactions, 263 inputs, 268 outputs, 275
/// input/output edges with an address (7 spends + 268 outputs), 263 distinct addresses, 261 unspent outputs;
/// 12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S received 195 BTC and sent 177 BTC; 1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3 (Hal
/// Finney, block 170) received 10 BTC.
struct BitcoinIngestTests {
    static let blocks = IngestTestPaths.sharedData + "/bitcoin/blocks"
    static let blk = blocks + "/mainnet_blk_0_to_255.dat"
    static let logger = Logger(label: "test")

    static func records() throws -> [BlkRecord] {
        var scanner = try BlkFileScanner(path: blk, network: .mainnet)
        return try scanner.readAll()
    }

    /// A blk file of the given serialized blocks.
    static func writeBlk(_ blocks: [[UInt8]], to path: String) throws {
        var bytes: [UInt8] = []
        for block in blocks {
            bytes += BitcoinNetwork.mainnet.magic
            withUnsafeBytes(of: UInt32(block.count).littleEndian) { bytes += $0 }
            bytes += block
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func ingest(_ store: Store, _ files: [String], raw: Bool = false) throws -> BitcoinIngestSummary {
        let ingester = BitcoinIngester(store: store, logger: logger)
        return raw ? try ingester.ingest(rawFiles: files) : try ingester.ingest(blkFiles: files)
    }

    static func address(_ reader: GraphReader, _ text: String) throws -> AddressRecord {
        let id = try #require(try reader.addressID(text))
        return try #require(try reader.address(id))
    }

    @Test func firstBlocksOfMainnet() throws {
        let directory = TemporaryDirectory("btc")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let summary = try Self.ingest(store, [Self.blk])
        #expect(summary.blocksFound == 256 && summary.written.blocks == 256 && summary.tipHeight == 255)
        #expect(summary.written.transactions == 263 && summary.written.inputs == 263 && summary.written.outputs == 268)
        #expect(summary.written.unknownInputs == 0)
        try store.read { (reader) throws in
            #expect(try reader.counts() == StoreCounts(addresses: 263, transactions: 263, transfers: 275, assets: 0))
            let satoshi = try Self.address(reader, "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S")
            #expect(satoshi.received == Amount(19_500_000_000) && satoshi.sent == Amount(17_700_000_000))
            let hal = try Self.address(reader, "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3")
            #expect(hal.received == Amount(1_000_000_000))
            #expect(try Self.address(reader, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa").received == Amount(5_000_000_000))
            let hash = try #require(Self.hex("f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"))
            let id = try #require(try reader.transactionID(hash: hash))
            let record = try #require(try reader.transaction(id))
            #expect(record.block == 170 && record.utxo?.fee == .zero && record.value == Amount(5_000_000_000))
            #expect(record.utxo?.inputs.first?.value == Amount(5_000_000_000))
            #expect(try reader.storedBlock(height: 170)?.hashText == "00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee")
            #expect(try reader.verify().problems == [])
        }
        // Again: nothing new.
        let again = try Self.ingest(store, [Self.blk])
        #expect(again.written.blocks == 0 && again.written.skippedBlocks == 256)
    }

    @Test func appendedBlocksAreAddedAndStaleOnesIgnored() throws {
        let records = try Self.records()
        let directory = TemporaryDirectory("btc-append")
        let first = directory.appending("blk00000.dat")
        try Self.writeBlk(records.prefix(100).map(\.bytes), to: first)
        let store = try Store.open(at: directory.appending("store"), mode: .readWrite)
        #expect(try Self.ingest(store, [first]).tipHeight == 99)
        // The rest arrives in a second file, out of order, with a stale copy of block 120 (another nonce).
        var stale = try BitcoinBlock.parse(records[120].bytes, file: "test")
        stale.header.nonce &+= 1
        let second = directory.appending("blk00001.dat")
        try Self.writeBlk(records.dropFirst(100).reversed().map(\.bytes) + [stale.serialized()], to: second)
        let summary = try Self.ingest(store, [first, second])
        #expect(summary.written.blocks == 156 && summary.written.skippedBlocks == 100)
        #expect(summary.staleBlocks == 1 && summary.rolledBack == 0 && summary.tipHeight == 255)
        #expect(try store.read { try $0.counts() } == StoreCounts(addresses: 263, transactions: 263, transfers: 275, assets: 0))
    }

    /// The best chain forks at 250: a heavier branch (250′ … 256′, the coinbase of 250′ paying another key) replaces
    /// the stored 250 … 255. The store must equal one that only ever saw the new branch. 256′ repeats the coinbase of
    /// 255′, so the branch also holds a duplicate txid (as mainnet's BIP 30 blocks 91842/91880 do).
    @Test func reorganisationRollsBackToTheFork() throws {
        let records = try Self.records()
        var blocks = try records.map { try BitcoinBlock.parse($0.bytes, file: "test", offset: $0.offset) }
        let directory = TemporaryDirectory("btc-reorg")
        var branch: [BitcoinBlock] = []
        var previous = blocks[249].header.hash
        for height in 250...256 {
            var block = blocks[min(height, 255)]
            if height == 250 {
                let coinbase = block.transactions[0]
                var outputs = coinbase.outputs
                outputs[0].scriptPubKey[5] ^= 0xFF
                block.transactions[0] = BitcoinTransaction(
                    version: coinbase.version, inputs: coinbase.inputs, outputs: outputs, lockTime: coinbase.lockTime)
            } else {
                block.header.nonce &+= 7  // A new hash for the copy of 255.
            }
            block.header.merkleRoot = block.computedMerkleRoot()
            block.header.previousBlockHash = previous
            previous = block.header.hash
            branch.append(block)
        }
        let original = directory.appending("original")
        try FileManager.default.createDirectory(atPath: original, withIntermediateDirectories: true)
        try Self.writeBlk(records.map(\.bytes), to: original + "/blk00000.dat")
        try Self.writeBlk(branch.map { $0.serialized() }, to: original + "/blk00001.dat")
        let store = try Store.open(at: directory.appending("store"), mode: .readWrite)
        _ = try BitcoinIngester(store: store, logger: Self.logger).ingest(blkFiles: [original + "/blk00000.dat"])
        let summary = try Self.ingest(store, [original])
        #expect(summary.rolledBack == 6 && summary.written.blocks == 7 && summary.tipHeight == 256, "\(summary)")

        let fresh = directory.appending("fresh")
        try FileManager.default.createDirectory(atPath: fresh, withIntermediateDirectories: true)
        blocks = Array(blocks.prefix(250)) + branch
        try Self.writeBlk(blocks.map { $0.serialized() }, to: fresh + "/blk00000.dat")
        let reference = try Store.open(at: directory.appending("reference"), mode: .readWrite)
        _ = try Self.ingest(reference, [fresh])
        #expect(try Self.describe(store) == Self.describe(reference))
        try store.read { (reader) throws in let problems = try reader.verify().problems; #expect(problems == [], "\(problems.prefix(5))") }
    }

    @Test func badMerkleRootStopsAtThatBlockAndKeepsTheOnesBefore() throws {
        var records = try Self.records().map(\.bytes)
        // Flip a byte inside the coinbase's scriptSig of block 100 (after the header and the counts).
        records[100][80 + 1 + 4 + 1 + 36 + 1 + 2] ^= 0x01
        let directory = TemporaryDirectory("btc-merkle")
        let file = directory.appending("blk00000.dat")
        try Self.writeBlk(records, to: file)
        let store = try Store.open(at: directory.appending("store"), mode: .readWrite)
        let error = #expect(throws: BitcoinParseError.self) { try Self.ingest(store, [file]) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("merkle") && text.contains("100") && text.contains(file))
        #expect(try store.read { try $0.tipBlock()?.height } == 99)
    }

    /// Two raw blocks from the data set, far apart: their inputs mostly spend outputs not in the data (counted, never
    /// dropped). Python count: 367891 has 420 txs, 20,817 non-coinbase inputs of which 19 spend in-block outputs;
    /// 866342 has 4,864 txs, 7,972 inputs, 4,036 in-block.
    @Test func rawBlocksCountUnknownInputs() throws {
        let directory = TemporaryDirectory("btc-raw")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let summary = try Self.ingest(
            store, [Self.blocks + "/block_866342.raw", Self.blocks + "/block_367891.raw"], raw: true)
        #expect(summary.written.blocks == 2 && summary.written.transactions == 420 + 4864)
        #expect(summary.written.unknownInputs == (20_817 - 19) + (7_972 - 4_036))
        #expect(summary.tipHeight == 866_342)
        try store.read { (reader) throws in
            #expect(try reader.storedBlock(height: 367_891)?.hashText == "000000000000000012ea0ca9579299ec120e3f57e7c309216884872592b29970")
            #expect(try reader.verify().problems == [])
        }
    }

    static func describe(_ store: Store) throws -> String {
        try store.read { (reader) throws in
            var lines = ["\(try reader.counts())", "tip \(try reader.tipBlock()?.hashText ?? "-")"]
            try reader.forEachAddress { record in
                lines.append("\(record.address) \(record.received!) \(record.sent!) \(record.txCount) \(record.degree)")
                return true
            }
            return lines.joined(separator: "\n")
        }
    }

    static func hex(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
