/// What a graph has read so far: PROFILE shows the difference each operator made.
public struct GraphReads: Sendable, Hashable {
    /// Adjacency streams read (one per expanded address: all of its chunks, or one in-memory list).
    public var adjacencyLists = 0
    /// Adjacency records (incidences or relationships) decoded from those streams.
    public var adjacencyRecords = 0
    /// Node records read (address and transaction records; cached ones not counted again).
    public var nodeRecords = 0
    /// Index look-ups (address, transaction hash or tag).
    public var indexSeeks = 0

    /// No reads.
    public init() {}

    /// The reads of `lhs` not in `rhs` (a later snapshot minus an earlier one).
    public static func - (lhs: GraphReads, rhs: GraphReads) -> GraphReads {
        var difference = GraphReads()
        difference.adjacencyLists = lhs.adjacencyLists - rhs.adjacencyLists
        difference.adjacencyRecords = lhs.adjacencyRecords - rhs.adjacencyRecords
        difference.nodeRecords = lhs.nodeRecords - rhs.nodeRecords
        difference.indexSeeks = lhs.indexSeeks - rhs.indexSeeks
        return difference
    }

    /// The sum of two counts.
    public static func + (lhs: GraphReads, rhs: GraphReads) -> GraphReads {
        var sum = lhs
        sum.adjacencyLists += rhs.adjacencyLists
        sum.adjacencyRecords += rhs.adjacencyRecords
        sum.nodeRecords += rhs.nodeRecords
        sum.indexSeeks += rhs.indexSeeks
        return sum
    }

    /// `adjacency: L lists / R records, node records: N, index seeks: S`, as PROFILE prints it.
    public var summary: String {
        "adjacency: \(adjacencyLists) lists / \(adjacencyRecords) records, node records: \(nodeRecords), index seeks: \(indexSeeks)"
    }
}

/// Optional capability of a graph: the counts EXPLAIN estimates rows from, and the reads PROFILE reports.
public protocol GraphStatistics: AnyObject {
    /// Reads since the graph was opened.
    var reads: GraphReads { get }
    /// Relationships of `type` (all of them for `nil`).
    func estimatedRelationshipCount(type: String?) -> Int
    /// The average number of nodes carrying one tag (for a tag seek whose tag is a parameter).
    func estimatedNodesPerTag() -> Double
}
