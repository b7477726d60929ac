import ArgumentParser
import Foundation
import Spoor

/// `spoor exposure STORE ADDRESS... --watchlist TAG [--policy P] [--max-hops N] [--cluster]`
struct ExposureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exposure",
        abstract: "Exposure of addresses to a watchlist, with evidence paths (one JSON object per line).",
        discussion: """
            Each address is answered on its own (or, with --cluster, all of them as one), following taint only \
            from the listed addresses as far as it reaches within --max-hops (README "Analytics: taint and \
            exposure"). Amounts are decimal strings. The time of each answer is measured; the count, p50 and p95 \
            go to stderr.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The addresses.", valueName: "address"))
    var addresses: [String]

    @Option(help: "The watchlist tag (for example ofac).")
    var watchlist: String

    @Option(help: "Taint policy: haircut, poison or fifo.")
    var policy: String = "haircut"

    @Option(name: .customLong("max-hops"), help: "Indirect exposure counts taint arriving within this many hops.")
    var maxHops: Int = 3

    @Option(name: .customLong("stop-at"), help: "A tag of service addresses that absorb taint (repeatable).")
    var stopAt: [String] = ["exchange"]

    @Option(name: .customLong("risk-levels"), help: ArgumentHelp("Risk thresholds file.", valueName: "file"))
    var riskLevels: String?

    @Flag(help: "Take all the addresses as one cluster.")
    var cluster = false

    func validate() throws {
        guard TaintPolicy(rawValue: policy.lowercased()) != nil else {
            throw ValidationError("--policy must be haircut, poison or fifo, found '\(policy)'")
        }
        guard (0...1_000).contains(maxHops) else {
            throw ValidationError("--max-hops must be 0 … 1000, found \(maxHops)")
        }
        guard !addresses.isEmpty else { throw ValidationError("give at least one address") }
    }

    struct Step: Encodable {
        var from, to, value, taint, tx: String
        var hop: Int
        var time: Int64
        var block: UInt64
    }

    struct Output: Encodable {
        var addresses: [String]
        var directIn, directOut, indirectIn, indirectOut, totalIn, totalOut: String
        var hopIn, hopOut, minimalHop: Int?
        var share: Double
        var risk: String
        var evidenceIn, evidenceOut: [[Step]]
        var milliseconds: Double
    }

    func run() async throws {
        let levels = try RiskLevels.load(path: riskLevels)
        let graph = try Graph.open(at: storeOptions.store, mode: .readOnly)
        let options = ExposureOptions(policy: TaintPolicy(rawValue: policy.lowercased()) ?? .haircut, maxHops: maxHops)
        let groups = cluster ? [addresses] : addresses.map { [$0] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let clock = ContinuousClock()
        var times: [Double] = []
        for group in groups {
            let start = clock.now
            let answer = try graph.read { reader -> Output? in
                let analytics = StoreAnalytics(reader: reader)
                let targets = try analytics.addressIDs(group.map(StoreGraph.canonicalAddress))
                guard !targets.isEmpty else { return nil }
                let report = try analytics.exposure(
                    of: targets,
                    watchlist: watchlist,
                    options: options,
                    stopAtTags: stopAt
                )
                func steps(_ path: ExposureEvidencePath) throws -> [Step] {
                    try path.steps.map { step in
                        Step(
                            from: try analytics.text(step.transfer.from),
                            to: try analytics.text(step.transfer.to),
                            value: step.transfer.value.description,
                            taint: step.taint.description,
                            tx: try reader.transaction(step.transfer.tx)?.hashText ?? "",
                            hop: step.hop,
                            time: step.transfer.time,
                            block: step.transfer.block
                        )
                    }
                }
                return Output(
                    addresses: group,
                    directIn: report.directIn.description,
                    directOut: report.directOut.description,
                    indirectIn: report.indirectIn.description,
                    indirectOut: report.indirectOut.description,
                    totalIn: report.totalIn.description,
                    totalOut: report.totalOut.description,
                    hopIn: report.hopIn,
                    hopOut: report.hopOut,
                    minimalHop: report.minimalHop,
                    share: report.share,
                    risk: levels.level(of: report),
                    evidenceIn: try report.evidenceIn.map(steps),
                    evidenceOut: try report.evidenceOut.map(steps),
                    milliseconds: 0
                )
            }
            let elapsed = clock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            times.append(milliseconds)
            guard var answer else {
                Terminal.writeStandardError("spoor: \(group.joined(separator: ",")) is not in the graph\n")
                continue
            }
            answer.milliseconds = (milliseconds * 1000).rounded() / 1000
            print(String(decoding: try encoder.encode(answer), as: UTF8.self))
        }
        let sorted = times.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        Terminal.writeStandardError(
            "spoor: \(times.count) answers, p50 \(ProgressLine.fixed(percentile(0.5), digits: 2)) ms, p95 \(ProgressLine.fixed(percentile(0.95), digits: 2)) ms, max \(ProgressLine.fixed(sorted.last ?? 0, digits: 2)) ms\n"
        )
    }
}
