import Crypto
import Foundation
public import SpoorStore

/// The parameters of a batch scan, as the report header records them.
public struct ScanParameters: Sendable, Hashable, Codable {
    /// The watchlist tag.
    public var watchlist: String
    /// The taint policy.
    public var policy: TaintPolicy
    /// Indirect exposure counts taint arriving within this many hops.
    public var maxHops: Int
    /// The token contract looked at, or `nil` for the native coin.
    public var asset: String?
    /// Tags of service addresses that absorb taint.
    public var stopAt: [String]
    /// Taint below this is dropped (decimal).
    public var minTaint: String
    /// Window start (unix seconds), if any.
    public var from: Int64?
    /// Window end (unix seconds), if any.
    public var to: Int64?
    /// SHA-256 of the sorted, de-duplicated address list the report is limited to; `nil`: every address.
    public var addressesSHA256: String?

    /// Creates parameters.
    public init(
        watchlist: String,
        policy: TaintPolicy = .haircut,
        maxHops: Int = 3,
        asset: String? = nil,
        stopAt: [String] = [],
        minTaint: Amount = .zero,
        from: Int64? = nil,
        to: Int64? = nil,
        addressesSHA256: String? = nil
    ) {
        self.watchlist = watchlist
        self.policy = policy
        self.maxHops = maxHops
        self.asset = asset
        self.stopAt = stopAt
        self.minTaint = minTaint.description
        self.from = from
        self.to = to
        self.addressesSHA256 = addressesSHA256
    }
}

/// The first record of a scan report: what makes it reproducible.
public struct ScanHeader: Sendable, Hashable, Codable {
    /// Where the data stood.
    public struct DataPosition: Sendable, Hashable, Codable {
        /// The last block of any transfer in the store (`nil` when empty).
        public var lastBlock: UInt64?
        /// Store counts.
        public var addresses: UInt64
        /// Store counts.
        public var transactions: UInt64
        /// Store counts.
        public var transfers: UInt64
        /// Store counts.
        public var assets: UInt64
    }
    /// Always `spoor-scan`.
    public var format = "spoor-scan"
    /// Format version (1).
    public var version = 1
    /// The data position.
    public var dataPosition: DataPosition
    /// Every parameter.
    public var parameters: ScanParameters
    /// SHA-256 (hex) of the watchlist's addresses, sorted, one per line, each line ending in `\n`.
    public var watchlistSHA256: String
    /// Number of listed addresses.
    public var watchlistSize: Int
    /// The risk thresholds used.
    public var riskLevels: RiskLevels
}

/// One report row: an address's exposure.
public struct ScanRow: Sendable, Hashable, Codable {
    /// Canonical address text.
    public var address: String
    /// Whether it is on the watchlist.
    public var listed: Bool
    /// Amounts (decimal strings, exact).
    public var directIn, directOut, indirectIn, indirectOut, totalIn, totalOut: String
    /// Hops (`nil`: not within maxHops).
    public var hopIn, hopOut, minimalHop: Int?
    /// Exposed volume over all volume, six decimals, rounded down.
    public var share: String
    /// The risk level.
    public var risk: String
}

/// What one address accumulates during a scan.
struct ScanEntry: Codable, Sendable {
    var directIn = WideAmount.zero
    var directOut = WideAmount.zero
    var indirectIn = WideAmount.zero
    var indirectOut = WideAmount.zero
    var totalIn = WideAmount.zero
    var totalOut = WideAmount.zero
    var hopIn: Int?
    var hopOut: Int?
}

/// Progress of a scan.
public struct ScanProgress: Sendable {
    /// `forward` or `backward`.
    public var phase: TaintDirection
    /// Transfers done in this phase.
    public var done: Int
    /// Transfers in a phase.
    public var total: Int
}

/// How a scan ended.
public enum ScanOutcome: Sendable, Equatable {
    /// The report was written.
    case finished(rows: Int)
    /// Stopped on request after a checkpoint (the test hook); running again resumes.
    case interrupted(checkpoints: Int)
}

/// Exposure of every address (or a list) to a watchlist in one multi-source propagation over the whole chain:
/// taint forward from all listed addresses at once in chain order (incoming exposure) and, on a second thread, backward in reverse
/// chain order (outgoing exposure), with the same rules as ``AccountTaintEngine`` and ``ExposureAnalyzer``.
///
/// The state is checkpointed every `checkpointEvery` transfers (written to a temporary file, then renamed over the
/// checkpoint), and a run finding a checkpoint made with the same header resumes from it; the report is the same
/// byte for byte.
public final class ExposureScan {
    let reader: GraphReader
    let parameters: ScanParameters
    let riskLevels: RiskLevels
    let addressList: [String]?
    let loadingReader: GraphReader?
    /// Wall-clock seconds of each phase of the last ``run(output:format:checkpointPath:checkpointEvery:checkpointSeconds:stopAfterCheckpoints:progress:)``
    /// (load, replay, report), for the command line's summary.
    public private(set) var phaseSeconds: [(phase: String, seconds: Double)] = []

    /// Prepares a scan of `reader`'s snapshot; `addresses` limits the report to those (canonical text).
    ///
    /// `loadingReader`, a second snapshot of the same store, lets the transfers load on two threads; it is used
    /// only when its counts equal `reader`'s (no transfer was added between the two snapshots; adjacency only
    /// grows with new transfers), and only from the loading thread.
    public init(
        reader: GraphReader,
        parameters: ScanParameters,
        riskLevels: RiskLevels,
        addresses: [String]?,
        loadingReader: GraphReader? = nil
    ) {
        self.reader = reader
        self.loadingReader = loadingReader
        self.parameters = parameters
        self.riskLevels = riskLevels
        self.addressList = addresses.map { Array(Set($0)).sorted() }
    }

    /// The report header: the data position the scan read (last block and the store's counts), the parameters, and
    /// the watchlist's size and sha256.
    private func makeHeader(lastBlock: UInt64?, counts: StoreCounts, listedText: [String]) -> ScanHeader {
        ScanHeader(
            dataPosition: .init(
                lastBlock: lastBlock,
                addresses: counts.addresses,
                transactions: counts.transactions,
                transfers: counts.transfers,
                assets: counts.assets
            ),
            parameters: parameters,
            watchlistSHA256: Self.sha256(lines: listedText.sorted()),
            watchlistSize: listedText.count,
            riskLevels: riskLevels
        )
    }

    /// SHA-256 (hex) of lines, each followed by `\n`.
    public static func sha256(lines: [String]) -> String {
        var hasher = SHA256()
        for line in lines { hasher.update(data: Data((line + "\n").utf8)) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Runs (or resumes) the scan and writes the report to `output`.
    ///
    /// A checkpoint is due every `checkpointEvery` transfers (0: never), and written only when at least
    /// `checkpointSeconds` have passed since the start or the last one written (0: every time it is due), so that
    /// a fast scan does not spend its time saving state. An existing checkpoint of an older format is refused.
    public func run(
        output: String,
        format: ScanReportFormat,
        checkpointPath: String,
        checkpointEvery: Int = 500_000,
        checkpointSeconds: Double = 0,
        stopAfterCheckpoints: Int? = nil,
        progress: (ScanProgress) -> Void = { _ in }
    ) throws -> ScanOutcome {
        let analytics = StoreAnalytics(reader: reader)
        if try reader.chainModel() == .utxo { return try runUTXO(output: output, format: format, analytics: analytics) }
        _ = try analytics.accountFlow()
        let asset = try analytics.asset(parameters.asset)
        let window: TimeWindow? =
            parameters.from == nil && parameters.to == nil ? nil : TimeWindow(from: parameters.from, to: parameters.to)
        let clock = ContinuousClock()
        var phaseStart = clock.now
        func endPhase(_ name: String) {
            let elapsed = clock.now - phaseStart
            phaseSeconds.append(
                (name, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            )
            phaseStart = clock.now
        }
        phaseSeconds = []
        let counts = try reader.counts()
        var readers = [reader]
        if let second = loadingReader, try second.counts() == counts { readers.append(second) }
        let (chain, lastBlock) = try Self.loadChain(readers: readers, counts: counts, asset: asset, window: window)
        let listedText = try reader.addresses(taggedWith: parameters.watchlist)
        let listed = try analytics.addressIDs(listedText)
        let stopAt = try analytics.addressIDs(taggedWith: parameters.stopAt)
        let header = makeHeader(lastBlock: lastBlock, counts: counts, listedText: listedText)
        guard let minTaintAmount = Amount(decimal: parameters.minTaint) else {
            throw AnalyticsError.badOption(name: "minTaint", value: parameters.minTaint, expected: "a decimal amount")
        }
        var flags = [UInt8](repeating: 0, count: chain.addressCount)
        for id in listed where id.rawValue < UInt64(flags.count) { flags[Int(id.rawValue)] |= 1 }
        for id in stopAt where id.rawValue < UInt64(flags.count) { flags[Int(id.rawValue)] |= 2 }
        let replay = ExposureReplay(
            chain: chain,
            flags: flags,
            policy: parameters.policy,
            maxHops: parameters.maxHops,
            minTaint: WideAmount(minTaintAmount)
        )

        var state = ExposureReplay.State()
        if let data = FileManager.default.contents(atPath: checkpointPath) {
            if let saved = try ScanCheckpointCodec.decode(
                data,
                header: header,
                addressCount: chain.addressCount,
                policy: parameters.policy,
                path: checkpointPath
            ) {
                state = saved
            }
        }
        endPhase("load")
        // The report's addresses are read from the store while the replay (arrays only) runs; the reader is used
        // by that thread alone until it is done.
        let collected = CollectedTargets()
        let collecting = DispatchGroup()
        let scan = UncheckedScan(scan: self)
        DispatchQueue.global().async(group: collecting) {
            collected.result = Result { try scan.scan.collectTargets() }
        }
        defer { collecting.wait() }
        var lastWrite = clock.now
        var checkpointsWritten = 0
        let finished = try replay.run(&state, checkpointEvery: checkpointEvery, progress: progress) { state in
            let now = clock.now
            guard checkpointSeconds <= 0 || now - lastWrite >= .milliseconds(Int64(checkpointSeconds * 1000)) else {
                return true
            }
            try Self.writeAtomically(ScanCheckpointCodec.encode(header: header, state: state), to: checkpointPath)
            lastWrite = clock.now
            checkpointsWritten += 1
            return stopAfterCheckpoints.map { checkpointsWritten < $0 } ?? true
        }
        guard finished else { return .interrupted(checkpoints: checkpointsWritten) }
        endPhase("replay")

        collecting.wait()
        let targets = try collected.result?.get() ?? collectTargets()
        let finalState = state
        let rows = try writeReport(header: header, listed: listed, format: format, to: output, collected: targets) {
            id in finalState.entry(index: chain.index(of: id))
        }
        try? FileManager.default.removeItem(atPath: checkpointPath)
        endPhase("report")
        return .finished(rows: rows)
    }

    /// The transfers of `asset` inside `window`, in chain order, compact, and the last block of any transfer.
    ///
    /// Each outgoing incidence of every address is put at the slot of its (dense) transfer id; when the ids are in
    /// chain order (the store was ingested in chain order) that is the order, otherwise the slots are sorted by chain
    /// position. No ``AccountTransfer`` array is built: 24 bytes a transfer (plus 13 while loading).
    static func loadChain(
        readers: [GraphReader],
        counts: StoreCounts,
        asset: AssetID,
        window: TimeWindow?
    ) throws -> (CompactChain, UInt64?) {
        guard counts.addresses < UInt64(UInt32.max), counts.transfers < UInt64(Int32.max) else {
            throw AnalyticsError.unsupported(
                "a scan of \(counts.addresses) addresses and \(counts.transfers) transfers (at most 2^32 − 2 and 2^31 − 2)"
            )
        }
        let slots = Int(counts.transfers)
        let addressCount = Int(counts.addresses)
        var transfers = [CompactChain.Transfer](
            repeating: CompactChain.Transfer(from: .max, to: .max, low: 0, high: 0),
            count: slots
        )
        var blocks = [UInt64](repeating: 0, count: slots)
        var logIndices = [UInt32](repeating: 0, count: slots)
        // Each part of the address range is read by its own reader on its own thread; every transfer leaves one
        // address, so the parts write disjoint slots.
        let parts = readers.map(LoadPart.init)
        transfers.withUnsafeMutableBufferPointer { transfers in
            blocks.withUnsafeMutableBufferPointer { blocks in
                logIndices.withUnsafeMutableBufferPointer { logIndices in
                    let slots = LoadSlots(transfers: transfers, blocks: blocks, logIndices: logIndices)
                    DispatchQueue.concurrentPerform(iterations: parts.count) { index in
                        let lower = addressCount * index / parts.count
                        let upper = addressCount * (index + 1) / parts.count
                        do {
                            try parts[index].fill(
                                UInt64(lower)..<UInt64(upper),
                                slots,
                                addressCount: addressCount,
                                asset: asset,
                                window: window
                            )
                        } catch {
                            parts[index].error = error
                        }
                    }
                }
            }
        }
        var large: [Int: Amount] = [:]
        var lastBlock: UInt64?
        for part in parts {
            if let error = part.error { throw error }
            large.merge(part.large) { first, _ in first }
            if let block = part.lastBlock { lastBlock = max(lastBlock ?? 0, block) }
        }
        // In id order, are the present slots in chain order (block, log index; the id breaks ties)?
        var sorted = true
        var previous: (UInt64, UInt32)?
        for slot in 0..<slots where transfers[slot].from != .max {
            let key = (blocks[slot], logIndices[slot])
            if let previous, key < previous {
                sorted = false
                break
            }
            previous = key
        }
        var chain = CompactChain()
        chain.addressCount = addressCount
        if sorted {
            // Drop the empty slots in place.
            var write = 0
            for slot in 0..<slots where transfers[slot].from != .max {
                transfers[write] = transfers[slot]
                if let amount = large[slot] { chain.large[write] = amount }
                write += 1
            }
            transfers.removeLast(slots - write)
            chain.transfers = transfers
        } else {
            var order = (0..<slots).filter { transfers[$0].from != .max }
            order.sort { (blocks[$0], logIndices[$0], $0) < (blocks[$1], logIndices[$1], $1) }
            chain.transfers.reserveCapacity(order.count)
            for slot in order {
                if let amount = large[slot] { chain.large[chain.transfers.count] = amount }
                chain.transfers.append(transfers[slot])
            }
        }
        return (chain, lastBlock)
    }

    /// UTXO stores: taint forward and backward from all listed addresses at once (two runs in all), then one pass
    /// over every transaction adding to the exposure of each address in it, by the rules of ``UTXOExposureAnalyzer``
    /// (each address taken alone). Not checkpointed: an interrupted UTXO scan starts over (same bytes).
    func runUTXO(output: String, format: ScanReportFormat, analytics: StoreAnalytics) throws -> ScanOutcome {
        guard parameters.asset == nil else {
            throw AnalyticsError.unsupported("--asset on a UTXO store (it has the native coin only)")
        }
        guard let minTaint = Amount(decimal: parameters.minTaint) else {
            throw AnalyticsError.badOption(name: "minTaint", value: parameters.minTaint, expected: "a decimal amount")
        }
        let window: TimeWindow? =
            parameters.from == nil && parameters.to == nil ? nil : TimeWindow(from: parameters.from, to: parameters.to)
        let listedText = try reader.addresses(taggedWith: parameters.watchlist)
        let listed = try analytics.addressIDs(listedText)
        let options = ExposureOptions(
            policy: parameters.policy,
            maxHops: parameters.maxHops,
            stopAt: try analytics.addressIDs(taggedWith: parameters.stopAt),
            window: window,
            minTaint: minTaint,
            evidencePaths: 0
        )
        let analyzer = UTXOExposureAnalyzer(source: StoreUTXOFlow(reader: reader))
        let taint = try analyzer.taint(listed: listed, options: options)
        let counts = try reader.counts()
        var entries: [UInt64: ScanEntry] = [:]
        var lastBlock: UInt64?
        var arrivals: [TaintedOutput] = []
        var departures: [TaintedOutput] = []
        for raw in 0..<counts.transactions {
            guard let tx = try analyzer.source.transaction(TxID(raw)) else { continue }
            lastBlock = max(lastBlock ?? 0, tx.block)
            var addresses = Set(tx.inputs.compactMap(\.address))
            addresses.formUnion(tx.outputs.compactMap(\.address))
            for address in addresses {
                try analyzer.accumulate(
                    tx,
                    targets: [address],
                    listed: listed,
                    taint: taint,
                    window: window,
                    into: &entries[address.rawValue, default: ScanEntry()],
                    arrivals: &arrivals,
                    departures: &departures
                )
                arrivals.removeAll(keepingCapacity: true)
                departures.removeAll(keepingCapacity: true)
            }
        }
        let header = makeHeader(lastBlock: lastBlock, counts: counts, listedText: listedText)
        let finalEntries = entries
        let rows = try writeReport(header: header, listed: listed, format: format, to: output) {
            finalEntries[$0.rawValue] ?? ScanEntry()
        }
        return .finished(rows: rows)
    }

    /// The report's addresses in order with their ids: the list, or every address of the store in text order.
    func collectTargets() throws -> [(String, AddressID?)] {
        var targets: [(String, AddressID?)] = []
        if let addressList {
            for text in addressList { targets.append((text, try reader.addressID(text))) }
        } else {
            try reader.forEachAddressInTextOrder { text, id in
                targets.append((text, id))
                return true
            }
        }
        return targets
    }

    /// Writes the report: the header, then one row per address (the list, or every address of the store in text
    /// order), to a temporary file beside `output` in 1 MiB writes, then renamed over it. Returns the row count.
    func writeReport(
        header: ScanHeader,
        listed: Set<AddressID>,
        format: ScanReportFormat,
        to output: String,
        collected: [(String, AddressID?)]? = nil,
        entry: @escaping (AddressID) -> ScanEntry
    ) throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 21)
        if format == .csv { bytes.append(contentsOf: Array("# ".utf8)) }
        bytes.append(contentsOf: Array(try encoder.encode(header)))
        bytes.append(0x0A)
        if format == .csv {
            let columns = [
                "address", "listed", "directIn", "directOut", "indirectIn", "indirectOut", "totalIn", "totalOut",
                "hopIn", "hopOut", "minimalHop", "share", "risk",
            ]
            bytes.append(contentsOf: Array((columns.joined(separator: ",") + "\n").utf8))
        }
        let temporary = output + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard let file = fopen(temporary, "wb") else {
            throw AnalyticsError.unsupported("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer {
            if !closed {
                fclose(file)
                try? FileManager.default.removeItem(atPath: temporary)
            }
        }
        func flush() throws {
            let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            guard written == bytes.count else {
                throw AnalyticsError.unsupported("cannot write \(temporary): \(String(cString: strerror(errno)))")
            }
            bytes.removeAll(keepingCapacity: true)
        }
        let targets = try collected ?? collectTargets()
        // Rows are formatted two batches at a time on two threads, then written in order.
        let batchSize = 32_768
        let buffers = [RowBuffer(), RowBuffer()]
        let context = RowContext(listed: listed, riskLevels: riskLevels, format: format, entry: entry)
        var start = 0
        while start < targets.count {
            let first = start
            targets.withUnsafeBufferPointer { all in
                let shared = UnsafeTargets(pointer: all)
                DispatchQueue.concurrentPerform(iterations: 2) { index in
                    let lower = min(shared.pointer.count, first + index * batchSize)
                    let upper = min(shared.pointer.count, lower + batchSize)
                    let buffer = buffers[index]
                    buffer.bytes.removeAll(keepingCapacity: true)
                    for (text, id) in shared.pointer[lower..<upper] { context.append(text, id, to: &buffer.bytes) }
                }
            }
            for buffer in buffers {
                bytes.append(contentsOf: buffer.bytes)
                if bytes.count >= 1 << 20 { try flush() }
            }
            start += 2 * batchSize
        }
        let rows = targets.count
        try flush()
        closed = true
        guard fclose(file) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw AnalyticsError.unsupported("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        if rename(temporary, output) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw AnalyticsError.unsupported("cannot rename \(temporary) to \(output)")
        }
        return rows
    }

    /// Writes `data` to a temporary file beside `path`, then renames it over `path`.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw AnalyticsError.unsupported("cannot write \(temporary)")
        }
        if rename(temporary, path) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw AnalyticsError.unsupported("cannot rename \(temporary) to \(path)")
        }
    }
}

/// The file format of a scan report.
public enum ScanReportFormat: String, Sendable, CaseIterable, Codable {
    /// A header object on the first line, then one object per address.
    case jsonl
    /// `# ` + the header object on the first line, a column line, then one row per address.
    case csv
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// The slot arrays of ``ExposureScan/loadChain(readers:counts:asset:window:)``, written by the loading threads at
/// disjoint slots.
struct LoadSlots: @unchecked Sendable {
    let transfers: UnsafeMutableBufferPointer<CompactChain.Transfer>
    let blocks: UnsafeMutableBufferPointer<UInt64>
    let logIndices: UnsafeMutableBufferPointer<UInt32>
}

/// One loading thread's reader and what it found besides the slots.
final class LoadPart: @unchecked Sendable {
    let reader: GraphReader
    var large: [Int: Amount] = [:]
    var lastBlock: UInt64?
    var error: (any Error)?

    init(_ reader: GraphReader) { self.reader = reader }

    /// Puts the outgoing transfers of the addresses `range` at the slots of their ids.
    func fill(
        _ range: Range<UInt64>,
        _ slots: LoadSlots,
        addressCount: Int,
        asset: AssetID,
        window: TimeWindow?
    ) throws {
        let slotCount = UInt64(slots.transfers.count)
        for raw in range {
            let sender = AddressID(raw)
            for incidence in try reader.incidences(of: sender) where incidence.direction == .outgoing {
                let properties = incidence.properties
                lastBlock = max(lastBlock ?? 0, properties.block)
                guard properties.asset == asset, window?.contains(properties.time) ?? true else { continue }
                let slot = incidence.transfer.rawValue
                guard slot < slotCount, incidence.neighbor.rawValue < UInt64(addressCount),
                    slots.transfers[Int(slot)].from == .max
                else {
                    throw StoreError.corrupted(
                        table: "adjacency",
                        key: "address \(sender)",
                        reason: "transfer \(slot) to \(incidence.neighbor) is outside the store's counts "
                            + "(\(slotCount) transfers, \(addressCount) addresses) or listed twice"
                    )
                }
                let (compact, isLarge) = CompactChain.transfer(
                    from: UInt32(raw),
                    to: UInt32(incidence.neighbor.rawValue),
                    value: properties.value
                )
                slots.transfers[Int(slot)] = compact
                if isLarge { large[Int(slot)] = properties.value }
                slots.blocks[Int(slot)] = properties.block
                slots.logIndices[Int(slot)] = properties.logIndex
            }
        }
    }
}

/// The scan handed to the thread that reads the report's addresses (it alone uses the reader meanwhile).
struct UncheckedScan: @unchecked Sendable {
    let scan: ExposureScan
}

/// The report's addresses, read on another thread while the replay runs.
final class CollectedTargets: @unchecked Sendable {
    var result: Result<[(String, AddressID?)], any Error>?
}

/// A batch of formatted rows, filled by one thread.
final class RowBuffer: @unchecked Sendable {
    var bytes: [UInt8] = []
}

/// The report's targets, read (never written) by the formatting threads.
struct UnsafeTargets: @unchecked Sendable {
    let pointer: UnsafeBufferPointer<(String, AddressID?)>
}

/// What formatting a row needs; `entry` only reads the finished scan state, so the threads share it.
struct RowContext: @unchecked Sendable {
    let listed: Set<AddressID>
    let riskLevels: RiskLevels
    let format: ScanReportFormat
    let entry: (AddressID) -> ScanEntry

    func append(_ text: String, _ id: AddressID?, to bytes: inout [UInt8]) {
        let fields = RowFields(
            address: text,
            listed: id.map { listed.contains($0) } ?? false,
            entry: id.map(entry) ?? ScanEntry(),
            riskLevels: riskLevels
        )
        switch format {
        case .jsonl: fields.appendJSON(to: &bytes)
        case .csv: fields.appendCSV(to: &bytes)
        }
    }
}

/// One report row's figures, written as JSON (sorted keys, no spaces, absent hops left out: what `JSONEncoder`
/// with `.sortedKeys` writes for ``ScanRow``, without its cost) or as a CSV line.
struct RowFields {
    var address: String
    var listed: Bool
    var entry: ScanEntry
    var minimalHop: Int?
    /// Exposed volume over all volume in millionths, rounded down.
    var sharePPM: Int
    var risk: String

    init(address: String, listed: Bool, entry: ScanEntry, riskLevels: RiskLevels) {
        self.address = address
        self.listed = listed
        self.entry = entry
        let exposed = entry.directIn + entry.indirectIn + entry.directOut + entry.indirectOut
        let volume = entry.totalIn + entry.totalOut
        let ppm =
            volume.isZero
            ? WideAmount.zero : WideAmount.multiplyDivide(min(exposed, volume), WideAmount(1_000_000), volume)
        sharePPM = Int(ppm.amount?.uint64Value ?? 0)
        var minimalHop: Int? = listed ? 0 : nil
        if let hop = entry.hopIn { minimalHop = min(minimalHop ?? .max, hop) }
        if let hop = entry.hopOut { minimalHop = min(minimalHop ?? .max, hop) }
        self.minimalHop = minimalHop
        risk = riskLevels.level(share: Double(sharePPM) / 1_000_000, minimalHop: minimalHop)
    }

    /// The share as text: `0.123456`.
    var share: String { "\(sharePPM / 1_000_000).\(String(sharePPM % 1_000_000).leftPadded(to: 6))" }

    /// The row as ``ScanRow`` (strings).
    var row: ScanRow {
        ScanRow(
            address: address,
            listed: listed,
            directIn: entry.directIn.description,
            directOut: entry.directOut.description,
            indirectIn: entry.indirectIn.description,
            indirectOut: entry.indirectOut.description,
            totalIn: entry.totalIn.description,
            totalOut: entry.totalOut.description,
            hopIn: entry.hopIn,
            hopOut: entry.hopOut,
            minimalHop: minimalHop,
            share: share,
            risk: risk
        )
    }

    /// `"name":` for each key, in the order written.
    static let keyBytes: [[UInt8]] = [
        "address", "directIn", "directOut", "hopIn", "hopOut", "indirectIn", "indirectOut", "listed",
        "minimalHop", "risk", "share", "totalIn", "totalOut",
    ].map { Array("\"\($0)\":".utf8) }

    func appendJSON(to bytes: inout [UInt8]) {
        func key(_ index: Int) {
            if bytes.last != UInt8(ascii: "{") { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: Self.keyBytes[index])
        }
        func amount(_ value: WideAmount) {
            bytes.append(UInt8(ascii: "\""))
            Self.appendDecimal(value, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        func number(_ value: Int) { bytes.append(contentsOf: Array(String(value).utf8)) }
        bytes.append(UInt8(ascii: "{"))
        key(0)  // address
        Self.appendString(address, to: &bytes)
        key(1)  // directIn
        amount(entry.directIn)
        key(2)  // directOut
        amount(entry.directOut)
        if let hop = entry.hopIn {
            key(3)  // hopIn
            number(hop)
        }
        if let hop = entry.hopOut {
            key(4)  // hopOut
            number(hop)
        }
        key(5)  // indirectIn
        amount(entry.indirectIn)
        key(6)  // indirectOut
        amount(entry.indirectOut)
        key(7)  // listed
        bytes.append(contentsOf: listed ? Self.trueBytes : Self.falseBytes)
        if let hop = minimalHop {
            key(8)  // minimalHop
            number(hop)
        }
        key(9)  // risk
        Self.appendString(risk, to: &bytes)
        key(10)  // share
        bytes.append(UInt8(ascii: "\""))
        Self.appendDecimal(WideAmount(UInt64(sharePPM / 1_000_000)), to: &bytes)
        bytes.append(UInt8(ascii: "."))
        var fraction = sharePPM % 1_000_000
        var divisor = 100_000
        for _ in 0..<6 {  // six digits, zero-padded
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
        bytes.append(UInt8(ascii: "\""))
        key(11)  // totalIn
        amount(entry.totalIn)
        key(12)  // totalOut
        amount(entry.totalOut)
        bytes.append(UInt8(ascii: "}"))
        bytes.append(0x0A)
    }

    static let trueBytes = Array("true".utf8)
    static let falseBytes = Array("false".utf8)

    /// Decimal digits, without a `String` for values below 2^64.
    static func appendDecimal(_ value: WideAmount, to bytes: inout [UInt8]) {
        guard value.fitsUInt64 else {
            bytes.append(contentsOf: Array(value.description.utf8))
            return
        }
        var rest = value.w0
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 20 digits at most, kept in reverse order
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    /// A JSON string with the escapes `JSONEncoder` uses.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: Array("\\\"".utf8))
            case UInt8(ascii: "\\"): bytes.append(contentsOf: Array("\\\\".utf8))
            case 0x0A: bytes.append(contentsOf: Array("\\n".utf8))
            case 0x0D: bytes.append(contentsOf: Array("\\r".utf8))
            case 0x09: bytes.append(contentsOf: Array("\\t".utf8))
            case 0x08: bytes.append(contentsOf: Array("\\b".utf8))
            case 0x0C: bytes.append(contentsOf: Array("\\f".utf8))
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                bytes.append(contentsOf: Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8))
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    func appendCSV(to bytes: inout [UInt8]) {
        let row = self.row
        let fields = [
            row.address, row.listed ? "true" : "false", row.directIn, row.directOut, row.indirectIn,
            row.indirectOut, row.totalIn, row.totalOut, row.hopIn.map(String.init) ?? "",
            row.hopOut.map(String.init) ?? "", row.minimalHop.map(String.init) ?? "", row.share, row.risk,
        ]
        // Addresses are canonical text without commas or quotes; quote defensively all the same.
        let line = fields.map {
            $0.contains(",") || $0.contains("\"")
                ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0
        }
        bytes.append(contentsOf: Array((line.joined(separator: ",") + "\n").utf8))
    }
}
