/// How two addresses came to share a cluster: the transaction and the heuristic that merged them.
public struct ClusterMerge: Sendable, Hashable {
    /// The address on the other side of the merge.
    public var other: AddressID
    /// The transaction whose inputs (or change output) joined them.
    public var transaction: TxID
    /// The heuristic's code (``ClusterHeuristicCode``).
    public var heuristic: UInt8

    /// Creates a merge record.
    public init(other: AddressID, transaction: TxID, heuristic: UInt8) {
        self.other = other
        self.transaction = transaction
        self.heuristic = heuristic
    }
}

/// What one ``ClusterWriter/union(_:_:transaction:heuristic:)`` did.
public struct ClusterUnion: Sendable, Hashable {
    /// The cluster both addresses are in now.
    public var cluster: UInt64
    /// Its size now.
    public var size: UInt64
    /// The sizes of the two clusters before (equal ids: nothing merged, `nil`).
    public var before: (UInt64, UInt64)?

    public static func == (lhs: ClusterUnion, rhs: ClusterUnion) -> Bool {
        lhs.cluster == rhs.cluster && lhs.size == rhs.size && lhs.before?.0 == rhs.before?.0 && lhs.before?.1 == rhs.before?.1
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(cluster)
        hasher.combine(size)
    }
}

extension GraphReader {
    /// The cluster id of an address: the id of the cluster it was merged into, or its own id while it is alone.
    public func cluster(of address: AddressID) throws -> UInt64 {
        try lookup(tables.clusters, key: Key.id(address.rawValue), what: "cluster of \(address)") { bytes throws(DecodeError) in
            var reader = ByteReader(bytes)
            return try reader.readVarint()
        } ?? address.rawValue
    }

    /// How many addresses the cluster holds (1 for an address alone).
    public func clusterSize(_ cluster: UInt64) throws -> UInt64 {
        try lookup(tables.clusterSizes, key: Key.id(cluster), what: "size of cluster \(cluster)") { bytes throws(DecodeError) in
            var reader = ByteReader(bytes)
            return try reader.readVarint()
        } ?? 1
    }

    /// The members of a cluster in id order (at most `limit`).
    public func clusterMembers(_ cluster: UInt64, limit: Int = .max) throws -> [AddressID] {
        var members: [AddressID] = []
        try scan(tables.clusterMembers, prefix: Key.id(cluster)) { key, _ in
            members.append(AddressID(Key.readID(key, at: 8)))
            return members.count < limit
        }
        return members.isEmpty && limit > 0 ? [AddressID(cluster)] : members
    }

    /// The merges recorded at an address (each merge is recorded at both of its addresses).
    public func clusterMerges(of address: AddressID) throws -> [ClusterMerge] {
        var merges: [ClusterMerge] = []
        try scan(tables.clusterMerges, prefix: Key.id(address.rawValue)) { key, value in
            merges.append(
                ClusterMerge(
                    other: AddressID(Key.readID(key, at: 16)), transaction: TxID(Key.readID(key, at: 8)),
                    heuristic: value.first ?? 0))
            return true
        }
        return merges
    }

    /// The transaction up to which clustering has run (exclusive), and the heuristics it ran with.
    public func clusteringPosition() throws -> (nextTransaction: UInt64, heuristics: String) {
        (try metaCounter(MetaKey.clusterNextTransaction), try metaString(MetaKey.clusterHeuristics) ?? "")
    }
}

/// Persists clusters: union by size with relabelling of the smaller side, so a cluster id lives in the store
/// (`a.cluster`) and new transactions touch only the clusters they merge. One write transaction per call of
/// ``Store/updateClusters(_:)``.
public struct ClusterWriter {
    let transaction: LMDBTransaction
    let tables: Tables
    let reader: GraphReader

    /// The current cluster id of an address.
    public func cluster(of address: AddressID) throws -> UInt64 { try reader.cluster(of: address) }

    /// The size of a cluster.
    public func size(of cluster: UInt64) throws -> UInt64 { try reader.clusterSize(cluster) }

    /// Puts `a` and `b` in one cluster (the larger one's id survives; on equal sizes, `a`'s) and records the merge.
    @discardableResult
    public func union(_ a: AddressID, _ b: AddressID, transaction tx: TxID, heuristic: UInt8) throws -> ClusterUnion {
        var (keep, gone) = (try cluster(of: a), try cluster(of: b))
        guard keep != gone else { return ClusterUnion(cluster: keep, size: try size(of: keep), before: nil) }
        var (keepSize, goneSize) = (try size(of: keep), try size(of: gone))
        if goneSize > keepSize {
            swap(&keep, &gone)
            swap(&keepSize, &goneSize)
        }
        if keepSize == 1 { try addMember(keep, AddressID(keep)) }
        for member in try reader.clusterMembers(gone) {
            try transaction.put(tables.clusters, key: Key.id(member.rawValue), value: varint(keep))
            try addMember(keep, member)
            _ = try transaction.delete(tables.clusterMembers, key: Key.id(gone) + Key.id(member.rawValue))
        }
        if keepSize == 1 { try transaction.put(tables.clusters, key: Key.id(keep), value: varint(keep)) }
        try transaction.put(tables.clusterSizes, key: Key.id(keep), value: varint(keepSize + goneSize))
        _ = try transaction.delete(tables.clusterSizes, key: Key.id(gone))
        for (from, to) in [(a, b), (b, a)] {
            try transaction.put(
                tables.clusterMerges, key: Key.id(from.rawValue) + Key.id(tx.rawValue) + Key.id(to.rawValue),
                value: [heuristic])
        }
        return ClusterUnion(cluster: keep, size: keepSize + goneSize, before: (keepSize, goneSize))
    }

    private func addMember(_ cluster: UInt64, _ member: AddressID) throws {
        try transaction.put(tables.clusterMembers, key: Key.id(cluster) + Key.id(member.rawValue), value: [])
    }

    private func varint(_ value: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: 10)
        writer.writeVarint(value)
        return writer.bytes
    }

    /// Records how far clustering has run and with which heuristics.
    public func setPosition(nextTransaction: UInt64, heuristics: String) throws {
        var writer = ByteWriter(capacity: 10)
        writer.writeVarint(nextTransaction)
        try transaction.put(tables.meta, key: Array(MetaKey.clusterNextTransaction.utf8), value: writer.bytes)
        try transaction.put(tables.meta, key: Array(MetaKey.clusterHeuristics.utf8), value: Array(heuristics.utf8))
    }

    /// Forgets every cluster (before a run with other heuristics).
    public func clear() throws {
        for table in [tables.clusters, tables.clusterMembers, tables.clusterSizes, tables.clusterMerges] {
            var keys: [[UInt8]] = []
            try transaction.forEach(table, prefix: []) { key, _ in
                keys.append(Array(key))
                return true
            }
            for key in keys { _ = try transaction.delete(table, key: key) }
        }
        try setPosition(nextTransaction: 0, heuristics: "")
    }
}

extension Store {
    /// Runs `body` with a cluster writer inside one write transaction (all or nothing).
    public func updateClusters<T>(_ body: (ClusterWriter) throws -> T) throws -> T {
        guard mode == .readWrite else { throw StoreError.readOnly(path: path) }
        return try write { transaction in
            try body(ClusterWriter(transaction: transaction, tables: tables, reader: GraphReader(store: self, transaction: transaction)))
        }
    }
}
