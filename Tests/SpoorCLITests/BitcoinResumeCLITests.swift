import Foundation
import SpoorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `spoor ingest --format bitcoin-blk` killed with SIGKILL part-way and run again ends with the same store as an
/// uninterrupted ingest (new blocks appended later: `BitcoinIngestTests.appendedBlocksAreAddedAndStaleOnesIgnored`).
@Suite struct BitcoinResumeCLITests {
    static let probes = [
        "MATCH (t:Transaction) RETURN count(t), sum(t.fee), sum(t.value), sum(t.inputs), sum(t.outputs)",
        "MATCH (a:Address)-[s:SENT]->(t:Transaction)-[p:PAID]->(b:Address) WHERE t.block % 37 = 5 "
            + "RETURN a.address, t.txid, s.index, p.index, p.value, b.address ORDER BY t.txid, s.index, p.index LIMIT 40",
        "MATCH (a:Address) WITH a ORDER BY a.txCount DESC, a.address LIMIT 3 "
            + "MATCH (a)-[r:TRANSFER]->(b) RETURN a.address, count(r), sum(r.value)",
    ]

    /// 300 blocks of about 40 transactions (12k transactions) in 3 out-of-order files with 2 stale blocks,
    /// written in batches of 500 transactions (about 25 write transactions).
    @Test func sigkillAndResumeEqualsAnUninterruptedIngest() throws {
        let directory = TemporaryDirectory("cli-btc-resume")
        let chain = directory.appending("chain")
        let generated = try Spoor.run([
            "generate", "bitcoin", "--out", chain, "--blocks", "300", "--seed", "77", "--transactions-per-block", "40",
            "--files", "3", "--out-of-order", "--stale-blocks", "2",
        ])
        try #require(generated.status == 0, "\(generated)")
        let reference = directory.appending("reference")
        let resumed = directory.appending("resumed")
        let arguments = ["--format", "bitcoin-blk", "--network", "regtest", "--batch-size", "500", chain]

        let clock = ContinuousClock()
        let started = clock.now
        let full = try Spoor.run(["ingest", reference] + arguments)
        try #require(full.status == 0, "\(full)")
        #expect(full.stderr.contains("300 blocks added") && full.stderr.contains("2 stale blocks ignored"), "\(full)")
        let elapsed = clock.now - started
        let fullSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        var killedRuns = 0
        var sawPartial = false
        for fraction in [0.35, 0.6, 0.85] {
            let child = try Spoor.start(["ingest", resumed] + arguments)
            Thread.sleep(forTimeInterval: max(0.2, fullSeconds * fraction))
            let wasRunning = child.process.isRunning
            child.kill()
            let result = child.finish()
            if wasRunning && result.killedBySignal && result.status == SIGKILL { killedRuns += 1 }
            guard FileManager.default.fileExists(atPath: resumed + "/data.mdb") else { continue }
            let transactions = ((try statsJSON(resumed)["counts"] as? [String: Any])?["transactions"] as? NSNumber)?.intValue ?? 0
            let all = ((try statsJSON(reference)["counts"] as? [String: Any])?["transactions"] as? NSNumber)?.intValue ?? 0
            if transactions > 0 && transactions < all { sawPartial = true }
            let verify = try Spoor.run(["verify", resumed])
            #expect(verify.status == 0, "after a kill at \(fraction): \(verify)")
        }
        #expect(killedRuns > 0, "at least one run was killed while running")
        #expect(sawPartial, "at least one kill left part of the chain committed")

        let finish = try Spoor.run(["ingest", resumed] + arguments)
        #expect(finish.status == 0 && finish.stderr.contains("already stored"), "\(finish)")
        #expect(try statsJSON(reference)["counts"] as? NSDictionary == (try statsJSON(resumed)["counts"] as? NSDictionary))
        for probe in Self.probes {
            let a = try Spoor.run(["query", reference, probe, "--format", "csv"])
            let b = try Spoor.run(["query", resumed, probe, "--format", "csv"])
            #expect(a.status == 0 && b.status == 0, "\(a)\n\(b)")
            #expect(a.stdout.split(whereSeparator: \.isNewline).count > 1, "\(probe): \(a)")
            #expect(a.stdout == b.stdout, "\(probe)")
        }
        // Run again: nothing is added.
        let again = try Spoor.run(["ingest", resumed] + arguments)
        #expect(again.status == 0 && again.stderr.contains("0 blocks added (300 already stored)"), "\(again)")
    }
}
