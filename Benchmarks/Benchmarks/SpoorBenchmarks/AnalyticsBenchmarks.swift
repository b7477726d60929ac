import Benchmark
import Foundation
import Spoor

enum AnalyticsMetrics {
    static let p50 = BenchmarkMetric.custom("p50 per answer (µs)", useScalingFactor: false)
    static let p95 = BenchmarkMetric.custom("p95 per answer (µs)", useScalingFactor: false)
    static let answers = BenchmarkMetric.custom("answers", useScalingFactor: false)
    static let exposed = BenchmarkMetric.custom("answers with minimal hop <= 3", useScalingFactor: false)
    static let transfersPerSecond = BenchmarkMetric.custom(
        "transfersPerSecond", polarity: .prefersLarger, useScalingFactor: false)
    static let rows = BenchmarkMetric.custom("report rows", useScalingFactor: false)
}

func registerAnalyticsBenchmarks() {
    let size = "\(WatchlistFixture.transfers / 1_000_000)M transfers"

    // Exposure of one address at a time (haircut, 3 hops, 3 evidence paths each way, through the facade as an
    // application calls it) for 3 × 20 targets: direct receivers of listed addresses, receivers of those, random
    // addresses. One sample answers all of them; the percentiles are over the answers of the sample.
    Benchmark(
        "Exposure 3 hops with evidence (\(size), \(3 * WatchlistFixture.targetsPerKind) addresses)",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal, AnalyticsMetrics.p50, AnalyticsMetrics.p95,
                      AnalyticsMetrics.answers, AnalyticsMetrics.exposed],
            warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 2)
    ) { benchmark in
        let (graph, targets) = try WatchlistFixture.shared.get()
        let clock = ContinuousClock()
        var times: [Double] = []
        var exposed = 0
        benchmark.startMeasurement()
        for target in targets {
            let start = clock.now
            let report = try graph.exposure(of: [target], watchlist: WatchlistFixture.tag)
            times.append((clock.now - start).microseconds)
            if let hop = report?.minimalHop, hop <= 3 { exposed += 1 }
            blackHole(report)
        }
        benchmark.stopMeasurement()
        times.sort()
        benchmark.measurement(AnalyticsMetrics.p50, Int(percentile(times, 0.50)))
        benchmark.measurement(AnalyticsMetrics.p95, Int(percentile(times, 0.95)))
        benchmark.measurement(AnalyticsMetrics.answers, times.count)
        benchmark.measurement(AnalyticsMetrics.exposed, exposed)
    }

    // The batch scan as `spoor scan --watchlist watch --policy haircut --max-hops 3` runs it: every address, one
    // forward and one backward propagation in chain order, checkpoints every 500k transfers (at most every 30 s), a
    // JSON-lines report.
    Benchmark(
        "Batch scan haircut max-hops 3 (\(size))",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .mallocCountTotal, AnalyticsMetrics.transfersPerSecond,
                      AnalyticsMetrics.rows],
            warmupIterations: 0, maxDuration: .seconds(300), maxIterations: 3)
    ) { benchmark in
        let (graph, _) = try WatchlistFixture.shared.get()
        let output = "\(Environment.directory)/scan-\(UUID().uuidString).jsonl"
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: output + ".checkpoint")
        }
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        // As `spoor scan` runs it: a second snapshot to load on two threads, checkpoints every 500k transfers but at
        // most every 30 s.
        let outcome = try graph.read { reader in
            let loadingReader = try graph.read { $0 }
            return try ExposureScan(
                reader: reader, parameters: ScanParameters(watchlist: WatchlistFixture.tag, policy: .haircut, maxHops: 3),
                riskLevels: .defaults, addresses: nil, loadingReader: loadingReader
            ).run(output: output, format: .jsonl, checkpointPath: output + ".checkpoint", checkpointSeconds: 30)
        }
        let seconds = (clock.now - start).seconds
        benchmark.stopMeasurement()
        let transfers = try graph.statistics().counts.transfers
        benchmark.measurement(AnalyticsMetrics.transfersPerSecond, Int(Double(transfers) / seconds))
        if case .finished(let rows) = outcome { benchmark.measurement(AnalyticsMetrics.rows, rows) }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var microseconds: Double { Double(components.seconds) * 1e6 + Double(components.attoseconds) / 1e12 }
}
