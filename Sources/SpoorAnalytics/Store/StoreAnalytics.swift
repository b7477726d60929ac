public import SpoorStore

/// Taint and exposure over a store snapshot, with addresses and tags as text (what the facade, the procedures and
/// the command line share). Taint and exposure run on both chain models (the batch scan too, in ``ExposureScan``).
public struct StoreAnalytics {
    /// The snapshot.
    public let reader: GraphReader

    /// Wraps a snapshot.
    public init(reader: GraphReader) { self.reader = reader }

    /// The account flow of the snapshot; throws for a UTXO store.
    public func accountFlow() throws -> StoreAccountFlow {
        if try reader.chainModel() == .utxo {
            throw AnalyticsError.unsupported("a transfer flow on a UTXO store (use StoreUTXOFlow)")
        }
        return StoreAccountFlow(reader: reader)
    }

    /// The ids of the given addresses (canonical text) that are in the graph.
    public func addressIDs(_ addresses: [String]) throws -> Set<AddressID> {
        var result = Set<AddressID>()
        for address in addresses {
            if let id = try reader.addressID(address) { result.insert(id) }
        }
        return result
    }

    /// The ids of the addresses carrying any of `tags` that are in the graph.
    public func addressIDs(taggedWith tags: [String]) throws -> Set<AddressID> {
        var result = Set<AddressID>()
        for tag in tags { result.formUnion(try addressIDs(try reader.addresses(taggedWith: tag))) }
        return result
    }

    /// The token asset of a contract address, or the native coin for `nil`; throws when the contract is unknown.
    public func asset(_ contract: String?) throws -> AssetID {
        guard let contract else { return .native }
        guard let id = try reader.assetID(contract) else { throw AnalyticsError.unknownAsset(contract) }
        return id
    }

    /// Runs taint from `seeds`, stopping at addresses carrying any of `stopAtTags` (added to `options.stopAt`).
    public func taint(seeds: [TaintSeed], options: TaintOptions, stopAtTags: [String] = []) throws -> TaintResult {
        var options = options
        options.stopAt.formUnion(try addressIDs(taggedWith: stopAtTags))
        if try reader.chainModel() == .utxo {
            return try UTXOTaintEngine(source: StoreUTXOFlow(reader: reader)).run(seeds: seeds, options: options)
        }
        return try AccountTaintEngine(source: try accountFlow()).run(seeds: seeds, options: options)
    }

    /// The exposure of `targets` to the addresses tagged `watchlist`, stopping at `stopAtTags`.
    public func exposure(
        of targets: Set<AddressID>,
        watchlist: String,
        options: ExposureOptions,
        stopAtTags: [String] = []
    ) throws -> ExposureReport {
        var options = options
        options.stopAt.formUnion(try addressIDs(taggedWith: stopAtTags))
        let listed = try addressIDs(taggedWith: [watchlist])
        if try reader.chainModel() == .utxo {
            return try UTXOExposureAnalyzer(source: StoreUTXOFlow(reader: reader))
                .exposure(of: targets, listed: listed, options: options)
        }
        return try ExposureAnalyzer(source: try accountFlow()).exposure(of: targets, listed: listed, options: options)
    }

    /// The canonical text of an address id (empty when unknown).
    public func text(_ id: AddressID) throws -> String { try reader.address(id)?.address ?? "" }
}

/// Why an analytics request cannot run.
public enum AnalyticsError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The store's chain model or the request is not supported yet.
    case unsupported(String)
    /// A token contract the store does not know.
    case unknownAsset(String)
    /// An option with a bad value: its name, the value and what was expected.
    case badOption(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unsupported(let what): return "not supported: \(what)"
        case .unknownAsset(let contract): return "unknown asset \(contract): no token transfer of it in the store"
        case .badOption(let name, let value, let expected): return "option \(name): \(value) is not \(expected)"
        }
    }
}
