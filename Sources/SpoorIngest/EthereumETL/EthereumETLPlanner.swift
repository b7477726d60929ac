import SpoorStore

/// Reads the tables of one input set and turns them into items in chain order: value transfers (edges) and bare
/// transactions (records without an edge). See ``EthereumETLIngester`` for the rules.
struct EthereumETLPlanner {
    /// A value transfer, its texts interned in ``EthereumETLPlanner/texts``.
    struct Transfer {
        var from: UInt32
        var to: UInt32
        /// 0 for the native coin, else the interned token contract's number + 1.
        var asset: UInt32
        var value: Amount
    }

    /// One thing to write: a transfer, or a transaction record with no edge (`transfer == nil`).
    struct Item {
        var block: UInt64
        /// The order key (``EthereumETLOrderKey``), stored as the transfer's log index.
        var key: UInt32
        /// The input file it comes from (its index in the ingester's file list).
        var file: Int
        var line: Int
        var txHash: TxHash
        var time: Int64
        var transfer: Transfer?

        var isToken: Bool { (transfer?.asset ?? 0) != 0 }
    }

    let files: [EthereumETLFile]
    let keepZero: Bool
    /// The items, in chain order once ``finish(into:)`` ran.
    var items: [Item] = []
    var texts = InternedTexts()
    /// Rejected rows per input file.
    var rejections: [[RowRejection]]

    private var blockTimes: [UInt64: Int64] = [:]
    private var receipts: [TxHash: EthereumETLReceipt] = [:]
    private var transactions: [(row: EthereumETLTransaction, file: Int)] = []
    private var traces: [TxHash: [(row: EthereumETLTrace, file: Int)]] = [:]
    private var tokens: [(row: TransferRow, file: Int, hasTime: Bool)] = []

    init(files: [EthereumETLFile], keepZero: Bool) {
        self.files = files
        self.keepZero = keepZero
        rejections = Array(repeating: [], count: files.count)
    }

    /// Reads every record of one file.
    mutating func read(_ reader: inout EthereumETLTableReader, file: Int) {
        var rejected: [RowRejection] = []
        switch reader.file.table {
        case .blocks:
            var times: [(UInt64, Int64)] = []
            reader.forEach(
                { fields throws(RowRejectionReason) in
                    let number = try fields.unsigned("number", maximum: UInt64(Int64.max))
                    guard let time = try fields.optionalTimestamp("timestamp") else {
                        throw RowRejectionReason("empty required field 'timestamp'")
                    }
                    times.append((number, time))
                }, rejected: { rejected.append($0) })
            for (number, time) in times where blockTimes[number] == nil { blockTimes[number] = time }
        case .receipts:
            var rows: [EthereumETLReceipt] = []
            reader.forEach(
                { fields throws(RowRejectionReason) in rows.append(try EthereumETLReceipt(fields)) },
                rejected: { rejected.append($0) })
            for row in rows where receipts[row.hash] == nil { receipts[row.hash] = row }
        case .transactions:
            var rows: [EthereumETLTransaction] = []
            reader.forEach(
                { fields throws(RowRejectionReason) in rows.append(try EthereumETLTransaction(fields)) },
                rejected: { rejected.append($0) })
            transactions.append(contentsOf: rows.map { ($0, file) })
        case .traces:
            var rows: [EthereumETLTrace] = []
            reader.forEach(
                { fields throws(RowRejectionReason) in
                    // Block and uncle rewards (and genesis allocations) have no transaction: issuance, not transfers.
                    guard !fields.isEmpty("transaction_hash") else { return }
                    rows.append(try EthereumETLTrace(fields))
                }, rejected: { rejected.append($0) })
            for row in rows { traces[row.hash, default: []].append((row, file)) }
        case .tokenTransfers:
            let header = reader.header
            func column(_ name: String) -> TransferColumns.Column { .init(index: header.required(name), name: name) }
            let timeColumn = header.column("block_timestamp").map {
                TransferColumns.Column(index: $0, name: "block_timestamp")
            }
            let columns = TransferColumns(
                txHash: column("transaction_hash"), blockNumber: column("block_number"), timestamp: timeColumn,
                from: column("from_address"), to: column("to_address"), value: column("value"),
                asset: column("token_address"), logIndex: column("log_index"), assetMayBeEmpty: false)
            var rows: [TransferRow] = []
            reader.forEach(
                { fields throws(RowRejectionReason) in
                    let built = TransferRowBuilder.build(
                        fields.scanner, columns: columns, expectedFieldCount: header.fieldCount, line: fields.line)
                    switch built {
                    case .success(let row): rows.append(row)
                    case .failure(let reason): throw reason
                    }
                }, rejected: { rejected.append($0) })
            tokens.append(contentsOf: rows.map { ($0, file, timeColumn != nil) })
        }
        rejections[file].append(contentsOf: rejected)
    }

    /// Builds the items from everything read and sorts them into chain order.
    mutating func finish(into summary: inout EthereumETLSummary) {
        // Block times: blocks.csv first, then the rows' own block_timestamp.
        for (row, _) in transactions {
            if let time = row.timestamp, blockTimes[row.block] == nil { blockTimes[row.block] = time }
        }
        for (row, _, hasTime) in tokens where hasTime && blockTimes[row.blockNumber] == nil {
            blockTimes[row.blockNumber] = row.timestamp
        }
        var transactionIndexes: [TxHash: UInt32] = [:]
        for receipt in receipts.values {
            if let index = receipt.transactionIndex { transactionIndexes[receipt.hash] = index }
        }
        for (hash, list) in traces {
            if let first = list.first { transactionIndexes[hash] = first.row.transactionIndex }
        }
        for (row, _) in transactions { transactionIndexes[row.hash] = row.transactionIndex }

        var failed = Set(receipts.values.filter { $0.succeeded == false }.map(\.hash))
        var topLevel: [TxHash: (row: EthereumETLTrace, file: Int)] = [:]
        for (hash, list) in traces {
            guard let top = list.first(where: { $0.row.path.isEmpty && $0.row.kind != nil }) else { continue }
            topLevel[hash] = top
            if top.row.failed { failed.insert(hash) }
        }

        // Each transaction's own value: transactions.csv, else its top-level trace.
        var recorded: Set<TxHash> = []
        for (row, file) in transactions where recorded.insert(row.hash).inserted {
            var receiver = row.to ?? receipts[row.hash]?.contract
            if receiver == nil, let top = topLevel[row.hash], case .success(let transfer) = top.row.transfer {
                receiver = transfer.to
            }
            if receiver == nil, let nonce = row.nonce {
                receiver = Keccak256.contractAddress(sender: row.from, nonce: nonce)
            }
            own(
                hash: row.hash, block: row.block, transactionIndex: row.transactionIndex, file: file, line: row.line,
                failed: failed.contains(row.hash), transfer: receiver.map { (row.from, $0, row.value) },
                summary: &summary)
        }
        for (hash, top) in topLevel.sorted(by: { $0.key < $1.key }) where recorded.insert(hash).inserted {
            let row = top.row
            if !failed.contains(hash), case .failure(let reason) = row.transfer {
                rejections[top.file].append(
                    RowRejection(file: files[top.file].path, line: row.line, reason: reason.text))
                continue
            }
            let transfer = try? row.transfer.get()
            own(
                hash: hash, block: row.block, transactionIndex: row.transactionIndex, file: top.file, line: row.line,
                failed: failed.contains(hash), transfer: transfer, summary: &summary)
        }

        for (hash, list) in traces {
            internalTransfers(of: hash, list, transactionFailed: failed.contains(hash), summary: &summary)
        }

        for (row, file, _) in tokens {
            let index = transactionIndexes[row.txHash]
            if index == nil { summary.tokenTransfersWithoutTransactionIndex += 1 }
            guard let key = EthereumETLOrderKey.log(transactionIndex: index ?? 0, logIndex: UInt64(row.logIndex)) else {
                reject(
                    file, row.line,
                    "log_index \(row.logIndex) above \(EthereumETLOrderKey.maximumLogIndex), the most the order key holds"
                )
                continue
            }
            let transfer = Transfer(
                from: texts.intern(row.from), to: texts.intern(row.to),
                asset: row.asset.map { texts.intern($0) + 1 } ?? 0,
                value: row.value)
            items.append(
                Item(
                    block: row.blockNumber, key: key, file: file, line: row.line, txHash: row.txHash,
                    time: blockTimes[row.blockNumber] ?? 0, transfer: transfer))
            summary.tokenTransfers += 1
        }

        items.sort { ($0.block, $0.key, $0.file, $0.line) < ($1.block, $1.key, $1.file, $1.line) }
        summary.transactions = Set(items.map(\.txHash)).count
    }

    /// A transaction's own value: an edge, or its record alone when it failed, created a contract at an unknown
    /// address, or moved nothing (without `keepZero`).
    private mutating func own(
        hash: TxHash, block: UInt64, transactionIndex: UInt32, file: Int, line: Int, failed: Bool,
        transfer: (from: String, to: String, value: Amount)?, summary: inout EthereumETLSummary
    ) {
        // Safe to default: transaction indexes were checked against the key's limit when parsed.
        let key = EthereumETLOrderKey.own(transactionIndex: transactionIndex) ?? 0
        var item = Item(
            block: block, key: key, file: file, line: line, txHash: hash, time: blockTimes[block] ?? 0, transfer: nil)
        if failed {
            summary.failedTransactions += 1
        } else if let transfer {
            if transfer.value.isZero && !keepZero {
                summary.zeroValueSkipped += 1
            } else {
                item.transfer = Transfer(
                    from: texts.intern(transfer.from), to: texts.intern(transfer.to), asset: 0, value: transfer.value)
                summary.nativeTransfers += 1
            }
        } else {
            summary.creationsWithoutAddress += 1
        }
        items.append(item)
    }

    /// The internal transfers of one transaction, ranked in trace order.
    private mutating func internalTransfers(
        of hash: TxHash, _ list: [(row: EthereumETLTrace, file: Int)], transactionFailed: Bool,
        summary: inout EthereumETLSummary
    ) {
        let sorted = list.sorted { lhs, rhs in
            if lhs.row.path != rhs.row.path { return lhs.row.path.lexicographicallyPrecedes(rhs.row.path) }
            return (lhs.file, lhs.row.line) < (rhs.file, rhs.row.line)
        }
        var failedPaths: [[UInt32]] = []
        var rank: UInt64 = 0
        var previous: [UInt32]? = nil
        for (row, file) in sorted {
            if row.path == previous { continue }  // The same trace twice (two files holding one block).
            previous = row.path
            let reverted = row.failed || failedPaths.contains { row.path.starts(with: $0) }
            if row.failed { failedPaths.append(row.path) }
            guard row.kind != nil, !row.path.isEmpty else { continue }
            rank += 1
            if transactionFailed || reverted {
                summary.failedInternalTransfers += 1
                continue
            }
            let transfer: (from: String, to: String, value: Amount)
            switch row.transfer {
            case .success(let parsed): transfer = parsed
            case .failure(let reason):
                reject(file, row.line, reason.text)
                continue
            }
            if transfer.value.isZero && !keepZero {
                summary.zeroValueSkipped += 1
                continue
            }
            guard let key = EthereumETLOrderKey.trace(transactionIndex: row.transactionIndex, rank: rank) else {
                reject(
                    file, row.line,
                    "trace rank \(rank) above \(EthereumETLOrderKey.maximumTraceRank), the most the order key holds")
                continue
            }
            items.append(
                Item(
                    block: row.block, key: key, file: file, line: row.line, txHash: hash,
                    time: blockTimes[row.block] ?? 0,
                    transfer: Transfer(
                        from: texts.intern(transfer.from), to: texts.intern(transfer.to), asset: 0,
                        value: transfer.value)))
            summary.internalTransfers += 1
        }
    }

    private mutating func reject(_ file: Int, _ line: Int, _ reason: String) {
        rejections[file].append(RowRejection(file: files[file].path, line: line, reason: reason))
    }
}
