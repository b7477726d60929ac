@_exported public import SpoorAnalytics
@_exported public import SpoorIngest
@_exported public import SpoorQuery
@_exported public import SpoorAnalytics
@_exported public import SpoorStore
import Foundation
public import Logging

/// A Spoor graph: the handle other services import. Open one per store per process and share it across threads.
///
/// ```swift
/// let graph = try Graph.open(at: "chain.spoor", mode: .readOnly)
/// let result = try graph.query(
///     "MATCH (s:Address {address: $a})-[t:TRANSFER]->(r) RETURN r.address, t.value", parameters: ["a": .string(a)])
/// while let row = try result.next() { print(row) }
/// ```
///
/// Reads run on LMDB snapshots and never block the writer; writes (ingest, tags) go through the store's single
/// writer, one LMDB transaction per batch.
///
/// ## Topics
/// - ``open(at:mode:options:logger:)``
/// - ``query(_:parameters:limits:)``
/// - ``neighbors(of:direction:)``
/// - ``ingestTransfers(files:options:progress:)``
/// - ``ingestBitcoin(files:format:options:progress:)``
/// - ``ingest(_:format:options:progress:)``
/// - ``importTags(_:)``
/// - ``statistics()``
/// - ``verify()``
/// - ``taint(seeds:seedTags:options:stopAtTags:)``
/// - ``exposure(of:watchlist:options:stopAtTags:)``
public final class Graph: Sendable {
    /// The store underneath.
    public let store: Store
    let logger: Logger
    /// The texts ``query(_:parameters:limits:)`` has prepared, so that a repeated text is not parsed again.
    let preparedQueries = PreparedQueryCache()

    init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Opens the store in the directory `path`. `.readOnly` never writes to the data file.
    public static func open(
        at path: String, mode: StoreMode = .readOnly, options: StoreOptions = StoreOptions(),
        logger: Logger = Logger(label: "spoor")
    ) throws -> Graph {
        Graph(store: try Store.open(at: path, mode: mode, options: options, logger: logger), logger: logger)
    }

    /// Runs `body` on a consistent read snapshot.
    public func read<T>(_ body: (GraphReader) throws -> T) throws -> T {
        try store.read(body)
    }

    // MARK: Queries

    /// Compiles and starts a query on a fresh snapshot. Rows stream as ``QueryResult/next()`` pulls them. The
    /// compiled form of each text is kept (up to 256 texts), so a repeated text is not parsed again: pass values as
    /// `parameters` rather than pasting them into the text.
    ///
    /// Throws ``QueryError`` (with line, column and caret through ``QueryError/rendered(in:)``) for a bad query.
    public func query(
        _ text: String, parameters: [String: Value] = [:], limits: QueryLimits = QueryLimits()
    ) throws -> QueryResult {
        let prepared = try preparedQueries.prepared(text)
        return try run(prepared, parameters: parameters, limits: limits)
    }

    /// Runs a prepared query on a fresh snapshot.
    public func run(
        _ prepared: PreparedQuery, parameters: [String: Value] = [:], limits: QueryLimits = QueryLimits()
    ) throws -> QueryResult {
        let access = StoreGraph(reader: try store.makeReader())
        let cancellation = QueryCancellation()
        let cursor = try prepared.run(on: access, parameters: parameters, limits: limits, cancellation: cancellation)
        return QueryResult(cursor: cursor, graph: access, cancellation: cancellation)
    }

    /// The plan of a query, one operator a line, without running it.
    public func explain(_ text: String) throws -> String {
        let prepared = try PreparedQuery.prepare(text)
        let access = StoreGraph(reader: try store.makeReader())
        return prepared.explain(on: access)
    }

    // MARK: Direct reads

    /// The transfers of an address (canonical text or any-case `0x` hex), newest last, with the other end's text.
    /// Returns an empty array for an address the graph does not hold.
    /// - Complexity: O(degree).
    public func neighbors(of address: String, direction: NeighborDirection = .both) throws -> [Neighbor] {
        try store.read { reader in
            guard let id = try reader.addressID(StoreGraph.canonicalAddress(address)) else { return [] }
            var texts: [AddressID: String] = [:]
            var assets: [AssetID: String?] = [:]
            var result: [Neighbor] = []
            for incidence in try reader.incidences(of: id) {
                switch (direction, incidence.direction) {
                case (.outgoing, .incoming), (.incoming, .outgoing): continue
                default: break
                }
                let other: String
                if let known = texts[incidence.neighbor] {
                    other = known
                } else {
                    other = try reader.address(incidence.neighbor)?.address ?? ""
                    texts[incidence.neighbor] = other
                }
                let assetID = incidence.properties.asset
                let asset: String?
                if let known = assets[assetID] {
                    asset = known
                } else {
                    asset = try reader.assetAddress(assetID)
                    assets[assetID] = asset
                }
                result.append(
                    Neighbor(
                        address: other, direction: incidence.direction, transfer: incidence.transfer,
                        properties: incidence.properties, asset: asset))
            }
            return result
        }
    }

    /// The tags on an address (canonical text or any-case `0x` hex).
    public func tags(of address: String) throws -> [TagRecord] {
        try store.read { try $0.tags(ofAddress: StoreGraph.canonicalAddress(address)) }
    }

    /// Counts and table sizes.
    public func statistics() throws -> StoreStatistics {
        try store.read { try $0.statistics() }
    }

    // MARK: Analytics

    /// Taint from the addresses `seeds` (canonical text or any-case `0x` hex) and from every address tagged with one
    /// of `seedTags`, stopping at addresses tagged with one of `stopAtTags` (DESIGN.md section 5; README "Analytics:
    /// taint and exposure"). Addresses not in the graph are skipped. Resolve result ids to text with
    /// ``addressText(_:)``.
    public func taint(
        seeds: [String] = [], seedTags: [String] = [], options: TaintOptions = TaintOptions(), stopAtTags: [String] = []
    ) throws -> TaintResult {
        try store.read { reader in
            let analytics = StoreAnalytics(reader: reader)
            var ids = try analytics.addressIDs(seeds.map(StoreGraph.canonicalAddress))
            ids.formUnion(try analytics.addressIDs(taggedWith: seedTags))
            return try analytics.taint(
                seeds: ids.sorted().map { TaintSeed(address: $0) }, options: options, stopAtTags: stopAtTags)
        }
    }

    /// The exposure of an address, or of a set of addresses taken as one (a cluster), to the addresses tagged
    /// `watchlist`, stopping at addresses tagged with one of `stopAtTags` (services such as exchanges). `nil` when
    /// none of the addresses is in the graph.
    public func exposure(
        of addresses: [String], watchlist: String, options: ExposureOptions = ExposureOptions(),
        stopAtTags: [String] = ["exchange"]
    ) throws -> ExposureReport? {
        try store.read { reader in
            let analytics = StoreAnalytics(reader: reader)
            let targets = try analytics.addressIDs(addresses.map(StoreGraph.canonicalAddress))
            guard !targets.isEmpty else { return nil }
            return try analytics.exposure(of: targets, watchlist: watchlist, options: options, stopAtTags: stopAtTags)
        }
    }

    /// The canonical text of an address id from a taint or exposure result (`nil` when unknown).
    public func addressText(_ id: AddressID) throws -> String? {
        try store.read { try $0.address(id)?.address }
    }

    /// Checks the whole store (see ``GraphReader/verify(maximumProblems:)``).
    public func verify() throws -> VerificationReport {
        try store.read { try $0.verify() }
    }

    // MARK: Writes

    /// Ingests transfers-csv files (idempotent, resumable; see ``TransfersCSVIngester``).
    public func ingestTransfers(
        files: [String], options: TransfersIngestOptions = TransfersIngestOptions(),
        progress: (IngestProgress) -> Void = { _ in }
    ) throws -> IngestSummary {
        try TransfersCSVIngester(store: store, options: options, logger: logger).ingest(files: files, progress: progress)
    }

    /// Ingests `paths` in any chain format (``ChainFormats``): idempotent and resumable.
    public func ingest(
        _ paths: [String], format: any ChainFormat, options: ChainIngestOptions = ChainIngestOptions(),
        progress: (IngestProgress) -> Void = { _ in }
    ) throws -> ChainIngestReport {
        try format.ingest(paths: paths, into: store, options: options, logger: logger, progress: progress)
    }

    /// Ingests Bitcoin blocks: `blk*.dat` files or directories (`.blk`), or files of one serialized block each
    /// (`.raw`, binary or hex). Idempotent and resumable; a reorganisation rolls back to the fork first.
    public func ingestBitcoin(
        files: [String], format: BitcoinFileFormat, options: BitcoinIngestOptions = BitcoinIngestOptions(),
        progress: (IngestProgress) -> Void = { _ in }
    ) throws -> BitcoinIngestSummary {
        let ingester = BitcoinIngester(store: store, options: options, logger: logger)
        switch format {
        case .blk: return try ingester.ingest(blkFiles: files, progress: progress)
        case .raw: return try ingester.ingest(rawFiles: files, progress: progress)
        }
    }

    /// Adds tags (one write transaction); returns how many were new.
    @discardableResult
    public func importTags(_ tags: [TagRecord]) throws -> Int {
        try store.makeWriter().addTags(tags)
    }
}

/// Which transfers of an address ``Graph/neighbors(of:direction:)`` returns.
public enum NeighborDirection: Sendable, Hashable {
    /// Sent by the address.
    case outgoing
    /// Received by the address.
    case incoming
    /// Both.
    case both
}

/// One transfer of an address, seen from it.
public struct Neighbor: Sendable, Hashable {
    /// The other end's canonical text.
    public var address: String
    /// Sent or received.
    public var direction: IncidenceDirection
    /// The transfer's id.
    public var transfer: TransferID
    /// Value, block, time, transaction, asset id and log index.
    public var properties: TransferProperties
    /// The token contract, or `nil` for the native coin.
    public var asset: String?
}

/// The rows of a running query, pulled one at a time. It holds a read snapshot until it is released.
///
/// Not `Sendable`: consume it on one thread. To stop it from another thread (while a long ``next()`` runs), call
/// ``cancel()``, or hand that thread ``cancellation`` (which is `Sendable`) and call its `cancel()`.
public final class QueryResult {
    /// Column names, in order.
    public let columns: [String]
    /// The graph the rows refer to (to read properties of returned nodes and relationships).
    public let graph: StoreGraph
    /// The run's cancellation flag; `cancellation.cancel()` is ``cancel()``, callable from any thread.
    public let cancellation: QueryCancellation
    let cursor: QueryCursor

    init(cursor: QueryCursor, graph: StoreGraph, cancellation: QueryCancellation) {
        self.cursor = cursor
        self.columns = cursor.columns
        self.graph = graph
        self.cancellation = cancellation
    }

    /// Stops the query: the running ``next()`` (even one long sort or aggregation) and every later one throw a
    /// ``QueryError`` of kind `.cancelled`. Thread-safe; does nothing once the rows are all pulled.
    public func cancel() {
        cancellation.cancel()
    }

    /// The next row, or `nil` at the end.
    public func next() throws -> [Value]? {
        try cursor.next()
    }

    /// For a `PROFILE` query, once every row has been pulled: the plan with rows and time per operator and the
    /// expansions made; `nil` otherwise.
    public var profile: String? { cursor.profile }

    /// Every remaining row.
    public func all() throws -> [[Value]] {
        var rows: [[Value]] = []
        while let row = try next() { rows.append(row) }
        return rows
    }
}
