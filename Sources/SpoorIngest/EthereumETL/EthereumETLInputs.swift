import Foundation

/// The ethereum-etl tables Spoor reads, and the columns it needs from each.
///
/// ethereum-etl's exports carry more columns than these, and their set changed between versions (EIP-1559 and blob
/// fields, L2 fee fields), so columns are found by name: any order, other columns allowed, only the needed ones
/// required.
public enum EthereumETLTable: String, Sendable, Hashable, CaseIterable, Comparable {
    /// `blocks.csv`: block number → timestamp.
    case blocks
    /// `receipts.csv`: the status of each transaction (0: failed) and the address a creation made.
    case receipts
    /// `transactions.csv`: each transaction's own value transfer.
    case transactions
    /// `traces.csv`: internal value transfers (calls, creations, self-destructs inside a transaction).
    case traces
    /// `token_transfers.csv`: ERC-20/721 `Transfer` logs.
    case tokenTransfers = "token_transfers"

    /// Columns a file of this table must have.
    public var requiredColumns: [String] {
        switch self {
        case .blocks: return ["number", "timestamp"]
        case .receipts: return ["transaction_hash", "status"]
        case .transactions:
            return ["hash", "block_number", "transaction_index", "from_address", "to_address", "value"]
        case .traces:
            return [
                "block_number", "transaction_hash", "transaction_index", "from_address", "to_address", "value",
                "trace_type", "call_type", "trace_address",
            ]
        case .tokenTransfers:
            return [
                "token_address", "from_address", "to_address", "value", "transaction_hash", "log_index", "block_number",
            ]
        }
    }

    /// Columns read when present: `block_timestamp` (time without blocks.csv), `nonce` of transactions (a
    /// creation's address without receipts), `contract_address` and `transaction_index` of receipts, `error` and
    /// `status` of traces.
    public var optionalColumns: [String] {
        switch self {
        case .blocks: return []
        case .receipts: return ["contract_address", "transaction_index"]
        case .transactions: return ["block_timestamp", "nonce"]
        case .traces: return ["error", "status"]
        case .tokenTransfers: return ["block_timestamp"]
        }
    }

    /// The table a file name names: `token_transfers` anywhere in the name, or exactly one of the words `blocks`,
    /// `receipts`, `transactions`, `traces` (words are separated by `_`, `-`, `.`), e.g. `blocks.csv`,
    /// `traces_1000000_1000999.csv`, `block_with_error_traces.csv`. `nil` when none or several match.
    public static func named(_ fileName: String) -> EthereumETLTable? {
        var name = fileName.lowercased()
        if name.hasSuffix(".csv") { name.removeLast(4) }
        if name.contains("token_transfers") || name.contains("token-transfers") { return .tokenTransfers }
        let words = Set(name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
        let matches = [EthereumETLTable.blocks, .receipts, .transactions, .traces].filter {
            words.contains($0.rawValue)
        }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The table a header belongs to, by columns only one table has; `nil` when it looks like none.
    static func recognising(_ columns: Set<String>) -> EthereumETLTable? {
        if columns.contains("token_address") && columns.contains("log_index") { return .tokenTransfers }
        if columns.contains("trace_address") { return .traces }
        if columns.contains("cumulative_gas_used") || (columns.contains("status") && !columns.contains("nonce")) {
            return .receipts
        }
        if columns.contains("nonce") && columns.contains("from_address") { return .transactions }
        if columns.contains("parent_hash") || (columns.contains("number") && columns.contains("timestamp")) {
            return .blocks
        }
        return nil
    }

    /// Tables sort in reading order: blocks and receipts (context) before the tables that move value.
    public static func < (lhs: EthereumETLTable, rhs: EthereumETLTable) -> Bool { lhs.order < rhs.order }

    private var order: Int {
        switch self {
        case .blocks: return 0
        case .receipts: return 1
        case .transactions: return 2
        case .traces: return 3
        case .tokenTransfers: return 4
        }
    }
}

/// One input file and the table it holds.
public struct EthereumETLFile: Sendable, Hashable {
    /// The path as given (or directory + name).
    public var path: String
    /// The table.
    public var table: EthereumETLTable

    /// Creates an input.
    public init(path: String, table: EthereumETLTable) {
        self.path = path
        self.table = table
    }

    /// Expands `paths` into the files to read. A directory contributes its `*.csv` files whose names name a table
    /// (``EthereumETLTable/named(_:)``; others, such as `logs.csv`, are left out); a file named by no table is
    /// recognised by its header. A path given twice is read once.
    ///
    /// - Throws: ``IngestError/unreadable(file:reason:)`` for a missing path or a directory with no table;
    ///   ``IngestError/malformed(file:line:reason:)`` for a file whose name and header name no table.
    public static func resolve(_ paths: [String]) throws(IngestError) -> [EthereumETLFile] {
        var files: [EthereumETLFile] = []
        var seen: Set<String> = []
        func add(_ file: EthereumETLFile) {
            let key = (file.path as NSString).standardizingPath
            if seen.insert(key).inserted { files.append(file) }
        }
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .unreadable(file: path, reason: "no such file or directory")
            }
            if isDirectory.boolValue {
                let names: [String]
                do {
                    names = try manager.contentsOfDirectory(atPath: path).sorted()
                } catch {
                    throw .unreadable(file: path, reason: "cannot list the directory: \(error.localizedDescription)")
                }
                var found = 0
                for name in names where name.lowercased().hasSuffix(".csv") {
                    let file = (path as NSString).appendingPathComponent(name)
                    guard let table = named(name) ?? (try? sniff(file)) else { continue }
                    add(EthereumETLFile(path: file, table: table))
                    found += 1
                }
                guard found > 0 else {
                    throw .unreadable(
                        file: path,
                        reason: "no ethereum-etl table in this directory (expected blocks.csv, transactions.csv, "
                            + "token_transfers.csv, receipts.csv or traces.csv)")
                }
            } else {
                let name = (path as NSString).lastPathComponent
                if let table = named(name) {
                    add(EthereumETLFile(path: path, table: table))
                } else if let table = try sniff(path) {
                    add(EthereumETLFile(path: path, table: table))
                } else {
                    throw .malformed(
                        file: path, line: 1,
                        reason: "not an ethereum-etl table: neither its name nor its header names one of "
                            + "blocks, transactions, token_transfers, receipts, traces")
                }
            }
        }
        return files
    }

    private static func named(_ name: String) -> EthereumETLTable? { EthereumETLTable.named(name) }

    /// The table a file's header belongs to.
    private static func sniff(_ path: String) throws(IngestError) -> EthereumETLTable? {
        var scanner = CSVScanner(bytes: try MappedBytes(path: path))
        guard case .record = scanner.next() else { return nil }
        let stored = Swift.min(scanner.fieldCount, CSVScanner.maximumStoredFields)
        return EthereumETLTable.recognising(Set((0..<stored).map { scanner.fieldText($0) }))
    }
}

/// A file's header: where each named column is.
struct EthereumETLHeader {
    let file: String
    /// Columns in the header (records must have as many fields).
    let fieldCount: Int
    /// The first line, for messages.
    let text: String
    private let positions: [String: Int]

    /// Reads the header from `scanner` and checks that the table's required columns are there.
    init(scanner: inout CSVScanner, file: String, table: EthereumETLTable) throws(IngestError) {
        self.file = file
        let expected = table.requiredColumns.joined(separator: ",")
        text = TransfersCSVReader.firstLine(scanner.bytes)
        guard case .record = scanner.next() else {
            throw .missingColumns(file: file, missing: table.requiredColumns, expected: expected, found: text)
        }
        fieldCount = scanner.fieldCount
        var positions: [String: Int] = [:]
        // Columns past the scanner's stored fields cannot be read, so they count as missing.
        for index in 0..<Swift.min(scanner.fieldCount, CSVScanner.maximumStoredFields) {
            let name = scanner.fieldText(index).trimmingCharacters(in: .whitespaces)
            if positions[name] == nil { positions[name] = index }
        }
        self.positions = positions
        let missing = table.requiredColumns.filter { positions[$0] == nil }
        guard missing.isEmpty else {
            throw .missingColumns(file: file, missing: missing, expected: expected, found: text)
        }
    }

    /// The column's position, when the header has it.
    func column(_ name: String) -> Int? { positions[name] }

    /// The position of a column the header was checked to have.
    func required(_ name: String) -> Int { positions[name] ?? 0 }
}
