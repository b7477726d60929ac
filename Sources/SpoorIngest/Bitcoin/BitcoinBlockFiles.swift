import Foundation

/// A set of `blk*.dat` files read in two passes: headers first (to find the best chain among out-of-order and
/// stale blocks), then the best chain's blocks in height order, each parsed and merkle-verified.
public struct BitcoinBlockFiles: Sendable {
    /// The files, in name order.
    public let paths: [String]
    /// The network whose magic frames the records.
    public let network: BitcoinNetwork

    /// Uses these files (sorted by name).
    public init(paths: [String], network: BitcoinNetwork) {
        self.paths = paths.sorted()
        self.network = network
    }

    /// The `blk*.dat` files directly inside `directory` (sorted by name), or `[path]` when `path` is a file.
    public static func paths(in path: String) throws(BitcoinParseError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw BitcoinParseError(.unreadable(reason: "no such file or directory"), file: path, offset: 0)
        }
        guard isDirectory.boolValue else { return [path] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw BitcoinParseError(.unreadable(reason: "cannot list directory: \(error)"), file: path, offset: 0)
        }
        return names.filter { $0.hasPrefix("blk") && $0.hasSuffix(".dat") }.sorted().map { path + "/" + $0 }
    }

    /// First pass: every block header of every file with its location.
    public func headerChain(genesisHash: [UInt8]? = nil) throws(BitcoinParseError) -> BitcoinHeaderChain {
        var chain = BitcoinHeaderChain(genesisHash: genesisHash)
        for path in paths {
            var scanner = try BlkFileScanner(path: path, network: network)
            for (offset, header) in try scanner.readHeaders() {
                chain.add(header, location: BitcoinBlockLocation(file: path, offset: offset))
            }
        }
        return chain
    }

    /// Second pass: calls `body` with each entry of `chain` (e.g. `headerChain().bestChain()`, or a suffix of it to
    /// resume) and its block, parsed from its location and merkle-verified (a mismatch throws naming the block hash,
    /// height, file and offset). Each file is mapped once.
    public func forEachBlock(
        of chain: some Sequence<BitcoinChainEntry>,
        _ body: (BitcoinChainEntry, BitcoinBlock) throws(BitcoinParseError) -> Void
    ) throws(BitcoinParseError) {
        var scanners: [String: BlkFileScanner] = [:]
        for entry in chain {
            guard let location = entry.location else {
                throw BitcoinParseError(
                    .badLength(what: "chain entry", detail: "block \(entry.header.hashHex) has no file location"),
                    file: "",
                    offset: 0
                )
            }
            let scanner: BlkFileScanner
            if let open = scanners[location.file] {
                scanner = open
            } else {
                scanner = try BlkFileScanner(path: location.file, network: network)
                scanners[location.file] = scanner
            }
            let block = try scanner.block(at: location.offset)
            guard block.header.hash == entry.hash else {
                throw BitcoinParseError(
                    .badLength(
                        what: "block location",
                        detail: "expected block \(entry.header.hashHex), found \(block.header.hashHex)"
                    ),
                    file: location.file,
                    offset: location.offset
                )
            }
            try block.verifyMerkleRoot(height: entry.height, file: location.file, offset: location.offset)
            try body(entry, block)
        }
    }
}
