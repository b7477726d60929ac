import Foundation
import Testing
@testable import SpoorStore
import SpoorTestSupport

/// The UTXO writer on a hand-worked three-block chain:
///
/// ```
/// block 0 (t=1000)  A: coinbase            -> X 50, OP_RETURN 0
/// block 1 (t=2000)  B: coinbase            -> Y 25
///                   C: spends A:0 (X 50)   -> Y 30, Z 15           fee 5
/// block 2 (t=3000)  D: spends C:0, C:1     -> X 44                 fee 1
///                   E: spends ff…ff:3 (not in the data) -> W 7     fee unknown
/// ```
/// Edges (an input or output with an address): A 1, B 1, C 1 in + 2 out, D 2 in + 1 out, E 1 out = 9.
/// X received 50 + 44 = 94, sent 50; Y received 55, sent 30; Z received 15, sent 15; W received 7.
struct UTXOWriterTests {
    static func txid(_ n: UInt8) -> [UInt8] { [UInt8](repeating: n, count: 32) }
    static let unknown = [UInt8](repeating: 0xFF, count: 32)

    static let blocks: [UTXOBlockInput] = [
        UTXOBlockInput(hash: txid(0xB0), height: 0, time: 1000, transactions: [
            UTXOTransactionInput(txid: txid(0xA), isCoinbase: true, inputs: [UTXOOutpointInput(txid: txid(0), index: .max)],
                                 outputs: [UTXOOutputInput(address: "X", value: 50), UTXOOutputInput(address: nil, value: 0)]),
        ]),
        UTXOBlockInput(hash: txid(0xB1), height: 1, time: 2000, transactions: [
            UTXOTransactionInput(txid: txid(0xB), isCoinbase: true, inputs: [UTXOOutpointInput(txid: txid(0), index: .max)],
                                 outputs: [UTXOOutputInput(address: "Y", value: 25)]),
            UTXOTransactionInput(txid: txid(0xC), isCoinbase: false, inputs: [UTXOOutpointInput(txid: txid(0xA), index: 0)],
                                 outputs: [UTXOOutputInput(address: "Y", value: 30), UTXOOutputInput(address: "Z", value: 15)]),
        ]),
        UTXOBlockInput(hash: txid(0xB2), height: 2, time: 3000, transactions: [
            UTXOTransactionInput(txid: txid(0xD), isCoinbase: false,
                                 inputs: [UTXOOutpointInput(txid: txid(0xC), index: 0), UTXOOutpointInput(txid: txid(0xC), index: 1)],
                                 outputs: [UTXOOutputInput(address: "X", value: 44)]),
            UTXOTransactionInput(txid: txid(0xE), isCoinbase: false, inputs: [UTXOOutpointInput(txid: unknown, index: 3)],
                                 outputs: [UTXOOutputInput(address: "W", value: 7)]),
        ]),
    ]

    static func address(_ reader: GraphReader, _ name: String) throws -> AddressRecord {
        let id = try #require(try reader.addressID(name))
        return try #require(try reader.address(id))
    }

    static func transaction(_ reader: GraphReader, _ hash: [UInt8]) throws -> TransactionRecord {
        let id = try #require(try reader.transactionID(hash: hash))
        return try #require(try reader.transaction(id))
    }

    /// Everything a reader can tell about the store, to compare two stores.
    static func snapshot(_ store: Store) throws -> String {
        try store.read { (reader) throws in
            var lines = ["\(try reader.counts())", "tip \(try reader.tipBlock()?.height.description ?? "-")"]
            try reader.forEachAddress { record in
                let stream = try reader.incidences(of: record.id).map {
                    "\($0.direction) tx\($0.properties.tx) #\($0.properties.logIndex) \($0.properties.value)"
                }
                lines.append("\(record.address) \(record.received!) \(record.sent!) \(record.txCount) \(stream)")
                return true
            }
            for raw in 0..<(try reader.counts().transactions) {
                let record = try #require(try reader.transaction(TxID(raw)))
                let spenders = try (0..<UInt32(record.utxo!.outputs.count)).map { try reader.spender(ofOutput: $0, of: TxID(raw)) }
                lines.append("\(record.hashText) \(record.utxo!) \(spenders)")
            }
            return lines.joined(separator: "\n")
        }
    }

    @Test func handWorkedChain() throws {
        let directory = TemporaryDirectory("utxo")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeUTXOWriter()
        var total = UTXOBatchResult()
        total.add(try writer.append(Array(Self.blocks[0...1])))
        total.add(try writer.append([Self.blocks[2]]))
        #expect(total.blocks == 3 && total.transactions == 5 && total.unknownInputs == 1)
        #expect(total.inputs == 6 && total.outputs == 7)
        try store.read { (reader) throws in
            #expect(try reader.counts() == StoreCounts(addresses: 4, transactions: 5, transfers: 9, assets: 0))
            #expect(try reader.chainModel() == .utxo)
            let expected: [String: (received: UInt64, sent: UInt64, txs: UInt64)] = [
                "X": (94, 50, 3), "Y": (55, 30, 3), "Z": (15, 15, 2), "W": (7, 0, 1),
            ]
            for (name, values) in expected {
                let record = try Self.address(reader, name)
                #expect(record.received == Amount(values.received), "\(name)")
                #expect(record.sent == Amount(values.sent), "\(name)")
                #expect(record.txCount == values.txs, "\(name)")
            }
            let c = try Self.transaction(reader, Self.txid(0xC))
            #expect(c.utxo?.fee == Amount(5))
            #expect(c.value == Amount(45))
            #expect(c.hashText == String(repeating: "0c", count: 32))
            let d = try Self.transaction(reader, Self.txid(0xD))
            #expect(d.utxo?.fee == Amount(1))
            #expect(d.utxo?.inputs.map(\.value) == [Amount(30), Amount(15)])
            let e = try Self.transaction(reader, Self.txid(0xE))
            #expect(e.utxo?.fee == nil && e.utxo?.unknownInputs == 1)
            #expect(try reader.spender(ofOutput: 0, of: TxID(0)) == c.id)
            #expect(try reader.spender(ofOutput: 1, of: TxID(0)) == nil)
            #expect(try reader.spender(ofOutput: 0, of: c.id) == d.id)
            #expect(try reader.spender(ofOutput: 1, of: c.id) == d.id)
            #expect(try reader.spender(ofOutput: 0, of: d.id) == nil)
            #expect(try reader.tipBlock()?.height == 2)
            #expect(try reader.blockHeight(hash: Self.txid(0xB1)) == 1)
            #expect(try reader.verify().problems == [])
        }
        // The same blocks again: all skipped, nothing changes.
        let before = try Self.snapshot(store)
        let again = try writer.append(Self.blocks)
        #expect(again.skippedBlocks == 3 && again.blocks == 0)
        #expect(try Self.snapshot(store) == before)
        // Another block at height 1 is refused until the store rolls back.
        var other = Self.blocks[1]
        other.hash = Self.txid(0xBB)
        #expect(throws: UTXOWriteError.self) { try writer.append([other]) }
    }

    @Test func rollbackRestoresTheEarlierStore() throws {
        let directory = TemporaryDirectory("utxo-rollback")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let reference = TemporaryDirectory("utxo-reference")
        let referenceStore = try Store.open(at: reference.path, mode: .readWrite)
        try referenceStore.makeUTXOWriter().append([Self.blocks[0]])

        let writer = try store.makeUTXOWriter()
        try writer.append(Self.blocks)
        let full = try Self.snapshot(store)
        #expect(try writer.rollback(above: 0) == 2)
        #expect(try Self.snapshot(store) == (try Self.snapshot(referenceStore)))
        try store.read { (reader) throws in
            #expect(try reader.addressID("Y") == nil)
            #expect(try reader.addressID("W") == nil)
            #expect(try reader.transactionID(hash: Self.txid(0xC)) == nil)
            #expect(try reader.spender(ofOutput: 0, of: TxID(0)) == nil)
            #expect(try reader.verify().problems == [])
        }
        // Applying the blocks again gives the store it had.
        try writer.append(Array(Self.blocks[1...]))
        let again = try Self.snapshot(store)
        #expect(again == full, "\(again)\n---\n\(full)")
        #expect(try writer.rollback(above: nil) == 3)
        #expect(try store.read { try $0.counts() } == StoreCounts(addresses: 0, transactions: 0, transfers: 0, assets: 0))
    }

    /// A long stream (130 coinbase payments to one address: two sealed chunks and an open one) cut back to 31.
    @Test func rollbackCutsSealedChunks() throws {
        let directory = TemporaryDirectory("utxo-long")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeUTXOWriter()
        func block(_ height: UInt64) -> UTXOBlockInput {
            UTXOBlockInput(hash: Self.txid(0) + [UInt8(height & 0xFF), UInt8(height >> 8)], height: height, time: Int64(height) * 600,
                           transactions: [UTXOTransactionInput(txid: [UInt8](repeating: 7, count: 30) + [UInt8(height & 0xFF), UInt8(height >> 8)],
                                                               isCoinbase: true, inputs: [], outputs: [UTXOOutputInput(address: "H", value: 50 + height)])])
        }
        try writer.append((0..<130).map(block))
        try writer.rollback(above: 30)
        let reference = TemporaryDirectory("utxo-long-reference")
        let referenceStore = try Store.open(at: reference.path, mode: .readWrite)
        try referenceStore.makeUTXOWriter().append((0...30).map(block))
        #expect(try Self.snapshot(store) == (try Self.snapshot(referenceStore)))
        try store.read { (reader) throws in
            let record = try Self.address(reader, "H")
            // 50 + 51 + … + 80 = 31 × 65.
            #expect(record.received == Amount(31 * 65) && record.inCount == 31 && record.lastSeen == 30 * 600)
            #expect(try reader.verify().problems == [])
        }
    }
}
