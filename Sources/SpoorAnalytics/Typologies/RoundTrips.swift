public import SpoorStore

/// Round trips: funds that leave an address and come back to it through a few others.
///
/// **Definition.** A *round trip* from origin `O` is a path of transfers `t₁ … t_m` of one asset, `2 ≤ m ≤ maxHops`,
/// `O → A₁ → … → A_{m−1} → O`, where the `Aᵢ` are distinct and differ from `O`; it is time-respecting (each transfer
/// comes after the previous one in chain order: block, then log index); every value lies between
/// `minValuePercent` of `t₁`'s value and `t₁`'s value (`v₁ × minValuePercent ≤ vᵢ × 100` and `vᵢ ≤ v₁`); the
/// return `t_m` comes within `maxDuration` seconds of `t₁`; and no intermediate `Aᵢ` has more than `maxDegree`
/// transfers in all (hubs such as exchanges break the trail rather than close a loop). Zero values are ignored. For
/// each `t₁` at most one round trip is reported: the one with the fewest hops, then the earliest return, then the
/// smallest transfer ids. The search visits at most `maxExpansions` transfers per `t₁`.
public struct RoundTripOptions: Sendable, Hashable {
    /// Most hops in the cycle, at least 2 (default 4).
    public var maxHops = 4
    /// Seconds from the first transfer to the return (default 86,400).
    public var maxDuration: Int64 = 86_400
    /// Smallest value of a hop as a percentage of the first transfer (default 80: what comes back is most of what
    /// left, less fees).
    public var minValuePercent: UInt64 = 80
    /// Intermediates (and, in a scan, origins) with more transfers than this are not passed through (default 200).
    public var maxDegree: UInt64 = 200
    /// Transfers examined per first transfer before the search gives up on it (default 100,000).
    public var maxExpansions = 100_000

    /// The defaults.
    public init() {}

    func validate() throws(TypologyError) {
        guard (2...16).contains(maxHops) else { throw TypologyError("maxHops must be 2...16, found \(maxHops)") }
        guard maxDuration >= 0 else { throw TypologyError("maxDuration must be seconds >= 0, found \(maxDuration)") }
        guard maxExpansions >= 1 else {
            throw TypologyError("maxExpansions must be at least 1, found \(maxExpansions)")
        }
        try percentIsValid(minValuePercent, name: "minValuePercent")
    }
}

/// A round trip found by ``RoundTripDetector``.
public struct RoundTrip: Sendable, Hashable {
    /// The origin the funds left and came back to.
    public var origin: String
    /// The transfers in order, from the origin back to it.
    public var transfers: [TypologyTransfer]
    /// Number of hops (transfers).
    public var hops: Int { transfers.count }
    /// The addresses in order, starting and ending at the origin.
    public var addresses: [String] { [origin] + transfers.map(\.to) }
    /// Seconds from the first transfer to the return.
    public var duration: Int64 { Seconds.between(transfers.first?.time ?? 0, transfers.last?.time ?? 0) }
}

/// Finds round trips (see ``RoundTripOptions`` for the definition).
public struct RoundTripDetector {
    /// The definition's parameters.
    public var options: RoundTripOptions

    /// A detector with `options`.
    public init(options: RoundTripOptions = RoundTripOptions()) {
        self.options = options
    }

    /// The round trips from `origin`, in chain order of their first transfers; none for an unknown address.
    /// - Complexity: O(Σ over its sends of the transfers searched), bounded by `maxExpansions` per send.
    public func roundTrips(from origin: String, in reader: GraphReader) throws -> [RoundTrip] {
        try options.validate()
        guard let id = try reader.addressID(origin) else { return [] }
        return try roundTrips(from: id, context: TypologyContext(reader: reader))
    }

    /// Every round trip in the store, by origin id. Origins with more than `maxDegree` transfers are skipped, like
    /// intermediates.
    public func scan(_ reader: GraphReader) throws -> [RoundTrip] {
        try options.validate()
        let context = TypologyContext(reader: reader)
        var result: [RoundTrip] = []
        try reader.forEachAddress { record in
            if record.degree <= options.maxDegree && record.outCount > 0 && record.inCount > 0 {
                result += try roundTrips(from: record.id, context: context)
            }
            return true
        }
        return result
    }

    func roundTrips(from origin: AddressID, context: TypologyContext) throws -> [RoundTrip] {
        var result: [RoundTrip] = []
        for first in try context.stream(origin)
        where first.direction == .outgoing && first.counts(owner: origin) {
            var best: [Incidence]? = nil
            var budget = options.maxExpansions
            var path: [Incidence] = [first]
            var onPath: Set<AddressID> = [origin, first.neighbor]
            try search(
                origin: origin, first: first, path: &path, onPath: &onPath, best: &best, budget: &budget,
                context: context)
            if let best {
                var transfers: [TypologyTransfer] = []
                var owner = origin
                for incidence in best {
                    transfers.append(try context.transfer(incidence, of: owner))
                    owner = incidence.neighbor
                }
                result.append(RoundTrip(origin: try context.text(origin), transfers: transfers))
            }
        }
        return result
    }

    /// Depth-first search from the receiver of `path.last`; keeps the best closed cycle in `best`.
    private func search(
        origin: AddressID, first: Incidence, path: inout [Incidence], onPath: inout Set<AddressID>,
        best: inout [Incidence]?, budget: inout Int, context: TypologyContext
    ) throws {
        guard let last = path.last, budget > 0 else { return }
        if let best, best.count <= path.count { return }  // Cannot beat a cycle with as few hops.
        let here = last.neighbor
        guard let record = try context.record(here), record.degree <= options.maxDegree else { return }
        let v1 = first.properties.value
        let deadline = Seconds.adding(first.properties.time, options.maxDuration)
        for next in try context.stream(here)
        where next.direction == .outgoing && next.properties.asset == first.properties.asset
            && next.counts(owner: here) && next.chainKey > last.chainKey
        {
            budget -= 1
            if budget <= 0 { return }
            let value = next.properties.value
            guard next.properties.time <= deadline else { break }
            guard value <= v1, Share.atLeast(value, percent: options.minValuePercent, of: v1) else { continue }
            if next.neighbor == origin {
                let candidate = path + [next]
                if let current = best, let currentReturn = current.last {
                    if candidate.count < current.count
                        || candidate.count == current.count && next.chainKey < currentReturn.chainKey
                    {
                        best = candidate
                    }
                } else {
                    best = candidate
                }
                continue
            }
            guard path.count + 1 < options.maxHops, !onPath.contains(next.neighbor) else { continue }
            path.append(next)
            onPath.insert(next.neighbor)
            try search(
                origin: origin, first: first, path: &path, onPath: &onPath, best: &best, budget: &budget,
                context: context)
            onPath.remove(next.neighbor)
            path.removeLast()
        }
    }
}
