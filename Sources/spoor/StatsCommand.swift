import ArgumentParser
import Foundation
import Spoor

/// `spoor stats STORE [--format table|json]`
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Counts, sizes, bytes per transfer, tables and ingest sources of a store.",
        discussion: """
            The JSON form has the members counts (addresses, transactions, transfers, assets), chainModel, \
            bytesPerTransfer (adjacency, file), fileBytes, mapSize, tables (name, entries, bytes), sources \
            (source, progress, committedRows, complete) and tags (tag, addresses).
            """
    )

    enum Format: String, CaseIterable, ExpressibleByArgument {
        case table, json
    }

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    /// What `stats` prints; also the JSON document.
    struct Report: Codable {
        struct BytesPerTransfer: Codable {
            var adjacency: Double
            var file: Double
        }
        struct Source: Codable {
            var source: String
            var progress: String
            var committedRows: Int?
            var complete: Bool?
        }
        struct Tag: Codable {
            var tag: String
            var addresses: Int
        }
        var counts: StoreCounts
        var chainModel: String?
        var bytesPerTransfer: BytesPerTransfer
        var fileBytes: Int
        var mapSize: Int
        var tables: [StoreStatistics.Table]
        var sources: [Source]
        var tags: [Tag]
    }

    func run() async throws {
        let graph = try Graph.open(at: storeOptions.store, mode: .readOnly)
        let report = try graph.read { reader in
            let statistics = try reader.statistics()
            return Report(
                counts: statistics.counts, chainModel: try reader.chainModel()?.rawValue,
                bytesPerTransfer: .init(
                    adjacency: statistics.adjacencyBytesPerTransfer, file: statistics.fileBytesPerTransfer),
                fileBytes: statistics.fileBytes, mapSize: statistics.mapSize, tables: statistics.tables,
                sources: try reader.sources().map { Self.source($0.source, $0.progress) },
                tags: try reader.tagCounts().map { Report.Tag(tag: $0.tag, addresses: $0.addresses) })
        }
        var out = StandardOutput()
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(report)
            print(String(decoding: data, as: UTF8.self), to: &out)
        case .table:
            print(Self.table(report), terminator: "", to: &out)
        }
    }

    /// An ingest source's recorded progress; `rows=<n>;complete=<0|1>` is decoded when it has that form.
    static func source(_ name: String, _ progress: [UInt8]) -> Report.Source {
        let text = String(decoding: progress, as: UTF8.self)
        var source = Report.Source(source: name, progress: text)
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            switch pair[0] {
            case "rows": source.committedRows = Int(pair[1])
            case "complete": source.complete = pair[1] == "1"
            default: continue
            }
        }
        return source
    }

    static func table(_ report: Report) -> String {
        var lines: [String] = []
        func row(_ name: String, _ value: String) {
            lines.append(name.padding(toLength: 28, withPad: " ", startingAt: 0) + value)
        }
        row("addresses", String(report.counts.addresses))
        row("transactions", String(report.counts.transactions))
        row("transfers", String(report.counts.transfers))
        row("assets", String(report.counts.assets))
        row("chain model", report.chainModel ?? "(empty)")
        row("adjacency bytes/transfer", ProgressLine.fixed(report.bytesPerTransfer.adjacency, digits: 2))
        row("file bytes/transfer", ProgressLine.fixed(report.bytesPerTransfer.file, digits: 2))
        row("file bytes", String(report.fileBytes))
        row("map size", String(report.mapSize))
        lines.append("")
        let nameWidth = max(5, report.tables.map(\.name.count).max() ?? 0) + 2
        lines.append("table".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + pad("entries", 12) + pad("bytes", 14))
        for table in report.tables {
            lines.append(
                table.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + pad(String(table.entries), 12)
                    + pad(String(table.bytes), 14))
        }
        lines.append("")
        lines.append("sources (\(report.sources.count))")
        for source in report.sources {
            var state = source.progress
            if let rows = source.committedRows, let complete = source.complete {
                state = "\(rows) rows committed, " + (complete ? "complete" : "incomplete")
            }
            lines.append("  \(source.source)  \(state)")
        }
        lines.append("")
        lines.append("tags (\(report.tags.count))")
        for tag in report.tags {
            lines.append("  \(tag.tag)  \(tag.addresses) addresses")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Right-aligned in `width` columns.
    static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(1, width - text.count)) + text
    }
}
