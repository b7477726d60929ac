import SpoorAnalytics
import SpoorStore

/// `spoor.taint` and `spoor.exposure`: the taint engine and exposure of `SpoorAnalytics` for the query language.
///
/// ```
/// CALL spoor.taint('ofac', {policy: 'haircut', maxHops: 3, stopAt: ['exchange']}) YIELD address, received, hop
/// CALL spoor.exposure('0xabc…', {watchlist: 'ofac', maxHops: 3, policy: 'haircut'}) YIELD risk, share, evidence
/// ```
enum AnalyticsProcedures {
    static func register(in registry: inout ProcedureRegistry) {
        registry.register(
            Procedure(
                name: "spoor.taint",
                parameters: [("seeds", .any), ("options", .map)],
                outputs: [
                    ("address", .node), ("asset", .string), ("received", .number), ("sent", .number), ("hop", .integer),
                    ("seed", .boolean), ("stopped", .boolean),
                ],
                summary:
                    "Taint from seeds (a tag, an address or a list of addresses); options policy ('poison', 'haircut', "
                    + "'fifo'), direction ('forward', 'backward'), maxHops, minTaint, from, to (unix seconds), stopAt (tags)."
            ) { invocation in try taint(invocation) }
        )
        registry.register(
            Procedure(
                name: "spoor.exposure",
                parameters: [("address", .any), ("options", .map)],
                outputs: [
                    ("directIn", .number), ("directOut", .number), ("indirectIn", .number), ("indirectOut", .number),
                    ("totalIn", .number), ("totalOut", .number), ("shareIn", .float), ("shareOut", .float),
                    ("share", .float), ("hopIn", .integer), ("hopOut", .integer), ("minimalHop", .integer),
                    ("risk", .string), ("evidence", .list),
                ],
                summary:
                    "Exposure of an address (or a list: a cluster) to a watchlist tag; options watchlist (required), "
                    + "maxHops (3), policy ('haircut'), stopAt (tags, default ['exchange']), asset (token contract), "
                    + "evidence (paths each way, 3), from, to."
            ) { invocation in try exposure(invocation) }
        )
    }

    static func fail(_ procedure: String, _ message: String) -> QueryError {
        QueryError(.runtime, "\(procedure): \(message)", at: SourceRange(start: 0, end: 0))
    }

    static func analytics(_ invocation: ProcedureInvocation, _ procedure: String) throws -> StoreAnalytics {
        guard let store = invocation.graph as? StoreGraph else {
            throw fail(procedure, "needs a store (not an in-memory graph)")
        }
        return StoreAnalytics(reader: store.reader)
    }

    /// Reads an options map with typed accessors that name the option in every error.
    struct Options {
        let procedure: String
        let values: [String: Value]
        static let known: [String: Set<String>] = [
            "spoor.taint": ["policy", "direction", "maxhops", "mintaint", "from", "to", "stopat", "asset"],
            "spoor.exposure": [
                "watchlist", "maxhops", "policy", "stopat", "asset", "evidence", "from", "to", "mintaint",
            ],
        ]

        init(_ value: Value, procedure: String) throws {
            self.procedure = procedure
            var values: [String: Value] = [:]
            if case .map(let map) = value {
                for (key, entry) in map {
                    guard Self.known[procedure]?.contains(key.lowercased()) == true else {
                        throw fail(
                            procedure,
                            "unknown option '\(key)'; known: \(Self.known[procedure]?.sorted().joined(separator: ", ") ?? "")"
                        )
                    }
                    values[key.lowercased()] = entry
                }
            }
            self.values = values
        }

        func string(_ name: String) throws -> String? {
            switch values[name.lowercased()] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case let other?: throw fail(procedure, "option \(name) must be a string, found \(other)")
            }
        }

        func integer(_ name: String) throws -> Int64? {
            switch values[name.lowercased()] {
            case nil, .null?: return nil
            case .integer(let value)?: return value
            case .amount(let value)?:
                guard let small = value.int64Value else { throw fail(procedure, "option \(name) is too large") }
                return small
            case let other?: throw fail(procedure, "option \(name) must be an integer, found \(other)")
            }
        }

        func amount(_ name: String) throws -> Amount? {
            switch values[name.lowercased()] {
            case nil, .null?: return nil
            case .integer(let value)?:
                guard let amount = Amount(exactly: Int(value)) else {
                    throw fail(procedure, "option \(name) is negative")
                }
                return amount
            case .amount(let value)?: return value
            case .string(let text)?:
                guard let amount = Amount(decimal: text) else {
                    throw fail(procedure, "option \(name): '\(text)' is not a decimal amount")
                }
                return amount
            case let other?: throw fail(procedure, "option \(name) must be an amount, found \(other)")
            }
        }

        func strings(_ name: String) throws -> [String]? {
            switch values[name.lowercased()] {
            case nil, .null?: return nil
            case .string(let text)?: return [text]
            case .list(let list)?:
                return try list.map { item in
                    guard case .string(let text) = item else {
                        throw fail(procedure, "option \(name) must list strings")
                    }
                    return text
                }
            case let other?: throw fail(procedure, "option \(name) must be a list of strings, found \(other)")
            }
        }

        func policy() throws -> TaintPolicy {
            guard let text = try string("policy") else { return .haircut }
            guard let policy = TaintPolicy(rawValue: text.lowercased()) else {
                throw fail(procedure, "policy must be 'poison', 'haircut' or 'fifo', found '\(text)'")
            }
            return policy
        }

        func maxHops(default value: Int?) throws -> Int? {
            guard let hops = try integer("maxHops") else { return value }
            guard hops >= 0 && hops <= 1_000 else { throw fail(procedure, "maxHops must be 0 … 1000, found \(hops)") }
            return Int(hops)
        }

        func window() throws -> TimeWindow? {
            let from = try integer("from")
            let to = try integer("to")
            return from == nil && to == nil ? nil : TimeWindow(from: from, to: to)
        }
    }

    static func amountValue(_ value: WideAmount) -> Value {
        value.amount.map { Value.amount($0) } ?? .string(value.description)
    }

    static func taint(_ invocation: ProcedureInvocation) throws -> [[Value]] {
        let name = "spoor.taint"
        let analytics = try analytics(invocation, name)
        let options = try Options(invocation.arguments[1], procedure: name)
        var seeds = Set<AddressID>()
        switch invocation.arguments[0] {
        case .string(let text):
            // A tag when some address carries it, otherwise an address.
            let tagged = try analytics.addressIDs(taggedWith: [text])
            seeds = tagged.isEmpty ? try analytics.addressIDs([StoreGraph.canonicalAddress(text)]) : tagged
        case .list(let items):
            let texts = try items.map { item in
                guard case .string(let text) = item else {
                    throw fail(name, "seeds must be a tag, an address or a list of addresses")
                }
                return StoreGraph.canonicalAddress(text)
            }
            seeds = try analytics.addressIDs(texts)
        case .null: return []
        default: throw fail(name, "seeds must be a tag, an address or a list of addresses")
        }
        var taintOptions = TaintOptions(policy: try options.policy())
        if let direction = try options.string("direction") {
            guard let parsed = TaintDirection(rawValue: direction.lowercased()) else {
                throw fail(name, "direction must be 'forward' or 'backward', found '\(direction)'")
            }
            taintOptions.direction = parsed
        }
        taintOptions.maxHops = try options.maxHops(default: nil)
        taintOptions.minTaint = try options.amount("minTaint") ?? .zero
        taintOptions.window = try options.window()
        taintOptions.recordsFlows = false
        let asset = try options.string("asset").map { try analytics.asset($0.lowercased()) }
        let result: TaintResult
        do {
            result = try analytics.taint(
                seeds: seeds.sorted().map { TaintSeed(address: $0) },
                options: taintOptions,
                stopAtTags: try options.strings("stopAt") ?? []
            )
        } catch let error as AnalyticsError {
            throw fail(name, error.description)
        }
        try invocation.countExpansions(result.addresses.count)
        var rows: [[Value]] = []
        for entry in result.addresses where asset == nil || entry.asset == asset {
            let contract = try analytics.reader.assetAddress(entry.asset)
            rows.append([
                .node(StoreGraph.node(entry.address)), contract.map { .string($0) } ?? .null,
                amountValue(entry.received),
                amountValue(entry.sent), .integer(Int64(entry.hop == .max ? -1 : entry.hop)), .bool(entry.isSeed),
                .bool(entry.isStopped),
            ])
        }
        return rows
    }

    static func exposure(_ invocation: ProcedureInvocation) throws -> [[Value]] {
        let name = "spoor.exposure"
        let analytics = try analytics(invocation, name)
        let options = try Options(invocation.arguments[1], procedure: name)
        var texts: [String] = []
        switch invocation.arguments[0] {
        case .string(let text): texts = [text]
        case .list(let items):
            texts = try items.map { item in
                guard case .string(let text) = item else {
                    throw fail(name, "address must be a string or a list of strings")
                }
                return text
            }
        case .null: return []
        default: throw fail(name, "address must be a string or a list of strings")
        }
        guard let watchlist = try options.string("watchlist") else {
            throw fail(name, "the watchlist option (a tag) is required")
        }
        let targets = try analytics.addressIDs(texts.map(StoreGraph.canonicalAddress))
        guard !targets.isEmpty else { return [] }
        var exposureOptions = ExposureOptions(policy: try options.policy())
        exposureOptions.maxHops = try options.maxHops(default: 3) ?? 3
        exposureOptions.window = try options.window()
        exposureOptions.minTaint = try options.amount("minTaint") ?? .zero
        if let count = try options.integer("evidence") {
            guard count >= 0 && count <= 100 else { throw fail(name, "evidence must be 0 … 100, found \(count)") }
            exposureOptions.evidencePaths = Int(count)
        }
        let report: ExposureReport
        do {
            exposureOptions.asset = try analytics.asset(try options.string("asset")?.lowercased())
            report = try analytics.exposure(
                of: targets,
                watchlist: watchlist,
                options: exposureOptions,
                stopAtTags: try options.strings("stopAt") ?? ["exchange"]
            )
        } catch let error as AnalyticsError {
            throw fail(name, error.description)
        }
        var evidence: [Value] = []
        for (direction, paths) in [("in", report.evidenceIn), ("out", report.evidenceOut)] {
            for path in paths {
                var steps: [Value] = []
                for step in path.steps {
                    let transfer = step.transfer
                    steps.append(
                        .map([
                            "from": .string(try analytics.text(transfer.from)),
                            "to": .string(try analytics.text(transfer.to)),
                            "value": .amount(transfer.value), "taint": .amount(step.taint),
                            "hop": .integer(Int64(step.hop)),
                            "time": .integer(transfer.time), "block": .integer(Int64(clamping: transfer.block)),
                            "tx": .string(try analytics.reader.transaction(transfer.tx)?.hashText ?? ""),
                        ])
                    )
                }
                evidence.append(.map(["direction": .string(direction), "steps": .list(steps)]))
            }
        }
        func hop(_ value: Int?) -> Value { value.map { .integer(Int64($0)) } ?? .null }
        return [
            [
                amountValue(report.directIn), amountValue(report.directOut), amountValue(report.indirectIn),
                amountValue(report.indirectOut), amountValue(report.totalIn), amountValue(report.totalOut),
                .float(report.shareIn), .float(report.shareOut), .float(report.share), hop(report.hopIn),
                hop(report.hopOut), hop(report.minimalHop), .string(RiskLevels.defaults.level(of: report)),
                .list(evidence),
            ]
        ]
    }
}
