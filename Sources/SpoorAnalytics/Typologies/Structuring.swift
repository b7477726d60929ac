public import SpoorStore

/// Fan-out and fan-in (structuring, smurfing): many small transfers to, or from, many distinct counterparties in a
/// short time.
///
/// **Definition.** For an address `A`, a direction (out for fan-out, in for fan-in) and an asset, take `A`'s
/// transfers in that direction of that asset in chain order (zero values and self-transfers ignored). A *window*
/// starts at one of them, `t₀`, and holds every later one with time ≤ `t₀.time + window`. Its *small* transfers are
/// those just below the threshold: `minAmount ≤ value < maxAmount`. The window is a finding when the small
/// transfers reach at least `minCounterparties` distinct counterparties and make up at least `minSmallPercent` of
/// the window's transfers (so a busy hub whose traffic is mostly of other sizes does not count). Windows are tried
/// from the first transfer on; after a finding the next window starts after the finding's last transfer, so
/// findings never overlap.
public struct StructuringOptions: Sendable, Hashable {
    /// Fewest distinct counterparties (default 5).
    public var minCounterparties = 5
    /// Window length in seconds (default 3,600).
    public var window: Int64 = 3_600
    /// Transfers of this value or more are not small (default 10^18, one ether in wei).
    public var maxAmount = Amount(1_000_000_000_000_000_000)
    /// Transfers below this value are not counted as structuring either (default 10^17: one decade below
    /// `maxAmount`, where amounts kept just under a threshold fall).
    public var minAmount = Amount(100_000_000_000_000_000)
    /// Smallest share of small transfers among the window's transfers, in percent (default 80).
    public var minSmallPercent: UInt64 = 80

    /// The defaults.
    public init() {}

    func validate() throws(TypologyError) {
        guard minCounterparties >= 1 else {
            throw TypologyError("minCounterparties must be at least 1, found \(minCounterparties)")
        }
        guard window >= 0 else { throw TypologyError("window must be seconds >= 0, found \(window)") }
        try percentIsValid(minSmallPercent, name: "minSmallPercent")
    }
}

/// Which way a structuring finding's transfers go.
public enum StructuringDirection: String, Sendable, Hashable {
    /// Fan-out: one address pays many.
    case fanOut
    /// Fan-in: many pay one address.
    case fanIn
}

/// A fan-out or fan-in found by ``StructuringDetector``.
public struct StructuringFinding: Sendable, Hashable {
    /// Fan-out or fan-in.
    public var direction: StructuringDirection
    /// The address that paid (fan-out) or was paid (fan-in).
    public var address: String
    /// Its small transfers in the window, in chain order.
    public var transfers: [TypologyTransfer]
    /// Distinct counterparties among them.
    public var counterparties: Int
    /// Their total, exact (`nil` above 2^256 − 1).
    public var total: Amount?
    /// Token contract, or `nil` for the native coin.
    public var asset: String? { transfers.first?.asset }
    /// Time of the first transfer.
    public var start: Int64 { transfers.first?.time ?? 0 }
    /// Time of the last transfer.
    public var end: Int64 { transfers.last?.time ?? 0 }
}

/// Finds fan-outs and fan-ins (see ``StructuringOptions`` for the definition).
public struct StructuringDetector {
    /// The definition's parameters.
    public var options: StructuringOptions

    /// A detector with `options`.
    public init(options: StructuringOptions = StructuringOptions()) {
        self.options = options
    }

    /// The findings at one address in `direction`; none for an unknown address.
    /// - Complexity: O(degree).
    public func findings(at address: String, direction: StructuringDirection, in reader: GraphReader) throws
        -> [StructuringFinding]
    {
        try options.validate()
        guard let id = try reader.addressID(address) else { return [] }
        return try findings(at: id, direction: direction, context: TypologyContext(reader: reader))
    }

    /// Every finding in the store in `direction`, by address id, then chain order.
    /// - Complexity: O(transfers).
    public func scan(_ reader: GraphReader, direction: StructuringDirection) throws -> [StructuringFinding] {
        try options.validate()
        let context = TypologyContext(reader: reader)
        var result: [StructuringFinding] = []
        try reader.forEachAddress { record in
            let wanted = direction == .fanOut ? record.outCount : record.inCount
            if wanted >= UInt64(options.minCounterparties) {
                result += try findings(at: record.id, direction: direction, context: context)
            }
            return true
        }
        return result
    }

    func findings(at id: AddressID, direction: StructuringDirection, context: TypologyContext) throws
        -> [StructuringFinding]
    {
        let wanted: IncidenceDirection = direction == .fanOut ? .outgoing : .incoming
        let all = try context.reader.incidences(of: id).filter { $0.direction == wanted && $0.counts(owner: id) }
        var byAsset: [AssetID: [Incidence]] = [:]
        for incidence in all { byAsset[incidence.properties.asset, default: []].append(incidence) }
        var found: [(TransferID, StructuringFinding)] = []
        for asset in byAsset.keys.sorted() {
            guard let list = byAsset[asset] else { continue }
            for window in windows(list) {
                let transfers = try window.map { try context.transfer($0, of: id) }
                var total: Amount? = .zero
                for incidence in window { total = total?.adding(incidence.properties.value) }
                let finding = StructuringFinding(
                    direction: direction, address: try context.text(id), transfers: transfers,
                    counterparties: Set(window.map(\.neighbor)).count, total: total)
                found.append((window[0].transfer, finding))
            }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The small transfers of each finding window, sliding two pointers over `list` (one asset, chain order).
    func windows(_ list: [Incidence]) -> [[Incidence]] {
        var result: [[Incidence]] = []
        var start = 0
        var end = 0  // The window is list[start..<end].
        var small = 0
        var counterparties: [AddressID: Int] = [:]
        func isSmall(_ incidence: Incidence) -> Bool {
            incidence.properties.value < options.maxAmount && incidence.properties.value >= options.minAmount
        }
        while start < list.count {
            if end <= start {
                end = start
                small = 0
                counterparties.removeAll(keepingCapacity: true)
            }
            let limit = Seconds.adding(list[start].properties.time, options.window)
            while end < list.count && list[end].properties.time <= limit {
                if isSmall(list[end]) {
                    small += 1
                    counterparties[list[end].neighbor, default: 0] += 1
                }
                end += 1
            }
            let size = end - start
            if counterparties.count >= options.minCounterparties
                && UInt64(small) * 100 >= UInt64(size) * options.minSmallPercent
            {
                result.append(list[start..<end].filter(isSmall))
                start = end
                continue
            }
            if isSmall(list[start]) {
                small -= 1
                let neighbor = list[start].neighbor
                if let count = counterparties[neighbor], count > 1 {
                    counterparties[neighbor] = count - 1
                } else {
                    counterparties[neighbor] = nil
                }
            }
            start += 1
        }
        return result
    }
}
