import Foundation
public import SpoorStore

/// Options of a clustering run.
public struct ClusteringOptions: Sendable, Hashable {
    /// The heuristics to apply. Default: multi-input only (change heuristics are off unless asked).
    public var heuristics: Set<ClusterHeuristic>
    /// Skip transactions that look like CoinJoins (``CoinJoinPattern``). Default on.
    public var skipCoinJoins: Bool
    /// A merge that makes a cluster reach this size is logged (the super-cluster guard). Default 10,000.
    public var sizeThreshold: UInt64
    /// Transactions per write transaction. Default 100,000.
    public var batchTransactions: UInt64
    /// Account chains, deposit-address heuristic: the tag of exchange addresses. Default `exchange`.
    public var exchangeTag: String

    /// Creates options.
    public init(
        heuristics: Set<ClusterHeuristic> = [.multiInput], skipCoinJoins: Bool = true, sizeThreshold: UInt64 = 10_000,
        batchTransactions: UInt64 = 100_000, exchangeTag: String = "exchange"
    ) {
        self.heuristics = heuristics
        self.skipCoinJoins = skipCoinJoins
        self.sizeThreshold = sizeThreshold
        self.batchTransactions = max(1, batchTransactions)
        self.exchangeTag = exchangeTag
    }

    /// The heuristics that apply to a chain model by default: multi-input (UTXO), deposit addresses (account).
    public static func defaultHeuristics(for model: ChainModel) -> Set<ClusterHeuristic> {
        model == .utxo ? [.multiInput] : [.depositAddress]
    }

    /// The heuristics as stored: sorted names, `+coinjoin` when CoinJoins are merged too.
    var signature: String {
        heuristics.map(\.rawValue).sorted().joined(separator: ",") + (skipCoinJoins ? "" : ",+coinjoin")
            + (heuristics.contains(.depositAddress) ? ",exchange=" + exchangeTag : "")
    }
}

/// A merge that made a cluster cross the size threshold.
public struct ThresholdCrossing: Sendable, Hashable, Codable {
    /// The transaction (display txid).
    public var txid: String
    /// The heuristic that merged.
    public var heuristic: String
    /// The cluster's size before and after.
    public var sizeBefore: UInt64
    /// The size after the merge.
    public var sizeAfter: UInt64
}

/// What a clustering run did.
public struct ClusteringSummary: Sendable, Hashable {
    /// Transactions examined in this run (only those since the last run, unless the heuristics changed).
    public var transactions: UInt64 = 0
    /// Merges that joined two clusters.
    public var merges: UInt64 = 0
    /// Transactions skipped as CoinJoins, by pattern.
    public var coinJoins: [String: Int] = [:]
    /// Whether the run started over (first run, or other heuristics than last time).
    public var restarted = false
    /// Merges that made a cluster reach the size threshold.
    public var crossings: [ThresholdCrossing] = []
    /// Seconds.
    public var seconds = 0.0
}

/// One step of merge evidence: two addresses joined by a transaction under a heuristic.
public struct MergeStep: Sendable, Hashable {
    /// One address.
    public var from: String
    /// The other.
    public var to: String
    /// The transaction's txid.
    public var txid: String
    /// The heuristic.
    public var heuristic: ClusterHeuristic?
}

/// Address clustering (DESIGN.md section 5). UTXO stores: union-find over each transaction's inputs (skipping
/// CoinJoins) and optional change heuristics. Account stores: weakly connected components of the transfers
/// (`account-component`) and deposit-address reuse where exchange tags exist (`deposit-address`). Cluster ids persist
/// in the store; a new run processes only the transactions added since the last one (deposit addresses are
/// re-checked in full).
public struct AddressClustering {
    let store: Store
    let options: ClusteringOptions

    /// Creates a clustering of `store` (opened `.readWrite`).
    public init(store: Store, options: ClusteringOptions = ClusteringOptions()) {
        self.store = store
        self.options = options
    }

    /// Clusters the transactions added since the last run (all of them when the heuristics changed).
    public func run(progress: (UInt64, UInt64) -> Void = { _, _ in }) throws -> ClusteringSummary {
        let started = ContinuousClock.now
        var summary = ClusteringSummary()
        let (position, total) = try store.read { reader in (try reader.clusteringPosition(), try reader.counts().transactions) }
        var next = position.nextTransaction
        if position.heuristics != options.signature {
            summary.restarted = true
            next = 0
            try store.updateClusters { try $0.clear() }
        }
        while next < total {
            let end = min(total, next + options.batchTransactions)
            let reader = try store.makeReader()
            defer { reader.close() }
            try store.updateClusters { writer in
                for raw in next..<end {
                    guard let record = try reader.transaction(TxID(raw)) else { continue }
                    if let details = record.utxo {
                        try cluster(record, details, reader: reader, writer: writer, into: &summary)
                    } else if options.heuristics.contains(.accountComponent) {
                        for transfer in record.transfers where transfer.from != transfer.to {
                            try merge(transfer.from, transfer.to, record, .accountComponent, writer: writer, into: &summary)
                        }
                    }
                }
                try writer.setPosition(nextTransaction: end, heuristics: options.signature)
            }
            summary.transactions += end - next
            next = end
            progress(next, total)
        }
        if options.heuristics.contains(.depositAddress) {
            try store.updateClusters { writer in
                let reader = try store.makeReader()
                defer { reader.close() }
                try clusterDepositAddresses(reader: reader, writer: writer, into: &summary)
            }
        }
        summary.seconds = (ContinuousClock.now - started).seconds
        return summary
    }

    /// Deposit-address reuse (account chains): an address that is not an exchange, has sent at least once, and has
    /// sent only to addresses tagged ``ClusteringOptions/exchangeTag`` is a deposit address; every non-exchange
    /// address that paid it joins its cluster. Re-run in full on every run (merges only add: a later send elsewhere
    /// does not undo a merge).
    private func clusterDepositAddresses(reader: GraphReader, writer: ClusterWriter, into summary: inout ClusteringSummary)
        throws
    {
        var exchanges = Set<AddressID>()
        for text in try reader.addresses(taggedWith: options.exchangeTag) {
            if let id = try reader.addressID(text) { exchanges.insert(id) }
        }
        var candidates = Set<AddressID>()
        for exchange in exchanges {
            for incidence in try reader.incidences(of: exchange) where incidence.direction == .incoming {
                if !exchanges.contains(incidence.neighbor) { candidates.insert(incidence.neighbor) }
            }
        }
        for deposit in candidates.sorted() {
            let stream = try reader.incidences(of: deposit)
            let sends = stream.filter { $0.direction == .outgoing }
            guard !sends.isEmpty, sends.allSatisfy({ exchanges.contains($0.neighbor) }) else { continue }
            for incidence in stream where incidence.direction == .incoming {
                let payer = incidence.neighbor
                guard payer != deposit, !exchanges.contains(payer),
                    let record = try reader.transaction(incidence.properties.tx)
                else { continue }
                try merge(deposit, payer, record, .depositAddress, writer: writer, into: &summary)
            }
        }
    }

    /// Joins two addresses' clusters, counting the merge and logging a threshold crossing.
    private func merge(
        _ a: AddressID, _ b: AddressID, _ record: TransactionRecord, _ heuristic: ClusterHeuristic,
        writer: ClusterWriter, into summary: inout ClusteringSummary
    ) throws {
        let union = try writer.union(a, b, transaction: record.id, heuristic: heuristic.code)
        guard let before = union.before else { return }
        summary.merges += 1
        if max(before.0, before.1) < options.sizeThreshold && union.size >= options.sizeThreshold {
            summary.crossings.append(
                ThresholdCrossing(
                    txid: record.hashText, heuristic: heuristic.rawValue, sizeBefore: max(before.0, before.1),
                    sizeAfter: union.size))
        }
    }

    private func cluster(
        _ record: TransactionRecord, _ details: UTXODetails, reader: GraphReader, writer: ClusterWriter,
        into summary: inout ClusteringSummary
    ) throws {
        guard !details.isCoinbase else { return }
        if options.skipCoinJoins, let pattern = CoinJoinPattern.match(details) {
            summary.coinJoins[pattern.rawValue, default: 0] += 1
            return
        }
        let inputs = details.inputs.compactMap(\.address)
        guard let first = inputs.first else { return }
        func merge(_ a: AddressID, _ b: AddressID, _ heuristic: ClusterHeuristic) throws {
            try self.merge(a, b, record, heuristic, writer: writer, into: &summary)
        }
        if options.heuristics.contains(.multiInput) {
            for other in inputs.dropFirst() where other != first { try merge(first, other, .multiInput) }
        }
        for heuristic in [ClusterHeuristic.changeOneTime, .changeSameType, .changeRoundPayment, .changeOptimal]
        where options.heuristics.contains(heuristic) {
            if let change = try changeOutput(heuristic, record, details, reader: reader) {
                try merge(first, change, heuristic)
                break  // One change output per transaction: the first heuristic that names one decides.
            }
        }
    }

    /// The change output's address under `heuristic`, if it names exactly one.
    func changeOutput(_ heuristic: ClusterHeuristic, _ record: TransactionRecord, _ details: UTXODetails, reader: GraphReader)
        throws -> AddressID?
    {
        let outputs = details.outputs.compactMap { output in output.address.map { ($0, output.value) } }
        let inputAddresses = Set(details.inputs.compactMap(\.address))
        guard outputs.count >= 2, !outputs.contains(where: { inputAddresses.contains($0.0) }) else { return nil }
        func single(_ candidates: [(AddressID, Amount)]) -> AddressID? { candidates.count == 1 ? candidates[0].0 : nil }
        switch heuristic {
        case .multiInput, .accountComponent, .depositAddress:
            return nil
        case .changeOneTime:
            guard outputs.count == 2 else { return nil }
            let fresh = try outputs.filter { output in
                try reader.firstIncidence(of: output.0)?.properties.tx == record.id
            }
            return single(fresh)
        case .changeSameType:
            let kinds = try Set(inputAddresses.map { try AddressKind(address: reader.address($0)?.address ?? "") })
            guard kinds.count == 1, let kind = kinds.first, kind != .other else { return nil }
            return single(try outputs.filter { try AddressKind(address: reader.address($0.0)?.address ?? "") == kind })
        case .changeRoundPayment:
            guard outputs.count == 2 else { return nil }
            let round = outputs.filter { ($0.1.uint64Value ?? 1) % 100_000 == 0 }
            guard round.count == 1 else { return nil }
            return outputs.first { $0.0 != round[0].0 }?.0
        case .changeOptimal:
            guard let smallest = details.inputs.compactMap(\.value).min() else { return nil }
            return single(outputs.filter { $0.1 < smallest })
        }
    }

    /// The chain of merges that put `a` and `b` in one cluster (empty when they are not in one cluster or equal).
    /// The merges form a spanning tree of each cluster, so the chain is unique.
    /// - Complexity: O(size of the cluster).
    public static func why(_ a: AddressID, _ b: AddressID, reader: GraphReader) throws -> [MergeStep] {
        guard a != b, try reader.cluster(of: a) == reader.cluster(of: b) else { return [] }
        var previous: [AddressID: (AddressID, ClusterMerge)] = [a: (a, ClusterMerge(other: a, transaction: TxID(0), heuristic: 0))]
        var queue = [a]
        var head = 0
        while head < queue.count, previous[b] == nil {
            let current = queue[head]
            head += 1
            for merge in try reader.clusterMerges(of: current) where previous[merge.other] == nil {
                previous[merge.other] = (current, merge)
                queue.append(merge.other)
            }
        }
        var steps: [MergeStep] = []
        var current = b
        while current != a, let (from, merge) = previous[current] {
            steps.append(
                MergeStep(
                    from: try reader.address(from)?.address ?? "\(from)", to: try reader.address(current)?.address ?? "\(current)",
                    txid: try reader.transaction(merge.transaction)?.hashText ?? "\(merge.transaction)",
                    heuristic: ClusterHeuristic(code: merge.heuristic)))
            current = from
        }
        return steps.reversed()
    }
}

extension Duration {  // fileprivate: other files of the module may define their own.
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
