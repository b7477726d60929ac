import Foundation
public import Logging
public import SpoorStore

/// Options of a Bitcoin ingest.
public struct BitcoinIngestOptions: Sendable {
    /// The network: magic bytes of blk files and address prefixes. Default mainnet.
    public var network: BitcoinNetwork
    /// Transactions per LMDB write transaction (whole blocks; the unit of resume). Default 50,000.
    public var batchTransactions: Int

    /// Creates options.
    public init(network: BitcoinNetwork = .mainnet, batchTransactions: Int = 50_000) {
        self.network = network
        self.batchTransactions = max(1, batchTransactions)
    }
}

/// How Bitcoin blocks are stored in files.
public enum BitcoinFileFormat: String, Sendable, Hashable {
    /// Bitcoin Core's `blocks/blk*.dat`: network magic + length + block, out of order, stale blocks included.
    case blk
    /// One serialized block per file, binary or hex.
    case raw
}

/// What a Bitcoin ingest did.
public struct BitcoinIngestSummary: Sendable, Hashable {
    /// Blocks found in the files (all of them: best chain, stale and orphan).
    public var blocksFound = 0
    /// What was written (blocks, transactions, inputs, outputs, unknown inputs) and what was already stored.
    public var written = UTXOBatchResult()
    /// Stored blocks removed because the best chain now forks below the stored tip.
    public var rolledBack = 0
    /// Blocks off the best chain (stale forks), ignored.
    public var staleBlocks = 0
    /// Blocks whose parent is in no file and not genesis, ignored.
    public var orphanBlocks = 0
    /// Height of the stored tip after the ingest.
    public var tipHeight: UInt64?
    /// Wall-clock seconds.
    public var seconds = 0.0

    /// Transactions written per second.
    public var transactionsPerSecond: Double { seconds > 0 ? Double(written.transactions) / seconds : 0 }

    /// One line for the CLI.
    public var line: String {
        var parts = [
            "\(written.blocks) blocks added (\(written.skippedBlocks) already stored)",
            "\(written.transactions) transactions, \(written.inputs) inputs, \(written.outputs) outputs",
        ]
        if written.unknownInputs > 0 { parts.append("\(written.unknownInputs) inputs spend outputs not in the data") }
        if rolledBack > 0 { parts.append("\(rolledBack) blocks rolled back (reorganisation)") }
        if staleBlocks > 0 { parts.append("\(staleBlocks) stale blocks ignored") }
        if orphanBlocks > 0 { parts.append("\(orphanBlocks) orphan blocks ignored") }
        parts.append("tip \(tipHeight.map(String.init) ?? "none")")
        parts.append(String(format: "%.2f s (%.0f tx/s)", seconds, transactionsPerSecond))
        return parts.joined(separator: ", ")
    }
}

/// Ingests Bitcoin blocks: Bitcoin Core `blk*.dat` files (`bitcoin-blk`) or files of one serialized block each
/// (`bitcoin-raw`, binary or hex).
///
/// blk files hold blocks out of order and stale blocks: every header is read first, the best chain by cumulative work
/// is built, and its blocks are written in height order. Blocks already stored (same hash at that height) are skipped,
/// so running the same command again after new blocks were appended, or after a SIGKILL, writes only what is missing.
/// When the best chain forks below the stored tip, the stored blocks above the fork are rolled back first.
///
/// Every block's merkle root is recomputed before anything of its batch is written: a mismatch commits the good blocks
/// before it, then fails naming the block hash, height, file and byte offset; nothing of that block is stored.
///
/// Raw blocks need no chain: each is placed at its BIP 34 height (from the coinbase), or one above its parent when
/// the parent is stored or among the files; a block with neither is an error naming the file.
public struct BitcoinIngester {
    let store: Store
    let options: BitcoinIngestOptions
    let logger: Logger

    /// Creates an ingester writing to `store` (opened `.readWrite`).
    public init(store: Store, options: BitcoinIngestOptions = BitcoinIngestOptions(), logger: Logger) {
        self.store = store
        self.options = options
        self.logger = logger
    }

    /// Where a block's bytes are.
    struct Located {
        var hash: [UInt8]
        var height: UInt64
        var file: Int
        var offset: Int
        var length: Int
    }

    /// Ingests `blk*.dat` files (or directories of them).
    public func ingest(blkFiles paths: [String], progress: (IngestProgress) -> Void = { _ in }) throws
        -> BitcoinIngestSummary
    {
        let started = ContinuousClock.now
        // First pass: headers only (the parser's own header pass), then the best chain by work.
        let blockFiles = BitcoinBlockFiles(
            paths: try paths.flatMap { try BitcoinBlockFiles.paths(in: $0) }, network: options.network)
        let files = blockFiles.paths
        let chain = try blockFiles.headerChain()
        var summary = BitcoinIngestSummary()
        summary.blocksFound = chain.count
        summary.staleBlocks = chain.staleBlocks().count
        summary.orphanBlocks = chain.orphans().count
        let mapped = try files.map(Self.map)
        let index = Dictionary(uniqueKeysWithValues: files.enumerated().map { ($1, $0) })
        let best: [Located] = chain.bestChain().compactMap { entry in
            guard let location = entry.location, let file = index[location.file] else { return nil }
            // The record's length is the little-endian u32 just before the block (after the network magic).
            let length = mapped[file].withBuffer { buffer in
                (0..<4).reduce(0) { $0 | Int(buffer[location.offset - 4 + $1]) << (8 * $1) }
            }
            return Located(
                hash: entry.hash, height: UInt64(entry.height), file: file, offset: location.offset, length: length)
        }
        try write(best, files: files, mapped: mapped, into: &summary, progress: progress)
        summary.seconds = (ContinuousClock.now - started).seconds
        return summary
    }

    /// Ingests files that each hold one serialized block, binary or hex.
    public func ingest(rawFiles paths: [String], progress: (IngestProgress) -> Void = { _ in }) throws
        -> BitcoinIngestSummary
    {
        let started = ContinuousClock.now
        let files = try Self.expand(paths)
        var mapped: [MappedBytes] = []
        var summary = BitcoinIngestSummary()
        var pending: [(hash: [UInt8], previous: [UInt8], height: UInt64?, file: Int, length: Int)] = []
        for (index, file) in files.enumerated() {
            let bytes = MappedBytes(copying: try BitcoinRawBlockFile.bytes(path: file))
            mapped.append(bytes)
            let block = try bytes.withBuffer { buffer in try BitcoinBlock.parse(buffer: buffer, file: file, offset: 0) }
            summary.blocksFound += 1
            pending.append(
                (block.header.hash, block.header.previousBlockHash, block.bip34Height.map(UInt64.init), index, bytes.count))
        }
        // Heights: BIP 34, else one above a parent among the files (resolved repeatedly) or in the store.
        var heights: [[UInt8]: UInt64] = [:]
        for item in pending { if let height = item.height { heights[item.hash] = height } }
        var progressMade = true
        while progressMade {
            progressMade = false
            for item in pending where heights[item.hash] == nil {
                var parent = heights[item.previous]
                if parent == nil { parent = try store.read { try $0.blockHeight(hash: item.previous.reversed()) } }
                if let parent {
                    heights[item.hash] = parent + 1
                    progressMade = true
                }
            }
        }
        var located: [Located] = []
        for item in pending {
            guard let height = heights[item.hash] else {
                throw BitcoinIngestError.unknownHeight(file: files[item.file], hash: BitcoinHex.encodeReversed(item.hash))
            }
            located.append(Located(hash: item.hash, height: height, file: item.file, offset: 0, length: item.length))
        }
        located.sort { $0.height < $1.height }
        try write(located, files: files, mapped: mapped, into: &summary, progress: progress)
        summary.seconds = (ContinuousClock.now - started).seconds
        return summary
    }

    /// Rolls back stored blocks that conflict with `blocks`, then writes the missing ones in batches.
    private func write(
        _ blocks: [Located], files: [String], mapped: [MappedBytes], into summary: inout BitcoinIngestSummary,
        progress: (IngestProgress) -> Void
    ) throws {
        let writer = try store.makeUTXOWriter()
        // The first block the store lacks (or holds a different block at that height): everything below is stored.
        var firstMissing = blocks.count
        for (index, block) in blocks.enumerated() {
            let stored = try store.read { try $0.storedBlock(height: block.height) }
            guard let stored, stored.hash == block.hash.reversed() else {
                if stored != nil { summary.rolledBack += try writer.rollback(above: block.height == 0 ? nil : block.height - 1) }
                firstMissing = index
                break
            }
            summary.written.skippedBlocks += 1
        }
        let clock = ContinuousClock()
        let started = clock.now
        let total = blocks.count - firstMissing
        var done = 0
        var batch: [UTXOBlockInput] = []
        var batchTransactions = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            summary.written.add(try writer.append(batch))
            done += batch.count
            batch.removeAll(keepingCapacity: true)
            batchTransactions = 0
            progress(
                IngestProgress(
                    file: files.count == 1 ? files[0] : "\(files.count) files", phase: .writing, bytesRead: 0,
                    totalBytes: 0, rowsCommitted: done, totalRows: total, elapsed: (clock.now - started).seconds))
        }
        for located in blocks[firstMissing...] {
            let file = files[located.file]
            let block = try mapped[located.file].withBuffer { buffer in
                try BitcoinBlock.parse(
                    buffer: UnsafeRawBufferPointer(rebasing: buffer[located.offset..<(located.offset + located.length)]),
                    file: file, offset: located.offset)
            }
            do {
                try block.verifyMerkleRoot(height: Int(located.height), file: file, offset: located.offset)
            } catch {
                try flush()  // The good blocks before it are kept.
                throw error
            }
            let input = convert(block, height: located.height)
            batch.append(input)
            batchTransactions += input.transactions.count
            if batchTransactions >= options.batchTransactions { try flush() }
        }
        try flush()
        summary.tipHeight = try store.read { try $0.tipBlock()?.height }
    }

    /// A parsed block as the store takes it: display-order hashes, output addresses encoded.
    func convert(_ block: BitcoinBlock, height: UInt64) -> UTXOBlockInput {
        let network = options.network
        let transactions = block.transactions.map { transaction in
            UTXOTransactionInput(
                txid: transaction.txid.reversed(), isCoinbase: transaction.isCoinbase,
                inputs: transaction.inputs.map { UTXOOutpointInput(txid: $0.previousTxid.reversed(), index: $0.previousIndex) },
                outputs: transaction.outputs.map { output in
                    UTXOOutputInput(
                        address: BitcoinAddressEncoder.address(scriptPubKey: output.scriptPubKey, network: network).text,
                        value: output.value)
                })
        }
        return UTXOBlockInput(
            hash: block.header.hash.reversed(), height: height, time: Int64(block.header.time), transactions: transactions)
    }

    /// Files as given, directories expanded to their files in name order.
    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw BitcoinIngestError.missing(path: path)
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { !$0.hasPrefix(".") }.sorted().map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }

    static func map(_ file: String) throws -> MappedBytes {
        do {
            return try MappedBytes(path: file)
        } catch {
            throw BitcoinIngestError.unreadable(path: file, reason: "\(error)")
        }
    }
}

/// Errors of a Bitcoin ingest that are not about a block's bytes.
public enum BitcoinIngestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A path that does not exist.
    case missing(path: String)
    /// A file that cannot be read.
    case unreadable(path: String, reason: String)
    /// A raw block without a BIP 34 height whose parent is neither stored nor among the files.
    case unknownHeight(file: String, hash: String)

    public var description: String {
        switch self {
        case .missing(let path): return "\(path): no such file or directory"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .unknownHeight(let file, let hash):
            return "\(file): block \(hash) has no BIP 34 height and its parent is neither stored nor among the files; "
                + "ingest its parent first"
        }
    }
}
