public import SpoorStore

/// Exposure on a UTXO chain, built on UTXO taint (DESIGN.md section 5) and the virtual TRANSFER of section 2.
///
/// For each transaction touching the targets `T` (inputs `a_i` worth `v_i`, outputs `b_j` worth `w_j`, `Σv` the
/// input total), input `i` sends output `j` the share `⌊w_j × v_i / Σv⌋`:
/// - *total in*: the shares from inputs outside `T` to outputs in `T`; *direct in*: those from listed inputs.
/// - *total out*: the shares from inputs in `T` to outputs outside `T`; *direct out*: those to listed outputs.
/// - *indirect in*: taint run forward from the listed addresses; an output paid to `T` carries taint `t_j`, of which
///   the part brought by inputs neither in `T` nor listed counts: `⌊t_j × A / B⌋` with `A` the taint of those inputs
///   and `B` the taint of all inputs.
/// - *indirect out*: taint run backward from the listed addresses; an input of `T` carries the part of its value that
///   ends at a listed address, of which the part leaving through outputs neither in `T` nor listed counts, in the
///   same proportion.
/// - *hops*: the smallest hop of taint arriving at `T` (forward) or leaving it (backward); 1 is a direct payment.
/// - *evidence*: from the output to `T` with the smallest hop, back through the tainted input with the smallest hop
///   at each transaction, to a listed input (incoming); symmetric along the spending transactions (outgoing). Each step
///   is shown as a transfer from the input's address to the output's, valued at the taint it carried.
public struct UTXOExposureAnalyzer<Source: UTXOFlowSource> {
    /// Where the transactions come from.
    public let source: Source

    /// Wraps a flow source.
    public init(source: Source) { self.source = source }

    /// The taint both exposure directions need: forward (coins with their taint) and backward (inputs with theirs),
    /// each run once from all listed addresses.
    struct Taint {
        var coins: [OutPoint: TaintedOutput] = [:]
        var spends: [OutPoint: TaintedOutput] = [:]
    }

    /// Runs taint forward and backward from `listed` (multi-source: one run each way for any number of targets).
    func taint(listed: Set<AddressID>, options: ExposureOptions) throws -> Taint {
        var taintOptions = TaintOptions(
            policy: options.policy, direction: .forward, maxHops: options.maxHops, minTaint: options.minTaint,
            window: options.window, stopAt: options.stopAt)
        let seeds = listed.sorted().map { TaintSeed(address: $0) }
        let engine = UTXOTaintEngine(source: source)
        var result = Taint()
        for record in try engine.run(seeds: seeds, options: taintOptions).outputs {
            result.coins[OutPoint(tx: record.tx, index: record.index)] = record
        }
        taintOptions.direction = .backward
        for record in try engine.run(seeds: seeds, options: taintOptions).outputs {
            result.spends[OutPoint(tx: record.tx, index: record.index)] = record
        }
        return result
    }

    /// The exposure of `targets` to the `listed` addresses (``ExposureOptions/asset`` must be the native coin).
    public func exposure(of targets: Set<AddressID>, listed: Set<AddressID>, options: ExposureOptions) throws
        -> ExposureReport
    {
        let taint = try taint(listed: listed, options: options)
        var entry = ScanEntry()
        var arrivals: [TaintedOutput] = []
        var departures: [TaintedOutput] = []
        var seen = Set<TxID>()
        for target in targets.sorted() {
            for id in try source.transactions(of: target) where seen.insert(id).inserted {
                guard let tx = try source.transaction(id) else { continue }
                try accumulate(
                    tx, targets: targets, listed: listed, taint: taint, window: options.window, into: &entry,
                    arrivals: &arrivals, departures: &departures)
            }
        }
        return ExposureReport(
            targets: targets.sorted(), asset: .native, directIn: entry.directIn, directOut: entry.directOut,
            indirectIn: entry.indirectIn, indirectOut: entry.indirectOut, totalIn: entry.totalIn,
            totalOut: entry.totalOut, hopIn: entry.hopIn, hopOut: entry.hopOut,
            evidenceIn: try evidenceIn(arrivals, coins: taint.coins, listed: listed, limit: options.evidencePaths),
            evidenceOut: try evidenceOut(departures, spends: taint.spends, listed: listed, limit: options.evidencePaths),
            isListed: !targets.isDisjoint(with: listed))
    }

    /// What one transaction adds to the exposure of `targets` (the rules in the type's documentation).
    func accumulate(
        _ tx: UTXOTransaction, targets: Set<AddressID>, listed: Set<AddressID>, taint: Taint, window: TimeWindow?,
        into entry: inout ScanEntry, arrivals: inout [TaintedOutput], departures: inout [TaintedOutput]
    ) throws {
        if let window, !window.contains(tx.time) { return }
        let id = tx.id
        let inside = { (address: AddressID?) in address.map(targets.contains) ?? false }
        let isListed = { (address: AddressID?) in address.map(listed.contains) ?? false }
        var inputTotal = WideAmount.zero
        for input in tx.inputs { inputTotal += WideAmount(input.value) }
        guard !inputTotal.isZero else { return }
        for input in tx.inputs {
            for output in tx.outputs where inside(input.address) != inside(output.address) {
                let share = WideAmount.multiplyDivide(WideAmount(output.value), WideAmount(input.value), inputTotal)
                if inside(output.address) {
                    entry.totalIn += share
                    if isListed(input.address) { entry.directIn += share }
                } else {
                    entry.totalOut += share
                    if isListed(output.address) { entry.directOut += share }
                }
            }
        }
        // Indirect in: taint on outputs to T, in proportion to the taint brought by outside, unlisted inputs.
        var allIn = WideAmount.zero
        var fromOutside = WideAmount.zero
        for input in tx.inputs {
            let brought = isListed(input.address)
                ? WideAmount(input.value) : input.spends.flatMap { taint.coins[$0] }.map { WideAmount($0.taint) } ?? .zero
            allIn += brought
            if !inside(input.address) && !isListed(input.address) { fromOutside += brought }
        }
        if tx.inputs.contains(where: { !inside($0.address) }) {
            for index in tx.outputs.indices where inside(tx.outputs[index].address) {
                guard let coin = taint.coins[OutPoint(tx: id, index: index)] else { continue }
                entry.hopIn = min(entry.hopIn ?? .max, coin.hop)
                arrivals.append(coin)
                if !allIn.isZero {
                    entry.indirectIn += WideAmount.multiplyDivide(WideAmount(coin.taint), fromOutside, allIn)
                }
            }
        }
        // Indirect out: backward taint on T's inputs, in proportion to what leaves through outside, unlisted outputs.
        guard tx.outputs.contains(where: { !inside($0.address) }),
            tx.inputs.contains(where: { inside($0.address) })
        else { return }
        var allOut = WideAmount.zero
        var toOutside = WideAmount.zero
        for (index, output) in tx.outputs.enumerated() {
            let carried = isListed(output.address)
                ? WideAmount(output.value) : try backwardTaint(of: OutPoint(tx: id, index: index), output, taint.spends)
            allOut += carried
            if !inside(output.address) && !isListed(output.address) { toOutside += carried }
        }
        for index in tx.inputs.indices where inside(tx.inputs[index].address) {
            guard let spend = taint.spends[OutPoint(tx: id, index: index)] else { continue }
            entry.hopOut = min(entry.hopOut ?? .max, spend.hop)
            departures.append(spend)
            if !allOut.isZero {
                entry.indirectOut += WideAmount.multiplyDivide(WideAmount(spend.taint), toOutside, allOut)
            }
        }
    }

    /// Backward taint of an output: what the input spending it carried in the backward run.
    private func backwardTaint(of coin: OutPoint, _ output: UTXOOutput, _ spends: [OutPoint: TaintedOutput]) throws
        -> WideAmount
    {
        guard let spender = output.spentBy, let next = try source.transaction(spender),
            let index = next.inputs.firstIndex(where: { $0.spends == coin }),
            let record = spends[OutPoint(tx: spender, index: index)]
        else { return .zero }
        return WideAmount(record.taint)
    }

    private func step(_ tx: UTXOTransaction, from: AddressID?, to: AddressID?, taint: Amount, hop: Int) -> EvidenceStep {
        EvidenceStep(
            transfer: AccountTransfer(
                id: TransferID(tx.id.rawValue), from: from ?? AddressID(UInt64.max), to: to ?? AddressID(UInt64.max),
                value: taint, block: tx.block, logIndex: tx.index, time: tx.time, tx: tx.id),
            taint: taint, hop: hop)
    }

    /// Incoming paths: from each of the best arrivals back to a listed input, in chain order.
    private func evidenceIn(
        _ arrivals: [TaintedOutput], coins: [OutPoint: TaintedOutput], listed: Set<AddressID>, limit: Int
    ) throws -> [ExposureEvidencePath] {
        var paths: [ExposureEvidencePath] = []
        for arrival in arrivals.sorted(by: isBetterEvidence).prefix(max(0, limit)) {
            var steps: [EvidenceStep] = []
            var current = arrival
            while steps.count <= arrival.hop, let tx = try source.transaction(current.tx) {
                let listedInput = tx.inputs.first { $0.address.map(listed.contains) ?? false }
                let previous = tx.inputs.compactMap { $0.spends.flatMap { coins[$0] } }.filter { $0.hop < current.hop }
                    .min(by: isBetterEvidence)
                let from = listedInput?.address ?? previous?.address
                steps.append(step(tx, from: from, to: current.address, taint: current.taint, hop: current.hop))
                guard listedInput == nil, let previous else { break }
                current = previous
            }
            paths.append(ExposureEvidencePath(steps: steps.reversed()))
        }
        return paths
    }

    /// Outgoing paths: from each of the best departures on along the spending transactions to a listed output.
    private func evidenceOut(
        _ departures: [TaintedOutput], spends: [OutPoint: TaintedOutput], listed: Set<AddressID>, limit: Int
    ) throws -> [ExposureEvidencePath] {
        var paths: [ExposureEvidencePath] = []
        for departure in departures.sorted(by: isBetterEvidence).prefix(max(0, limit)) {
            var steps: [EvidenceStep] = []
            var current = departure
            while steps.count <= departure.hop, let tx = try source.transaction(current.tx) {
                let listedOutput = tx.outputs.first { $0.address.map(listed.contains) ?? false }
                var next: (record: TaintedOutput, address: AddressID?)?
                for (index, output) in tx.outputs.enumerated() {
                    guard let spender = output.spentBy, let following = try source.transaction(spender),
                        let input = following.inputs.firstIndex(where: { $0.spends == OutPoint(tx: tx.id, index: index) }),
                        let record = spends[OutPoint(tx: spender, index: input)], record.hop < current.hop
                    else { continue }
                    if let best = next, !isBetterEvidence(record, best.record) { continue }
                    next = (record, output.address)
                }
                let to = listedOutput?.address ?? next?.address
                steps.append(step(tx, from: current.address, to: to, taint: current.taint, hop: current.hop))
                guard listedOutput == nil, let next else { break }
                current = next.record
            }
            paths.append(ExposureEvidencePath(steps: steps))
        }
        return paths
    }
}

/// Evidence order: smallest hop, then largest taint, then the earliest transaction and index.
private func isBetterEvidence(_ a: TaintedOutput, _ b: TaintedOutput) -> Bool {
    if a.hop != b.hop { return a.hop < b.hop }
    if a.taint != b.taint { return a.taint > b.taint }
    return (a.tx, a.index) < (b.tx, b.index)
}
