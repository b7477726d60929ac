public import SpoorStore

/// One evidence path: transfers from a listed address to the address being explained, in chain order.
public struct EvidencePath: Sendable, Hashable {
    /// The listed (watchlist) address the path starts at.
    public var source: String
    /// The transfers, in chain order; each one's receiver is the next one's sender.
    public var transfers: [TypologyTransfer]
    /// Number of hops (transfers).
    public var hops: Int { transfers.count }
    /// The addresses in order, from the source to the explained address.
    public var addresses: [String] { [source] + transfers.map(\.to) }
}

/// The evidence subgraph of an address against a watchlist: for every listed address that reaches it within
/// `maxHops`, one shortest time-respecting path.
public struct EvidenceSubgraph: Sendable, Hashable {
    /// The explained address.
    public var target: String
    /// The watchlist tag.
    public var watchlist: String
    /// The hop limit used.
    public var maxHops: Int
    /// One path per listed source that reaches the target, fewest hops first, then by source text.
    public var paths: [EvidencePath]
    /// The listed addresses that reach the target.
    public var sources: [String] { paths.map(\.source) }
    /// The fewest hops from any listed address, or `nil` when none reaches the target within `maxHops`.
    public var minimalHops: Int? { paths.map(\.hops).min() }
}

/// Finds evidence paths: shortest time-respecting transfer paths from watchlist addresses to one address.
///
/// **Definition.** A path `s → a₁ → … → target` of transfers `t₁ … t_h` (any asset, non-zero values) is
/// *time-respecting* when each transfer comes strictly later in chain order (block, then log index) than the one
/// before. For each listed address `s` (tagged with the watchlist, other than the target) the reported path is one
/// with the fewest hops `h ≤ maxHops`; among those, the one whose transfers leave as late as possible, hop by hop
/// from the target back (the latest last transfer, then the latest one before it, …), which is what a backward
/// breadth-first search that keeps, per address and hop count, the latest usable transfer finds. Transfers of an
/// address to itself are ignored.
public struct EvidencePathFinder {
    /// Most hops (default 3).
    public var maxHops: Int
    /// Transfers examined before the search stops with an error (default 2,000,000), so a hub cannot hang it.
    public var maxExpansions: Int

    /// A finder with limits.
    public init(maxHops: Int = 3, maxExpansions: Int = 2_000_000) {
        self.maxHops = maxHops
        self.maxExpansions = maxExpansions
    }

    /// The evidence subgraph of `address` (canonical text) against addresses tagged `watchlist`.
    /// - Throws: ``TypologyError`` for `maxHops` outside 1...16, an unknown address, or too many expansions.
    public func explain(_ address: String, watchlist: String, in reader: GraphReader) throws -> EvidenceSubgraph {
        guard (1...16).contains(maxHops) else { throw TypologyError("maxHops must be 1...16, found \(maxHops)") }
        guard let target = try reader.addressID(address) else {
            throw TypologyError("address \(address) is not in the store")
        }
        var listed: Set<AddressID> = []
        for text in try reader.addresses(taggedWith: watchlist) {
            if let id = try reader.addressID(text), id != target { listed.insert(id) }
        }
        if try reader.chainModel() == .utxo {
            return try explainUTXO(address, target: target, listed: listed, watchlist: watchlist, reader: reader)
        }
        let context = TypologyContext(reader: reader)
        var result = EvidenceSubgraph(target: address, watchlist: watchlist, maxHops: maxHops, paths: [])
        guard !listed.isEmpty else { return result }

        /// A search state: an address that can reach the target by sending at `deadline` (chain key) or later
        /// links; `via` is the transfer it sends (nil for the target), `next` the state it leads to.
        struct State {
            var address: AddressID
            var deadline: (UInt64, UInt32)
            var via: Incidence?
            var next: Int?
        }
        var states: [State] = [State(address: target, deadline: (.max, .max), via: nil, next: nil)]
        var best: [AddressID: (UInt64, UInt32)] = [target: (.max, .max)]
        var frontier = [0]
        var found: [AddressID: Int] = [:]
        var expansions = 0
        for _ in 1...maxHops {
            var level: [AddressID: Int] = [:]
            for index in frontier {
                let state = states[index]
                for incidence in try context.stream(state.address)
                where incidence.direction == .incoming && incidence.counts(owner: state.address)
                    && incidence.chainKey < state.deadline
                {
                    expansions += 1
                    guard expansions <= maxExpansions else {
                        throw TypologyError(
                            "the evidence search passed \(maxExpansions) transfers; "
                                + "lower maxHops or raise maxExpansions"
                        )
                    }
                    let sender = incidence.neighbor
                    let key = incidence.chainKey
                    if let known = best[sender], known >= key { continue }  // Fewer or as many hops, as late.
                    let candidate = State(address: sender, deadline: key, via: incidence, next: index)
                    if let existing = level[sender] {
                        if states[existing].deadline < key { states[existing] = candidate }
                    } else {
                        level[sender] = states.count
                        states.append(candidate)
                    }
                }
            }
            frontier = level.values.sorted()
            for index in frontier {
                best[states[index].address] = states[index].deadline
                if listed.contains(states[index].address) && found[states[index].address] == nil {
                    found[states[index].address] = index
                }
            }
            if frontier.isEmpty { break }
        }
        for (source, index) in found {
            var transfers: [TypologyTransfer] = []
            var cursor: Int? = index
            while let current = cursor, let via = states[current].via, let next = states[current].next {
                transfers.append(try context.transfer(via, of: states[next].address))
                cursor = next
            }
            result.paths.append(EvidencePath(source: try context.text(source), transfers: transfers))
        }
        result.paths.sort { ($0.hops, $0.source) < ($1.hops, $1.source) }
        return result
    }
}

extension EvidencePathFinder {
    /// UTXO stores: the incoming evidence of poison taint run forward from the listed addresses (poison reaches
    /// every output a listed coin touched within `maxHops`), one path per listed source, fewest hops first. Each step
    /// is a transaction, drawn from an input's address to an output's, valued at the output's value.
    func explainUTXO(
        _ address: String, target: AddressID, listed: Set<AddressID>, watchlist: String, reader: GraphReader
    ) throws -> EvidenceSubgraph {
        var result = EvidenceSubgraph(target: address, watchlist: watchlist, maxHops: maxHops, paths: [])
        guard !listed.isEmpty else { return result }
        let report = try UTXOExposureAnalyzer(source: StoreUTXOFlow(reader: reader)).exposure(
            of: [target], listed: listed,
            options: ExposureOptions(policy: .poison, maxHops: maxHops, evidencePaths: 64))
        func text(_ id: AddressID) throws -> String { try reader.address(id)?.address ?? "" }
        var seen = Set<String>()
        for path in report.evidenceIn {
            guard let first = path.steps.first, listed.contains(first.transfer.from) else { continue }
            let source = try text(first.transfer.from)
            guard seen.insert(source).inserted else { continue }
            var transfers: [TypologyTransfer] = []
            for step in path.steps {
                let transfer = step.transfer
                transfers.append(
                    TypologyTransfer(
                        id: transfer.id, from: try text(transfer.from), to: try text(transfer.to), value: step.taint,
                        asset: nil, tx: try reader.transaction(transfer.tx)?.hashText ?? "", block: transfer.block,
                        time: transfer.time, logIndex: transfer.logIndex))
            }
            result.paths.append(EvidencePath(source: source, transfers: transfers))
        }
        result.paths.sort { ($0.hops, $0.source) < ($1.hops, $1.source) }
        return result
    }
}

extension EvidenceSubgraph {
    /// The subgraph as a Graphviz DOT digraph: listed sources filled red, the explained address blue, one node per
    /// address (label: shortened address, full text as tooltip), one edge per transfer (label: amount in base units
    /// with thousands separators, asset for tokens, UTC time, shortened transaction hash). Deterministic: the same
    /// subgraph gives the same text.
    public func dot() -> String {
        var lines = [
            "digraph evidence {",
            "  rankdir=LR;",
            "  labelloc=t;",
            "  fontname=\"Helvetica\";",
            "  label=\(Self.quoted("Evidence: \(target) vs watchlist '\(watchlist)' within \(maxHops) hop(s)"));",
            "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=11];",
            "  edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        var nodes: [String] = []
        var seen: Set<String> = []
        for path in paths {
            for address in path.addresses where seen.insert(address).inserted { nodes.append(address) }
        }
        if seen.insert(target).inserted { nodes.append(target) }
        let sourceSet = Set(sources)
        for address in nodes {
            var attributes = ["label=\(Self.quoted(Self.short(address)))", "tooltip=\(Self.quoted(address))"]
            if address == target {
                attributes.append("fillcolor=\"#cfe2ff\"")
                attributes.append("penwidth=2")
                attributes[0] = "label=\(Self.quoted(Self.short(address) + "\nexplained"))"
            } else if sourceSet.contains(address) {
                attributes.append("fillcolor=\"#f8b4b4\"")
                attributes[0] = "label=\(Self.quoted(Self.short(address) + "\n" + watchlist))"
            }
            lines.append("  \(Self.quoted(address)) [\(attributes.joined(separator: ", "))];")
        }
        var edges: Set<TransferID> = []
        for path in paths {
            for transfer in path.transfers where edges.insert(transfer.id).inserted {
                var label = Self.grouped(transfer.value.description)
                if let asset = transfer.asset { label += " of " + Self.short(asset) }
                label += "\n" + Self.utc(transfer.time) + "\ntx " + Self.short(transfer.tx)
                lines.append(
                    "  \(Self.quoted(transfer.from)) -> \(Self.quoted(transfer.to)) [label=\(Self.quoted(label))];")
            }
        }
        if paths.isEmpty {
            lines.append(
                "  \"none\" [shape=plaintext, style=\"\", label=\"no listed address within \(maxHops) hop(s)\"];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Decimal digits in groups of three: `1,381,648,375`.
    public static func grouped(_ digits: String) -> String {
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return result
    }

    /// `0x1234…abcd` for long hex texts.
    static func short(_ text: String) -> String {
        text.count > 14 ? String(text.prefix(6)) + "…" + String(text.suffix(4)) : text
    }

    /// A DOT string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for character in text {
            switch character {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default: result.append(character)
            }
        }
        return result + "\""
    }

    /// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC` (proleptic Gregorian, days-from-civil inverse).
    public static func utc(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(rest / 3_600)):\(two(rest % 3_600 / 60)):\(two(rest % 60)) UTC"
    }
}
