import SpoorAnalytics
import SpoorStore

/// `spoor.typology.*`: the typology detectors of SpoorAnalytics as procedures. Each takes an address (or `null` for a
/// scan of the whole store) and a map of options (`{}` for the defaults; the names are those of the Swift options
/// types, amounts as integers or decimal strings, percentages as integers) and yields one row per finding.
enum TypologyProcedures {
    static func register(in registry: inout ProcedureRegistry) {
        let arguments: [(name: String, type: ProcedureType)] = [("address", .string), ("options", .map)]
        registry.register(
            Procedure(
                name: "spoor.typology.peelChains", parameters: arguments,
                outputs: [
                    ("length", .integer), ("source", .string), ("addresses", .list), ("end", .string),
                    ("received", .list), ("forwarded", .list), ("peeled", .list), ("peelTo", .list), ("txs", .list),
                    ("times", .list),
                ],
                summary: "Peel chains starting at the address (null: the whole store); options minLength, "
                    + "minForwardPercent, maxPeelPercent, maxDelay, minAmount."
            ) { invocation in try peelChains(invocation) })
        for direction in [StructuringDirection.fanOut, .fanIn] {
            registry.register(
                Procedure(
                    name: "spoor.typology.\(direction.rawValue)", parameters: arguments,
                    outputs: [
                        ("address", .string), ("counterparties", .integer), ("transfers", .integer), ("total", .number),
                        ("asset", .string), ("start", .integer), ("end", .integer), ("others", .list),
                        ("amounts", .list),
                        ("txs", .list),
                    ],
                    summary: (direction == .fanOut ? "Fan-outs (one pays many small)" : "Fan-ins (many pay one small)")
                        + " at the address (null: the whole store); options minCounterparties, window, minAmount, "
                        + "maxAmount, minSmallPercent."
                ) { invocation in try structuring(invocation, direction: direction) })
        }
        registry.register(
            Procedure(
                name: "spoor.typology.passThrough", parameters: arguments,
                outputs: [
                    ("address", .string), ("received", .number), ("from", .string), ("time", .integer),
                    ("sent", .number),
                    ("to", .list), ("amounts", .list), ("delay", .integer), ("txs", .list),
                ],
                summary: "Rapid pass-throughs at the address (null: the whole store); options maxDelay, minOutPercent, "
                    + "minAmount."
            ) { invocation in try passThrough(invocation) })
        registry.register(
            Procedure(
                name: "spoor.typology.roundTrips", parameters: arguments,
                outputs: [
                    ("origin", .string), ("hops", .integer), ("addresses", .list), ("amounts", .list), ("times", .list),
                    ("duration", .integer), ("txs", .list),
                ],
                summary: "Round trips back to the address (null: the whole store); options maxHops, maxDuration, "
                    + "minValuePercent, maxDegree, maxExpansions."
            ) { invocation in try roundTrips(invocation) })
    }

    // MARK: Bodies

    static func peelChains(_ invocation: ProcedureInvocation) throws -> [[Value]] {
        let name = "spoor.typology.peelChains"
        let isUTXO = (invocation.graph as? StoreGraph)?.isUTXO ?? false
        var options = isUTXO ? UTXOPeelChainDetector.utxoDefaults : PeelChainOptions()
        try Options(name: name, map: invocation.arguments[1]) { options, key, value throws(QueryError) in
            switch key {
            case "minLength": options.minLength = try value.int(key)
            case "minForwardPercent": options.minForwardPercent = try value.percent(key)
            case "maxPeelPercent": options.maxPeelPercent = try value.percent(key)
            case "maxDelay": options.maxDelay = Int64(try value.int(key))
            case "minAmount": options.minAmount = try value.amount(key)
            default: return false
            }
            return true
        }.apply(to: &options)
        if isUTXO {
            let detector = UTXOPeelChainDetector(options: options)
            let chains = try run(name, invocation) { reader, address in
                try address.map { try detector.chains(from: $0, in: reader) } ?? detector.scan(reader)
            }
            return chains.map { chain in
                [
                    .integer(Int64(chain.hops.count)), .string(chain.hops.first?.from ?? ""),
                    .list(chain.hops.map { .string($0.from) }), .string(chain.hops.last?.changeAddress ?? ""),
                    .list(chain.hops.map { .amount($0.received) }), .list(chain.hops.map { .amount($0.forwarded) }),
                    .list(chain.hops.map { .amount($0.peeled) }), .list(chain.hops.map { .string($0.peeledTo) }),
                    .list(chain.hops.map { .string($0.txid) }), .list(chain.hops.map { .integer($0.time) }),
                ]
            }
        }
        let detector = PeelChainDetector(options: options)
        let chains = try run(name, invocation) { reader, address in
            try address.map { try detector.chains(from: $0, in: reader) } ?? detector.scan(reader)
        }
        return chains.map { chain in
            [
                .integer(Int64(chain.length)), .string(chain.source), .list(chain.addresses.map(Value.string)),
                .string(chain.end), .list(chain.steps.map { .amount($0.received.value) }),
                .list(chain.steps.map { .amount($0.forwarded.value) }),
                .list(chain.steps.map { .amount($0.peeled.value) }),
                .list(chain.steps.map { .string($0.peeled.to) }),
                .list(chain.steps.flatMap { [$0.received.tx, $0.forwarded.tx, $0.peeled.tx] }.map(Value.string)),
                .list(chain.steps.map { .integer($0.received.time) }),
            ]
        }
    }

    static func structuring(_ invocation: ProcedureInvocation, direction: StructuringDirection) throws -> [[Value]] {
        let name = "spoor.typology.\(direction.rawValue)"
        var options = StructuringOptions()
        try Options(name: name, map: invocation.arguments[1]) { options, key, value throws(QueryError) in
            switch key {
            case "minCounterparties": options.minCounterparties = try value.int(key)
            case "window": options.window = Int64(try value.int(key))
            case "maxAmount": options.maxAmount = try value.amount(key)
            case "minAmount": options.minAmount = try value.amount(key)
            case "minSmallPercent": options.minSmallPercent = try value.percent(key)
            default: return false
            }
            return true
        }.apply(to: &options)
        let detector = StructuringDetector(options: options)
        let findings = try run(name, invocation) { reader, address in
            try address.map { try detector.findings(at: $0, direction: direction, in: reader) }
                ?? detector.scan(reader, direction: direction)
        }
        return findings.map { finding in
            let others = finding.transfers.map { direction == .fanOut ? $0.to : $0.from }
            return [
                .string(finding.address), .integer(Int64(finding.counterparties)),
                .integer(Int64(finding.transfers.count)), finding.total.map(Value.amount) ?? .null,
                finding.asset.map(Value.string) ?? .null, .integer(finding.start), .integer(finding.end),
                .list(others.map(Value.string)), .list(finding.transfers.map { .amount($0.value) }),
                .list(finding.transfers.map { .string($0.tx) }),
            ]
        }
    }

    static func passThrough(_ invocation: ProcedureInvocation) throws -> [[Value]] {
        let name = "spoor.typology.passThrough"
        var options = PassThroughOptions()
        try Options(name: name, map: invocation.arguments[1]) { options, key, value throws(QueryError) in
            switch key {
            case "maxDelay": options.maxDelay = Int64(try value.int(key))
            case "minOutPercent": options.minOutPercent = try value.percent(key)
            case "minAmount": options.minAmount = try value.amount(key)
            default: return false
            }
            return true
        }.apply(to: &options)
        let detector = PassThroughDetector(options: options)
        let findings = try run(name, invocation) { reader, address in
            try address.map { try detector.findings(at: $0, in: reader) } ?? detector.scan(reader)
        }
        return findings.map { finding in
            [
                .string(finding.address), .amount(finding.received.value), .string(finding.received.from),
                .integer(finding.received.time), .amount(finding.sentTotal), .list(finding.sent.map { .string($0.to) }),
                .list(finding.sent.map { .amount($0.value) }), .integer(finding.delay),
                .list(([finding.received] + finding.sent).map { .string($0.tx) }),
            ]
        }
    }

    static func roundTrips(_ invocation: ProcedureInvocation) throws -> [[Value]] {
        let name = "spoor.typology.roundTrips"
        var options = RoundTripOptions()
        try Options(name: name, map: invocation.arguments[1]) { options, key, value throws(QueryError) in
            switch key {
            case "maxHops": options.maxHops = try value.int(key)
            case "maxDuration": options.maxDuration = Int64(try value.int(key))
            case "minValuePercent": options.minValuePercent = try value.percent(key)
            case "maxDegree": options.maxDegree = UInt64(try value.nonNegative(key))
            case "maxExpansions": options.maxExpansions = try value.int(key)
            default: return false
            }
            return true
        }.apply(to: &options)
        let detector = RoundTripDetector(options: options)
        let trips = try run(name, invocation) { reader, address in
            try address.map { try detector.roundTrips(from: $0, in: reader) } ?? detector.scan(reader)
        }
        return trips.map { trip in
            [
                .string(trip.origin), .integer(Int64(trip.hops)), .list(trip.addresses.map(Value.string)),
                .list(trip.transfers.map { .amount($0.value) }), .list(trip.transfers.map { .integer($0.time) }),
                .integer(trip.duration), .list(trip.transfers.map { .string($0.tx) }),
            ]
        }
    }

    // MARK: Plumbing

    static func error(_ message: String) -> QueryError {
        QueryError(.runtime, message, at: SourceRange(start: 0, end: 0))
    }

    /// Runs a detector on the store behind the query, turning its errors into query errors.
    static func run<T>(
        _ name: String, _ invocation: ProcedureInvocation, _ body: (GraphReader, String?) throws -> [T]
    ) throws -> [T] {
        guard let store = invocation.graph as? StoreGraph else {
            throw error("\(name) needs a store-backed graph")
        }
        // On UTXO stores only peel chains have a transaction-level definition (UTXOPeelChainDetector).
        if store.isUTXO && name != "spoor.typology.peelChains" {
            throw error("\(name) is defined on account-chain stores; on a UTXO store use spoor.typology.peelChains")
        }
        let address: String?
        switch invocation.arguments[0] {
        case .null: address = nil
        case .string(let text): address = StoreGraph.canonicalAddress(text)
        default: throw error("\(name): address must be a string or null")
        }
        do {
            return try body(store.reader, address)
        } catch let failure as TypologyError {
            throw error("\(name): \(failure.message)")
        }
    }

    /// An options map checked key by key; an unknown key or a value of the wrong kind is an error naming both.
    struct Options<Target> {
        let name: String
        let map: Value
        let set: (inout Target, String, Value) throws(QueryError) -> Bool

        init(name: String, map: Value, set: @escaping (inout Target, String, Value) throws(QueryError) -> Bool) {
            self.name = name
            self.map = map
            self.set = set
        }

        func apply(to target: inout Target) throws(QueryError) {
            let entries: [String: Value]
            switch map {
            case .null: entries = [:]
            case .map(let values): entries = values
            default: throw TypologyProcedures.error("\(name): options must be a map")
            }
            for key in entries.keys.sorted() {
                guard let value = entries[key], value != .null else { continue }
                let known: Bool
                do {
                    known = try set(&target, key, value)
                } catch {
                    throw TypologyProcedures.error("\(name): \(error.message)")
                }
                guard known else { throw TypologyProcedures.error("\(name): unknown option '\(key)'") }
            }
        }
    }
}

extension Value {
    fileprivate func int(_ key: String) throws(QueryError) -> Int {
        switch self {
        case .integer(let value): return Int(value)
        case .amount(let value):
            if let small = value.int64Value { return Int(small) }
        default: break
        }
        throw TypologyProcedures.error("option '\(key)' must be an integer")
    }

    fileprivate func nonNegative(_ key: String) throws(QueryError) -> Int {
        let value = try int(key)
        guard value >= 0 else { throw TypologyProcedures.error("option '\(key)' must be at least 0, found \(value)") }
        return value
    }

    fileprivate func percent(_ key: String) throws(QueryError) -> UInt64 {
        let value = try int(key)
        guard (0...100).contains(value) else {
            throw TypologyProcedures.error("option '\(key)' must be a percentage 0...100, found \(value)")
        }
        return UInt64(value)
    }

    fileprivate func amount(_ key: String) throws(QueryError) -> Amount {
        switch self {
        case .integer(let value) where value >= 0: return Amount(UInt64(value))
        case .amount(let value): return value
        case .string(let text): if let value = Amount(decimal: text) { return value }
        default: break
        }
        throw TypologyProcedures.error("option '\(key)' must be a non-negative integer or a decimal string")
    }
}
