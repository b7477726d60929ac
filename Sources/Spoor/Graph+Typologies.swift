@_exported public import SpoorAnalytics

/// The typology detectors and evidence paths of `SpoorAnalytics` on a graph's current snapshot. Addresses are
/// canonicalised as queries do (`0x…` to lower case, other forms as given); `nil` scans the whole store.
extension Graph {
    /// Peel chains starting at (or funded by) `address`, or every peel chain in the store.
    public func peelChains(from address: String? = nil, options: PeelChainOptions = PeelChainOptions()) throws
        -> [PeelChain]
    {
        let detector = PeelChainDetector(options: options)
        return try read { reader in
            try address.map { try detector.chains(from: StoreGraph.canonicalAddress($0), in: reader) }
                ?? detector.scan(reader)
        }
    }

    /// Fan-outs or fan-ins at `address`, or in the whole store.
    public func structuring(
        _ direction: StructuringDirection, at address: String? = nil, options: StructuringOptions = StructuringOptions()
    ) throws -> [StructuringFinding] {
        let detector = StructuringDetector(options: options)
        return try read { reader in
            try address.map {
                try detector.findings(at: StoreGraph.canonicalAddress($0), direction: direction, in: reader)
            }
                ?? detector.scan(reader, direction: direction)
        }
    }

    /// Rapid pass-throughs at `address`, or in the whole store.
    public func passThroughs(at address: String? = nil, options: PassThroughOptions = PassThroughOptions()) throws
        -> [PassThroughFinding]
    {
        let detector = PassThroughDetector(options: options)
        return try read { reader in
            try address.map { try detector.findings(at: StoreGraph.canonicalAddress($0), in: reader) }
                ?? detector.scan(reader)
        }
    }

    /// Round trips back to `origin`, or every round trip in the store.
    public func roundTrips(from origin: String? = nil, options: RoundTripOptions = RoundTripOptions()) throws
        -> [RoundTrip]
    {
        let detector = RoundTripDetector(options: options)
        return try read { reader in
            try origin.map { try detector.roundTrips(from: StoreGraph.canonicalAddress($0), in: reader) }
                ?? detector.scan(reader)
        }
    }

    /// The evidence subgraph of `address` against the addresses tagged `watchlist` (see ``EvidencePathFinder``).
    public func explain(_ address: String, watchlist: String, maxHops: Int = 3) throws -> EvidenceSubgraph {
        try read { reader in
            try EvidencePathFinder(maxHops: maxHops).explain(
                StoreGraph.canonicalAddress(address), watchlist: watchlist, in: reader)
        }
    }
}
