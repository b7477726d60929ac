public import SpoorStore

/// The LMDB store seen through ``GraphAccess``: `(:Address)` and `(:Transaction)` nodes, `[:TRANSFER]` edges
/// between addresses, and the two halves `[:SENT]` (address → transaction) and `[:PAID]` (transaction → address).
///
/// Account stores keep TRANSFER edges; SENT and PAID are their halves. UTXO stores keep SENT (one per input: the spent
/// output's address and value, `index` = input index) and PAID (one per output, `index`, `spentBy`); their TRANSFER is
/// virtual, expanded through the transaction: input `i` to output `j` carries `⌊w_j × v_i / Σv⌋` (the output's value
/// apportioned by the input's share of the known input total, DESIGN.md section 2), never stored.
///
/// Node ids carry the label in the top bit (0 address, 1 transaction). Relationship ids carry the type in the top two
/// bits (0 TRANSFER, 1 SENT, 2 PAID) and are stable across queries: on account stores the rest is the transfer id; on
/// UTXO stores it is `transaction << 20 | index` for SENT and PAID and `transaction << 20 | i << 10 | j` (each cut to
/// 10 bits) for the virtual TRANSFER.
///
/// One instance serves one query on one read snapshot; it caches the records it decoded.
public final class StoreGraph: GraphAccess, GraphStatistics {
    /// The snapshot it reads.
    public let reader: GraphReader
    /// What this instance has read from the store (for PROFILE).
    public private(set) var reads = GraphReads()
    private var nodesPerTag: Double?
    private var counts: StoreCounts?
    private var addressCache: [AddressID: AddressRecord] = [:]
    private var transactionCache: [TxID: TransactionRecord] = [:]
    private var assetCache: [AssetID: String] = [:]
    /// Whether the store holds a UTXO chain (SENT/PAID stored, TRANSFER virtual).
    public let isUTXO: Bool

    static let transactionBit: UInt64 = 1 << 63
    static let labels = (address: "Address", transaction: "Transaction")
    static let types = (transfer: "TRANSFER", sent: "SENT", paid: "PAID")

    /// The node labels and the property names of each, in ``nodeProperties(of:)`` order (an address lacks
    /// `balance` when it sent more than the data set shows it received).
    public static let nodeSchema: [(label: String, properties: [String])] = [
        (labels.address, ["address", "firstSeen", "lastSeen", "txCount", "outDegree", "inDegree", "received", "sent",
            "tags", "balance", "cluster"]),
        (labels.transaction, ["txid", "block", "time", "value", "transfers", "fee", "inputs", "outputs", "coinbase"]),
    ]

    /// The property names every relationship type has (`asset` is null for the chain's native asset; `index` and
    /// `spentBy` are the UTXO input/output index and the spending transaction).
    static let relationshipPropertyNames = ["value", "block", "time", "logIndex", "asset", "tx", "index", "spentBy"]

    /// The relationship types and the property names of each: all three carry the transfer's properties.
    public static let relationshipSchema: [(type: String, properties: [String])] =
        [types.transfer, types.sent, types.paid].map { ($0, relationshipPropertyNames) }

    /// Wraps a read snapshot.
    public init(reader: GraphReader) {
        self.reader = reader
        isUTXO = (try? reader.chainModel()) == .utxo
    }

    // MARK: Ids

    /// The node of an address id.
    public static func node(_ address: AddressID) -> NodeID { NodeID(address.rawValue) }
    /// The node of a transaction id.
    public static func node(_ transaction: TxID) -> NodeID { NodeID(transaction.rawValue | transactionBit) }

    enum Node {
        case address(AddressID)
        case transaction(TxID)
    }

    static func decode(_ node: NodeID) -> Node {
        node.rawValue & transactionBit == 0
            ? .address(AddressID(node.rawValue)) : .transaction(TxID(node.rawValue & ~transactionBit))
    }

    static func relationshipID(_ transfer: TransferID, kind: UInt64) -> RelationshipID {
        RelationshipID(transfer.rawValue | kind << 62)
    }

    /// A UTXO SENT (kind 1) or PAID (kind 2) id: the transaction and the input or output index.
    static func utxoRelationshipID(_ transaction: TxID, index: UInt32, kind: UInt64) -> RelationshipID {
        RelationshipID(kind << 62 | (transaction.rawValue & (1 << 42 - 1)) << 20 | UInt64(index & 0xFFFFF))
    }

    /// A UTXO virtual TRANSFER id: the transaction, input `i` and output `j`.
    static func utxoTransferID(_ transaction: TxID, input: Int, output: Int) -> RelationshipID {
        RelationshipID((transaction.rawValue & (1 << 42 - 1)) << 20 | UInt64(input & 0x3FF) << 10 | UInt64(output & 0x3FF))
    }

    // MARK: Records

    func addressRecord(_ id: AddressID) throws -> AddressRecord? {
        if let cached = addressCache[id] { return cached }
        reads.nodeRecords += 1
        guard let record = try reader.address(id) else { return nil }
        if addressCache.count > 100_000 { addressCache.removeAll(keepingCapacity: true) }
        addressCache[id] = record
        return record
    }

    func transactionRecord(_ id: TxID) throws -> TransactionRecord? {
        if let cached = transactionCache[id] { return cached }
        reads.nodeRecords += 1
        guard let record = try reader.transaction(id) else { return nil }
        if transactionCache.count > 100_000 { transactionCache.removeAll(keepingCapacity: true) }
        transactionCache[id] = record
        return record
    }

    func assetText(_ id: AssetID) throws -> Value {
        guard id != .native else { return .null }
        if let cached = assetCache[id] { return .string(cached) }
        guard let text = try reader.assetAddress(id) else { return .null }
        assetCache[id] = text
        return .string(text)
    }

    // MARK: GraphAccess

    /// The one-label arrays, built once (a label check per reached node then allocates nothing).
    private static let labelLists = (address: [labels.address], transaction: [labels.transaction])

    public func labels(of node: NodeID) throws -> [String] {
        switch Self.decode(node) {
        case .address: return Self.labelLists.address
        case .transaction: return Self.labelLists.transaction
        }
    }

    /// One property, computed alone: `a.address` in an executor loop decodes the (cached) record and nothing else;
    /// only `tags` reads the tag table.
    public func nodeProperty(_ key: String, of node: NodeID) throws -> Value {
        switch Self.decode(node) {
        case .address(let id):
            guard let record = try addressRecord(id) else { return .null }
            switch key {
            case "address": return .string(record.address)
            case "firstSeen": return .integer(record.firstSeen)
            case "lastSeen": return .integer(record.lastSeen)
            case "txCount": return .integer(Int64(clamping: record.txCount))
            case "outDegree": return .integer(Int64(clamping: record.outCount))
            case "inDegree": return .integer(Int64(clamping: record.inCount))
            case "received": return record.received.map(Value.amount) ?? .null
            case "sent": return record.sent.map(Value.amount) ?? .null
            case "balance": return record.balance.map(Value.amount) ?? .null
            case "tags":
                reads.indexSeeks += 1
                return .list(try reader.tags(ofAddress: record.address).map { .string($0.tag) })
            case "cluster":
                reads.indexSeeks += 1
                return .integer(Int64(clamping: try reader.cluster(of: id)))
            default: return .null
            }
        case .transaction(let id):
            guard let record = try transactionRecord(id) else { return .null }
            switch key {
            case "txid": return .string(record.hashText)
            case "block": return .integer(Int64(clamping: record.block))
            case "time": return .integer(record.time)
            case "value": return record.value.map(Value.amount) ?? .null
            case "transfers": return record.utxo == nil ? .integer(Int64(record.transfers.count)) : .null
            case "fee": return record.utxo?.fee.map(Value.amount) ?? .null
            case "inputs": return record.utxo.map { .integer(Int64($0.inputs.count)) } ?? .null
            case "outputs": return record.utxo.map { .integer(Int64($0.outputs.count)) } ?? .null
            case "coinbase": return record.utxo.map { .bool($0.isCoinbase) } ?? .null
            default: return .null
            }
        }
    }

    /// Every non-null property of ``nodeSchema`` for the node's label.
    public func nodeProperties(of node: NodeID) throws -> [String: Value] {
        let label = try labels(of: node).first
        var properties: [String: Value] = [:]
        for key in Self.nodeSchema.first(where: { $0.label == label })?.properties ?? [] {
            let value = try nodeProperty(key, of: node)
            if !value.isNull { properties[key] = value }
        }
        return properties
    }

    public func relationshipProperty(_ key: String, of relationship: GraphRelationship) throws -> Value {
        guard case .transfer(let transfer) = relationship.payload else { return .null }
        let isHalf = relationship.type != Self.types.transfer
        switch key {
        case "value": return .amount(transfer.value)
        case "block": return .integer(Int64(clamping: transfer.block))
        case "time": return .integer(transfer.time)
        case "logIndex": return isUTXO ? .null : .integer(Int64(transfer.logIndex))
        case "index": return isUTXO && isHalf ? .integer(Int64(transfer.logIndex)) : .null
        case "spentBy":
            guard isUTXO, relationship.type == Self.types.paid else { return .null }
            reads.indexSeeks += 1
            guard let spender = try reader.spender(ofOutput: transfer.logIndex, of: transfer.tx) else { return .null }
            return try transactionRecord(spender).map { .string($0.hashText) } ?? .null
        case "asset": return try assetText(transfer.asset)
        case "tx": return try transactionRecord(transfer.tx).map { .string($0.hashText) } ?? .null
        default: return .null
        }
    }

    public func relationshipProperties(of relationship: GraphRelationship) throws -> [String: Value] {
        var properties: [String: Value] = [:]
        for key in Self.relationshipPropertyNames {
            let value = try relationshipProperty(key, of: relationship)
            if !value.isNull { properties[key] = value }
        }
        return properties
    }

    public func scanNodes(label: String?) throws -> [NodeID] {
        let counts = try storeCounts()
        var nodes: [NodeID] = []
        if label == nil || label == Self.labels.address {
            nodes.append(contentsOf: (0..<counts.addresses).map { NodeID($0) })
        }
        if label == nil || label == Self.labels.transaction {
            nodes.append(contentsOf: (0..<counts.transactions).map { Self.node(TxID($0)) })
        }
        return nodes
    }

    public func lookupNodes(label: String?, property: String, value: Value) throws -> [NodeID]? {
        guard case .string(let text) = value else {
            // An index look-up of a non-string finds nothing; a null never equals anything.
            return (property == "address" || property == "txid") && label != nil ? [] : nil
        }
        reads.indexSeeks += 1
        switch (label, property) {
        case (Self.labels.address?, "address"), (nil, "address"):
            return try reader.addressID(text).map { [Self.node($0)] } ?? []
        case (Self.labels.transaction?, "txid"), (nil, "txid"):
            guard let hash = Self.hashBytes(text) else { return [] }
            return try reader.transactionID(hash: hash).map { [Self.node($0)] } ?? []
        default:
            return nil
        }
    }

    public func lookupNodes(taggedWith tag: String) throws -> [NodeID]? {
        reads.indexSeeks += 1
        let addresses = try reader.addresses(taggedWith: tag)
        reads.indexSeeks += addresses.count  // each address text → its id
        return try addresses.compactMap { try reader.addressID($0).map(Self.node) }
    }

    public func estimatedNodeCount(label: String?) -> Int {
        guard let counts = try? storeCounts() else { return 0 }
        switch label {
        case Self.labels.address?: return Int(clamping: counts.addresses)
        case Self.labels.transaction?: return Int(clamping: counts.transactions)
        case nil: return Int(clamping: counts.addresses + counts.transactions)
        default: return 0
        }
    }

    public func expand(_ node: NodeID, direction: ExpandDirection, types: [String]) throws -> [GraphRelationship] {
        if isUTXO { return try expandUTXO(node, direction: direction, types: types) }
        let wantsTransfer = types.isEmpty || types.contains(Self.types.transfer)
        let wantsSent = types.isEmpty || types.contains(Self.types.sent)
        let wantsPaid = types.isEmpty || types.contains(Self.types.paid)
        var result: [GraphRelationship] = []
        switch Self.decode(node) {
        case .address(let id):
            guard wantsTransfer || wantsSent || wantsPaid else { return [] }
            for incidence in try incidences(of: id) {
                let isOut = incidence.direction == .outgoing
                let payload = RelationshipPayload.transfer(incidence.properties)
                let neighbor = Self.node(incidence.neighbor)
                let txNode = Self.node(incidence.properties.tx)
                // With `.both` a self-transfer's incoming half is the same relationship as its outgoing one.
                let isSelfLoopIn = !isOut && incidence.neighbor == id
                if wantsTransfer
                    && (direction == .both ? !isSelfLoopIn : (direction == .outgoing) == isOut)
                {
                    result.append(
                        GraphRelationship(
                            id: Self.relationshipID(incidence.transfer, kind: 0), type: Self.types.transfer,
                            start: isOut ? node : neighbor, end: isOut ? neighbor : node, payload: payload))
                }
                if isOut && wantsSent && direction != .incoming {
                    result.append(
                        GraphRelationship(
                            id: Self.relationshipID(incidence.transfer, kind: 1), type: Self.types.sent, start: node,
                            end: txNode, payload: payload))
                }
                if !isOut && wantsPaid && direction != .outgoing {
                    result.append(
                        GraphRelationship(
                            id: Self.relationshipID(incidence.transfer, kind: 2), type: Self.types.paid, start: txNode,
                            end: node, payload: payload))
                }
            }
        case .transaction(let id):
            guard let record = try transactionRecord(id) else { return [] }
            for transfer in record.transfers {
                let properties = try transferProperties(transfer, in: record)
                let payload = properties.map(RelationshipPayload.transfer) ?? .none
                if wantsSent && direction != .outgoing {
                    result.append(
                        GraphRelationship(
                            id: Self.relationshipID(transfer.transfer, kind: 1), type: Self.types.sent,
                            start: Self.node(transfer.from), end: node, payload: payload))
                }
                if wantsPaid && direction != .incoming {
                    result.append(
                        GraphRelationship(
                            id: Self.relationshipID(transfer.transfer, kind: 2), type: Self.types.paid, start: node,
                            end: Self.node(transfer.to), payload: payload))
                }
            }
        }
        return result
    }

    /// Account stores, TRANSFER only, from an address: only the neighbour ids of the adjacency chunks are decoded
    /// (``GraphReader/appendNeighbors(of:direction:selfLoopsOnce:to:)``). Everything else goes through ``expand``.
    public func appendNeighbors(
        of node: NodeID, direction: ExpandDirection, types: [String], to neighbors: inout [NodeID]
    ) throws {
        guard !isUTXO, case .address(let id) = Self.decode(node), types.contains(Self.types.transfer),
            !types.contains(Self.types.sent), !types.contains(Self.types.paid)
        else {
            try appendNeighborsByExpanding(of: node, direction: direction, types: types, to: &neighbors)
            return
        }
        let incoming: UInt64 = 1 << 63
        let walked: Int?
        switch direction {
        case .outgoing, .incoming:
            walked = try reader.withNeighborIDs(of: id, direction: direction == .outgoing ? .outgoing : .incoming) {
                ids, walked in
                // An address node's id is its address id: the ids copy over as they are.
                ids.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: NodeID.self) { neighbors.append(contentsOf: $0) }
                }
                return walked
            }
        case .both:
            walked = try reader.withPackedNeighbors(of: id) { packed -> Int in
                neighbors.reserveCapacity(neighbors.count + packed.count)
                // A self-transfer's incoming half is the relationship its outgoing half already gave.
                let selfIncoming = id.rawValue | incoming
                for value in packed where value != selfIncoming { neighbors.append(NodeID(value & ~incoming)) }
                return packed.count
            }
        }
        if let walked {
            reads.adjacencyLists += 1
            reads.adjacencyRecords += walked
            return
        }
        // A stream the packed form cannot hold (a neighbour id of 2^63 or more): the filtered chunk walk.
        let incidenceDirection: IncidenceDirection? =
            switch direction {
            case .outgoing: .outgoing
            case .incoming: .incoming
            case .both: nil
            }
        var addresses: [AddressID] = []
        let count = try reader.appendNeighbors(of: id, direction: incidenceDirection, selfLoopsOnce: true, to: &addresses)
        reads.adjacencyLists += 1
        reads.adjacencyRecords += count
        for address in addresses { neighbors.append(Self.node(address)) }
    }

    /// UTXO expansion: SENT and PAID from the address's stream or the transaction's record, TRANSFER through the
    /// transaction (value apportioned by input share).
    private func expandUTXO(_ node: NodeID, direction: ExpandDirection, types: [String]) throws -> [GraphRelationship] {
        let wantsTransfer = types.isEmpty || types.contains(Self.types.transfer)
        let wantsSent = types.isEmpty || types.contains(Self.types.sent)
        let wantsPaid = types.isEmpty || types.contains(Self.types.paid)
        var result: [GraphRelationship] = []
        switch Self.decode(node) {
        case .address(let id):
            guard wantsTransfer || wantsSent || wantsPaid else { return [] }
            for incidence in try incidences(of: id) {
                let properties = incidence.properties
                let isInput = incidence.direction == .outgoing
                let txNode = Self.node(properties.tx)
                if isInput && wantsSent && direction != .incoming {
                    result.append(
                        GraphRelationship(
                            id: Self.utxoRelationshipID(properties.tx, index: properties.logIndex, kind: 1),
                            type: Self.types.sent, start: node, end: txNode, payload: .transfer(properties)))
                }
                if !isInput && wantsPaid && direction != .outgoing {
                    result.append(
                        GraphRelationship(
                            id: Self.utxoRelationshipID(properties.tx, index: properties.logIndex, kind: 2),
                            type: Self.types.paid, start: txNode, end: node, payload: .transfer(properties)))
                }
                if wantsTransfer && (direction == .both || (direction == .outgoing) == isInput) {
                    try appendVirtualTransfers(of: incidence, address: node, to: &result)
                }
            }
        case .transaction(let id):
            guard let record = try transactionRecord(id), let details = record.utxo else { return [] }
            func properties(_ value: Amount, _ index: Int) -> RelationshipPayload {
                .transfer(
                    TransferProperties(
                        value: value, block: record.block, time: record.time, tx: id, asset: .native,
                        logIndex: UInt32(index)))
            }
            if wantsSent && direction != .outgoing {
                for (index, input) in details.inputs.enumerated() {
                    guard let address = input.address, let value = input.value else { continue }
                    result.append(
                        GraphRelationship(
                            id: Self.utxoRelationshipID(id, index: UInt32(index), kind: 1), type: Self.types.sent,
                            start: Self.node(address), end: node, payload: properties(value, index)))
                }
            }
            if wantsPaid && direction != .incoming {
                for (index, output) in details.outputs.enumerated() {
                    guard let address = output.address else { continue }
                    result.append(
                        GraphRelationship(
                            id: Self.utxoRelationshipID(id, index: UInt32(index), kind: 2), type: Self.types.paid,
                            start: node, end: Self.node(address), payload: properties(output.value, index)))
                }
            }
        }
        return result
    }

    /// The virtual TRANSFER edges of one input (to every output with an address) or one output (from every input
    /// with an address and a known value): `⌊w_j × v_i / Σv⌋` over the known inputs.
    private func appendVirtualTransfers(of incidence: Incidence, address: NodeID, to result: inout [GraphRelationship])
        throws
    {
        let properties = incidence.properties
        guard let record = try transactionRecord(properties.tx), let details = record.utxo else { return }
        var knownInputs: UInt64 = 0
        for input in details.inputs { knownInputs &+= input.value?.uint64Value ?? 0 }
        guard knownInputs > 0 else { return }
        func share(_ output: Amount, _ input: Amount) -> Amount {
            output.multiplied(by: input).map { $0.quotientAndRemainder(dividingBy: knownInputs).quotient } ?? .zero
        }
        func edge(_ i: Int, _ j: Int, from: NodeID, to: NodeID, value: Amount) -> GraphRelationship {
            GraphRelationship(
                id: Self.utxoTransferID(properties.tx, input: i, output: j), type: Self.types.transfer, start: from,
                end: to,
                payload: .transfer(
                    TransferProperties(
                        value: value, block: properties.block, time: properties.time, tx: properties.tx, asset: .native,
                        logIndex: 0)))
        }
        let index = Int(properties.logIndex)
        if incidence.direction == .outgoing {
            for (j, output) in details.outputs.enumerated() {
                guard let to = output.address else { continue }
                result.append(edge(index, j, from: address, to: Self.node(to), value: share(output.value, properties.value)))
            }
        } else {
            for (i, input) in details.inputs.enumerated() {
                guard let from = input.address, let value = input.value else { continue }
                result.append(edge(i, index, from: Self.node(from), to: address, value: share(properties.value, value)))
            }
        }
    }

    /// A transfer's properties, found in its sender's stream (the transaction record lists ids only).
    /// - Complexity: O(out-degree of the sender).
    private func transferProperties(_ transfer: TransactionTransfer, in record: TransactionRecord) throws
        -> TransferProperties?
    {
        try incidences(of: transfer.from).first { $0.transfer == transfer.transfer && $0.direction == .outgoing }?
            .properties
    }

    /// The snapshot's counts, read once (the planner asks for them for every node it considers as an anchor).
    private func storeCounts() throws -> StoreCounts {
        if let counts { return counts }
        let read = try reader.counts()
        counts = read
        return read
    }

    /// An address's adjacency stream, counted in ``reads``.
    private func incidences(of id: AddressID) throws -> [Incidence] {
        let incidences = try reader.incidences(of: id)
        reads.adjacencyLists += 1
        reads.adjacencyRecords += incidences.count
        return incidences
    }

    // MARK: GraphStatistics

    /// Each transfer is one TRANSFER, one SENT and one PAID relationship.
    public func estimatedRelationshipCount(type: String?) -> Int {
        guard let counts = try? storeCounts() else { return 0 }
        let transfers = Int(clamping: counts.transfers)
        switch type {
        case nil: return transfers.multipliedReportingOverflow(by: 3).overflow ? Int.max : transfers * 3
        case Self.types.transfer?, Self.types.sent?, Self.types.paid?: return transfers
        default: return 0
        }
    }

    /// Tag assignments over distinct tags (one pass over the tag index, once per instance); 1 without tags.
    public func estimatedNodesPerTag() -> Double {
        if let nodesPerTag { return nodesPerTag }
        let counts = (try? reader.tagCounts()) ?? []
        let average = counts.isEmpty ? 1 : Double(counts.reduce(0) { $0 + $1.addresses }) / Double(counts.count)
        nodesPerTag = average
        return average
    }

    /// Account-chain addresses are stored lowercase; other text is kept as given.
    public static func canonicalAddress(_ text: String) -> String {
        text.hasPrefix("0x") || text.hasPrefix("0X") ? "0x" + text.dropFirst(2).lowercased() : text
    }

    /// `0x` + 64 hex digits (or 64 hex digits) as 32 bytes.
    static func hashBytes(_ text: String) -> [UInt8]? {
        let hex = Array((text.hasPrefix("0x") || text.hasPrefix("0X") ? text.dropFirst(2) : Substring(text)).utf8)
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < 64 {
            guard let high = hexDigit(hex[index]), let low = hexDigit(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
