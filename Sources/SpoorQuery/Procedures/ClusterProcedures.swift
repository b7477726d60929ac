import SpoorAnalytics
import SpoorStore

extension ProcedureRegistry {
    /// `spoor.cluster.of`, `spoor.cluster.members` and `spoor.cluster.why`, on stores clustered by `spoor cluster`.
    mutating func registerClusterProcedures() {
        register(Procedure(
            name: "spoor.cluster.of", parameters: [("address", .string)],
            outputs: [("cluster", .integer), ("size", .integer)],
            summary: "The cluster id and size of an address (its own id and 1 while it is alone)."
        ) { invocation in
            let (reader, id) = try Self.clusterAddress(invocation, argument: 0)
            guard let id else { return [] }
            let cluster = try reader.cluster(of: id)
            return [[.integer(Int64(clamping: cluster)), .integer(Int64(clamping: try reader.clusterSize(cluster)))]]
        })
        register(Procedure(
            name: "spoor.cluster.members", parameters: [("address", .string)],
            outputs: [("member", .node)],
            summary: "The addresses in the cluster of an address, in id order."
        ) { invocation in
            let (reader, id) = try Self.clusterAddress(invocation, argument: 0)
            guard let id else { return [] }
            let members = try reader.clusterMembers(try reader.cluster(of: id))
            try invocation.countExpansions(members.count)
            return members.map { [.node(StoreGraph.node($0))] }
        })
        register(Procedure(
            name: "spoor.cluster.why", parameters: [("a", .string), ("b", .string)],
            outputs: [("step", .integer), ("from", .string), ("to", .string), ("txid", .string), ("heuristic", .string)],
            summary: "The chain of transactions (and the heuristic of each) that put two addresses in one cluster."
        ) { invocation in
            let (reader, a) = try Self.clusterAddress(invocation, argument: 0)
            let (_, b) = try Self.clusterAddress(invocation, argument: 1)
            guard let a, let b else { return [] }
            return try AddressClustering.why(a, b, reader: reader).enumerated().map { index, step in
                [.integer(Int64(index + 1)), .string(step.from), .string(step.to), .string(step.txid),
                 step.heuristic.map { .string($0.rawValue) } ?? .null]
            }
        })
    }

    private static func clusterAddress(_ invocation: ProcedureInvocation, argument: Int) throws -> (GraphReader, AddressID?) {
        guard let store = invocation.graph as? StoreGraph else {
            throw QueryError(.runtime, "spoor.cluster procedures need a store", at: SourceRange(start: 0, end: 0))
        }
        guard case .string(let text) = invocation.arguments[argument] else { return (store.reader, nil) }
        return (store.reader, try store.reader.addressID(StoreGraph.canonicalAddress(text)))
    }
}
