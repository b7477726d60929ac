public import SpoorStore

/// Where a block's bytes are: a file and the absolute offset of the block's first byte.
public struct BitcoinBlockLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path.
    public var file: String
    /// The absolute byte offset of the block (after the blk record prefix).
    public var offset: Int

    /// Creates a location.
    public init(file: String, offset: Int) {
        self.file = file
        self.offset = offset
    }

    /// `file@offset`.
    public var description: String { "\(file)@\(offset)" }
}

/// One block of the best chain.
public struct BitcoinChainEntry: Sendable, Hashable {
    /// The height (genesis is 0).
    public var height: Int
    /// The block hash, internal byte order.
    public var hash: [UInt8]
    /// Where the block is, when it was added with a location.
    public var location: BitcoinBlockLocation?
    /// The header.
    public var header: BitcoinBlockHeader
    /// The cumulative work from genesis up to and including this block.
    public var chainWork: Amount
}

/// The headers of a set of blocks (in any order, stale blocks included) and the best chain among them.
///
/// The best chain is the path from a genesis header (previous hash all zeros, or the given genesis hash) to the tip
/// with the most cumulative work (`BitcoinBlockHeader.work`); between tips of equal work the one added first wins.
/// A header whose parent is unknown and that is not a genesis is an orphan: reported by `orphans()`, never in the chain.
public struct BitcoinHeaderChain: Sendable {
    private struct Node: Sendable {
        var header: BitcoinBlockHeader
        var location: BitcoinBlockLocation?
        var work: Amount
    }

    private var nodes: [Node] = []
    private var indexByHash: [[UInt8]: Int] = [:]
    private var workByBits: [UInt32: Amount] = [:]
    private let genesisHash: [UInt8]?

    /// Creates an empty chain. With `genesisHash` (internal order) only that header is a root; without, every header
    /// whose previous hash is all zeros is.
    public init(genesisHash: [UInt8]? = nil) {
        self.genesisHash = genesisHash
    }

    /// The number of distinct headers added.
    public var count: Int { nodes.count }

    /// Adds a header; returns false (and keeps the first) if a header with the same hash was already added.
    @discardableResult
    public mutating func add(_ header: BitcoinBlockHeader, location: BitcoinBlockLocation? = nil) -> Bool {
        guard indexByHash[header.hash] == nil else { return false }
        let work: Amount
        if let cached = workByBits[header.bits] {
            work = cached
        } else {
            work = header.work
            workByBits[header.bits] = work
        }
        indexByHash[header.hash] = nodes.count
        nodes.append(Node(header: header, location: location, work: work))
        return true
    }

    /// True when a header with this hash (internal order) was added.
    public func contains(hash: [UInt8]) -> Bool { indexByHash[hash] != nil }

    /// The header with this hash, if added.
    public func header(hash: [UInt8]) -> BitcoinBlockHeader? { indexByHash[hash].map { nodes[$0].header } }

    /// The location of the block with this hash, if added with one.
    public func location(hash: [UInt8]) -> BitcoinBlockLocation? { indexByHash[hash].flatMap { nodes[$0].location } }

    private func isRoot(_ node: Node) -> Bool {
        if let genesisHash { return node.header.hash == genesisHash }
        return node.header.isGenesis
    }

    /// Heights and cumulative work of every header reachable from a root (parallel arrays; -1 for unreachable).
    private func connect() -> (heights: [Int], chainWork: [Amount]) {
        var children = [[Int]](repeating: [], count: nodes.count)
        var roots = [Int]()
        for (index, node) in nodes.enumerated() {
            if isRoot(node) {
                roots.append(index)
            } else if let parent = indexByHash[node.header.previousBlockHash] {
                children[parent].append(index)
            }
        }
        var heights = [Int](repeating: -1, count: nodes.count)
        var chainWork = [Amount](repeating: .zero, count: nodes.count)
        var stack = [Int]()
        for root in roots {
            heights[root] = 0
            chainWork[root] = nodes[root].work
            stack.append(root)
            while let current = stack.popLast() {
                for child in children[current] where heights[child] < 0 {
                    heights[child] = heights[current] + 1
                    chainWork[child] = chainWork[current].adding(nodes[child].work) ?? .max
                    stack.append(child)
                }
            }
        }
        return (heights, chainWork)
    }

    /// The best chain from genesis to the tip with the most work, in height order; empty without a genesis header.
    public func bestChain() -> [BitcoinChainEntry] {
        let (heights, chainWork) = connect()
        var best: Int?
        for index in nodes.indices where heights[index] >= 0 {
            // Strictly more work replaces; equal work keeps the earlier-added tip (first seen wins).
            if let current = best {
                if chainWork[current] < chainWork[index] { best = index }
            } else {
                best = index
            }
        }
        guard var cursor = best else { return [] }
        var entries = [BitcoinChainEntry]()
        entries.reserveCapacity(heights[cursor] + 1)
        while true {
            let node = nodes[cursor]
            entries.append(
                BitcoinChainEntry(
                    height: heights[cursor],
                    hash: node.header.hash,
                    location: node.location,
                    header: node.header,
                    chainWork: chainWork[cursor]
                )
            )
            if heights[cursor] == 0 { break }
            guard let parent = indexByHash[node.header.previousBlockHash] else { break }
            cursor = parent
        }
        return entries.reversed()
    }

    /// Headers not connected to a genesis (their parent, or an ancestor's parent, is missing), in the order added.
    public func orphans() -> [(hash: [UInt8], location: BitcoinBlockLocation?)] {
        let (heights, _) = connect()
        return nodes.indices.filter { heights[$0] < 0 }.map { (nodes[$0].header.hash, nodes[$0].location) }
    }

    /// Headers connected to a genesis but not on the best chain (stale blocks), in the order added.
    public func staleBlocks() -> [(hash: [UInt8], location: BitcoinBlockLocation?)] {
        let (heights, _) = connect()
        let best = Set(bestChain().map(\.hash))
        return nodes.indices.filter { heights[$0] >= 0 && !best.contains(nodes[$0].header.hash) }
            .map { (nodes[$0].header.hash, nodes[$0].location) }
    }
}
