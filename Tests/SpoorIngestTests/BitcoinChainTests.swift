import Foundation
import SpoorIngest
import SpoorStore
import Testing

@Suite struct BitcoinChainTests {
    static func headerFile() throws -> [UInt8] {
        try BitcoinTestData.bytes(BitcoinTestData.directory + "/mainnet_headers_0_to_10236.bin")
    }

    @Test func blkFileScansTo256BlocksMatchingTheHeaderFile() throws {
        let path = BitcoinTestData.directory + "/blocks/mainnet_blk_0_to_255.dat"
        var scanner = try BlkFileScanner(path: path, network: .mainnet)
        let records = try scanner.readAll()
        #expect(records.count == 256)  // MANIFEST.json blk_file.block_count
        let headers = try Self.headerFile()
        var previous = [UInt8](repeating: 0, count: 32)
        var transactionCount = 0
        var heightsWithPayments = [Int]()
        for (height, record) in records.enumerated() {
            let block = try BitcoinBlock.parse(record.bytes, file: path, offset: record.offset)
            try block.verifyMerkleRoot(height: height, file: path, offset: record.offset)
            // Second implementation: the header bytes of the .bin file hashed directly.
            let expected = BitcoinHash.doubleSHA256(Array(headers[(height * 80)..<(height * 80 + 80)]))
            #expect(block.header.hash == expected, "height \(height)")
            #expect(block.header.previousBlockHash == previous)
            previous = block.header.hash
            transactionCount += block.transactions.count
            if block.transactions.count > 1 { heightsWithPayments.append(height) }
        }
        #expect(records[0].offset == 8)
        #expect(transactionCount == 263)  // MANIFEST.json tx_count_total
        #expect(heightsWithPayments == [170, 181, 182, 183, 187, 221, 248])
        #expect(
            records.last.map { BitcoinHex.encodeReversed(BitcoinHash.doubleSHA256(Array($0.bytes.prefix(80)))) }
                == "00000000d0a75c861fabf9ff7b92022f60e4afeed9331fe5aa073d8e4706fe3c"
        )

        // forEachBlock sees the same offsets without copying.
        var again = try BlkFileScanner(path: path, network: .mainnet)
        var offsets = [Int]()
        try again.forEachBlock { offset, bytes in offsets.append(offset) }
        #expect(offsets == records.map(\.offset))

        // Header-only first pass, then random access by location.
        var headerPass = try BlkFileScanner(path: path, network: .mainnet)
        let scanned = try headerPass.readHeaders()
        #expect(scanned.map(\.offset) == records.map(\.offset))
        #expect(scanned[170].header.hashHex == "00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee")
        let block170 = try headerPass.block(at: scanned[170].offset)
        #expect(block170.transactions.count == 2)  // block 170: coinbase + f4184fc5...
        #expect(block170.header == scanned[170].header)
        let badLocation = #expect(throws: BitcoinParseError.self) { try headerPass.block(at: scanned[170].offset + 1) }
        #expect(badLocation?.offset == scanned[170].offset + 1 - 8)
        #expect(throws: BitcoinParseError.self) { try headerPass.block(at: 3) }
    }

    @Test func blockFilesOverTheRealBlkFile() throws {
        let path = BitcoinTestData.directory + "/blocks/mainnet_blk_0_to_255.dat"
        let files = BitcoinBlockFiles(paths: [path], network: .mainnet)
        // Real mainnet genesis hash, internal order.
        let genesis = try #require(
            BitcoinHex.decodeReversed("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f")
        )
        let best = try files.headerChain(genesisHash: genesis).bestChain()
        #expect(best.count == 256)
        var transactions = 0
        try files.forEachBlock(of: best) { _, block in transactions += block.transactions.count }
        #expect(transactions == 263)  // MANIFEST.json tx_count_total

        // A copy with one byte of block 170's second transaction flipped: the merkle check names the block.
        let directory = IngestTestPaths.temporaryDirectory("btcflip")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = try BitcoinTestData.bytes(path)
        let location = try #require(best[170].location)
        let block170 = try BlkFileScanner(path: path, network: .mainnet).block(at: location.offset)
        // Last byte of the second transaction (its lock time): lengths stay valid, the txid changes.
        let flipped = location.offset + 80 + 1 + block170.transactions[0].size + block170.transactions[1].size - 1
        bytes[flipped] ^= 0x01
        let copy = directory + "/blk00000.dat"
        #expect(FileManager.default.createFile(atPath: copy, contents: Data(bytes)))
        let tampered = BitcoinBlockFiles(paths: [copy], network: .mainnet)
        let tamperedBest = try tampered.headerChain().bestChain()
        var read = 0
        let error = #expect(throws: BitcoinParseError.self) {
            try tampered.forEachBlock(of: tamperedBest) { _, _ in read += 1 }
        }
        #expect(read == 170)  // blocks 0...169 were delivered, nothing of block 170
        let message = error?.description ?? ""
        #expect(message.contains("00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee"))
        #expect(message.contains("height 170"))
        #expect(message.contains(copy + ": byte \(location.offset)"))
    }

    @Test func blkScannerStopsAtZeroPaddingAndReportsBadData() throws {
        let path = BitcoinTestData.directory + "/blocks/mainnet_blk_0_to_255.dat"
        let file = try BitcoinTestData.bytes(path)
        var padded = BlkFileScanner(bytes: file + [UInt8](repeating: 0, count: 1000), file: "padded", network: .mainnet)
        #expect(try padded.readAll().count == 256)
        var shortPadding = BlkFileScanner(bytes: file + [0, 0, 0], file: "short", network: .mainnet)
        #expect(try shortPadding.readAll().count == 256)

        var wrongNetwork = BlkFileScanner(bytes: file, file: "blk00000.dat", network: .regtest)
        let magicError = #expect(throws: BitcoinParseError.self) { try wrongNetwork.readAll() }
        #expect(magicError?.kind == .badMagic(expected: [0xFA, 0xBF, 0xB5, 0xDA], found: [0xF9, 0xBE, 0xB4, 0xD9]))
        #expect(magicError?.description == "blk00000.dat: byte 0: bad magic: expected fabfb5da, found f9beb4d9")

        // Garbage after the second record.
        let firstTwo = 8 + 285 + 8 + 215  // genesis is 285 bytes, block 1 is 215 bytes
        var garbage = BlkFileScanner(
            bytes: Array(file.prefix(firstTwo)) + [1, 2, 3, 4, 5, 6, 7, 8, 9],
            file: "g",
            network: .mainnet
        )
        #expect(try garbage.next() != nil)
        #expect(try garbage.next() != nil)
        let garbageError = #expect(throws: BitcoinParseError.self) { try garbage.next() }
        #expect(garbageError?.offset == firstTwo)
        #expect(garbageError?.kind == .badMagic(expected: BitcoinNetwork.mainnet.magic, found: [1, 2, 3, 4]))

        // A length running past the end.
        var truncated = BlkFileScanner(bytes: Array(file.prefix(200)), file: "t", network: .mainnet)
        let truncatedError = #expect(throws: BitcoinParseError.self) { try truncated.next() }
        #expect(
            truncatedError?.kind
                == .truncated(what: "a block of the length in its record prefix", needed: 285, available: 192)
        )
        #expect(truncatedError?.offset == 8)

        // Non-zero data after zero padding is not padding.
        var hidden = BlkFileScanner(
            bytes: Array(file.prefix(firstTwo)) + [0, 0, 0, 0, 0, 0, 0, 0, 0xF9],
            file: "h",
            network: .mainnet
        )
        _ = try hidden.next()
        _ = try hidden.next()
        let hiddenError = #expect(throws: BitcoinParseError.self) { try hidden.next() }
        #expect(hiddenError?.offset == firstTwo + 8)

        #expect(throws: BitcoinParseError.self) {
            try BlkFileScanner(path: "/nonexistent/blk00000.dat", network: .mainnet)
        }
    }

    @Test func shuffledHeadersGiveHeights0Through10236() throws {
        let bytes = try Self.headerFile()
        #expect(bytes.count == 10_237 * 80)
        var headers = [BitcoinBlockHeader]()
        for index in 0..<10_237 {
            headers.append(
                try BitcoinBlockHeader.parse(
                    Array(bytes[(index * 80)..<(index * 80 + 80)]),
                    file: "headers",
                    offset: index * 80
                )
            )
        }
        var generator = SystemRandomNumberGenerator()
        var chain = BitcoinHeaderChain()
        for (index, header) in headers.enumerated().shuffled(using: &generator) {
            chain.add(header, location: BitcoinBlockLocation(file: "headers", offset: index * 80))
        }
        #expect(chain.count == 10_237)
        let best = chain.bestChain()
        #expect(best.count == 10_237)
        #expect(best.map(\.height) == Array(0..<10_237))
        #expect(best.map(\.hash) == headers.map(\.hash))
        #expect(best.map { $0.location?.offset } == (0..<10_237).map { $0 * 80 })
        // Python: dsha256 of the last 80 bytes of the file.
        #expect(best.last?.header.hashHex == "000000004f74d42205b9d7ae1cb5c1591e723894a71358fce73b7e0919628161")
        // Sum over the file of 2^256 // (target + 1), computed with Python integers: 0x27fd27fd27fd.
        #expect(best.last?.chainWork == Amount(0x27FD_27FD_27FD))
        #expect(chain.orphans().isEmpty)
        #expect(chain.add(headers[5]) == false)  // duplicates are ignored

        // Without the genesis every header is an orphan and there is no chain.
        var headless = BitcoinHeaderChain()
        for header in headers[1..<100] { headless.add(header) }
        #expect(headless.bestChain().isEmpty)
        #expect(headless.orphans().count == 99)
    }

    static func header(parent: [UInt8], nonce: UInt32, bits: UInt32 = 0x207F_FFFF) -> BitcoinBlockHeader {
        BitcoinBlockHeader(
            version: 4,
            previousBlockHash: parent,
            merkleRoot: [UInt8](repeating: 7, count: 32),
            time: 1_700_000_000 + nonce,
            bits: bits,
            nonce: nonce
        )
    }

    @Test func forkPicksTheHeavierBranch() {
        let genesis = Self.header(parent: [UInt8](repeating: 0, count: 32), nonce: 0)
        let a1 = Self.header(parent: genesis.hash, nonce: 1)
        let b1 = Self.header(parent: genesis.hash, nonce: 2)  // two children of genesis
        let a2 = Self.header(parent: a1.hash, nonce: 3)
        let b2 = Self.header(parent: b1.hash, nonce: 4)
        let b3 = Self.header(parent: b2.hash, nonce: 5)
        let orphan = Self.header(parent: [UInt8](repeating: 9, count: 32), nonce: 6)

        var chain = BitcoinHeaderChain()
        for header in [b3, a2, orphan, a1, genesis, b2, b1] { chain.add(header) }
        // Branch b has 3 blocks of work 2 each on top of genesis, branch a only 2.
        #expect(chain.bestChain().map(\.hash) == [genesis.hash, b1.hash, b2.hash, b3.hash])
        #expect(chain.bestChain().last?.chainWork == Amount(8))
        #expect(chain.orphans().map(\.hash) == [orphan.hash])
        #expect(Set(chain.staleBlocks().map(\.hash)) == [a1.hash, a2.hash])

        // Equal work: the tip added first wins, whatever the order of the rest.
        var tie = BitcoinHeaderChain()
        for header in [genesis, a2, b2, a1, b1] { tie.add(header) }
        #expect(tie.bestChain().last?.hash == a2.hash)
        var tieOther = BitcoinHeaderChain()
        for header in [b2, genesis, a1, a2, b1] { tieOther.add(header) }
        #expect(tieOther.bestChain().last?.hash == b2.hash)

        // A shorter branch with more work wins: one block at a harder target (work 2^256 / (0x7fff << 232 + 1)).
        let hard = Self.header(parent: genesis.hash, nonce: 7, bits: 0x2000_7FFF)
        var heavier = BitcoinHeaderChain()
        for header in [genesis, a1, a2, b1, b2, b3, hard] { heavier.add(header) }
        #expect(heavier.bestChain().map(\.hash) == [genesis.hash, hard.hash])
        #expect(heavier.bestChain().map(\.height) == [0, 1])
    }
}
