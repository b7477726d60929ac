import Foundation
import SpoorStore

/// Reads the records of one ethereum-etl file, its header checked, handing each record's fields to a closure.
struct EthereumETLTableReader {
    let file: EthereumETLFile
    let header: EthereumETLHeader
    private var scanner: CSVScanner

    /// Maps the file and checks its header.
    init(_ file: EthereumETLFile) throws(IngestError) {
        self.file = file
        var scanner = CSVScanner(bytes: try MappedBytes(path: file.path))
        header = try EthereumETLHeader(scanner: &scanner, file: file.path, table: file.table)
        self.scanner = scanner
    }

    /// The file's size in bytes.
    var totalBytes: Int { scanner.bytes.count }

    /// Calls `body` with each record (blank lines skipped). A record that cannot be split, has another field count
    /// than the header, or for which `body` throws, goes to `rejected` with its line.
    mutating func forEach(
        _ body: (EthereumETLFields) throws(RowRejectionReason) -> Void, rejected: (RowRejection) -> Void
    ) {
        while true {
            switch scanner.next() {
            case .end:
                return
            case .malformed(let line, let reason):
                rejected(RowRejection(file: file.path, line: line, reason: reason))
            case .record(let line):
                if scanner.isBlankRecord { continue }
                guard scanner.fieldCount == header.fieldCount else {
                    rejected(
                        RowRejection(
                            file: file.path, line: line,
                            reason: "wrong column count (expected \(header.fieldCount), found \(scanner.fieldCount))"))
                    continue
                }
                do throws(RowRejectionReason) {
                    try body(EthereumETLFields(scanner: scanner, header: header, line: line))
                } catch {
                    rejected(RowRejection(file: file.path, line: line, reason: error.text))
                }
            }
        }
    }
}

/// The fields of one record, read by column name, each parse failing with a reason that names the column.
struct EthereumETLFields {
    let scanner: CSVScanner
    let header: EthereumETLHeader
    /// The 1-based line the record starts on.
    let line: Int

    private func raw(_ name: String) -> UnsafeBufferPointer<UInt8> { scanner.field(header.required(name)) }

    /// Whether the column is absent or empty in this record.
    func isEmpty(_ name: String) -> Bool {
        guard let index = header.column(name) else { return true }
        return scanner.field(index).isEmpty
    }

    /// The column's text (doubled quotes undone); empty when the header lacks it.
    func text(_ name: String) -> String {
        guard let index = header.column(name) else { return "" }
        return scanner.fieldText(index)
    }

    func txHash(_ name: String) throws(RowRejectionReason) -> TxHash {
        let field = raw(name)
        guard let hash = FieldParsing.txHash(field) else {
            throw Self.failure(field, name, "bad hex in column '\(name)': expected 0x and 64 hex digits")
        }
        return hash
    }

    func address(_ name: String) throws(RowRejectionReason) -> String {
        let field = raw(name)
        guard let address = FieldParsing.address(field) else {
            throw Self.failure(field, name, "bad hex in column '\(name)': expected 0x and 40 hex digits")
        }
        return address
    }

    /// An address, or `nil` when the column is empty or absent.
    func optionalAddress(_ name: String) throws(RowRejectionReason) -> String? {
        guard header.column(name) != nil, !raw(name).isEmpty else { return nil }
        return try address(name)
    }

    func unsigned(_ name: String, maximum: UInt64) throws(RowRejectionReason) -> UInt64 {
        let field = raw(name)
        guard let value = FieldParsing.unsigned(field, maximum: maximum) else {
            throw Self.failure(
                field, name, "bad \(name): expected a non-negative decimal integer of at most \(maximum)")
        }
        return value
    }

    func amount(_ name: String) throws(RowRejectionReason) -> Amount {
        let field = raw(name)
        switch FieldParsing.amount(field) {
        case .value(let amount): return amount
        case .empty: throw RowRejectionReason("empty required field '\(name)'")
        case .negative: throw RowRejectionReason("negative value \(FieldParsing.quoted(field))")
        case .tooLarge: throw RowRejectionReason("value of 2^256 or more: \(FieldParsing.quoted(field))")
        case .nonNumeric:
            throw Self.failure(field, name, "non-numeric value in column '\(name)'")
        }
    }

    /// Unix seconds or an ISO-8601 UTC time, or `nil` when the column is empty or absent.
    func optionalTimestamp(_ name: String) throws(RowRejectionReason) -> Int64? {
        guard header.column(name) != nil, !raw(name).isEmpty else { return nil }
        let field = raw(name)
        guard let seconds = FieldParsing.timestamp(field) else {
            throw Self.failure(field, name, "bad \(name): expected unix seconds or an ISO-8601 UTC time")
        }
        return seconds
    }

    /// `1` (success), `0` (failed), or `nil` when empty or absent (pre-Byzantium receipts carry a state root instead).
    func status(_ name: String) throws(RowRejectionReason) -> Bool? {
        guard header.column(name) != nil else { return nil }
        let field = raw(name)
        if field.isEmpty { return nil }
        if field.count == 1 && field[0] == UInt8(ascii: "1") { return true }
        if field.count == 1 && field[0] == UInt8(ascii: "0") { return false }
        throw Self.failure(field, name, "bad \(name): expected 0, 1 or nothing")
    }

    /// The reason for a bad field: empty, not UTF-8, or `message` with the field quoted.
    static func failure(_ field: UnsafeBufferPointer<UInt8>, _ name: String, _ message: String) -> RowRejectionReason {
        if field.isEmpty { return RowRejectionReason("empty required field '\(name)'") }
        if FieldParsing.hasNonASCII(field), String(validating: field, as: UTF8.self) == nil {
            return RowRejectionReason("non-UTF-8 bytes in column '\(name)'")
        }
        return RowRejectionReason("\(message), found \(FieldParsing.quoted(field))")
    }
}

/// A row of transactions.csv.
struct EthereumETLTransaction {
    var hash: TxHash
    var block: UInt64
    var transactionIndex: UInt32
    var from: String
    /// `nil` for a contract creation.
    var to: String?
    var value: Amount
    var timestamp: Int64?
    /// The sender's nonce (when the file has the column): gives a creation's contract address without receipts.
    var nonce: UInt64?
    var line: Int

    init(_ fields: EthereumETLFields) throws(RowRejectionReason) {
        hash = try fields.txHash("hash")
        block = try fields.unsigned("block_number", maximum: UInt64(Int64.max))
        transactionIndex = UInt32(
            try fields.unsigned("transaction_index", maximum: EthereumETLOrderKey.maximumTransactionIndex))
        from = try fields.address("from_address")
        to = try fields.optionalAddress("to_address")
        value = try fields.amount("value")
        timestamp = try fields.optionalTimestamp("block_timestamp")
        if !fields.isEmpty("nonce") { nonce = try fields.unsigned("nonce", maximum: .max) }
        line = fields.line
    }
}

/// A row of receipts.csv.
struct EthereumETLReceipt {
    var hash: TxHash
    /// `false`: the transaction failed (status 0); `nil`: unknown (pre-Byzantium).
    var succeeded: Bool?
    /// The contract a creation made.
    var contract: String?
    var transactionIndex: UInt32?

    init(_ fields: EthereumETLFields) throws(RowRejectionReason) {
        hash = try fields.txHash("transaction_hash")
        succeeded = try fields.status("status")
        contract = try fields.optionalAddress("contract_address")
        if !fields.isEmpty("transaction_index") {
            transactionIndex = UInt32(
                try fields.unsigned("transaction_index", maximum: EthereumETLOrderKey.maximumTransactionIndex))
        }
    }
}

/// A row of traces.csv that belongs to a transaction. Only a call of call type `call`, a create or a self-destruct
/// may move value (``kind``); the others are kept for their failure, which reverts their children.
struct EthereumETLTrace {
    enum Kind: String {
        case call, create, selfDestruct = "suicide"
    }

    var hash: TxHash
    var block: UInt64
    var transactionIndex: UInt32
    /// `trace_address`: empty for the top-level call, else the path of child positions.
    var path: [UInt32]
    /// `nil` for a trace that moves no value to another account.
    var kind: Kind?
    /// Its own `status` is 0 or its `error` is set (a failed parent is applied later).
    var failed: Bool
    var line: Int
    /// Parsed only for a trace that did not fail: a failed create has no receiver.
    var transfer: Result<(from: String, to: String, value: Amount), RowRejectionReason>

    /// The kind of a trace row that may move value to another account, or `nil`: delegatecall and callcode run
    /// other code in the caller's own account, staticcall cannot carry value, reward and genesis traces are issuance,
    /// not transfers.
    static func kind(traceType: String, callType: String) -> Kind? {
        switch traceType {
        case "call": return callType == "call" || callType.isEmpty ? .call : nil
        case "create", "create2": return .create
        case "suicide", "selfdestruct": return .selfDestruct
        default: return nil
        }
    }

    init(_ fields: EthereumETLFields) throws(RowRejectionReason) {
        let kind = Self.kind(traceType: fields.text("trace_type"), callType: fields.text("call_type"))
        hash = try fields.txHash("transaction_hash")
        block = try fields.unsigned("block_number", maximum: UInt64(Int64.max))
        transactionIndex = UInt32(
            try fields.unsigned("transaction_index", maximum: EthereumETLOrderKey.maximumTransactionIndex))
        self.kind = kind
        path = try Self.path(fields.text("trace_address"))
        let status = try fields.status("status")
        failed = status == false || (status == nil && !fields.isEmpty("error"))
        line = fields.line
        if failed || kind == nil {
            transfer = .failure(RowRejectionReason("moves no value"))
        } else {
            do throws(RowRejectionReason) {
                transfer = .success(
                    (try fields.address("from_address"), try fields.address("to_address"), try fields.amount("value")))
            } catch {
                transfer = .failure(error)
            }
        }
    }

    /// `""` → `[]`, `"0,2,1"` → `[0, 2, 1]`.
    static func path(_ text: String) throws(RowRejectionReason) -> [UInt32] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return [] }
        var path: [UInt32] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            guard let step = UInt32(part.trimmingCharacters(in: .whitespaces)) else {
                throw RowRejectionReason(
                    "bad trace_address: expected comma-separated non-negative integers, found '\(text.prefix(80))'")
            }
            path.append(step)
        }
        return path
    }
}
