import SpoorStore

/// Which stored field holds each transfer column, and the column names used in messages.
struct TransferColumns {
    struct Column {
        var index: Int
        var name: String
    }

    var txHash: Column
    var blockNumber: Column
    /// `nil` when the format has no timestamp column (the row's timestamp is then 0).
    var timestamp: Column?
    var from: Column
    var to: Column
    var value: Column
    /// Token contract; empty means the native coin.
    var asset: Column
    var logIndex: Column
    /// Whether an empty asset column is allowed (transfers-csv: native coin) or an error (token exports).
    var assetMayBeEmpty: Bool
}

enum TransferRowBuilder {
    /// Builds a row from the scanner's last record, or the reason it is rejected.
    static func build(
        _ scanner: CSVScanner, columns: TransferColumns, expectedFieldCount: Int, line: Int
    ) -> Result<TransferRow, RowRejectionReason> {
        guard scanner.fieldCount == expectedFieldCount else {
            return .failure(
                RowRejectionReason("wrong column count (expected \(expectedFieldCount), found \(scanner.fieldCount))"))
        }
        let txField = scanner.field(columns.txHash.index)
        guard let txHash = FieldParsing.txHash(txField) else {
            return .failure(hexFailure(txField, columns.txHash.name, expectation: "0x and 64 hex digits"))
        }
        let blockField = scanner.field(columns.blockNumber.index)
        guard let block = FieldParsing.unsigned(blockField, maximum: UInt64(Int64.max)) else {
            return .failure(
                numberFailure(blockField, columns.blockNumber.name, expectation: "a non-negative decimal integer below 2^63"))
        }
        var timestamp: Int64 = 0
        if let column = columns.timestamp {
            let field = scanner.field(column.index)
            guard let seconds = FieldParsing.timestamp(field) else {
                return .failure(
                    numberFailure(field, column.name, expectation: "unix seconds or an ISO-8601 UTC time"))
            }
            timestamp = seconds
        }
        let fromField = scanner.field(columns.from.index)
        guard let from = FieldParsing.address(fromField) else {
            return .failure(hexFailure(fromField, columns.from.name, expectation: "0x and 40 hex digits"))
        }
        let toField = scanner.field(columns.to.index)
        guard let to = FieldParsing.address(toField) else {
            return .failure(hexFailure(toField, columns.to.name, expectation: "0x and 40 hex digits"))
        }
        let valueField = scanner.field(columns.value.index)
        let value: Amount
        switch FieldParsing.amount(valueField) {
        case .value(let amount): value = amount
        case .empty: return .failure(RowRejectionReason("empty required field '\(columns.value.name)'"))
        case .negative: return .failure(RowRejectionReason("negative value \(FieldParsing.quoted(valueField))"))
        case .tooLarge: return .failure(RowRejectionReason("value of 2^256 or more: \(FieldParsing.quoted(valueField))"))
        case .nonNumeric:
            if let reason = utf8Failure(valueField, columns.value.name) { return .failure(reason) }
            return .failure(RowRejectionReason("non-numeric value \(FieldParsing.quoted(valueField))"))
        }
        let assetField = scanner.field(columns.asset.index)
        var asset: String? = nil
        if !assetField.isEmpty || !columns.assetMayBeEmpty {
            guard let contract = FieldParsing.address(assetField) else {
                let expectation = columns.assetMayBeEmpty
                    ? "empty (native coin) or 0x and 40 hex digits" : "0x and 40 hex digits"
                return .failure(hexFailure(assetField, columns.asset.name, expectation: expectation))
            }
            asset = contract
        }
        let logField = scanner.field(columns.logIndex.index)
        guard let logIndex = FieldParsing.unsigned(logField, maximum: UInt64(UInt32.max)) else {
            return .failure(
                numberFailure(logField, columns.logIndex.name, expectation: "a non-negative decimal integer below 2^32"))
        }
        return .success(
            TransferRow(
                txHash: txHash, blockNumber: block, timestamp: timestamp, from: from, to: to, value: value,
                asset: asset, logIndex: UInt32(logIndex), line: line))
    }

    private static func utf8Failure(_ field: UnsafeBufferPointer<UInt8>, _ name: String) -> RowRejectionReason? {
        guard FieldParsing.hasNonASCII(field), String(validating: field, as: UTF8.self) == nil else { return nil }
        return RowRejectionReason("non-UTF-8 bytes in column '\(name)'")
    }

    private static func hexFailure(
        _ field: UnsafeBufferPointer<UInt8>, _ name: String, expectation: String
    ) -> RowRejectionReason {
        if field.isEmpty { return RowRejectionReason("empty required field '\(name)'") }
        if let reason = utf8Failure(field, name) { return reason }
        return RowRejectionReason("bad hex in column '\(name)': expected \(expectation), found \(FieldParsing.quoted(field))")
    }

    private static func numberFailure(
        _ field: UnsafeBufferPointer<UInt8>, _ name: String, expectation: String
    ) -> RowRejectionReason {
        if field.isEmpty { return RowRejectionReason("empty required field '\(name)'") }
        if let reason = utf8Failure(field, name) { return reason }
        return RowRejectionReason("bad \(name): expected \(expectation), found \(FieldParsing.quoted(field))")
    }
}

extension CSVScanner {
    /// The next transfer record, or `nil` at the end: skips blank lines, and turns a record that cannot be split
    /// or built into a row (see ``TransferRowBuilder/build(_:columns:expectedFieldCount:line:)``) into a rejection
    /// naming `file` and its line. The readers of the transfer formats share this loop.
    mutating func nextTransfer(
        file: String, columns: TransferColumns, expectedFieldCount: Int
    ) -> TransfersCSVRecord? {
        while true {
            switch next() {
            case .end:
                return nil
            case .malformed(let line, let reason):
                return .rejected(RowRejection(file: file, line: line, reason: reason))
            case .record(let line):
                if isBlankRecord { continue }
                switch TransferRowBuilder.build(self, columns: columns, expectedFieldCount: expectedFieldCount, line: line) {
                case .success(let row): return .row(row)
                case .failure(let reason): return .rejected(RowRejection(file: file, line: line, reason: reason.text))
                }
            }
        }
    }
}

/// A rejection reason before the file and line are attached.
struct RowRejectionReason: Error {
    var text: String
    init(_ text: String) { self.text = text }
}
