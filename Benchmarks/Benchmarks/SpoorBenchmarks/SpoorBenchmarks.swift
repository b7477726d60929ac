import Benchmark

/// The suites: queries (the 1M-transfer store), chain ingest and clustering (a generated Bitcoin chain), exposure
/// and the batch scan (a 1M-transfer store with a planted watchlist). Fixtures are built once under
/// `SPOOR_BENCH_DIR` (default /tmp/spoor-bench) and reused by later runs; see README.md.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident, .mallocCountTotal],
        warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 10_000)
    registerQueryBenchmarks()
    registerChainBenchmarks()
    registerAnalyticsBenchmarks()
}
