import Foundation
import Spoor

/// The single updating progress line of a long ingest, drawn on stderr with `\r` (only on a terminal).
///
/// `spoor: transfers.csv  writing  120000 rows/s  84.0/120.5 MB  72%  ETA 0:04`
final class ProgressLine {
    private let enabled: Bool
    private let clock = ContinuousClock()
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false
    private var width = 0
    /// The first writing report of the current file: rates count from there (reading and resumed rows excluded).
    private var writingBase: (file: String, elapsed: Double, rows: Int)?

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Redraws at most ten times a second.
    func update(_ progress: IngestProgress) {
        guard enabled else { return }
        let now = clock.now
        if let lastDraw, now - lastDraw < .milliseconds(100), progress.fraction < 1 { return }
        lastDraw = now
        if progress.phase == .writing, writingBase?.file != progress.file {
            writingBase = (progress.file, progress.elapsed, progress.rowsCommitted)
        }
        let base = writingBase?.file == progress.file ? writingBase.map { ($0.elapsed, $0.rows) } : nil
        let text = Self.render(progress, writingBase: base)
        let padding = String(repeating: " ", count: max(0, width - text.count))
        width = text.count
        Terminal.writeStandardError("\r" + text + padding)
        drawn = true
    }

    /// Ends the line so that what follows starts on a fresh one.
    func finish() {
        guard enabled, drawn else { return }
        Terminal.writeStandardError("\r" + String(repeating: " ", count: width) + "\r")
        drawn = false
    }

    /// The text of one progress line.
    static func render(_ progress: IngestProgress, writingBase: (elapsed: Double, rows: Int)? = nil) -> String {
        let name = (progress.file as NSString).lastPathComponent
        let megabytes = 1_048_576.0
        let read = fixed(Double(progress.bytesRead) / megabytes, digits: 1)
        let total = fixed(Double(progress.totalBytes) / megabytes, digits: 1)
        let fraction = min(1, max(0, progress.fraction))
        var parts = [name, progress.phase.rawValue]
        switch progress.phase {
        case .reading:
            let rate = progress.elapsed > 0 ? Double(progress.bytesRead) / megabytes / progress.elapsed : 0
            parts.append("\(fixed(rate, digits: 1)) MB/s")
        case .writing:
            let (baseElapsed, baseRows) = writingBase ?? (0, 0)
            let seconds = progress.elapsed - baseElapsed
            let rate = seconds > 0 ? Double(progress.rowsCommitted - baseRows) / seconds : 0
            parts.append(rate > 0 ? "\(Int(rate.rounded())) rows/s" : "- rows/s")
            parts.append("\(progress.rowsCommitted)/\(progress.totalRows) rows")
        }
        parts.append("\(read)/\(total) MB")
        parts.append("\(Int((fraction * 100).rounded(.down)))%")
        switch progress.phase {
        case .reading:
            // Reading is about the first half of the work (IngestProgress.fraction).
            if fraction > 0.01, progress.elapsed > 0.5 {
                parts.append("ETA " + duration(progress.elapsed * (1 - fraction) / fraction))
            }
        case .writing:
            let (baseElapsed, baseRows) = writingBase ?? (0, 0)
            let done = progress.rowsCommitted - baseRows
            let seconds = progress.elapsed - baseElapsed
            if done > 0, seconds > 0.5, progress.rowsCommitted < progress.totalRows {
                parts.append("ETA " + duration(seconds * Double(progress.totalRows - progress.rowsCommitted) / Double(done)))
            }
        }
        return "spoor: " + parts.joined(separator: "  ")
    }

    /// `m:ss` or `h:mm:ss`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, (total / 60) % 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }

    /// A decimal with `digits` fraction digits, without locale-dependent formatting.
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "?" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        var fraction = String(scaled % Int(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return (value < 0 && scaled != 0 ? "-" : "") + (digits > 0 ? "\(whole).\(fraction)" : "\(whole)")
    }
}
