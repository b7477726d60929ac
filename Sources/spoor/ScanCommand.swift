import ArgumentParser
import Foundation
import Spoor

/// `spoor scan STORE --watchlist TAG --policy haircut|poison|fifo --max-hops N [--addresses FILE] --out FILE
/// [--format jsonl|csv]`
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Exposure of every address (or a list) to a watchlist, in one pass over the chain.",
        discussion: """
            One multi-source taint propagation from every address tagged with the watchlist, forward in chain \
            order (incoming exposure) and, on a second thread, backward (outgoing exposure); the rules are the README's "Analytics: \
            taint and exposure". The report (schema: Schemas/scan-report.schema.json) starts with a header record \
            (format version, data position, every parameter, sha256 of the sorted watchlist), then one row per \
            address sorted by address; the same store and parameters give the same bytes.

            The state is checkpointed to OUT.checkpoint every --checkpoint-every transfers (written to a temporary \
            file, then renamed), but not more often than every --checkpoint-seconds (by default 30 s unless \
            --checkpoint-every is given), so a fast scan does not spend its time saving state. A scan that is \
            interrupted resumes from the checkpoint when run again with the same parameters on the same data, and \
            writes the same report; a checkpoint of an older format is refused (delete it to start over). Progress (rate, ETA) is drawn on stderr \
            when it is a terminal.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The watchlist tag (for example ofac).")
    var watchlist: String

    @Option(help: "Taint policy: haircut, poison or fifo.")
    var policy: String = "haircut"

    @Option(name: .customLong("max-hops"), help: "Indirect exposure counts taint arriving within this many hops.")
    var maxHops: Int = 3

    @Option(name: .customLong("stop-at"), help: "A tag of service addresses that absorb taint (repeatable).")
    var stopAt: [String] = ["exchange"]

    @Option(help: "A token contract to scan instead of the native coin.")
    var asset: String?

    @Option(name: .customLong("min-taint"), help: "Drop taint below this amount (base units).")
    var minTaint: String = "0"

    @Option(help: ArgumentHelp("Report only these addresses (one per line, # comments).", valueName: "file"))
    var addresses: String?

    @Option(help: ArgumentHelp("Where the report goes.", valueName: "file"))
    var out: String

    @Option(help: "Report format: jsonl or csv.")
    var format: String = "jsonl"

    @Option(
        name: .customLong("risk-levels"),
        help: ArgumentHelp("Risk thresholds (default: Schemas/risk-levels.json's values).", valueName: "file")
    )
    var riskLevels: String?

    @Option(name: .customLong("checkpoint-every"), help: "Transfers between checkpoints (0: none; default 500000).")
    var checkpointEvery: Int?

    @Option(
        name: .customLong("checkpoint-seconds"),
        help: "Least seconds between two checkpoints written (default 30, or 0 when --checkpoint-every is given)."
    )
    var checkpointSeconds: Double?

    func validate() throws {
        guard TaintPolicy(rawValue: policy.lowercased()) != nil else {
            throw ValidationError("--policy must be haircut, poison or fifo, found '\(policy)'")
        }
        guard ScanReportFormat(rawValue: format.lowercased()) != nil else {
            throw ValidationError("--format must be jsonl or csv, found '\(format)'")
        }
        guard (0...1_000).contains(maxHops) else {
            throw ValidationError("--max-hops must be 0 … 1000, found \(maxHops)")
        }
        guard Amount(decimal: minTaint) != nil else {
            throw ValidationError("--min-taint must be a decimal amount, found '\(minTaint)'")
        }
        guard (checkpointEvery ?? 0) >= 0 else { throw ValidationError("--checkpoint-every must not be negative") }
        let seconds = checkpointSeconds ?? 0
        guard seconds.isFinite, seconds >= 0 else {
            throw ValidationError("--checkpoint-seconds must be a number of seconds, 0 or more")
        }
    }

    func run() async throws {
        let levels = try RiskLevels.load(path: riskLevels)
        var list: [String]?
        if let addresses {
            guard let text = try? String(contentsOfFile: addresses, encoding: .utf8) else {
                throw ValidationError("cannot read the address list \(addresses)")
            }
            list = text.split(whereSeparator: \.isNewline).compactMap { line in
                let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                let trimmed = content.trimmingCharacters(in: .whitespaces)
                return trimmed.isEmpty ? nil : StoreGraph.canonicalAddress(trimmed)
            }
        }
        let parameters = ScanParameters(
            watchlist: watchlist,
            policy: TaintPolicy(rawValue: policy.lowercased()) ?? .haircut,
            maxHops: maxHops,
            asset: asset.map { StoreGraph.canonicalAddress($0) },
            stopAt: Array(Set(stopAt)).sorted(),
            minTaint: Amount(decimal: minTaint) ?? .zero,
            addressesSHA256: list.map { ExposureScan.sha256(lines: Array(Set($0)).sorted()) }
        )
        // Test hook: stop (as if killed) after this many checkpoints.
        let stopAfter = ProcessInfo.processInfo.environment["SPOOR_SCAN_STOP_AFTER_CHECKPOINTS"].flatMap(Int.init)
        let graph = try Graph.open(at: storeOptions.store, mode: .readOnly)
        let line = ScanProgressLine(enabled: Terminal.standardErrorIsTerminal)
        let clock = ContinuousClock()
        let start = clock.now
        var phases: [(phase: String, seconds: Double)] = []
        let outcome = try graph.read { reader in
            // A second snapshot lets the transfers load on two threads.
            let loadingReader = try graph.read { $0 }
            let scan = ExposureScan(
                reader: reader,
                parameters: parameters,
                riskLevels: levels,
                addresses: list,
                loadingReader: loadingReader
            )
            defer { phases = scan.phaseSeconds }
            return try scan.run(
                output: out,
                format: ScanReportFormat(rawValue: format.lowercased()) ?? .jsonl,
                checkpointPath: out + ".checkpoint",
                checkpointEvery: checkpointEvery ?? 500_000,
                checkpointSeconds: checkpointSeconds ?? (checkpointEvery == nil ? 30 : 0),
                stopAfterCheckpoints: stopAfter
            ) { progress in line.update(progress) }
        }
        line.finish()
        let seconds =
            Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
        switch outcome {
        case .finished(let rows):
            Terminal.writeStandardError(
                "spoor: scanned \(rows) addresses in \(ProgressLine.fixed(seconds, digits: 2)) s → \(out)"
                    + (phases.isEmpty
                        ? ""
                        : " ("
                            + phases.map { "\($0.phase) \(ProgressLine.fixed($0.seconds, digits: 2)) s" }.joined(
                                separator: ", "
                            ) + ")")
                    + "\n"
            )
        case .interrupted(let checkpoints):
            Terminal.writeStandardError("spoor: stopped after \(checkpoints) checkpoint(s); run again to resume\n")
            throw ExitCode(75)
        }
    }
}

/// The progress line of a scan: phase, transfers per second, percentage, ETA (only on a terminal).
final class ScanProgressLine {
    private let enabled: Bool
    private let clock = ContinuousClock()
    private var phaseStart: (TaintDirection, ContinuousClock.Instant, Int)?
    private var lastDraw: ContinuousClock.Instant?
    private var width = 0

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ progress: ScanProgress) {
        guard enabled else { return }
        let now = clock.now
        if phaseStart?.0 != progress.phase { phaseStart = (progress.phase, now, progress.done) }
        if let lastDraw, now - lastDraw < .milliseconds(100), progress.done < progress.total { return }
        lastDraw = now
        let elapsed =
            Double((now - (phaseStart?.1 ?? now)).components.seconds)
            + Double((now - (phaseStart?.1 ?? now)).components.attoseconds) / 1e18
        let done = progress.done - (phaseStart?.2 ?? 0)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var parts = [
            "spoor: scan", progress.phase.rawValue, rate > 0 ? "\(Int(rate.rounded())) transfers/s" : "- transfers/s",
        ]
        parts.append("\(progress.done)/\(progress.total)")
        if progress.total > 0 { parts.append("\(progress.done * 100 / progress.total)%") }
        if rate > 0, elapsed > 0.5, progress.done < progress.total {
            parts.append("ETA " + ProgressLine.duration(Double(progress.total - progress.done) / rate))
        }
        let text = parts.joined(separator: "  ")
        Terminal.writeStandardError("\r" + text + String(repeating: " ", count: max(0, width - text.count)))
        width = text.count
    }

    func finish() {
        guard enabled, width > 0 else { return }
        Terminal.writeStandardError("\r" + String(repeating: " ", count: width) + "\r")
    }
}
