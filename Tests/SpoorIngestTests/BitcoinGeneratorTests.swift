import Crypto
import Foundation
import SpoorIngest
import SpoorStore
import Testing

@Suite struct BitcoinGeneratorTests {
    /// Reads generated files back with the scanner and parser; a deliberately simple UTXO set (a dictionary keyed by
    /// "txid:index") checks every spend and every value.
    struct Replay {
        var blocksByHash: [[UInt8]: BitcoinBlock] = [:]
        var chain = BitcoinHeaderChain()
        var utxos: [String: UInt64] = [:]
        var fees: UInt64 = 0
        var transactions = 0
        var spentByTxid: [String: [String]] = [:]  // txid -> "txid:index" spent
        var outputsByTxid: [String: [BitcoinTxOut]] = [:]
        var scanOrder: [String] = []  // block hashes in file-name then file order

        init(files: [(name: String, bytes: [UInt8])], network: BitcoinNetwork) throws {
            for file in files {
                var scanner = BlkFileScanner(bytes: file.bytes, file: file.name, network: network)
                while let record = try scanner.next() {
                    let block = try BitcoinBlock.parse(record.bytes, file: file.name, offset: record.offset)
                    try block.verifyMerkleRoot(file: file.name, offset: record.offset)
                    blocksByHash[block.header.hash] = block
                    scanOrder.append(block.header.hashHex)
                    chain.add(block.header, location: BitcoinBlockLocation(file: file.name, offset: record.offset))
                }
            }
        }

        mutating func applyBestChain() throws -> [BitcoinChainEntry] {
            let best = chain.bestChain()
            for entry in best {
                let block = try #require(blocksByHash[entry.hash])
                #expect(block.bip34Height == entry.height)
                if block.transactions.contains(where: \.hasWitness) {
                    #expect(block.coinbaseWitnessCommitment == block.computedWitnessCommitment())
                }
                var blockFees: UInt64 = 0
                for transaction in block.transactions.dropFirst() {
                    var inputValue: UInt64 = 0
                    var spent = [String]()
                    for input in transaction.inputs {
                        let key = input.previousTxidHex + ":\(input.previousIndex)"
                        let removed = utxos.removeValue(forKey: key)
                        let value = try #require(removed, "missing or double-spent \(key)")
                        inputValue += value
                        spent.append(key)
                    }
                    let outputValue = try #require(transaction.totalOutputValue)
                    #expect(inputValue >= outputValue)
                    blockFees += inputValue - outputValue
                    spentByTxid[transaction.txidHex] = spent
                    add(transaction)
                }
                let coinbase = block.transactions[0]
                #expect(coinbase.isCoinbase)
                // Subsidy 50 BTC (no halving before 210,000 blocks) plus the fees.
                #expect(coinbase.totalOutputValue == 5_000_000_000 + blockFees)
                add(coinbase)
                fees += blockFees
                transactions += block.transactions.count
            }
            return best
        }

        mutating func add(_ transaction: BitcoinTransaction) {
            outputsByTxid[transaction.txidHex] = transaction.outputs
            for (index, output) in transaction.outputs.enumerated() where output.value > 0 {
                utxos[transaction.txidHex + ":\(index)"] = output.value
            }
        }
    }

    static func digest(_ files: [(name: String, bytes: [UInt8])]) -> String {
        var hasher = SHA256()
        for file in files {
            hasher.update(data: Array(file.name.utf8))
            hasher.update(data: file.bytes)
        }
        return BitcoinHex.encode(Array(hasher.finalize()))
    }

    @Test func sameSeedSameBytes() throws {
        var options = BitcoinChainGenerator.Options(seed: 11, blocks: 40)
        options.staleBlocks = 2
        options.files = 3
        options.outOfOrder = true
        let first = try BitcoinChainGenerator(options: options).generateFiles()
        let second = try BitcoinChainGenerator(options: options).generateFiles()
        #expect(Self.digest(first.files) == Self.digest(second.files))
        #expect(first.manifest == second.manifest)
        options.seed = 12
        let third = try BitcoinChainGenerator(options: options).generateFiles()
        #expect(Self.digest(third.files) != Self.digest(first.files))

        // write(to:) produces the same bytes on disk.
        let directory = IngestTestPaths.temporaryDirectory("btcgen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        options.seed = 11
        let written = try BitcoinChainGenerator(options: options).write(to: directory)
        #expect(written == first.manifest)
        let onDisk = try written.files.map { ($0, try BitcoinTestData.bytes(directory + "/" + $0)) }
        #expect(Self.digest(onDisk) == Self.digest(first.files))
        #expect(written.files == ["blk00000.dat", "blk00001.dat", "blk00002.dat"])
    }

    @Test func generatedChainReparsesSpendsExistingOutputsAndConservesValue() throws {
        var options = BitcoinChainGenerator.Options(seed: 2024, blocks: 60)
        options.staleBlocks = 3
        options.files = 4
        options.outOfOrder = true
        let (files, manifest) = try BitcoinChainGenerator(options: options).generateFiles()
        var replay = try Replay(files: files, network: .regtest)
        #expect(replay.blocksByHash.count == 63)  // 60 best-chain blocks + 3 stale
        let best = try replay.applyBestChain()
        #expect(best.map(\.header.hashHex) == manifest.blockHashes)
        #expect(best.count == 60)
        #expect(replay.chain.orphans().isEmpty)
        #expect(
            Set(replay.chain.staleBlocks().map { BitcoinHex.encodeReversed($0.hash) }) == Set(manifest.staleBlockHashes)
        )
        #expect(manifest.staleBlockHashes.count == 3)
        // Out of order: the files, read in name order, do not hold the best chain in height order.
        let bestInFileOrder = replay.scanOrder.filter { Set(manifest.blockHashes).contains($0) }
        #expect(bestInFileOrder != manifest.blockHashes)
        #expect(Set(bestInFileOrder) == Set(manifest.blockHashes))
        #expect(replay.transactions == manifest.transactionCount)
        #expect(replay.fees == manifest.totalFees)
        #expect(manifest.transactionCount > 60 * 10)

        // Output script types: P2PKH, P2WPKH and P2TR (plus witness commitments as null data).
        var types = Set<String>()
        for outputs in replay.outputsByTxid.values {
            for output in outputs { types.insert(BitcoinScript.type(of: output.scriptPubKey).description) }
        }
        #expect(types == ["p2pkh", "p2wpkh", "p2tr", "nulldata"])

        // Peel chains: each hop spends output 1 (the change) of the previous hop; the payment is the small output.
        #expect(manifest.peelChains.count == 2)
        for peel in manifest.peelChains {
            #expect(peel.count == 8)
            for (previous, next) in zip(peel, peel.dropFirst()) {
                #expect(replay.spentByTxid[next] == [previous + ":1"])
            }
            for txid in peel {
                let outputs = try #require(replay.outputsByTxid[txid])
                #expect(outputs.count == 2 && outputs[0].value * 10 < outputs[1].value)
            }
        }
        // CoinJoins: 6 inputs, 6 equal outputs.
        #expect(manifest.coinJoins.count == 2)
        for txid in manifest.coinJoins {
            let outputs = try #require(replay.outputsByTxid[txid])
            #expect(replay.spentByTxid[txid]?.count == 6)
            #expect(outputs.count == 12)
            #expect(Set(outputs.prefix(6).map(\.value)).count == 1)
        }
        // Consolidations: 15 inputs, 1 output.
        #expect(manifest.consolidations.count == 2)
        for txid in manifest.consolidations {
            #expect(replay.spentByTxid[txid]?.count == 15)
            #expect(replay.outputsByTxid[txid]?.count == 1)
        }
        // The hot wallet receives and pays often.
        let hotScripts = replay.outputsByTxid.values.flatMap { $0 }.filter {
            BitcoinAddressEncoder.address(scriptPubKey: $0.scriptPubKey, network: .regtest).text
                == manifest.hotWalletAddress
        }
        #expect(manifest.hotWalletAddress.hasPrefix("bcrt1q"))
        #expect(hotScripts.count >= 50)
        #expect(manifest.hotWalletTransactions.count >= 50)
    }

    @Test func reorgBranchInAnExtraFile() throws {
        var options = BitcoinChainGenerator.Options(seed: 77, blocks: 25)
        options.reorgDepth = 3
        options.files = 2
        let (files, manifest) = try BitcoinChainGenerator(options: options).generateFiles()
        #expect(manifest.files == ["blk00000.dat", "blk00001.dat", "blk00002.dat"])
        #expect(manifest.reorgFile == "blk00002.dat")
        #expect(manifest.reorgForkHeight == 22)
        #expect(manifest.reorgBranchHashes.count == 4)  // heights 22...25: replaces 22...24 and is one longer

        // Without the last file: the original chain.
        var before = try Replay(files: Array(files.dropLast()), network: .regtest)
        #expect(try before.applyBestChain().map(\.header.hashHex) == manifest.blockHashes)
        // With it: the branch wins, and every spend and value is valid on the new best chain.
        var after = try Replay(files: files, network: .regtest)
        let best = try after.applyBestChain()
        #expect(best.map(\.header.hashHex) == Array(manifest.blockHashes.prefix(22)) + manifest.reorgBranchHashes)
        #expect(best.count == 26)
        #expect(
            Set(after.chain.staleBlocks().map { BitcoinHex.encodeReversed($0.hash) })
                == Set(manifest.blockHashes.suffix(3))
        )
        // The branch is not empty: it spends outputs created below the fork.
        let branchTransactions = best.suffix(4).reduce(0) {
            $0 + (after.blocksByHash[$1.hash]?.transactions.count ?? 0)
        }
        #expect(branchTransactions > 4 * 5)
        // Planted cases stay below the fork, so they are all on the new best chain.
        let planted = manifest.peelChains.flatMap { $0 } + manifest.coinJoins + manifest.consolidations
        #expect(planted.count == 2 * 8 + 2 + 2)
        #expect(planted.allSatisfy { after.outputsByTxid[$0] != nil })
    }

    @Test func blockFilesReadTheBestChainInHeightOrder() throws {
        var options = BitcoinChainGenerator.Options(seed: 31, blocks: 30)
        options.files = 3
        options.outOfOrder = true
        options.staleBlocks = 2
        options.reorgDepth = 2
        let directory = IngestTestPaths.temporaryDirectory("btcfiles")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let manifest = try BitcoinChainGenerator(options: options).write(to: directory)
        let files = BitcoinBlockFiles(paths: try BitcoinBlockFiles.paths(in: directory), network: .regtest)
        #expect(files.paths.map { ($0 as NSString).lastPathComponent } == manifest.files)
        let chain = try files.headerChain()
        #expect(chain.count == 30 + 2 + 3)  // best chain + stale + reorg branch
        var hashes = [String]()
        var heights = [Int]()
        try files.forEachBlock(of: chain.bestChain()) { entry, block in
            hashes.append(block.header.hashHex)
            heights.append(entry.height)
        }
        #expect(hashes == Array(manifest.blockHashes.prefix(28)) + manifest.reorgBranchHashes)
        #expect(heights == Array(0...30))
        // Resuming from height 20 reads only the rest.
        var resumed = 0
        try files.forEachBlock(of: chain.bestChain().dropFirst(20)) { _, _ in resumed += 1 }
        #expect(resumed == 11)
        #expect(throws: BitcoinParseError.self) { try BitcoinBlockFiles.paths(in: directory + "/missing") }
    }

    @Test func mainnetMagicAndSingleFile() throws {
        let (files, manifest) = try BitcoinChainGenerator(seed: 5, blocks: 5, network: .mainnet).generateFiles()
        #expect(files.count == 1)
        #expect(Array(files[0].bytes.prefix(4)) == [0xF9, 0xBE, 0xB4, 0xD9])
        var replay = try Replay(files: files, network: .mainnet)
        #expect(try replay.applyBestChain().count == 5)
        #expect(manifest.hotWalletAddress.hasPrefix("bc1q"))
        #expect(throws: IngestError.self) { try BitcoinChainGenerator(seed: 1, blocks: 0).generateFiles() }
    }
}
