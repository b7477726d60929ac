/// What `spoor verify` found: the number of things checked and every problem, in words.
public struct VerificationReport: Sendable, Hashable {
    /// Addresses whose streams were decoded.
    public var addressesChecked = 0
    /// Chunks decoded.
    public var chunksChecked = 0
    /// Incidences decoded (twice the transfers when all is well).
    public var incidencesChecked = 0
    /// Tag records checked against the tag index.
    public var tagsChecked = 0
    /// Every problem found; empty when the store is sound.
    public var problems: [String] = []

    /// Whether nothing is wrong.
    public var isSound: Bool { problems.isEmpty }
}

extension GraphReader {
    /// Checks the whole store: every chunk decodes, chunk sequences are contiguous with only the last one open,
    /// every out-edge has its in-edge at the other end (and nothing else), address and transaction indexes agree
    /// with their tables, transaction records agree with the adjacency, and the tag index agrees with the tags.
    ///
    /// - Complexity: O(transfers + addresses + tags) time, O(transfers) memory.
    public func verify(maximumProblems: Int = 100) throws -> VerificationReport {
        var report = VerificationReport()
        var problems: [String] = []
        func problem(_ text: @autoclosure () -> String) {
            if problems.count < maximumProblems { problems.append(text()) }
        }
        let counts = try counts()
        let isUTXO = try chainModel() == .utxo
        var utxoEnds: Set<UTXOEnd> = []
        var utxoEdgeIDs: Set<UInt64> = []
        var outEnds: [UInt64: (from: UInt64, to: UInt64)] = [:]
        var inEnds: [UInt64: (from: UInt64, to: UInt64)] = [:]
        outEnds.reserveCapacity(Int(counts.transfers))
        inEnds.reserveCapacity(Int(counts.transfers))

        try forEachAddress { record in
            report.addressesChecked += 1
            if try addressID(record.address) != record.id {
                problem("address \(record.id) '\(record.address)' is not in the address index under its id")
            }
            var sequence: UInt32 = 0
            var outCount: UInt64 = 0
            var inCount: UInt64 = 0
            var sawOpen = false
            let prefix = Key.id(record.id.rawValue)
            try scan(tables.adjacency, prefix: prefix) { key, value in
                let chunkSequence = key.count == 12 ? Key.readUInt32(key, at: 8) : .max
                if chunkSequence != sequence { problem("address \(record.id): chunk \(chunkSequence) where \(sequence) was expected") }
                sequence = chunkSequence &+ 1
                report.chunksChecked += 1
                do {
                    let chunk = try AdjacencyChunk.decode(value, decompressor: decompressor)
                    if sawOpen { problem("address \(record.id): an open chunk is followed by chunk \(chunkSequence)") }
                    if !chunk.isSealed { sawOpen = true }
                    for incidence in chunk.incidences {
                        report.incidencesChecked += 1
                        let transfer = incidence.transfer.rawValue
                        if isUTXO {
                            if incidence.direction == .outgoing { outCount += 1 } else { inCount += 1 }
                            let end = UTXOEnd(
                                address: record.id, spends: incidence.direction == .outgoing, tx: incidence.properties.tx,
                                index: incidence.properties.logIndex)
                            if !utxoEnds.insert(end).inserted || !utxoEdgeIDs.insert(transfer).inserted {
                                problem("address \(record.id): input/output edge \(transfer) is stored twice")
                            }
                            continue
                        }
                        switch incidence.direction {
                        case .outgoing:
                            outCount += 1
                            if outEnds.updateValue((record.id.rawValue, incidence.neighbor.rawValue), forKey: transfer) != nil {
                                problem("transfer \(transfer) leaves more than once")
                            }
                        case .incoming:
                            inCount += 1
                            if inEnds.updateValue((incidence.neighbor.rawValue, record.id.rawValue), forKey: transfer) != nil {
                                problem("transfer \(transfer) arrives more than once")
                            }
                        }
                    }
                } catch let error as DecodeError {
                    problem("address \(record.id) chunk \(chunkSequence) does not decode: \(error.reason)")
                }
                return true
            }
            if sequence != record.chunkCount {
                problem("address \(record.id): record says \(record.chunkCount) chunks, found \(sequence)")
            }
            if outCount != record.outCount || inCount != record.inCount {
                problem("address \(record.id): record says \(record.outCount) out / \(record.inCount) in, streams hold \(outCount) / \(inCount)")
            }
            return true
        }
        for (transfer, ends) in outEnds {
            guard let other = inEnds.removeValue(forKey: transfer) else {
                problem("transfer \(transfer) leaves address \(ends.from) but never arrives at \(ends.to)")
                continue
            }
            if other.from != ends.from || other.to != ends.to {
                problem("transfer \(transfer): out-edge \(ends.from)→\(ends.to) but in-edge \(other.from)→\(other.to)")
            }
        }
        for (transfer, ends) in inEnds {
            problem("transfer \(transfer) arrives at address \(ends.to) but never leaves \(ends.from)")
        }
        let storedEdges = isUTXO ? utxoEdgeIDs.count : outEnds.count
        if UInt64(storedEdges) != counts.transfers {
            problem("meta counts \(counts.transfers) transfers, adjacency holds \(storedEdges)")
        }
        if UInt64(report.addressesChecked) != counts.addresses {
            problem("meta counts \(counts.addresses) addresses, the table holds \(report.addressesChecked)")
        }
        let indexed = try transaction.statistics(tables.addressIndex).entries
        if indexed != report.addressesChecked {
            problem("address index holds \(indexed) entries, the table \(report.addressesChecked)")
        }
        if isUTXO {
            try verifyUTXOTransactions(counts: counts, ends: utxoEnds, problem: problem)
        } else {
            try verifyTransactions(counts: counts, outEnds: outEnds, problem: problem)
        }
        try verifyTransactionIndex(counts: counts, isUTXO: isUTXO, problem: problem)
        report.tagsChecked = try verifyTags(problem: problem)
        report.problems = problems
        return report
    }

    private func verifyTransactions(
        counts: StoreCounts, outEnds: [UInt64: (from: UInt64, to: UInt64)], problem: (@autoclosure () -> String) -> Void
    ) throws {
        var transactionCount: UInt64 = 0
        var listed: UInt64 = 0
        try scan(tables.transactions, prefix: []) { key, value in
            let id = TxID(Key.readID(key))
            transactionCount += 1
            do {
                let record = try TransactionRecord.decode(id: id, value)
                if try transactionID(hash: record.hash) != id {
                    problem("transaction \(id) is not in the hash index under its id")
                }
                for transfer in record.transfers {
                    listed += 1
                    guard let ends = outEnds[transfer.transfer.rawValue] else {
                        problem("transaction \(id) lists transfer \(transfer.transfer), which no address holds")
                        continue
                    }
                    if ends.from != transfer.from.rawValue || ends.to != transfer.to.rawValue {
                        problem("transaction \(id) lists transfer \(transfer.transfer) with other ends than the adjacency")
                    }
                }
            } catch let error as DecodeError {
                problem("transaction \(id) does not decode: \(error.reason)")
            }
            return true
        }
        if transactionCount != counts.transactions {
            problem("meta counts \(counts.transactions) transactions, the table holds \(transactionCount)")
        }
        if listed != counts.transfers {
            problem("transactions list \(listed) transfers, meta counts \(counts.transfers)")
        }
    }

    /// The transaction index (format 3, hash prefix → ids): every key has the store's key length, every listed id
    /// has a record whose hash starts with the key, and every transaction is listed once (on UTXO chains one of two
    /// with one hash, BIP 30, is not).
    private func verifyTransactionIndex(
        counts: StoreCounts, isUTXO: Bool, problem: (@autoclosure () -> String) -> Void
    ) throws {
        var listed: UInt64 = 0
        try forEachTransactionIndexEntry { key, ids in
            if key.count != store.txIndexKeyLength {
                problem("transaction index key \(key.hexText) has \(key.count) bytes, not \(store.txIndexKeyLength)")
            }
            for id in ids {
                listed += 1
                guard let record = try transaction(id) else {
                    problem("transaction index key \(key.hexText) lists transaction \(id), which has no record")
                    continue
                }
                if TransactionIndex.key(record.hash, length: key.count) != key {
                    problem("transaction index key \(key.hexText) lists transaction \(id) of hash \(record.hash.hexText)")
                }
            }
        }
        if isUTXO ? listed > counts.transactions : listed != counts.transactions {
            problem("transaction index lists \(listed) transactions, meta counts \(counts.transactions)")
        }
    }

    /// UTXO stores: every input and output with an address is an edge of that address's stream (and nothing else
    /// is), every output has its outpoint entry, and a spent output names the transaction whose input spends it.
    private func verifyUTXOTransactions(
        counts: StoreCounts, ends: Set<UTXOEnd>, problem: (@autoclosure () -> String) -> Void
    ) throws {
        var transactionCount: UInt64 = 0
        var listed = 0
        try scan(tables.transactions, prefix: []) { key, value in
            let id = TxID(Key.readID(key))
            transactionCount += 1
            do {
                let record = try TransactionRecord.decode(id: id, value)
                guard let details = record.utxo else {
                    problem("transaction \(id) has no inputs and outputs in a UTXO store")
                    return true
                }
                // Two coinbases with one txid (BIP 30: mainnet blocks 91842 and 91880) index the later one.
                let indexed = try transactionID(hash: record.hash)
                var laterDuplicate = false
                if let indexed, indexed > id, let later = try transaction(indexed) { laterDuplicate = later.hash == record.hash }
                if indexed != id && !laterDuplicate {
                    problem("transaction \(id) is not in the hash index under its id")
                }
                for (index, input) in details.inputs.enumerated() {
                    if let address = input.address, input.value != nil {
                        listed += 1
                        if !ends.contains(UTXOEnd(address: address, spends: true, tx: id, index: UInt32(index))) {
                            problem("transaction \(id) input \(index) is missing from address \(address)'s stream")
                        }
                    }
                    if case .output(let source, let outputIndex) = input.source,
                        try spender(ofOutput: outputIndex, of: source) != id
                    {
                        problem("transaction \(id) input \(index) spends \(source):\(outputIndex), whose outpoint names another spender")
                    }
                }
                for (index, output) in details.outputs.enumerated() {
                    let key = Key.outpoint(id.rawValue, UInt32(index))
                    if try transaction.value(tables.outpoints, key: key) == nil {
                        problem("transaction \(id) output \(index) has no outpoint entry")
                    }
                    guard let address = output.address else { continue }
                    listed += 1
                    if !ends.contains(UTXOEnd(address: address, spends: false, tx: id, index: UInt32(index))) {
                        problem("transaction \(id) output \(index) is missing from address \(address)'s stream")
                    }
                }
            } catch let error as DecodeError {
                problem("transaction \(id) does not decode: \(error.reason)")
            }
            return true
        }
        if transactionCount != counts.transactions {
            problem("meta counts \(counts.transactions) transactions, the table holds \(transactionCount)")
        }
        if listed != ends.count {
            problem("transactions list \(listed) input/output edges, the address streams hold \(ends.count)")
        }
    }

    private func verifyTags(problem: (@autoclosure () -> String) -> Void) throws -> Int {
        var tagKeys: Set<[UInt8]> = []
        var checked = 0
        try scan(tables.tags, prefix: []) { key, _ in
            checked += 1
            let parts = key.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { tagKeys.insert(Array(parts[1]) + [0] + Array(parts[0])) } else {
                problem("tag key without a separator")
            }
            return true
        }
        var indexed = 0
        try scan(tables.tagIndex, prefix: []) { key, _ in
            indexed += 1
            if tagKeys.remove(Array(key)) == nil {
                problem("tag index entry '\(String(decoding: key.map { $0 == 0 ? UInt8(ascii: "/") : $0 }, as: UTF8.self))' has no tag record")
            }
            return true
        }
        for key in tagKeys.prefix(10) {
            problem("tag '\(String(decoding: key.map { $0 == 0 ? UInt8(ascii: "/") : $0 }, as: UTF8.self))' is missing from the tag index")
        }
        return checked
    }
}

/// One input or output edge of a UTXO store as an address stream holds it.
private struct UTXOEnd: Hashable {
    var address: AddressID
    var spends: Bool
    var tx: TxID
    var index: UInt32
}
