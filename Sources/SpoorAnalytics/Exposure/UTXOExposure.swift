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

    /// The exposure of `targets` to the `listed` addresses (``ExposureOptions/asset`` must be the native coin).
    public func exposure(of targets: Set<AddressID>, listed: Set<AddressID>, options: ExposureOptions) throws
        -> ExposureReport
    {
        var taintOptions = TaintOptions(
            policy: options.policy, direction: .forward, maxHops: options.maxHops, minTaint: options.minTaint,
            window: options.window, stopAt: options.stopAt)
        let seeds = listed.sorted().map { TaintSeed(address: $0) }
        let engine = UTXOTaintEngine(source: source)
        let forward = try engine.run(seeds: seeds, options: taintOptions)
        taintOptions.direction = .backward
        let backward = try engine.run(seeds: seeds, options: taintOptions)
        var coins: [OutPoint: TaintedOutput] = [:]  // Forward: output coins with their taint.
        for record in forward.outputs { coins[OutPoint(tx: record.tx, index: record.index)] = record }
        var spends: [OutPoint: TaintedOutput] = [:]  // Backward: inputs (tx, input index) with their taint.
        for record in backward.outputs { spends[OutPoint(tx: record.tx, index: record.index)] = record }

        var report = ExposureReport(
            targets: targets.sorted(), asset: .native, directIn: .zero, directOut: .zero, indirectIn: .zero,
            indirectOut: .zero, totalIn: .zero, totalOut: .zero, hopIn: nil, hopOut: nil, evidenceIn: [],
            evidenceOut: [], isListed: !targets.isDisjoint(with: listed))
        var seen = Set<TxID>()
        var arrivals: [TaintedOutput] = []
        var departures: [TaintedOutput] = []
        for target in targets.sorted() {
            for id in try source.transactions(of: target) where seen.insert(id).inserted {
                guard let tx = try source.transaction(id) else { continue }
                if let window = options.window, !window.contains(tx.time) { continue }
                let inside = { (address: AddressID?) in address.map(targets.contains) ?? false }
                let isListed = { (address: AddressID?) in address.map(listed.contains) ?? false }
                var inputTotal = WideAmount.zero
                for input in tx.inputs { inputTotal += WideAmount(input.value) }
                guard !inputTotal.isZero else { continue }
                for input in tx.inputs {
                    for output in tx.outputs where inside(input.address) != inside(output.address) {
                        let share = WideAmount.multiplyDivide(WideAmount(output.value), WideAmount(input.value), inputTotal)
                        if inside(output.address) {
                            report.totalIn += share
                            if isListed(input.address) { report.directIn += share }
                        } else {
                            report.totalOut += share
                            if isListed(output.address) { report.directOut += share }
                        }
                    }
                }
                // Indirect in: taint on outputs to T, in proportion to the taint brought by outside, unlisted inputs.
                let inputTaints = tx.inputs.map { input -> WideAmount in
                    if isListed(input.address) { return WideAmount(input.value) }
                    return input.spends.flatMap { coins[$0] }.map { WideAmount($0.taint) } ?? .zero
                }
                var allIn = WideAmount.zero
                var fromOutside = WideAmount.zero
                for (input, taint) in zip(tx.inputs, inputTaints) {
                    allIn += taint
                    if !inside(input.address) && !isListed(input.address) { fromOutside += taint }
                }
                if tx.inputs.contains(where: { !inside($0.address) }) {
                    for index in tx.outputs.indices where inside(tx.outputs[index].address) {
                        guard let coin = coins[OutPoint(tx: id, index: index)] else { continue }
                        report.hopIn = min(report.hopIn ?? .max, coin.hop)
                        arrivals.append(coin)
                        if !allIn.isZero {
                            report.indirectIn += WideAmount.multiplyDivide(WideAmount(coin.taint), fromOutside, allIn)
                        }
                    }
                }
                // Indirect out: backward taint on T's inputs, in proportion to what leaves through outside, unlisted
                // outputs.
                var allOut = WideAmount.zero
                var toOutside = WideAmount.zero
                for (index, output) in tx.outputs.enumerated() {
                    let taint = isListed(output.address)
                        ? WideAmount(output.value) : try backwardTaint(of: OutPoint(tx: id, index: index), output, spends)
                    allOut += taint
                    if !inside(output.address) && !isListed(output.address) { toOutside += taint }
                }
                if tx.outputs.contains(where: { !inside($0.address) }) {
                    for index in tx.inputs.indices where inside(tx.inputs[index].address) {
                        guard let spend = spends[OutPoint(tx: id, index: index)] else { continue }
                        report.hopOut = min(report.hopOut ?? .max, spend.hop)
                        departures.append(spend)
                        if !allOut.isZero {
                            report.indirectOut += WideAmount.multiplyDivide(WideAmount(spend.taint), toOutside, allOut)
                        }
                    }
                }
            }
        }
        report.evidenceIn = try evidenceIn(arrivals, coins: coins, listed: listed, limit: options.evidencePaths)
        report.evidenceOut = try evidenceOut(departures, spends: spends, listed: listed, limit: options.evidencePaths)
        return report
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
                    if next == nil || isBetterEvidence(record, next!.record) { next = (record, output.address) }
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
