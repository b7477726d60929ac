import Foundation
import SpoorIngest
import SpoorStore
import SpoorTestSupport
import Testing

@Suite struct BitcoinParserTests {
    @Test func everyRealBlockParsesAndMatchesTheManifest() throws {
        let manifest = try BitcoinTestData.manifestBlocks()
        #expect(manifest.count == 16)  // MANIFEST.json lists 16 raw blocks
        for entry in manifest {
            let file = try #require(entry["file"] as? String)
            let path = BitcoinTestData.directory + "/" + file
            let bytes = try BitcoinTestData.bytes(path)
            let block = try BitcoinBlock.parse(bytes, file: path, offset: 0)
            let height = entry["height"] as? Int
            try block.verifyMerkleRoot(height: height, file: path, offset: 0)
            // Expected values: MANIFEST.json (the collector's own parser and hashes).
            #expect(block.header.hashHex == entry["hash"] as? String, "\(file)")
            #expect(block.header.previousBlockHashHex == entry["prev"] as? String, "\(file)")
            #expect(block.header.merkleRootHex == entry["merkle_root_header"] as? String, "\(file)")
            #expect(BitcoinHex.encodeReversed(block.computedMerkleRoot()) == entry["merkle_root_computed"] as? String)
            #expect(Int(block.header.version) == entry["version"] as? Int, "\(file)")
            #expect(Int(block.header.time) == entry["time"] as? Int, "\(file)")
            #expect(Int(block.header.nonce) == entry["nonce"] as? Int, "\(file)")
            #expect("0x" + String(block.header.bits, radix: 16) == entry["bits"] as? String, "\(file)")
            #expect(block.transactions.count == entry["tx_count"] as? Int, "\(file)")
            #expect(block.size == entry["size"] as? Int, "\(file)")
            #expect(block.transactions.first?.txidHex == entry["coinbase_txid"] as? String, "\(file)")
            #expect(block.transactions.first?.isCoinbase == true)
            #expect(block.transactions.dropFirst().allSatisfy { !$0.isCoinbase })
            #expect(block.bip34Height == entry["bip34_height"] as? Int, "\(file)")
            let inputs = block.transactions.reduce(0) { $0 + $1.inputs.count }
            let outputs = block.transactions.reduce(0) { $0 + $1.outputs.count }
            let value = block.transactions.reduce(UInt64(0)) { $0 + ($1.totalOutputValue ?? 0) }
            #expect(inputs == entry["total_inputs"] as? Int, "\(file)")
            #expect(outputs == entry["total_outputs"] as? Int, "\(file)")
            #expect(Int(value) == entry["total_output_value_sat"] as? Int, "\(file)")
            #expect(block.transactions.filter(\.hasWitness).count == entry["segwit_txs"] as? Int, "\(file)")
            // BIP 141: blocks with witness transactions commit to their wtxids (MANIFEST.json: witness commitment ok).
            if block.transactions.contains(where: \.hasWitness) {
                #expect(block.coinbaseWitnessCommitment == block.computedWitnessCommitment(), "\(file)")
            }
            // Writing the block back gives the exact consensus bytes.
            #expect(block.serialized() == bytes, "\(file)")
        }
    }

    @Test func rawTransactionTxidsEqualTheirFileNames() throws {
        let directory = BitcoinTestData.directory + "/tx"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".rawtx") }
            .sorted()
        #expect(names.count == 3)
        for name in names {
            let bytes = try BitcoinTestData.bytes(directory + "/" + name)
            let transaction = try BitcoinTransaction.parse(bytes, file: name)
            #expect(transaction.txidHex + ".rawtx" == name)
            #expect(transaction.serialized() == bytes)
            #expect(transaction.size == bytes.count)
            // The wtxid of a witness transaction is the double SHA-256 of all its bytes.
            #expect(transaction.wtxid == BitcoinHash.doubleSHA256(bytes))
        }
        // Shapes: 69,420 outputs (data README); 500,003 witness items in one input (the README says "one 500,003-byte
        // witness item", but Python's parse of the file gives 500,003 items, all empty but the last two: 1 and 33 bytes).
        let many = try BitcoinTransaction.parse(
            try BitcoinTestData.bytes(
                directory + "/a536e7f60a493a258d9adc77d913f7798baf60c808c16898b04579d8c0652681.rawtx"
            ),
            file: "a536"
        )
        #expect(many.outputs.count == 69_420)
        let big = try BitcoinTransaction.parse(
            try BitcoinTestData.bytes(
                directory + "/73be398c4bdc43709db7398106609eea2a7841aaf3a4fa2000dc18184faa2a7e.rawtx"
            ),
            file: "73be"
        )
        #expect(big.inputs.count == 1)
        #expect(big.inputs[0].witness.count == 500_003)
        #expect(big.inputs[0].witness.suffix(2).map(\.count) == [1, 33])
        let items = try BitcoinTransaction.parse(
            try BitcoinTestData.bytes(
                directory + "/7393096d97bfee8660f4100ffd61874d62f9a65de9fb6acf740c4c386990ef73.rawtx"
            ),
            file: "7393"
        )
        #expect(items.inputs.reduce(0) { $0 + $1.witness.count } == 1_001)
    }

    @Test func genesisBlock() throws {
        let genesis = try #require(try BitcoinTestData.blkBlocksByHand().first)
        let block = try BitcoinBlock.parse(genesis, file: "genesis")
        // Well-known mainnet genesis values.
        #expect(block.header.hashHex == "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
        #expect(block.transactions.count == 1)
        #expect(block.transactions[0].txidHex == "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b")
        #expect(block.header.merkleRoot == block.transactions[0].txid)
        #expect(block.transactions[0].outputs[0].value == 5_000_000_000)
        #expect(block.header.isGenesis)
        #expect(block.bip34Height == nil)  // version 1
        // 2^256 / (0x00000000ffff0000...0000 + 1), computed with Python integers.
        #expect(block.header.work == Amount(4_295_032_833))
    }

    @Test func blockWorkOfOtherTargets() {
        // Regtest's 0x207fffff: 2^256 / (0x7fffff << 232 + 1) == 2 (Python).
        #expect(BitcoinBlockHeader.work(bits: 0x207F_FFFF) == Amount(2))
        // Negative (sign bit) and overflowing targets have no work, as in Bitcoin Core.
        #expect(BitcoinBlockHeader.work(bits: 0x0180_0001) == .zero)
        #expect(BitcoinBlockHeader.work(bits: 0xFF12_3456) == .zero)
        #expect(BitcoinBlockHeader.work(bits: 0) == .zero)
        // 0x1b0404cb (block 100000 era): 2^256 // (0x0404cb << 192 + 1) == 70040908352512 (Python).
        #expect(BitcoinBlockHeader.work(bits: 0x1B04_04CB) == Amount(70_040_908_352_512))
    }

    @Test func flippedTransactionByteFailsMerkleVerification() throws {
        let path = BitcoinTestData.directory + "/blocks/block_227836.raw"
        var bytes = try BitcoinTestData.bytes(path)
        let original = try BitcoinBlock.parse(bytes, file: path)
        // Flip the low bit of the first output value of the second transaction: the length fields stay
        // valid, so the block still parses, but that txid (and so the merkle root) changes.
        let coinbaseEnd = 80 + 1 + original.transactions[0].size
        let valueOffset =
            coinbaseEnd + 4 + 1
            + original.transactions[1].inputs.reduce(0) {
                $0 + 32 + 4 + 1 + $1.scriptSig.count + 4 + ($1.scriptSig.count >= 0xFD ? 2 : 0)
            } + 1
        bytes[valueOffset] ^= 0x01
        let block = try BitcoinBlock.parse(bytes, file: path, offset: 1234)
        #expect(block.transactions[1].outputs[0].value != original.transactions[1].outputs[0].value)
        let error = #expect(throws: BitcoinParseError.self) {
            try block.verifyMerkleRoot(height: 227_836, file: path, offset: 1234)
        }
        let message = error?.description ?? ""
        #expect(message.contains("00000000000000d0dfd4c9d588d325dce4f32c1b31b7c0064cba7025a9b9adcc"))
        #expect(message.contains("227836"))
        #expect(message.contains("byte 1234"))
        #expect(message.contains(path))
        #expect(message.contains("merkle root mismatch"))
    }

    @Test func mutatedMerkleTreeIsRejected() throws {
        // CVE-2012-2459: duplicating the last transaction of an odd list gives the same root; it must be refused.
        let path = BitcoinTestData.directory + "/blocks/block_169482.raw"
        let block = try BitcoinBlock.parse(try BitcoinTestData.bytes(path), file: path)
        #expect(block.transactions.count == 14)  // even: duplicate the last two of an 14 -> 16 list instead
        let hashes = block.transactions.map(\.txid)
        let padded = hashes + [hashes[12], hashes[13]]
        let (root, mutated) = BitcoinBlock.merkleRoot(hashes)
        let (paddedRoot, paddedMutated) = BitcoinBlock.merkleRoot(padded)
        #expect(!mutated)
        #expect(paddedMutated)
        #expect(root == paddedRoot)
        var forged = block
        forged.transactions += [block.transactions[12], block.transactions[13]]
        #expect(throws: BitcoinParseError.self) { try forged.verifyMerkleRoot(file: "forged", offset: 0) }
    }

    @Test func truncatedBlockNamesFileOffsetAndWhat() throws {
        let path = BitcoinTestData.directory + "/blocks/block_169482.raw"
        let bytes = try BitcoinTestData.bytes(path)
        let cut = Array(bytes.prefix(bytes.count - 10))
        let error = #expect(throws: BitcoinParseError.self) {
            try BitcoinBlock.parse(cut, file: "cut.raw", offset: 100)
        }
        // Cut inside the last transaction: a field is either missing (truncated) or its length runs past the end.
        switch error?.kind {
        case .truncated(let what, _, _): #expect(!what.isEmpty)
        case .oversizedCount(let what, let value, let limit): #expect(!what.isEmpty && value > limit)
        default: Issue.record("expected truncated or oversizedCount, got \(String(describing: error))")
        }
        #expect(error?.file == "cut.raw")
        // The error is found inside the last transaction, so past offset 100 + 80 and before the cut end.
        #expect((error?.offset ?? 0) > 180 && (error?.offset ?? .max) <= 100 + cut.count)
        #expect(error?.description.hasPrefix("cut.raw: byte ") == true)

        let headerOnly = Array(bytes.prefix(50))
        let headerError = #expect(throws: BitcoinParseError.self) {
            try BitcoinBlock.parse(headerOnly, file: "h", offset: 0)
        }
        #expect(
            headerError?.description
                == "h: byte 0: truncated data: expected an 80-byte block header (80 bytes), only 50 left"
        )
    }

    @Test func hugeVarintIsRejectedWithoutAllocating() throws {
        let genesis = try #require(try BitcoinTestData.blkBlocksByHand().first)
        // Replace the transaction count (byte 80) by 0xff + 2^64-1.
        var bytes = Array(genesis.prefix(80))
        bytes += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        bytes += genesis[81...]
        let error = #expect(throws: BitcoinParseError.self) { try BitcoinBlock.parse(bytes, file: "huge", offset: 8) }
        guard case .oversizedCount(let what, let value, _) = error?.kind else {
            Issue.record("expected oversizedCount, got \(String(describing: error))")
            return
        }
        #expect(what == "transaction count")
        #expect(value == UInt64.max)
        #expect(error?.offset == 88)  // 8 + 80: where the CompactSize starts
        #expect(error?.description.contains("oversized transaction count") == true)

        // A script length above the remaining bytes inside a transaction.
        var transaction = try BitcoinBlock.parse(genesis, file: "g").transactions[0].serialized()
        transaction[4 + 1 + 36] = 0xFE  // scriptSig length byte -> 0xfe + the next four bytes
        #expect(throws: BitcoinParseError.self) { try BitcoinTransaction.parse(transaction, file: "t") }
        // Non-canonical CompactSize (0xfd 0x01 0x00 encodes 1).
        var nonCanonical = Array(genesis.prefix(80))
        nonCanonical += [0xFD, 0x01, 0x00]
        nonCanonical += genesis[81...]
        let canonicalError = #expect(throws: BitcoinParseError.self) { try BitcoinBlock.parse(nonCanonical, file: "n") }
        #expect(canonicalError?.description.contains("non-canonical") == true)
    }

    @Test func trailingBytesAreAnError() throws {
        let genesis = try #require(try BitcoinTestData.blkBlocksByHand().first)
        let error = #expect(throws: BitcoinParseError.self) { try BitcoinBlock.parse(genesis + [0, 0, 0], file: "t") }
        #expect(
            error?.kind
                == .trailingBytes(
                    what: "block 000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
                    count: 3
                )
        )
        #expect(error?.offset == genesis.count)
    }

    @Test func arbitraryBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        var rejected = 0
        for length in 0..<400 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            do {
                _ = try BitcoinBlock.parse(bytes, file: "random")
            } catch {
                rejected += 1
            }
            _ = try? BitcoinTransaction.parse(bytes, file: "random")
        }
        #expect(rejected == 400)
    }

    @Test func rawBlockFilesInBinaryAndHex() throws {
        let path = BitcoinTestData.directory + "/blocks/block_227835.raw"
        let binary = try BitcoinTestData.bytes(path)
        #expect(try BitcoinRawBlockFile.bytes(path: path) == binary)
        #expect(
            try BitcoinRawBlockFile.block(path: path).header.hashHex
                == "00000000000001aa077d7aa84c532a4d69bdbff519609d1da0835261b7a74eb6"
        )  // MANIFEST.json
        let hex = Array(
            (BitcoinHex.encode(binary.prefix(500)) + "\n" + BitcoinHex.encode(binary.dropFirst(500)).uppercased() + "\n")
                .utf8
        )
        #expect(try hex.withUnsafeBytes { try BitcoinRawBlockFile.bytes(contents: $0, file: "hex") } == binary)
        let odd = Array("abc\n".utf8)
        #expect(throws: BitcoinParseError.self) {
            try odd.withUnsafeBytes { try BitcoinRawBlockFile.bytes(contents: $0, file: "odd") }
        }
        #expect(throws: BitcoinParseError.self) { try BitcoinRawBlockFile.bytes(path: "/nonexistent.raw") }
    }

    @Test func mutatedRealBlocksNeverCrash() throws {
        // Random byte edits of a real segwit block: each either parses (and then re-serializes to the edited bytes)
        // or throws a BitcoinParseError; nothing traps.
        let path = BitcoinTestData.directory + "/blocks/block_514492.raw"
        let original = try BitcoinTestData.bytes(path)
        var generator = SeededGenerator(seed: 514_492)
        var parsed = 0
        var rejected = 0
        for _ in 0..<100 {
            var bytes = original
            for _ in 0..<(1 + Int.random(in: 0..<4, using: &generator)) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if Int.random(in: 0..<4, using: &generator) == 0 {
                bytes.removeLast(Int.random(in: 1..<1000, using: &generator))
            }
            do {
                let block = try BitcoinBlock.parse(bytes, file: path)
                #expect(block.serialized() == bytes)
                parsed += 1
            } catch {
                #expect(!error.description.isEmpty)
                rejected += 1
            }
        }
        #expect(parsed + rejected == 100)
        #expect(rejected > 0)
    }

    @Test func witnessStrippedSerializationGivesTheTxid() throws {
        let path = BitcoinTestData.directory + "/blocks/block_866342.raw"
        let block = try BitcoinBlock.parse(try BitcoinTestData.bytes(path), file: path)
        let witnessTransactions = block.transactions.filter(\.hasWitness)
        #expect(witnessTransactions.count == 4806)  // MANIFEST.json segwit_txs
        for transaction in witnessTransactions.prefix(200) {
            let stripped = transaction.serialized(includeWitness: false)
            #expect(BitcoinHash.doubleSHA256(stripped) == transaction.txid)
            #expect(stripped.count == transaction.baseSize)
            #expect(transaction.txid != transaction.wtxid)
            let reparsed = try BitcoinTransaction.parse(stripped, file: "stripped")
            #expect(reparsed.txid == transaction.txid && !reparsed.hasWitness)
        }
    }
}
