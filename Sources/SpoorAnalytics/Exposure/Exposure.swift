public import SpoorStore

/// Options of an exposure question. Defaults: haircut, 3 hops, the native asset, 3 evidence paths each way.
public struct ExposureOptions: Sendable, Hashable {
    /// How taint divides on the way (``TaintPolicy/haircut`` by default).
    public var policy: TaintPolicy
    /// Indirect exposure counts taint that arrives within this many hops (default 3).
    public var maxHops: Int
    /// The asset looked at (``AssetID/native`` by default); other assets are never mixed in.
    public var asset: AssetID
    /// Service addresses (exchanges and the like) that absorb taint instead of passing it on.
    public var stopAt: Set<AddressID>
    /// Only transfers inside the window count; `nil`: all time.
    public var window: TimeWindow?
    /// Taint below this is dropped (default 0).
    public var minTaint: Amount
    /// How many evidence paths to give each way (default 3).
    public var evidencePaths: Int
    /// Whether taint is followed only through addresses that can pass it on to the targets in time (default
    /// `true`; the figures and evidence are the same, found without replaying the rest of what the listed addresses
    /// reach; on a store snapshot asked about repeatedly, from whole-snapshot runs kept across questions, see
    /// `ExposureRunCache`). `false` follows taint everywhere it goes, for each question on its own: the plain
    /// reference the tests compare with.
    public var boundsReplay = true

    /// Creates options.
    public init(
        policy: TaintPolicy = .haircut,
        maxHops: Int = 3,
        asset: AssetID = .native,
        stopAt: Set<AddressID> = [],
        window: TimeWindow? = nil,
        minTaint: Amount = .zero,
        evidencePaths: Int = 3
    ) {
        self.policy = policy
        self.maxHops = maxHops
        self.asset = asset
        self.stopAt = stopAt
        self.window = window
        self.minTaint = minTaint
        self.evidencePaths = evidencePaths
    }
}

/// One transfer of an evidence path, with the taint it carried and the hop it arrived at.
public struct EvidenceStep: Sendable, Hashable {
    /// The transfer (chain direction: `from` sent to `to`).
    public var transfer: AccountTransfer
    /// The taint it carried in the run that found it.
    public var taint: Amount
    /// Hop at which that taint arrived.
    public var hop: Int

    /// Creates a step.
    public init(transfer: AccountTransfer, taint: Amount, hop: Int) {
        self.transfer = transfer
        self.taint = taint
        self.hop = hop
    }
}

/// A time-respecting chain of transfers between a listed address and the address asked about, in chain order
/// (incoming: listed address first; outgoing: the address asked about first).
public struct ExposureEvidencePath: Sendable, Hashable {
    /// The transfers in chain order.
    public var steps: [EvidenceStep]

    /// Creates a path.
    public init(steps: [EvidenceStep]) { self.steps = steps }
}

/// Exposure of an address (or a set of addresses: a cluster) to a watchlist.
///
/// Incoming exposure comes from taint run forward from the listed addresses; outgoing exposure from taint run
/// backward from them (the part of what the address sent that ends at a listed address). Transfers between two
/// members of the set are internal and not counted.
public struct ExposureReport: Sendable {
    /// The addresses asked about.
    public var targets: [AddressID]
    /// The asset looked at.
    public var asset: AssetID
    /// Value received straight from listed addresses.
    public var directIn: WideAmount
    /// Value sent straight to listed addresses.
    public var directOut: WideAmount
    /// Taint received through intermediaries (hop 2 … maxHops).
    public var indirectIn: WideAmount
    /// Value sent that reached listed addresses through intermediaries.
    public var indirectOut: WideAmount
    /// All value received (not internal).
    public var totalIn: WideAmount
    /// All value sent (not internal).
    public var totalOut: WideAmount
    /// Smallest hop from a listed address to the target (1: a direct transfer); `nil`: not within maxHops.
    public var hopIn: Int?
    /// Smallest hop from the target to a listed address; `nil`: not within maxHops.
    public var hopOut: Int?
    /// Shortest evidence paths from listed addresses.
    public var evidenceIn: [ExposureEvidencePath]
    /// Shortest evidence paths to listed addresses.
    public var evidenceOut: [ExposureEvidencePath]
    /// Whether the address asked about is itself listed.
    public var isListed: Bool

    /// The smallest of ``hopIn`` and ``hopOut`` (0 when the address is listed).
    public var minimalHop: Int? {
        if isListed { return 0 }
        switch (hopIn, hopOut) {
        case let (a?, b?): return min(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        case (nil, nil): return nil
        }
    }

    /// (direct + indirect in) / total in; 0 when nothing was received.
    public var shareIn: Double { Self.ratio(directIn + indirectIn, totalIn) }
    /// (direct + indirect out) / total out; 0 when nothing was sent.
    public var shareOut: Double { Self.ratio(directOut + indirectOut, totalOut) }
    /// All exposure over all volume, in and out.
    public var share: Double { Self.ratio(directIn + indirectIn + directOut + indirectOut, totalIn + totalOut) }

    static func ratio(_ part: WideAmount, _ whole: WideAmount) -> Double {
        whole.isZero ? 0 : min(1, part.doubleValue / whole.doubleValue)
    }
}

/// Computes exposure on an account chain.
public struct ExposureAnalyzer<Source: AccountFlowSource> {
    /// Where the transfers come from.
    public let source: Source
    /// Whole-snapshot runs shared across questions on a store (``ExposureRunCache/shared``; tests give their own).
    var runCache = ExposureRunCache.shared

    /// Wraps a flow source.
    public init(source: Source) { self.source = source }

    /// The exposure of `targets` to the `listed` addresses.
    public func exposure(
        of targets: Set<AddressID>,
        listed: Set<AddressID>,
        options: ExposureOptions
    ) throws
        -> ExposureReport
    {
        var taintOptions = TaintOptions(
            policy: options.policy,
            direction: .forward,
            maxHops: options.maxHops,
            minTaint: options.minTaint,
            window: options.window,
            stopAt: options.stopAt
        )
        let seeds = listed.sorted().map { TaintSeed(address: $0) }
        // Nothing after the targets' last incoming transfer can change their incoming exposure (and nothing before
        // their first outgoing one their outgoing exposure): each run stops there.
        var lastIncoming: ChainPosition?
        var firstOutgoing: ChainPosition?
        var streams: [AddressID: [AccountTransfer]] = [:]
        for target in targets.sorted() {
            let stream = try source.transfers(of: target)
            streams[target] = stream
            for transfer in stream where transfer.asset == options.asset {
                if let window = options.window, !window.contains(transfer.time) { continue }
                if targets.contains(transfer.from) && targets.contains(transfer.to) { continue }
                if targets.contains(transfer.to) {
                    lastIncoming = max(lastIncoming ?? transfer.position, transfer.position)
                }
                if targets.contains(transfer.from) {
                    firstOutgoing = min(firstOutgoing ?? transfer.position, transfer.position)
                }
            }
        }
        // Whole-snapshot runs shared across questions (store snapshots only, see ExposureRunCache).
        var shared: ExposureRunCache.Runs?
        var noteBounded: (ExposureRunCache, Store, Int, ExposureRunCache.Key)?
        if options.boundsReplay, let store = source as? StoreAccountFlow, let snapshot = store.reader.snapshotIdentity {
            let key = ExposureRunCache.Key(
                listed: listed,
                policy: options.policy,
                maxHops: options.maxHops,
                asset: options.asset,
                stopAt: options.stopAt,
                window: options.window,
                minTaint: options.minTaint
            )
            let cache = runCache
            switch cache.decide(store: snapshot.store, transaction: snapshot.transaction, key: key) {
            case .use(let runs): shared = runs
            case .build:
                let runs = try Self.wholeRuns(source: source, seeds: seeds, options: taintOptions, asset: options.asset)
                cache.insert(runs, store: snapshot.store, transaction: snapshot.transaction, key: key)
                shared = runs
            case .bounded: noteBounded = (cache, snapshot.store, snapshot.transaction, key)
            }
        }
        let clock = ContinuousClock()
        let start = clock.now
        var forward = TaintResult(options: taintOptions, addresses: [], transfers: [], outputs: [])
        var backward = TaintResult(options: taintOptions, addresses: [], transfers: [], outputs: [])
        if shared != nil {
            // Answered from the whole runs below.
        } else if options.boundsReplay {
            // One asset's transfers, each stream read once for the bounds and the runs.
            let flow = CachingAccountFlow(source: source, asset: options.asset, window: options.window)
            let engine = AccountTaintEngine(source: flow)
            let bounds = ReplayBounds(
                flow: flow,
                targets: targets,
                listed: listed,
                stopAt: options.stopAt,
                maxHops: options.maxHops
            )
            if let lastIncoming {
                taintOptions.horizon = lastIncoming
                taintOptions.follow = try bounds.relevant(backward: false, horizon: lastIncoming)
                forward = try engine.run(seeds: seeds, options: taintOptions)
            }
            taintOptions.direction = .backward
            if let firstOutgoing {
                taintOptions.horizon = firstOutgoing
                taintOptions.follow = try bounds.relevant(backward: true, horizon: firstOutgoing)
                backward = try engine.run(seeds: seeds, options: taintOptions)
            }
        } else {
            let engine = AccountTaintEngine(source: source)
            if let lastIncoming {
                taintOptions.horizon = lastIncoming
                forward = try engine.run(seeds: seeds, options: taintOptions)
            }
            taintOptions.direction = .backward
            if let firstOutgoing {
                taintOptions.horizon = firstOutgoing
                backward = try engine.run(seeds: seeds, options: taintOptions)
            }
        }

        if let (cache, store, transaction, key) = noteBounded {
            cache.noteBounded(clock.now - start, store: store, transaction: transaction, key: key)
        }

        var report = ExposureReport(
            targets: targets.sorted(),
            asset: options.asset,
            directIn: .zero,
            directOut: .zero,
            indirectIn: .zero,
            indirectOut: .zero,
            totalIn: .zero,
            totalOut: .zero,
            hopIn: nil,
            hopOut: nil,
            evidenceIn: [],
            evidenceOut: [],
            isListed: !targets.isDisjoint(with: listed)
        )
        for target in targets.sorted() {
            for transfer in streams[target] ?? [] where transfer.asset == options.asset {
                if let window = options.window, !window.contains(transfer.time) { continue }
                let fromInside = targets.contains(transfer.from)
                let toInside = targets.contains(transfer.to)
                if fromInside && toInside { continue }  // Internal (and a transfer to itself).
                let value = WideAmount(transfer.value)
                if toInside {
                    report.totalIn += value
                    if listed.contains(transfer.from) { report.directIn += value }
                } else {
                    report.totalOut += value
                    if listed.contains(transfer.to) { report.directOut += value }
                }
            }
        }
        // Forward flows into the set from outside it and not from a listed address: indirect incoming taint.
        // Backward flows: `from` in the set, `to` outside and not listed: value that reached the list indirectly.
        // Each in the run's order, with the run's flows into any address (for the evidence).
        let finalsIn: [TaintedTransfer]
        let finalsOut: [TaintedTransfer]
        let intoForward: (AddressID) -> [TaintedTransfer]
        let intoBackward: (AddressID) -> [TaintedTransfer]
        if let shared {
            finalsIn =
                lastIncoming == nil
                ? []
                : shared.forward.flows(intoAny: targets).filter {
                    $0.transfer.asset == options.asset && !targets.contains($0.transfer.from)
                }
            finalsOut =
                firstOutgoing == nil
                ? []
                : shared.backward.flows(intoAny: targets).filter {
                    $0.transfer.asset == options.asset && !targets.contains($0.transfer.to)
                }
            intoForward = { shared.forward.flows(into: $0) }
            intoBackward = { shared.backward.flows(into: $0) }
        } else {
            let incoming = forward.transfers.filter { $0.transfer.asset == options.asset }
            let outgoing = backward.transfers.filter { $0.transfer.asset == options.asset }
            finalsIn = incoming.filter { targets.contains($0.transfer.to) && !targets.contains($0.transfer.from) }
            finalsOut = outgoing.filter { targets.contains($0.transfer.from) && !targets.contains($0.transfer.to) }
            var byReceiverIn: [AddressID: [TaintedTransfer]] = [:]
            for flow in incoming { byReceiverIn[flow.transfer.to, default: []].append(flow) }
            var byReceiverOut: [AddressID: [TaintedTransfer]] = [:]
            for flow in outgoing { byReceiverOut[flow.transfer.from, default: []].append(flow) }
            intoForward = { [byReceiverIn] in byReceiverIn[$0] ?? [] }
            intoBackward = { [byReceiverOut] in byReceiverOut[$0] ?? [] }
        }
        for flow in finalsIn {
            report.hopIn = min(report.hopIn ?? .max, flow.hop)
            if !listed.contains(flow.transfer.from) { report.indirectIn += WideAmount(flow.taint) }
        }
        for flow in finalsOut {
            report.hopOut = min(report.hopOut ?? .max, flow.hop)
            if !listed.contains(flow.transfer.to) { report.indirectOut += WideAmount(flow.taint) }
        }
        report.evidenceIn = Self.evidence(
            finals: finalsIn,
            into: intoForward,
            listed: listed,
            limit: options.evidencePaths,
            backward: false
        )
        report.evidenceOut = Self.evidence(
            finals: finalsOut,
            into: intoBackward,
            listed: listed,
            limit: options.evidencePaths,
            backward: true
        )
        return report
    }

    /// Up to `limit` shortest paths ending at the targets (in the run's direction), each traced back greedily: at
    /// every step the flow into the sender with the smallest hop that came before (in the run's order), ties to the
    /// largest taint, then the latest.
    static func evidence(
        flows: [TaintedTransfer],
        targets: Set<AddressID>,
        listed: Set<AddressID>,
        limit: Int,
        backward: Bool
    ) -> [ExposureEvidencePath] {
        func sender(_ flow: TaintedTransfer) -> AddressID { backward ? flow.transfer.to : flow.transfer.from }
        func receiver(_ flow: TaintedTransfer) -> AddressID { backward ? flow.transfer.from : flow.transfer.to }
        var into: [AddressID: [TaintedTransfer]] = [:]
        for flow in flows { into[receiver(flow), default: []].append(flow) }
        let finals = flows.filter { targets.contains(receiver($0)) && !targets.contains(sender($0)) }
        return evidence(finals: finals, into: { into[$0] ?? [] }, listed: listed, limit: limit, backward: backward)
    }

    /// The evidence paths from `finals` (the run's flows into the targets from outside them, in the run's order),
    /// with `into` giving the run's flows delivering to an address (in the run's order).
    static func evidence(
        finals: [TaintedTransfer],
        into: (AddressID) -> [TaintedTransfer],
        listed: Set<AddressID>,
        limit: Int,
        backward: Bool
    ) -> [ExposureEvidencePath] {
        // In the run's orientation: the sender and receiver of each flow.
        func sender(_ flow: TaintedTransfer) -> AddressID { backward ? flow.transfer.to : flow.transfer.from }
        func receiver(_ flow: TaintedTransfer) -> AddressID { backward ? flow.transfer.from : flow.transfer.to }
        func isEarlier(_ a: TaintedTransfer, _ b: TaintedTransfer) -> Bool {
            backward ? a.transfer.position > b.transfer.position : a.transfer.position < b.transfer.position
        }
        func better(_ a: TaintedTransfer, _ b: TaintedTransfer) -> Bool {
            if a.hop != b.hop { return a.hop < b.hop }
            if a.taint != b.taint { return a.taint > b.taint }
            return isEarlier(b, a)
        }
        let best = finals.sorted(by: better)
        var paths: [ExposureEvidencePath] = []
        for final in best.prefix(max(0, limit)) {
            var steps = [final]
            var current = final
            while !listed.contains(sender(current)), steps.count <= final.hop {
                let candidates = into(sender(current)).filter { isEarlier($0, current) && $0.hop < current.hop }
                guard let previous = candidates.min(by: better) else { break }
                steps.append(previous)
                current = previous
            }
            // Incoming paths read listed → target (chain order); outgoing ones target → listed (chain order too).
            let ordered = backward ? steps : steps.reversed()
            paths.append(
                ExposureEvidencePath(
                    steps: ordered.map { EvidenceStep(transfer: $0.transfer, taint: $0.taint, hop: $0.hop) }
                )
            )
        }
        return paths
    }

    /// The forward and backward runs from `seeds` over every transfer of `asset` (no horizon, every address
    /// followed), indexed for ``ExposureRunCache``.
    static func wholeRuns(
        source: Source,
        seeds: [TaintSeed],
        options: TaintOptions,
        asset: AssetID
    ) throws -> ExposureRunCache.Runs {
        let flow = CachingAccountFlow(source: source, asset: asset, window: options.window)
        let engine = AccountTaintEngine(source: flow)
        var options = options
        options.horizon = nil
        options.follow = nil
        options.direction = .forward
        let forward = try engine.run(seeds: seeds, options: options).transfers
        options.direction = .backward
        let backward = try engine.run(seeds: seeds, options: options).transfers
        return ExposureRunCache.Runs(
            forward: IndexedTaintFlows(flows: forward, backward: false),
            backward: IndexedTaintFlows(flows: backward, backward: true)
        )
    }
}
