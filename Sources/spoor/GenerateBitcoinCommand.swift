import ArgumentParser
import Foundation
import Spoor

/// `spoor generate bitcoin --out DIR --blocks N --seed S [--network regtest] ...`
struct GenerateBitcoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bitcoin",
        abstract: "Write a synthetic Bitcoin chain as blk*.dat files.",
        discussion: """
            The same options give byte-identical files. Blocks have valid merkle roots and previous-hash links and \
            no proof of work (bits 0x207fffff). Outputs are P2PKH, P2WPKH and P2TR; every input spends an existing \
            output and values conserve. Planted: peel chains, CoinJoin-like transactions, consolidations and an \
            exchange-like hot wallet, listed in DIR/generator-manifest.json. A summary goes to stderr.
            """
    )

    @Option(help: ArgumentHelp("The directory to write blk00000.dat... into.", valueName: "dir"))
    var out: String

    @Option(help: "Number of best-chain blocks, the genesis included.")
    var blocks: Int

    @Option(help: "The random seed.")
    var seed: UInt64

    @Option(help: "mainnet, testnet, signet or regtest (magic and address prefixes).")
    var network = "regtest"

    @Option(help: "Ordinary transactions per block (each block draws 50% to 150% of it).")
    var transactionsPerBlock = 20

    @Option(help: "Peel chains to plant.")
    var peelChains = 2

    @Option(help: "CoinJoins to plant.")
    var coinJoins = 2

    @Option(help: "Consolidations to plant.")
    var consolidations = 2

    @Option(help: "Stale one-block forks to write besides the best chain.")
    var staleBlocks = 0

    @Option(
        help: "Also write a branch forking this many blocks below the tip, one block longer, in one extra last file."
    )
    var reorgDepth = 0

    @Option(help: "Number of blk files to split the chain across.")
    var files = 1

    @Flag(help: "Write the files' chunks in shuffled order and swap some neighbouring blocks, as in real blk files.")
    var outOfOrder = false

    func validate() throws {
        guard blocks >= 1 else { throw ValidationError("--blocks must be at least 1, found \(blocks)") }
        guard BitcoinNetwork(name: network) != nil else {
            throw ValidationError("--network must be mainnet, testnet, signet or regtest, found '\(network)'")
        }
        guard files >= 1 else { throw ValidationError("--files must be at least 1, found \(files)") }
        for (name, value) in [
            ("--transactions-per-block", transactionsPerBlock), ("--peel-chains", peelChains),
            ("--coin-joins", coinJoins),
            ("--consolidations", consolidations), ("--stale-blocks", staleBlocks), ("--reorg-depth", reorgDepth),
        ] where value < 0 {
            throw ValidationError("\(name) must be at least 0, found \(value)")
        }
        guard reorgDepth < blocks else {
            throw ValidationError("--reorg-depth must be smaller than --blocks (\(blocks)), found \(reorgDepth)")
        }
    }

    func run() async throws {
        var options = BitcoinChainGenerator.Options(seed: seed, blocks: blocks)
        options.network = BitcoinNetwork(name: network) ?? .regtest
        options.transactionsPerBlock = transactionsPerBlock
        options.peelChains = peelChains
        options.coinJoins = coinJoins
        options.consolidations = consolidations
        options.staleBlocks = staleBlocks
        options.reorgDepth = reorgDepth
        options.files = files
        options.outOfOrder = outOfOrder
        let manifest = try BitcoinChainGenerator(options: options).write(to: out)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let manifestPath = out + "/generator-manifest.json"
        guard FileManager.default.createFile(atPath: manifestPath, contents: try encoder.encode(manifest)) else {
            throw CLIError("\(manifestPath): cannot write file")
        }
        Terminal.note(
            "wrote \(manifest.files.count) blk file(s) to \(out): \(manifest.blockCount) blocks "
                + "(+\(manifest.staleBlockHashes.count) stale), \(manifest.transactionCount) transactions, "
                + "\(manifest.inputCount) inputs, \(manifest.outputCount) outputs, \(manifest.peelChains.count) peel chains, "
                + "\(manifest.coinJoins.count) coinjoins, \(manifest.consolidations.count) consolidations, hot wallet "
                + "\(manifest.hotWalletAddress) (\(manifest.hotWalletTransactions.count) transactions)"
                + (manifest.reorgFile.map {
                    "; reorg branch of \(manifest.reorgBranchHashes.count) blocks from height "
                        + "\(manifest.reorgForkHeight ?? 0) in \($0)"
                } ?? "")
                + "; manifest " + manifestPath
        )
    }
}
