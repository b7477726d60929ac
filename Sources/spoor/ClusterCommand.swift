import ArgumentParser
import Spoor
import Foundation

/// `spoor cluster STORE [--heuristics multi-input,change-…]`
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster addresses: common-input ownership and change (UTXO), deposit addresses and components (account).",
        discussion: """
            Cluster ids persist in the store (a.cluster in queries; spoor.cluster.of, .members and .why procedures). \
            A later run processes only the transactions ingested since; a run with other heuristics starts over. \
            Heuristics: \(ClusterHeuristic.allCases.map(\.rawValue).joined(separator: ", ")). CoinJoin-like \
            transactions (Wasabi, Whirlpool, JoinMarket and generic equal-output shapes) are skipped unless \
            --merge-coinjoins. A merge that makes a cluster reach --threshold addresses is printed with its txid.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Comma-separated heuristics (default: multi-input on UTXO stores, deposit-address on account stores).")
    var heuristics: String?

    @Option(help: "deposit-address: the tag of exchange addresses.")
    var exchangeTag = "exchange"

    @Option(help: "Report merges that make a cluster reach this many addresses.")
    var threshold: UInt64 = 10_000

    @Flag(help: "Merge the inputs of CoinJoin-like transactions too.")
    var mergeCoinjoins = false

    func parsedHeuristics() throws -> Set<ClusterHeuristic>? {
        guard let heuristics else { return nil }
        var result: Set<ClusterHeuristic> = []
        for name in heuristics.split(separator: ",") {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let heuristic = ClusterHeuristic(rawValue: trimmed) else {
                throw ValidationError(
                    "unknown heuristic '\(trimmed)'; known: \(ClusterHeuristic.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            result.insert(heuristic)
        }
        return result
    }

    func validate() throws { _ = try parsedHeuristics() }

    func run() throws {
        let graph = try Graph.open(at: storeOptions.store, mode: .readWrite)
        let model = try graph.store.read { try $0.chainModel() } ?? .account
        let options = ClusteringOptions(
            heuristics: try parsedHeuristics() ?? ClusteringOptions.defaultHeuristics(for: model),
            skipCoinJoins: !mergeCoinjoins, sizeThreshold: threshold, exchangeTag: exchangeTag)
        let summary = try AddressClustering(store: graph.store, options: options).run()
        for crossing in summary.crossings {
            print("cluster reached \(crossing.sizeAfter) addresses (from \(crossing.sizeBefore)) in \(crossing.txid) by \(crossing.heuristic)")
        }
        let coinJoins = summary.coinJoins.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        Terminal.note(
            "\(summary.restarted ? "clustered from the start" : "clustered incrementally"): \(summary.transactions) transactions, "
                + "\(summary.merges) merges, CoinJoins skipped: \(coinJoins.isEmpty ? "none" : coinJoins), "
                + String(format: "%.2f s", summary.seconds))
    }
}
