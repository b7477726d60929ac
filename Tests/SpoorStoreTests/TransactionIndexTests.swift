import Foundation
import Testing
@testable import SpoorStore
import SpoorTestSupport

/// The transaction index keyed by a hash prefix: lookups, duplicates and the verifier, with the key forced short so
/// that many hashes share a key.
@Suite struct TransactionIndexTests {
    /// 3,000 transfers, one transaction each (hash `StoreTests.hash(n)`), in 3 batches.
    static let transfers: [TransferInput] = (0..<3000).map { n in
        StoreTests.transfer(
            n, from: "0x" + String(format: "%040x", n % 37), to: "0x" + String(format: "%040x", n % 41 + 100),
            value: UInt64(n + 1), block: UInt64(n / 10), log: UInt32(n % 10))
    }

    static func makeStore(_ directory: TemporaryDirectory, keyLength: Int) throws -> Store {
        let store = try Store.open(
            at: directory.path, mode: .readWrite, options: StoreOptions(), directoryLock: nil, txIndexKeyLength: keyLength)
        let writer = try store.makeWriter()
        for range in [0..<1000, 1000..<2500, 2500..<3000] {
            let result = try writer.append(Array(transfers[range]))
            #expect(result.added == range.count)
        }
        return store
    }

    @Test(arguments: [1, 2, 8])
    func everyHashFindsItsTransactionWhenKeysCollide(keyLength: Int) throws {
        let directory = TemporaryDirectory("tx-index")
        let store = try Self.makeStore(directory, keyLength: keyLength)
        // Distinct keys worked out from the hashes themselves: with 1 byte at most 256 keys for 3,000 transactions.
        let distinctKeys = Set(Self.transfers.map { TransactionIndex.key($0.txHash, length: keyLength) }).count
        if keyLength == 1 { #expect(distinctKeys <= 256) }
        try store.read { (reader) throws in
            #expect(try reader.transaction.statistics(store.tables.txIndex).entries == distinctKeys)
            for (n, transfer) in Self.transfers.enumerated() {
                // One transaction per transfer, created in chain order: transaction n has id n.
                #expect(try reader.transactionID(hash: transfer.txHash) == TxID(UInt64(n)))
            }
            // A hash sharing the first bytes of a stored one, but not the rest, is not found.
            var stranger = Self.transfers[5].txHash
            stranger[31] ^= 0xFF
            #expect(try reader.transactionID(hash: stranger) == nil)
            #expect(try reader.verify().problems == [])
        }
        // The same transfers again are all duplicates: the lookup finds each through its shared key.
        let again = try store.makeWriter().append(Self.transfers)
        #expect(again.added == 0)
        #expect(again.duplicates == 3000)
    }

    /// The reference vectors of SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012,
    /// appendix A, and the first entry of the reference implementation's vectors.h): key 00 01 … 0f.
    @Test func sipHashMatchesThePublishedVectors() {
        let k0: UInt64 = 0x0706_0504_0302_0100
        let k1: UInt64 = 0x0f0e_0d0c_0b0a_0908
        #expect(SipHash24.hash(Array(0..<15), key0: k0, key1: k1) == 0xa129_ca61_49be_45e5)
        #expect(SipHash24.hash([], key0: k0, key1: k1) == 0x726f_db47_dd0e_0e31)
    }

    /// Hashes that share their first 8 bytes (as fixtures' `0x000…0001` do) still spread over many keys.
    @Test func hashesWithACommonPrefixSpreadOverKeys() throws {
        let directory = TemporaryDirectory("tx-index-prefix")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let transfers = (0..<2000).map { n in
            TransferInput(
                txHash: Array(repeating: 0, count: 28) + [0, 0, UInt8(n >> 8), UInt8(n & 0xFF)], block: UInt64(n),
                time: 1_700_000_000, from: "0x" + String(repeating: "1", count: 40), to: "0x" + String(repeating: "2", count: 40),
                value: Amount(1), asset: nil, logIndex: 0)
        }
        try store.makeWriter().append(transfers)
        try store.read { (reader) throws in
            // 2,000 hashes in 2^64 keys: a collision has odds of about 1e-13.
            #expect(try reader.transaction.statistics(store.tables.txIndex).entries == 2000)
            #expect(try reader.transactionID(hash: transfers[1234].txHash) == TxID(1234))
        }
    }

    @Test func theKeyLengthIsStoredWithTheStore() throws {
        let directory = TemporaryDirectory("tx-index-length")
        _ = try Self.makeStore(directory, keyLength: 1)
        let reopened = try Store.open(at: directory.path, mode: .readOnly)
        #expect(reopened.txIndexKeyLength == 1)
        try reopened.read { (reader) throws in
            #expect(try reader.metaString(MetaKey.txIndexKeyLength) == "1")
            #expect(try reader.transactionID(hash: Self.transfers[2999].txHash) == TxID(2999))
        }
        let fresh = TemporaryDirectory("tx-index-default")
        let store = try Store.open(at: fresh.path, mode: .readWrite)
        #expect(store.txIndexKeyLength == 8)
    }

    @Test func theVerifierFindsAMissingAndAWrongEntry() throws {
        let directory = TemporaryDirectory("tx-index-verify")
        let store = try Self.makeStore(directory, keyLength: 1)
        let victim = Self.transfers[17].txHash
        try store.write { transaction in
            try TransactionIndex.remove(hash: victim, id: TxID(17), transaction: transaction, store: store)
            // Transaction 18 listed under a key its hash does not start with.
            let wrongKey = [TransactionIndex.key(Self.transfers[18].txHash, length: 1)[0] ^ 0x01]
            var ids = try transaction.withValue(store.tables.txIndex, key: wrongKey) {
                try TransactionIndex.decodeIDs($0)
            } ?? []
            ids.append(TxID(18))
            ids.sort()
            try transaction.put(store.tables.txIndex, key: wrongKey, value: TransactionIndex.encodeIDs(ids))
        }
        let problems = try store.read { try $0.verify().problems }
        #expect(problems.contains("transaction 17 is not in the hash index under its id"))
        #expect(problems.contains { $0.contains("lists transaction 18 of hash") })
        #expect(problems.contains("transaction index lists 3000 transactions, meta counts 3000") == false)
    }
}
