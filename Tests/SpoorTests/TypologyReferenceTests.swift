import Foundation
import Spoor
import SpoorAnalytics
import SpoorTestSupport
import Testing

/// The typology detectors against deliberately simple reference implementations (brute force over the global list of
/// transfers in chain order, no streams, no sliding windows, no pruning) on many random small graphs.
@Suite struct TypologyReferenceTests {
    struct Row {
        var index: Int
        var tx: String
        var block: UInt64
        var log: UInt32
        var time: Int64
        var from: String
        var to: String
        var value: UInt64
        var asset: String?
    }

    static func address(_ n: Int) -> String { "0x" + String(repeating: "0", count: 38) + String(format: "%02x", n + 1) }
    static let token = "0x" + String(repeating: "0", count: 36) + "7070"

    static func randomRows(_ random: inout SeededGenerator, count: Int, addresses: Int) -> [Row] {
        (0..<count).map { k in
            let from = Int.random(in: 0..<addresses, using: &random)
            var to = Int.random(in: 0..<addresses, using: &random)
            if to == from && Int.random(in: 0..<4, using: &random) != 0 { to = (to + 1) % addresses }
            let value: UInt64 =
                Int.random(in: 0..<30, using: &random) == 0 ? 0 : UInt64.random(in: 1...100, using: &random)
            let block = UInt64(100 + k / 3)
            return Row(
                index: k, tx: "0x" + String(format: "%064x", k + 1), block: block, log: UInt32(k % 3),
                time: Int64(block) * 12, from: address(from), to: address(to), value: value,
                asset: Int.random(in: 0..<5, using: &random) == 0 ? token : nil)
        }
    }

    static func graph(_ rows: [Row], _ directory: TemporaryDirectory) throws -> Graph {
        var text = "tx_hash,block_number,block_timestamp,from_address,to_address,value,asset,log_index\n"
        for row in rows {
            text +=
                "\(row.tx),\(row.block),\(row.time),\(row.from),\(row.to),\(row.value),\(row.asset ?? ""),\(row.log)\n"
        }
        let file = try directory.write(text, to: "random.csv")
        let graph = try Graph.open(at: directory.appending("random.spoor"), mode: .readWrite)
        _ = try graph.ingestTransfers(files: [file])
        return graph
    }

    /// Whether the row counts for the detectors: non-zero, not to itself.
    static func counts(_ row: Row) -> Bool { row.value > 0 && row.from != row.to }

    // MARK: References

    static func referencePeelChains(_ rows: [Row], _ o: PeelChainOptions) -> [[String]] {
        // step: receipt row index → (forward row index, peel row index)
        var steps: [Int: (Int, Int)] = [:]
        let live = rows.filter(counts)
        for r in live where r.value >= o.minAmount.uint64Value ?? .max {
            let at = r.to
            var outs: [Row] = []
            for n in live where n.index > r.index && n.asset == r.asset && (n.from == at || n.to == at) {
                if n.to == at { break }
                if n.time - r.time > o.maxDelay { break }
                outs.append(n)
                if outs.count == 2 { break }
            }
            guard outs.count == 2, outs[0].to != outs[1].to else { continue }
            let (f, p) = outs[1].value > outs[0].value ? (outs[1], outs[0]) : (outs[0], outs[1])
            guard f.value * 100 >= r.value * o.minForwardPercent, p.value * 100 <= r.value * o.maxPeelPercent,
                f.value + p.value <= r.value
            else { continue }
            steps[r.index] = (f.index, p.index)
        }
        let forwards = Set(steps.values.map(\.0))
        var chains: [[String]] = []
        for start in steps.keys.sorted() where !forwards.contains(start) {
            var chain = [start]
            while let next = steps[chain.last!], steps[next.0] != nil { chain.append(next.0) }
            if chain.count >= o.minLength {
                chains.append(chain.flatMap { [rows[$0].tx, rows[steps[$0]!.0].tx, rows[steps[$0]!.1].tx] })
            }
        }
        return chains
    }

    static func referenceStructuring(_ rows: [Row], _ o: StructuringOptions, fanOut: Bool) -> [[String]] {
        var result: [[String]] = []
        let addresses = Set(rows.flatMap { [$0.from, $0.to] }).sorted()
        for a in addresses {
            for asset in [nil, token] as [String?] {
                let list = rows.filter { counts($0) && $0.asset == asset && (fanOut ? $0.from == a : $0.to == a) }
                var i = 0
                while i < list.count {
                    let window = list[i...].prefix { $0.time <= list[i].time + o.window }
                    let small = window.filter {
                        $0.value < (o.maxAmount.uint64Value ?? .max) && $0.value >= (o.minAmount.uint64Value ?? .max)
                    }
                    let others = Set(small.map { fanOut ? $0.to : $0.from })
                    if others.count >= o.minCounterparties && small.count * 100 >= window.count * Int(o.minSmallPercent)
                    {
                        result.append(small.map(\.tx))
                        i += window.count
                    } else {
                        i += 1
                    }
                }
            }
        }
        return result
    }

    static func referencePassThrough(_ rows: [Row], _ o: PassThroughOptions) -> [[String]] {
        var result: [[String]] = []
        let live = rows.filter(counts)
        for a in Set(rows.flatMap { [$0.from, $0.to] }).sorted() {
            for asset in [nil, token] as [String?] {
                let list = live.filter { $0.asset == asset && ($0.from == a || $0.to == a) }
                var balance: UInt64 = 0
                for (k, r) in list.enumerated() {
                    if r.from == a {
                        balance -= min(balance, r.value)
                        continue
                    }
                    let before = balance
                    balance += r.value
                    guard r.value >= (o.minAmount.uint64Value ?? .max),
                        before * 100 < r.value * (100 - o.minOutPercent) || (o.minOutPercent == 100 && before == 0)
                    else { continue }
                    var sum: UInt64 = 0
                    var sends: [Row] = []
                    for n in list[(k + 1)...] {
                        if n.to == a || n.time - r.time > o.maxDelay { break }
                        sum += n.value
                        sends.append(n)
                        if sum * 100 >= r.value * o.minOutPercent { break }
                    }
                    if !sends.isEmpty && sum * 100 >= r.value * o.minOutPercent && sum <= before + r.value {
                        result.append([r.tx] + sends.map(\.tx))
                    }
                }
            }
        }
        return result
    }

    static func referenceRoundTrips(_ rows: [Row], _ o: RoundTripOptions) -> [[String]] {
        var result: [[String]] = []
        let live = rows.filter(counts)
        for origin in Set(rows.flatMap { [$0.from, $0.to] }).sorted() {
            for first in live where first.from == origin {
                var best: [Row]? = nil
                func extend(_ path: [Row], _ visited: Set<String>) {
                    let last = path.last!
                    for next in live where next.from == last.to && next.index > last.index && next.asset == first.asset
                    {
                        guard next.time <= first.time + o.maxDuration, next.value <= first.value,
                            next.value * 100 >= first.value * o.minValuePercent
                        else { continue }
                        if next.to == origin {
                            let candidate = path + [next]
                            if best == nil || candidate.count < best!.count
                                || (candidate.count == best!.count && next.index < best!.last!.index)
                            {
                                best = candidate
                            }
                        } else if path.count + 1 < o.maxHops && !visited.contains(next.to) {
                            extend(path + [next], visited.union([next.to]))
                        }
                    }
                }
                extend([first], [origin, first.to])
                if let best { result.append(best.map(\.tx)) }
            }
        }
        return result
    }

    // MARK: The comparison

    @Test func detectorsAgreeWithTheReferencesOnRandomGraphs() throws {
        var random = SeededGenerator(seed: 20_261_123)
        var totals = [0, 0, 0, 0, 0]
        for round in 0..<120 {
            let rows = Self.randomRows(&random, count: 20 + round % 25, addresses: 3 + round % 6)
            let directory = TemporaryDirectory("typology-reference")
            let graph = try Self.graph(rows, directory)
            let loose = round % 2 == 1

            var peel = PeelChainOptions()
            peel.minLength = loose ? 1 : 2
            peel.maxPeelPercent = loose ? 60 : 25
            peel.minForwardPercent = loose ? 30 : 50
            peel.maxDelay = loose ? 24 : 86_400
            let peelFound = try graph.peelChains(options: peel).map {
                $0.steps.flatMap { [$0.received.tx, $0.forwarded.tx, $0.peeled.tx] }
            }
            #expect(
                peelFound.sorted { $0.lexicographicallyPrecedes($1) }
                    == Self.referencePeelChains(rows, peel).sorted { $0.lexicographicallyPrecedes($1) },
                "seed round \(round)")

            var structuring = StructuringOptions()
            structuring.minCounterparties = loose ? 2 : 3
            structuring.window = loose ? 12 : 60
            structuring.minAmount = Amount(loose ? 1 : 10)
            structuring.maxAmount = Amount(loose ? 60 : 90)
            structuring.minSmallPercent = loose ? 50 : 80
            for direction in [StructuringDirection.fanOut, .fanIn] {
                let found = try graph.structuring(direction, options: structuring).map { $0.transfers.map(\.tx) }
                let expected = Self.referenceStructuring(rows, structuring, fanOut: direction == .fanOut)
                #expect(
                    found.sorted { $0.lexicographicallyPrecedes($1) }
                        == expected.sorted { $0.lexicographicallyPrecedes($1) }, "round \(round) \(direction)")
                totals[direction == .fanOut ? 1 : 2] += found.count
            }

            var pass = PassThroughOptions()
            pass.minOutPercent = loose ? 50 : 90
            pass.maxDelay = loose ? 24 : 3_600
            let passFound = try graph.passThroughs(options: pass).map { [$0.received.tx] + $0.sent.map(\.tx) }
            #expect(
                passFound.sorted { $0.lexicographicallyPrecedes($1) }
                    == Self.referencePassThrough(rows, pass).sorted { $0.lexicographicallyPrecedes($1) },
                "round \(round)")

            var trips = RoundTripOptions()
            trips.maxHops = loose ? 4 : 3
            trips.minValuePercent = loose ? 20 : 60
            trips.maxDuration = loose ? 60 : 86_400
            let tripsFound = try graph.roundTrips(options: trips).map { $0.transfers.map(\.tx) }
            #expect(
                tripsFound.sorted { $0.lexicographicallyPrecedes($1) }
                    == Self.referenceRoundTrips(rows, trips).sorted { $0.lexicographicallyPrecedes($1) },
                "round \(round)")

            totals[0] += peelFound.count
            totals[3] += passFound.count
            totals[4] += tripsFound.count
        }
        print("reference comparison findings (peel, fan-out, fan-in, pass-through, round trips):", totals)
        // The random graphs must exercise every detector, or the comparison proves little.
        #expect(totals.allSatisfy { $0 >= 20 }, "\(totals)")
    }

    /// Evidence paths against brute force: every listed address's fewest hops over all time-respecting walks (an
    /// exhaustive search over the rows), and each reported path checked link by link.
    @Test func evidencePathsAreShortestAndTimeRespecting() throws {
        var random = SeededGenerator(seed: 77)
        var checked = 0
        for round in 0..<60 {
            let addressCount = 4 + round % 5
            let rows = Self.randomRows(&random, count: 15 + round % 20, addresses: addressCount)
            let directory = TemporaryDirectory("evidence-reference")
            let graph = try Self.graph(rows, directory)
            let listed = (0..<addressCount).filter { _ in Bool.random(using: &random) }.map(Self.address)
            try graph.importTags(listed.map { TagRecord(address: $0, tag: "w") })
            let live = rows.filter(Self.counts)
            let maxHops = 1 + round % 3
            for targetIndex in 0..<addressCount {
                let target = Self.address(targetIndex)
                guard try graph.read({ try $0.addressID(target) }) != nil else { continue }
                // Fewest hops from each listed address, by exhaustive search of walks ending at the target.
                var fewest: [String: Int] = [:]
                func walk(_ at: String, after: Int, hops: Int, source: String) {
                    if at == target && hops > 0 {
                        fewest[source] = min(fewest[source] ?? .max, hops)
                        return
                    }
                    guard hops < maxHops else { return }
                    for row in live where row.from == at && row.index > after {
                        walk(row.to, after: row.index, hops: hops + 1, source: source)
                    }
                }
                for source in listed where source != target { walk(source, after: -1, hops: 0, source: source) }
                let subgraph = try graph.explain(target, watchlist: "w", maxHops: maxHops)
                #expect(
                    Dictionary(uniqueKeysWithValues: subgraph.paths.map { ($0.source, $0.hops) }) == fewest,
                    "round \(round) target \(target)")
                for path in subgraph.paths {
                    var at = path.source
                    var previous: (UInt64, UInt32) = (0, 0)
                    for (hop, transfer) in path.transfers.enumerated() {
                        #expect(transfer.from == at && transfer.from != transfer.to && !transfer.value.isZero)
                        #expect(hop == 0 || (transfer.block, transfer.logIndex) > previous, "time-respecting")
                        previous = (transfer.block, transfer.logIndex)
                        at = transfer.to
                    }
                    #expect(at == target)
                    checked += 1
                }
            }
        }
        print("evidence paths checked against brute force:", checked)
        #expect(checked >= 50)
    }
}
