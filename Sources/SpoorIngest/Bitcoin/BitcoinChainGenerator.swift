import Foundation

/// The planted cases and totals of a generated chain, for analytics tests (all hashes in display order).
public struct BitcoinGeneratorManifest: Sendable, Hashable, Codable {
    /// The network whose magic frames the files.
    public var network: String
    /// The seed.
    public var seed: UInt64
    /// The blk file names written, in name order (`blk00000.dat`, ...).
    public var files: [String]
    /// Best-chain block count (heights 0 ..< blockCount).
    public var blockCount: Int
    /// Best-chain block hashes by height.
    public var blockHashes: [String]
    /// Stale (fork) blocks written besides the best chain.
    public var staleBlockHashes: [String]
    /// Transactions in the best chain, coinbases included (the original chain: without a reorg branch).
    public var transactionCount: Int
    /// Inputs in the original best chain, coinbase inputs included.
    public var inputCount: Int
    /// Outputs in the original best chain.
    public var outputCount: Int
    /// The sum of all fees of the original best chain in satoshis (the coinbase values minus the subsidies).
    public var totalFees: UInt64
    /// Each peel chain: its txids in order; transaction k+1 spends the change output (index 1) of transaction k.
    public var peelChains: [[String]]
    /// CoinJoin-like transactions: many inputs, several outputs of one equal value, a change output per input.
    public var coinJoins: [String]
    /// Consolidations: many inputs, exactly one output.
    public var consolidations: [String]
    /// The exchange-like hot wallet address (P2WPKH) that receives and pays very often.
    public var hotWalletAddress: String
    /// Transactions that pay to or spend from the hot wallet (on the original chain: with `reorgDepth`, those in
    /// the replaced blocks are listed too).
    public var hotWalletTransactions: [String]
    /// With `reorgDepth` > 0: the first height the reorg branch replaces (the branch's parent is at this height − 1).
    public var reorgForkHeight: Int?
    /// With `reorgDepth` > 0: the branch's block hashes, heights `reorgForkHeight ... blockCount` (one block longer
    /// than what it replaces, so it wins once its file is read).
    public var reorgBranchHashes: [String]
    /// With `reorgDepth` > 0: the extra file holding the branch (named after the best chain's last file).
    public var reorgFile: String?
}

/// Writes a deterministic synthetic Bitcoin chain in `blk*.dat` form.
///
/// Blocks have valid merkle roots, previous-hash links, BIP 34 heights and witness commitments, bits 0x207fffff
/// and no proof of work. Outputs are P2PKH, P2WPKH and P2TR with random 20/32-byte programs; signatures are random
/// bytes of the right sizes. Every input spends an existing unspent output, and in every transaction the outputs
/// plus the fee equal the inputs (coinbase: subsidy plus the block's fees). Planted cases (peel chains, CoinJoins,
/// consolidations, a hot wallet) are listed in the returned `BitcoinGeneratorManifest`. The same options give the
/// same bytes on every platform.
public struct BitcoinChainGenerator: Sendable {
    /// Generator options; the defaults give a small mixed chain.
    public struct Options: Sendable, Hashable {
        /// The random seed.
        public var seed: UInt64
        /// The number of best-chain blocks (including the genesis).
        public var blocks: Int
        /// The network (magic and address prefixes). Default regtest.
        public var network: BitcoinNetwork = .regtest
        /// Ordinary transactions per block besides the coinbase and the planted ones (each block draws 50%..150%).
        public var transactionsPerBlock: Int = 20
        /// Peel chains to plant, and the hops of each.
        public var peelChains: Int = 2
        /// Hops (transactions) per peel chain.
        public var peelChainLength: Int = 8
        /// CoinJoins to plant.
        public var coinJoins: Int = 2
        /// Participants (inputs and equal outputs) per CoinJoin.
        public var coinJoinParticipants: Int = 6
        /// Consolidations to plant.
        public var consolidations: Int = 2
        /// Inputs per consolidation.
        public var consolidationInputs: Int = 15
        /// Share of ordinary transactions that are hot-wallet deposits or withdrawals.
        public var hotWalletShare: Double = 0.2
        /// Number of stale blocks: each is a sibling of a best-chain block (a one-block fork that loses).
        public var staleBlocks: Int = 0
        /// When > 0, also write a competing branch that forks `reorgDepth` blocks below the tip and is one block
        /// longer, into one extra file after the others: reading the files without it gives the original chain,
        /// with it a reorganisation. The branch's transactions spend outputs that exist on the branch.
        public var reorgDepth: Int = 0
        /// Number of blk files to split the blocks across (contiguous chunks).
        public var files: Int = 1
        /// Write chunks to files in a shuffled order and swap some neighbouring blocks inside each file, as Bitcoin
        /// Core's files are when blocks arrive out of order.
        public var outOfOrder: Bool = false
        /// Blocks before a coinbase output may be spent (Bitcoin's consensus rule is 100; 1 keeps short chains busy).
        public var coinbaseMaturity: Int = 1

        /// Options with the given seed and block count and the defaults above.
        public init(seed: UInt64, blocks: Int) {
            self.seed = seed
            self.blocks = blocks
        }
    }

    /// The options.
    public let options: Options

    /// Creates a generator.
    public init(options: Options) {
        self.options = options
    }

    /// Creates a generator with default options apart from these.
    public init(seed: UInt64, blocks: Int, network: BitcoinNetwork = .regtest) {
        var options = Options(seed: seed, blocks: blocks)
        options.network = network
        self.options = options
    }

    /// Writes `blk00000.dat`, `blk00001.dat`, ... into `directory` (created if missing) and returns the manifest.
    public func write(to directory: String) throws(IngestError) -> BitcoinGeneratorManifest {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unreadable(file: directory, reason: "cannot create directory: \(error)")
        }
        let manifest = try generate { name, bytes throws(IngestError) in
            let path = directory + "/" + name
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw .unreadable(file: path, reason: "cannot write file")
            }
        }
        return manifest
    }

    /// Generates the chain in memory: each blk file's name and bytes, and the manifest.
    public func generateFiles() throws(IngestError) -> (
        files: [(name: String, bytes: [UInt8])], manifest: BitcoinGeneratorManifest
    ) {
        var files = [(name: String, bytes: [UInt8])]()
        let manifest = try generate { name, bytes throws(IngestError) in files.append((name, bytes)) }
        return (files.sorted { $0.name < $1.name }, manifest)
    }

    /// Generates the chain, handing each finished blk file to `emit` (one chunk of blocks is held in memory).
    public func generate(
        emit: (_ name: String, _ bytes: [UInt8]) throws(IngestError) -> Void
    ) throws(IngestError) -> BitcoinGeneratorManifest {
        guard options.blocks >= 1 else { throw .invalidArgument("blocks must be at least 1, found \(options.blocks)") }
        guard options.files >= 1 && options.files <= 99_999 else {
            throw .invalidArgument("files must be in 1...99999, found \(options.files)")
        }
        guard options.transactionsPerBlock >= 0, options.peelChains >= 0, options.peelChainLength >= 1,
            options.coinJoins >= 0, options.coinJoinParticipants >= 2, options.consolidations >= 0,
            options.consolidationInputs >= 2, options.staleBlocks >= 0, options.coinbaseMaturity >= 0,
            options.reorgDepth >= 0, options.reorgDepth < options.blocks,
            (0.0...1.0).contains(options.hotWalletShare)
        else {
            throw .invalidArgument("a generator count is out of range: \(options)")
        }
        var state = BitcoinGeneratorState(options: options)
        return try state.run(emit: emit)
    }
}

/// The mutable state of one generator run.
private struct BitcoinGeneratorState {
    struct Coin {
        var txid: [UInt8]
        var index: UInt32
        var value: UInt64
        var kind: UInt8  // 0 P2PKH, 1 P2WPKH, 2 P2TR
        var spendableAt: Int
    }

    let options: BitcoinChainGenerator.Options
    var random: Xoshiro256
    var coins: [Coin] = []
    var hotCoins: [Coin] = []
    let hotScript: [UInt8]
    var manifest: BitcoinGeneratorManifest
    var height = 0
    /// Planned planted cases: height -> kinds (0 peel start, 1 coinjoin, 2 consolidation).
    var plan: [Int: [Int]] = [:]
    /// Active peel chains: manifest index and the change coin to spend next.
    var activePeels: [(chain: Int, coin: Coin, hopsLeft: Int)] = []
    var staleHeights: Set<Int> = []
    /// The non-coinbase transactions of the block being built and their fees.
    var blockTransactions: [BitcoinTransaction] = []
    var blockFees: UInt64 = 0

    init(options: BitcoinChainGenerator.Options) {
        self.options = options
        random = Xoshiro256(seed: options.seed)
        var program = [UInt8](repeating: 0, count: 20)
        for index in program.indices { program[index] = UInt8(truncatingIfNeeded: random.next()) }
        hotScript = [0x00, 0x14] + program
        let hotAddress = BitcoinAddressEncoder.address(scriptPubKey: hotScript, network: options.network).text ?? ""
        manifest = BitcoinGeneratorManifest(
            network: options.network.rawValue,
            seed: options.seed,
            files: [],
            blockCount: options.blocks,
            blockHashes: [],
            staleBlockHashes: [],
            transactionCount: 0,
            inputCount: 0,
            outputCount: 0,
            totalFees: 0,
            peelChains: [],
            coinJoins: [],
            consolidations: [],
            hotWalletAddress: hotAddress,
            hotWalletTransactions: [],
            reorgForkHeight: nil,
            reorgBranchHashes: [],
            reorgFile: nil
        )
        // Planted cases start after a warm-up that leaves coins to spend, spread over the rest of the chain; with a
        // reorg branch they stay (peel chains included) below the fork, so that they survive the reorganisation.
        let end = options.blocks - (options.reorgDepth > 0 ? options.reorgDepth + options.peelChainLength : 0)
        let first = min(options.blocks - 1, max(1, options.coinbaseMaturity + 1))
        let span = max(1, end - first)
        func schedule(_ count: Int, _ kind: Int) {
            for index in 0..<count {
                let at = first + (index * span + (kind * span) / 7) / max(count, 1) % span
                if at >= 1 && at < options.blocks - options.reorgDepth { plan[at, default: []].append(kind) }
            }
        }
        schedule(options.peelChains, 0)
        schedule(options.coinJoins, 1)
        schedule(options.consolidations, 2)
        if options.blocks > 2 {
            for index in 0..<options.staleBlocks {
                staleHeights.insert(1 + (index * 7919 + 3) % (options.blocks - 2))
            }
        }
    }

    mutating func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        while bytes.count < count {
            var word = random.next()
            for _ in 0..<min(8, count - bytes.count) {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return bytes
    }

    mutating func newScript() -> (script: [UInt8], kind: UInt8) {
        let roll = random.below(10)
        if roll < 4 { return ([0x76, 0xA9, 0x14] + randomBytes(20) + [0x88, 0xAC], 0) }
        if roll < 8 { return ([0x00, 0x14] + randomBytes(20), 1) }
        return ([0x51, 0x20] + randomBytes(32), 2)
    }

    /// A spending input for `coin` with a fake signature of the right shape for its kind.
    mutating func input(spending coin: Coin) -> BitcoinTxIn {
        switch coin.kind {
        case 0:
            let script = [0x47] + randomBytes(71) + [0x21, 0x02] + randomBytes(32)
            return BitcoinTxIn(
                previousTxid: coin.txid,
                previousIndex: coin.index,
                scriptSig: script,
                sequence: 0xFFFF_FFFF
            )
        case 1:
            return BitcoinTxIn(
                previousTxid: coin.txid,
                previousIndex: coin.index,
                scriptSig: [],
                sequence: 0xFFFF_FFFD,
                witness: [randomBytes(71), [0x03] + randomBytes(32)]
            )
        default:
            return BitcoinTxIn(
                previousTxid: coin.txid,
                previousIndex: coin.index,
                scriptSig: [],
                sequence: 0xFFFF_FFFD,
                witness: [randomBytes(64)]
            )
        }
    }

    mutating func fee() -> UInt64 { UInt64(150 + random.below(2_000)) }

    /// Takes a random spendable coin with value above `minimum`, if any (a few tries, then a scan).
    mutating func takeCoin(minimum: UInt64 = 10_000) -> Coin? {
        guard !coins.isEmpty else { return nil }
        for _ in 0..<8 {
            let index = random.below(coins.count)
            if coins[index].spendableAt <= height && coins[index].value >= minimum { return coins.swapRemoveAt(index) }
        }
        if let index = coins.firstIndex(where: { $0.spendableAt <= height && $0.value >= minimum }) {
            return coins.swapRemoveAt(index)
        }
        return nil
    }

    mutating func takeHotCoin() -> Coin? {
        guard
            let index = hotCoins.indices.first(where: {
                hotCoins[$0].spendableAt <= height && hotCoins[$0].value >= 20_000
            })
        else { return nil }
        return hotCoins.swapRemoveAt(index)
    }

    /// Adds the outputs of `transaction` to the pools (the hot wallet's to its own pool).
    mutating func credit(_ transaction: BitcoinTransaction, kinds: [UInt8], skip: Set<Int> = []) {
        for (index, output) in transaction.outputs.enumerated() where !skip.contains(index) && output.value > 0 {
            let coin = Coin(
                txid: transaction.txid,
                index: UInt32(index),
                value: output.value,
                kind: kinds[index],
                spendableAt: height
            )
            if output.scriptPubKey == hotScript { hotCoins.append(coin) } else { coins.append(coin) }
        }
    }

    mutating func makeTransaction(
        inputs: [Coin],
        outputs: [(value: UInt64, script: [UInt8], kind: UInt8)]
    ) -> BitcoinTransaction {
        var transactionInputs = [BitcoinTxIn]()
        for coin in inputs { transactionInputs.append(input(spending: coin)) }
        return BitcoinTransaction(
            version: 2,
            inputs: transactionInputs,
            outputs: outputs.map { BitcoinTxOut(value: $0.value, scriptPubKey: $0.script) },
            lockTime: 0
        )
    }

    // MARK: Transaction shapes (each returns the transaction and its fee, or nil when no coin fits)

    mutating func ordinary() -> (BitcoinTransaction, UInt64, [UInt8])? {
        let inputCount = 1 + random.below(3)
        var inputs = [Coin]()
        for _ in 0..<inputCount {
            guard let coin = takeCoin() else { break }
            inputs.append(coin)
        }
        guard !inputs.isEmpty else { return nil }
        let total = inputs.reduce(0) { $0 + $1.value }
        let fee = fee()
        let payment = max(546, UInt64(Double(total - fee) * (0.05 + random.unit() * 0.6)))
        let destination = newScript()
        let change = newScript()
        let transaction = makeTransaction(
            inputs: inputs,
            outputs: [
                (payment, destination.script, destination.kind), (total - fee - payment, change.script, change.kind),
            ]
        )
        return (transaction, fee, [destination.kind, change.kind])
    }

    mutating func hotDeposit() -> (BitcoinTransaction, UInt64, [UInt8])? {
        guard let coin = takeCoin() else { return nil }
        let fee = fee()
        let deposit = max(546, UInt64(Double(coin.value - fee) * (0.2 + random.unit() * 0.5)))
        let change = newScript()
        let transaction = makeTransaction(
            inputs: [coin],
            outputs: [(deposit, hotScript, 1), (coin.value - fee - deposit, change.script, change.kind)]
        )
        return (transaction, fee, [1, change.kind])
    }

    mutating func hotWithdrawal() -> (BitcoinTransaction, UInt64, [UInt8])? {
        guard let coin = takeHotCoin() else { return nil }
        let fee = fee()
        let payout = max(546, UInt64(Double(coin.value - fee) * (0.1 + random.unit() * 0.4)))
        let destination = newScript()
        // Exchanges send change back to the same hot address (address reuse).
        let transaction = makeTransaction(
            inputs: [coin],
            outputs: [(payout, destination.script, destination.kind), (coin.value - fee - payout, hotScript, 1)]
        )
        return (transaction, fee, [destination.kind, 1])
    }

    mutating func peelHop(_ coin: Coin) -> (BitcoinTransaction, UInt64, [UInt8]) {
        let fee = fee()
        // A small payment (0.5%..3%) and the large change, which the next hop spends (output 1).
        let payment = max(546, UInt64(Double(coin.value) * (0.005 + random.unit() * 0.025)))
        let destination = newScript()
        let change = newScript()
        let transaction = makeTransaction(
            inputs: [coin],
            outputs: [
                (payment, destination.script, destination.kind),
                (coin.value - fee - payment, change.script, change.kind),
            ]
        )
        return (transaction, fee, [destination.kind, change.kind])
    }

    mutating func coinJoin() -> (BitcoinTransaction, UInt64, [UInt8])? {
        var inputs = [Coin]()
        for _ in 0..<options.coinJoinParticipants {
            guard let coin = takeCoin(minimum: 200_000) else { break }
            inputs.append(coin)
        }
        guard inputs.count == options.coinJoinParticipants else {
            coins.append(contentsOf: inputs)
            return nil
        }
        let feeShare = fee()
        let smallest = inputs.map(\.value).min() ?? 0
        // A round denomination below every input: the largest 10^k multiple not above 80% of the smallest input.
        var denomination: UInt64 = 1
        while denomination * 10 <= smallest * 8 / 10 { denomination *= 10 }
        denomination *= max(1, (smallest * 8 / 10) / denomination)
        var outputs = [(value: UInt64, script: [UInt8], kind: UInt8)]()
        var kinds = [UInt8]()
        for _ in inputs {
            let script = newScript()
            outputs.append((denomination, script.script, script.kind))
            kinds.append(script.kind)
        }
        for coin in inputs {
            let change = coin.value - denomination - feeShare
            let script = newScript()
            outputs.append((change, script.script, script.kind))
            kinds.append(script.kind)
        }
        let transaction = makeTransaction(inputs: inputs, outputs: outputs)
        return (transaction, feeShare * UInt64(inputs.count), kinds)
    }

    mutating func consolidation() -> (BitcoinTransaction, UInt64, [UInt8])? {
        var inputs = [Coin]()
        for _ in 0..<options.consolidationInputs {
            guard let coin = takeCoin() else { break }
            inputs.append(coin)
        }
        guard inputs.count == options.consolidationInputs else {
            coins.append(contentsOf: inputs)
            return nil
        }
        let fee = fee() + UInt64(inputs.count) * 100
        let total = inputs.reduce(0) { $0 + $1.value }
        let destination = newScript()
        let transaction = makeTransaction(
            inputs: inputs,
            outputs: [(total - fee, destination.script, destination.kind)]
        )
        return (transaction, fee, [destination.kind])
    }

    // MARK: Blocks

    static func heightPush(_ height: Int) -> [UInt8] {
        if height == 0 { return [0x00] }
        if height <= 16 { return [UInt8(0x50 + height)] }
        var bytes = [UInt8]()
        var value = height
        while value > 0 {
            bytes.append(UInt8(value & 0xFF))
            value >>= 8
        }
        if let last = bytes.last, last & 0x80 != 0 { bytes.append(0) }
        return [UInt8(bytes.count)] + bytes
    }

    mutating func coinbase(height: Int, value: UInt64, witnessCommitment: [UInt8]?) -> (BitcoinTransaction, [UInt8]) {
        let scriptSig = Self.heightPush(height) + [0x08] + randomBytes(8)
        var outputs = [BitcoinTxOut]()
        var kinds = [UInt8]()
        // Split the reward into several outputs so that short chains have coins to spend.
        let parts = 8
        let share = value / UInt64(parts)
        for part in 0..<parts {
            let script = newScript()
            let amount = part == parts - 1 ? value - share * UInt64(parts - 1) : share
            outputs.append(BitcoinTxOut(value: amount, scriptPubKey: script.script))
            kinds.append(script.kind)
        }
        var witness: [[UInt8]] = []
        if let witnessCommitment {
            outputs.append(
                BitcoinTxOut(value: 0, scriptPubKey: [0x6A, 0x24, 0xAA, 0x21, 0xA9, 0xED] + witnessCommitment)
            )
            kinds.append(0)
            witness = [[UInt8](repeating: 0, count: 32)]
        }
        let input = BitcoinTxIn(
            previousTxid: [UInt8](repeating: 0, count: 32),
            previousIndex: 0xFFFF_FFFF,
            scriptSig: scriptSig,
            sequence: 0xFFFF_FFFF,
            witness: witness
        )
        return (BitcoinTransaction(version: 2, inputs: [input], outputs: outputs, lockTime: 0), kinds)
    }

    /// Stand-ins for computing the witness commitment before the real coinbase exists: the commitment ignores the
    /// header and takes the coinbase's wtxid as zero; the reserved value (32 zero bytes) is the same as the real one.
    static let placeholderHeader = BitcoinBlockHeader(
        version: 0,
        previousBlockHash: [UInt8](repeating: 0, count: 32),
        merkleRoot: [UInt8](repeating: 0, count: 32),
        time: 0,
        bits: 0,
        nonce: 0
    )
    static let placeholderCoinbase = BitcoinTransaction(
        version: 2,
        inputs: [
            BitcoinTxIn(
                previousTxid: [UInt8](repeating: 0, count: 32),
                previousIndex: 0xFFFF_FFFF,
                scriptSig: [0, 0],
                sequence: 0xFFFF_FFFF,
                witness: [[UInt8](repeating: 0, count: 32)]
            )
        ],
        outputs: [],
        lockTime: 0
    )

    static func subsidy(height: Int) -> UInt64 {
        let halvings = height / 210_000  // mainnet's interval: long synthetic chains keep a subsidy
        return halvings >= 64 ? 0 : 5_000_000_000 >> UInt64(halvings)
    }

    /// Appends a made transaction to the block being built, credits its outputs and returns it.
    mutating func include(_ made: (BitcoinTransaction, UInt64, [UInt8])?, skip: Set<Int> = []) -> BitcoinTransaction? {
        guard let (transaction, fee, kinds) = made else { return nil }
        blockTransactions.append(transaction)
        blockFees += fee
        credit(transaction, kinds: kinds, skip: skip)
        return transaction
    }

    mutating func makeBlock(previous: [UInt8], time: UInt32) -> BitcoinBlock {
        blockTransactions = []
        blockFees = 0
        // Planted cases first, so they always find coins.
        for kind in plan[height] ?? [] {
            switch kind {
            case 0:
                if let coin = takeCoin(minimum: 1_000_000) {
                    manifest.peelChains.append([])
                    activePeels.append((manifest.peelChains.count - 1, coin, options.peelChainLength))
                }
            case 1:
                if let transaction = include(coinJoin()) { manifest.coinJoins.append(transaction.txidHex) }
            default:
                if let transaction = include(consolidation()) { manifest.consolidations.append(transaction.txidHex) }
            }
        }
        // Each active peel chain advances one or two hops per block.
        var stillActive = [(chain: Int, coin: Coin, hopsLeft: Int)]()
        for var peel in activePeels {
            for _ in 0..<(1 + random.below(2)) where peel.hopsLeft > 0 && peel.coin.value > 50_000 {
                let hop = peelHop(peel.coin)
                guard let transaction = include(hop, skip: [1]) else { continue }
                manifest.peelChains[peel.chain].append(transaction.txidHex)
                peel.coin = Coin(
                    txid: transaction.txid,
                    index: 1,
                    value: transaction.outputs[1].value,
                    kind: hop.2[1],
                    spendableAt: height
                )
                peel.hopsLeft -= 1
            }
            if peel.hopsLeft > 0 && peel.coin.value > 50_000 {
                stillActive.append(peel)
            } else {
                coins.append(peel.coin)  // the last change returns to the pool
            }
        }
        activePeels = stillActive
        let ordinaryCount =
            options.transactionsPerBlock == 0
            ? 0 : options.transactionsPerBlock / 2 + random.below(options.transactionsPerBlock + 1)
        for _ in 0..<ordinaryCount {
            if random.unit() < options.hotWalletShare {
                let made = random.below(2) == 0 ? hotDeposit() : (hotWithdrawal() ?? hotDeposit())
                if let transaction = include(made) { manifest.hotWalletTransactions.append(transaction.txidHex) }
            } else {
                _ = include(ordinary())
            }
        }
        let transactions = blockTransactions
        let fees = blockFees
        let commitment =
            transactions.contains(where: \.hasWitness)
            ? BitcoinBlock(header: Self.placeholderHeader, transactions: [Self.placeholderCoinbase] + transactions)
                .computedWitnessCommitment()
            : nil
        let (coinbase, coinbaseKinds) = coinbase(
            height: height,
            value: Self.subsidy(height: height) + fees,
            witnessCommitment: commitment
        )
        for (index, output) in coinbase.outputs.enumerated() where output.value > 0 {
            coins.append(
                Coin(
                    txid: coinbase.txid,
                    index: UInt32(index),
                    value: output.value,
                    kind: coinbaseKinds[index],
                    spendableAt: height + options.coinbaseMaturity
                )
            )
        }
        manifest.totalFees += fees
        let all = [coinbase] + transactions
        let header = BitcoinBlockHeader(
            version: 0x2000_0000,
            previousBlockHash: previous,
            merkleRoot: BitcoinBlock.merkleRoot(all.map(\.txid)).root,
            time: time,
            bits: 0x207F_FFFF,
            nonce: UInt32(truncatingIfNeeded: random.next())
        )
        return BitcoinBlock(header: header, transactions: all)
    }

    /// A stale sibling: a coinbase-only block on the same parent.
    mutating func makeStaleBlock(previous: [UInt8], time: UInt32) -> BitcoinBlock {
        let (coinbase, _) = coinbase(height: height, value: Self.subsidy(height: height), witnessCommitment: nil)
        let header = BitcoinBlockHeader(
            version: 0x2000_0000,
            previousBlockHash: previous,
            merkleRoot: coinbase.txid,
            time: time + 1,
            bits: 0x207F_FFFF,
            nonce: UInt32(truncatingIfNeeded: random.next())
        )
        return BitcoinBlock(header: header, transactions: [coinbase])
    }

    mutating func run(
        emit: (_ name: String, _ bytes: [UInt8]) throws(IngestError) -> Void
    ) throws(IngestError) -> BitcoinGeneratorManifest {
        let chunkSize = (options.blocks + options.files - 1) / options.files
        let chunkCount = (options.blocks + chunkSize - 1) / chunkSize
        var fileForChunk = Array(0..<chunkCount)
        if options.outOfOrder {
            for index in stride(from: chunkCount - 1, to: 0, by: -1) {
                fileForChunk.swapAt(index, random.below(index + 1))
            }
        }
        var previous = [UInt8](repeating: 0, count: 32)
        // The file being built, and (out of order) the one record held back that may swap with the next.
        var chunk = [UInt8]()
        var pending: [UInt8]?
        var chunkIndex = 0
        let magic = options.network.magic
        func record(_ block: BitcoinBlock) -> [UInt8] {
            let bytes = block.serialized()
            var framed = magic
            BitcoinWriter.appendUInt32(UInt32(bytes.count), to: &framed)
            return framed + bytes
        }
        var branchStart: (state: BitcoinGeneratorState, previous: [UInt8])?
        for blockHeight in 0..<options.blocks {
            if options.reorgDepth > 0 && blockHeight == options.blocks - options.reorgDepth {
                branchStart = (self, previous)
            }
            height = blockHeight
            let time = UInt32(1_600_000_000 + blockHeight * 600 + random.below(300))
            let block = makeBlock(previous: previous, time: time)
            manifest.blockHashes.append(block.header.hashHex)
            manifest.transactionCount += block.transactions.count
            manifest.inputCount += block.transactions.reduce(0) { $0 + $1.inputs.count }
            manifest.outputCount += block.transactions.reduce(0) { $0 + $1.outputs.count }
            place(record(block), into: &chunk, pending: &pending)
            if staleHeights.contains(blockHeight) {
                let stale = makeStaleBlock(previous: previous, time: time)
                manifest.staleBlockHashes.append(stale.header.hashHex)
                place(record(stale), into: &chunk, pending: &pending)
            }
            previous = block.header.hash
            if (blockHeight + 1) % chunkSize == 0 || blockHeight == options.blocks - 1 {
                if let held = pending {
                    chunk += held
                    pending = nil
                }
                let name = Self.fileName(fileForChunk[chunkIndex])
                try emit(name, chunk)
                manifest.files.append(name)
                chunk = []
                chunkIndex += 1
            }
        }
        manifest.files.sort()
        if let branchStart {
            // Replay from the fork point on a separate random stream, without planting: the branch sees exactly the
            // coins that exist below the fork.
            var branch = branchStart.state
            branch.random = Xoshiro256(seed: options.seed ^ 0x5EED_0FF0_EC00_0001)
            branch.plan = [:]
            branch.staleHeights = []
            var branchPrevious = branchStart.previous
            var records = [UInt8]()
            let forkHeight = options.blocks - options.reorgDepth
            for blockHeight in forkHeight...options.blocks {
                branch.height = blockHeight
                let time = UInt32(1_600_000_000 + blockHeight * 600 + 301 + branch.random.below(290))
                let block = branch.makeBlock(previous: branchPrevious, time: time)
                manifest.reorgBranchHashes.append(block.header.hashHex)
                records += record(block)
                branchPrevious = block.header.hash
            }
            let name = Self.fileName(chunkCount)
            try emit(name, records)
            manifest.reorgForkHeight = forkHeight
            manifest.reorgFile = name
            manifest.files.append(name)
        }
        return manifest
    }

    /// Appends a framed block record to the file being built. Out of order, about one in five neighbouring pairs
    /// is swapped (a child may come before its parent), holding back at most one record.
    mutating func place(_ record: [UInt8], into chunk: inout [UInt8], pending: inout [UInt8]?) {
        guard options.outOfOrder else {
            chunk += record
            return
        }
        guard let held = pending else {
            pending = record
            return
        }
        if random.below(5) == 0 {
            chunk += record
            chunk += held
            pending = nil
        } else {
            chunk += held
            pending = record
        }
    }

    static func fileName(_ index: Int) -> String {
        let digits = String(index)
        return "blk" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".dat"
    }
}

extension Array {
    /// Removes and returns the element at `index` by moving the last element into its place (O(1), order changes).
    fileprivate mutating func swapRemoveAt(_ index: Int) -> Element {
        swapAt(index, count - 1)
        return removeLast()
    }
}
