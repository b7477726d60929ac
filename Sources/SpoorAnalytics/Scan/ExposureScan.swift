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

    /// Prepares a scan of `reader`'s snapshot; `addresses` limits the report to those (canonical text).
    public init(reader: GraphReader, parameters: ScanParameters, riskLevels: RiskLevels, addresses: [String]?) {
        self.reader = reader
        self.parameters = parameters
        self.riskLevels = riskLevels
        self.addressList = addresses.map { Array(Set($0)).sorted() }
    }

    /// SHA-256 (hex) of lines, each followed by `\n`.
    public static func sha256(lines: [String]) -> String {
        var hasher = SHA256()
        for line in lines { hasher.update(data: Data((line + "\n").utf8)) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Runs (or resumes) the scan and writes the report to `output`.
    public func run(
        output: String,
        format: ScanReportFormat,
        checkpointPath: String,
        checkpointEvery: Int = 500_000,
        stopAfterCheckpoints: Int? = nil,
        progress: (ScanProgress) -> Void = { _ in }
    ) throws -> ScanOutcome {
        let analytics = StoreAnalytics(reader: reader)
        if try reader.chainModel() == .utxo { return try runUTXO(output: output, format: format, analytics: analytics) }
        let flow = try analytics.accountFlow()
        let asset = try analytics.asset(parameters.asset)
        let window: TimeWindow? =
            parameters.from == nil && parameters.to == nil ? nil : TimeWindow(from: parameters.from, to: parameters.to)
        var transfers: [AccountTransfer] = []
        var lastBlock: UInt64?
        try flow.forEachTransfer { transfer in
            lastBlock = max(lastBlock ?? 0, transfer.block)
            guard transfer.asset == asset, window?.contains(transfer.time) ?? true else { return }
            transfers.append(transfer)
        }
        let listedText = try reader.addresses(taggedWith: parameters.watchlist)
        let listed = try analytics.addressIDs(listedText)
        let stopAt = try analytics.addressIDs(taggedWith: parameters.stopAt)
        let counts = try reader.counts()
        let header = ScanHeader(
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

        var state = ExposureReplay.State()
        if let data = FileManager.default.contents(atPath: checkpointPath),
            let saved = ScanCheckpointCodec.decode(data, header: header)
        {
            state = saved
        }
        guard let minTaintAmount = Amount(decimal: parameters.minTaint) else {
            throw AnalyticsError.badOption(name: "minTaint", value: parameters.minTaint, expected: "a decimal amount")
        }

        let replay = ExposureReplay(
            transfers: transfers,
            listed: listed,
            stopAt: stopAt,
            policy: parameters.policy,
            maxHops: parameters.maxHops,
            minTaint: WideAmount(minTaintAmount)
        )
        var checkpointsWritten = 0
        let finished = try replay.run(&state, checkpointEvery: checkpointEvery, progress: progress) { state in
            try Self.writeAtomically(try ScanCheckpointCodec.encode(header: header, state: state), to: checkpointPath)
            checkpointsWritten += 1
            return stopAfterCheckpoints.map { checkpointsWritten < $0 } ?? true
        }
        guard finished else { return .interrupted(checkpoints: checkpointsWritten) }

        let rows = try makeRows(entries: state.entries, listed: listed)
        try Self.writeAtomically(try Self.render(header: header, rows: rows, format: format), to: output)
        try? FileManager.default.removeItem(atPath: checkpointPath)
        return .finished(rows: rows.count)
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
            policy: parameters.policy, maxHops: parameters.maxHops,
            stopAt: try analytics.addressIDs(taggedWith: parameters.stopAt), window: window, minTaint: minTaint,
            evidencePaths: 0)
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
                    tx, targets: [address], listed: listed, taint: taint, window: window,
                    into: &entries[address.rawValue, default: ScanEntry()], arrivals: &arrivals, departures: &departures)
                arrivals.removeAll(keepingCapacity: true)
                departures.removeAll(keepingCapacity: true)
            }
        }
        let header = ScanHeader(
            dataPosition: .init(
                lastBlock: lastBlock, addresses: counts.addresses, transactions: counts.transactions,
                transfers: counts.transfers, assets: counts.assets),
            parameters: parameters, watchlistSHA256: Self.sha256(lines: listedText.sorted()),
            watchlistSize: listedText.count, riskLevels: riskLevels)
        let rows = try makeRows(entries: entries, listed: listed)
        try Self.writeAtomically(try Self.render(header: header, rows: rows, format: format), to: output)
        return .finished(rows: rows.count)
    }

    func makeRows(entries: [UInt64: ScanEntry], listed: Set<AddressID>) throws -> [ScanRow] {
        var targets: [(String, AddressID?)] = []
        if let addressList {
            for text in addressList { targets.append((text, try reader.addressID(text))) }
        } else {
            try reader.forEachAddress { record in
                targets.append((record.address, record.id))
                return true
            }
            targets.sort { $0.0 < $1.0 }
        }
        let million = WideAmount(1_000_000)
        return targets.map { text, id in
            let entry = id.flatMap { entries[$0.rawValue] } ?? ScanEntry()
            let isListed = id.map { listed.contains($0) } ?? false
            let exposed = entry.directIn + entry.indirectIn + entry.directOut + entry.indirectOut
            let volume = entry.totalIn + entry.totalOut
            let ppm = volume.isZero ? WideAmount.zero : WideAmount.multiplyDivide(min(exposed, volume), million, volume)
            let ppmValue = Int(ppm.amount?.uint64Value ?? 0)
            let share = "\(ppmValue / 1_000_000).\(String(ppmValue % 1_000_000).leftPadded(to: 6))"
            var minimalHop: Int? = isListed ? 0 : nil
            for hop in [entry.hopIn, entry.hopOut].compactMap({ $0 }) { minimalHop = min(minimalHop ?? .max, hop) }
            return ScanRow(
                address: text,
                listed: isListed,
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
                risk: riskLevels.level(share: Double(ppmValue) / 1_000_000, minimalHop: minimalHop)
            )
        }
    }

    static func render(header: ScanHeader, rows: [ScanRow], format: ScanReportFormat) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        switch format {
        case .jsonl:
            data.append(try encoder.encode(header))
            data.append(0x0A)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(rows.count * 256)
            for row in rows { appendJSON(row, to: &bytes) }
            data.append(contentsOf: bytes)
        case .csv:
            data.append(contentsOf: Array("# ".utf8))
            data.append(try encoder.encode(header))
            data.append(0x0A)
            let columns = [
                "address", "listed", "directIn", "directOut", "indirectIn", "indirectOut", "totalIn", "totalOut",
                "hopIn", "hopOut", "minimalHop", "share", "risk",
            ]
            data.append(contentsOf: Array((columns.joined(separator: ",") + "\n").utf8))
            for row in rows {
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
                data.append(contentsOf: Array((line.joined(separator: ",") + "\n").utf8))
            }
        }
        return data
    }

    /// One row as JSON with sorted keys and no spaces, absent hops left out (what `JSONEncoder` with `.sortedKeys`
    /// writes, without its cost), and a newline.
    static func appendJSON(_ row: ScanRow, to bytes: inout [UInt8]) {
        func key(_ name: String) {
            if bytes.last != UInt8(ascii: "{") { bytes.append(UInt8(ascii: ",")) }
            string(name)
            bytes.append(UInt8(ascii: ":"))
        }
        func string(_ text: String) {
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
        func number(_ value: Int?) { bytes.append(contentsOf: Array(String(value ?? 0).utf8)) }
        bytes.append(UInt8(ascii: "{"))
        key("address")
        string(row.address)
        key("directIn")
        string(row.directIn)
        key("directOut")
        string(row.directOut)
        if let hop = row.hopIn {
            key("hopIn")
            number(hop)
        }
        if let hop = row.hopOut {
            key("hopOut")
            number(hop)
        }
        key("indirectIn")
        string(row.indirectIn)
        key("indirectOut")
        string(row.indirectOut)
        key("listed")
        bytes.append(contentsOf: Array((row.listed ? "true" : "false").utf8))
        if let hop = row.minimalHop {
            key("minimalHop")
            number(hop)
        }
        key("risk")
        string(row.risk)
        key("share")
        string(row.share)
        key("totalIn")
        string(row.totalIn)
        key("totalOut")
        string(row.totalOut)
        bytes.append(UInt8(ascii: "}"))
        bytes.append(0x0A)
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

/// The whole-chain replay of a scan: forward from every listed address in chain order and backward (side by side), collecting
/// per-address exposure. Pure (no store), so tests compare it with ``ExposureAnalyzer`` on in-memory graphs.
public struct ExposureReplay: Sendable {
    /// One pass (forward or backward): how far it got, the address states and what it collected.
    struct Pass: Sendable {
        var position = 0
        var states: [UInt64: AccountTaintState] = [:]
        var entries: [UInt64: ScanEntry] = [:]
    }

    /// Where a replay stands (what a checkpoint holds): the forward and the backward pass, which run side by side.
    public struct State: Sendable {
        var forward = Pass()
        var backward = Pass()

        /// A fresh start.
        public init() {}

        init(forward: Pass, backward: Pass) {
            self.forward = forward
            self.backward = backward
        }

        /// Both passes' entries merged: volumes, direct and incoming from the forward pass, outgoing from the
        /// backward one.
        var entries: [UInt64: ScanEntry] {
            var merged = forward.entries
            for (address, entry) in backward.entries {
                var combined = merged[address] ?? ScanEntry()
                combined.indirectOut += entry.indirectOut
                if let hop = entry.hopOut { combined.hopOut = min(combined.hopOut ?? .max, hop) }
                merged[address] = combined
            }
            return merged
        }
    }

    /// A pass's state shared with the thread that runs it (each box is touched by one thread at a time).
    final class PassBox: @unchecked Sendable {
        var pass: Pass
        init(_ pass: Pass) { self.pass = pass }
    }

    let transfers: [AccountTransfer]
    let listed: Set<AddressID>
    let stopAt: Set<AddressID>
    let policy: TaintPolicy
    let maxHops: Int
    let minTaint: WideAmount

    /// Prepares a replay of `transfers` (one asset, chain order).
    public init(
        transfers: [AccountTransfer],
        listed: Set<AddressID>,
        stopAt: Set<AddressID>,
        policy: TaintPolicy,
        maxHops: Int,
        minTaint: WideAmount
    ) {
        self.transfers = transfers
        self.listed = listed
        self.stopAt = stopAt
        self.policy = policy
        self.maxHops = maxHops
        self.minTaint = minTaint
    }

    /// Runs from `state` to the end, the forward and the backward pass side by side (two threads), in steps of at
    /// most 65,536 transfers; `checkpoint` is called every `checkpointEvery` transfers and returns `false` to stop
    /// there (the function then returns `false`).
    public func run(
        _ state: inout State,
        checkpointEvery: Int = 0,
        progress: (ScanProgress) -> Void = { _ in },
        checkpoint: (State) throws -> Bool = { _ in true }
    ) throws -> Bool {
        let total = transfers.count
        let boxes = [PassBox(state.forward), PassBox(state.backward)]
        defer {
            state.forward = boxes[0].pass
            state.backward = boxes[1].pass
        }
        while boxes[0].pass.position < total || boxes[1].pass.position < total {
            let position = min(boxes[0].pass.position, boxes[1].pass.position)
            var step = min(total, position + 65_536)
            if checkpointEvery > 0 { step = min(step, (position / checkpointEvery + 1) * checkpointEvery) }
            let target = step
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                let box = boxes[index]
                let backward = index == 1
                while box.pass.position < target {
                    let real = transfers[backward ? total - 1 - box.pass.position : box.pass.position]
                    apply(backward ? real.reversed : real, real: real, backward: backward, &box.pass)
                    box.pass.position += 1
                }
            }
            progress(ScanProgress(phase: .forward, done: target, total: total))
            if checkpointEvery > 0 && target % checkpointEvery == 0 && target < total {
                let snapshot = State(forward: boxes[0].pass, backward: boxes[1].pass)
                if try !checkpoint(snapshot) { return false }
            }
        }
        return true
    }

    func apply(_ transfer: AccountTransfer, real: AccountTransfer, backward: Bool, _ state: inout Pass) {
        if !backward && real.from != real.to {
            // Volumes and direct exposure, once, on the forward pass.
            let value = WideAmount(real.value)
            state.entries[real.from.rawValue, default: ScanEntry()].totalOut += value
            state.entries[real.to.rawValue, default: ScanEntry()].totalIn += value
            if listed.contains(real.from) { state.entries[real.to.rawValue, default: ScanEntry()].directIn += value }
            if listed.contains(real.to) { state.entries[real.from.rawValue, default: ScanEntry()].directOut += value }
        }
        var sender = state.states[transfer.from.rawValue] ?? AccountTaintState()
        var carry = sender.send(transfer.value, policy: policy)
        state.states[transfer.from.rawValue] = sender
        if listed.contains(transfer.from) { carry = AccountTaintState.seedCarry(transfer.value, policy: policy) }
        carry = carry.filtered(maxHops: maxHops, minTaint: minTaint)
        if !carry.taint.isZero && transfer.from != transfer.to {
            var entry = state.entries[transfer.to.rawValue] ?? ScanEntry()
            let indirect = !listed.contains(transfer.from)
            if backward {
                entry.hopOut = min(entry.hopOut ?? .max, carry.hop)
                if indirect { entry.indirectOut += carry.taint }
            } else {
                entry.hopIn = min(entry.hopIn ?? .max, carry.hop)
                if indirect { entry.indirectIn += carry.taint }
            }
            state.entries[transfer.to.rawValue] = entry
        }
        if !stopAt.contains(transfer.to) || listed.contains(transfer.to) {
            var receiver = state.states[transfer.to.rawValue] ?? AccountTaintState()
            receiver.receive(transfer.value, carry: carry, policy: policy)
            state.states[transfer.to.rawValue] = receiver
        }
    }

    /// The exposure figures of an address after a run: direct in/out, indirect in/out, total in/out, hop in/out.
    public static func figures(
        _ state: State,
        _ address: AddressID
    )
        -> (
            directIn: WideAmount, directOut: WideAmount, indirectIn: WideAmount, indirectOut: WideAmount,
            totalIn: WideAmount, totalOut: WideAmount, hopIn: Int?, hopOut: Int?
        )
    {
        let entry = state.entries[address.rawValue] ?? ScanEntry()
        return (
            entry.directIn, entry.directOut, entry.indirectIn, entry.indirectOut, entry.totalIn, entry.totalOut,
            entry.hopIn, entry.hopOut
        )
    }
}
