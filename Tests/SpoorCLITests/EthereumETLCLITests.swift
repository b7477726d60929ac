import Foundation
import SpoorTestSupport
import Testing

/// `spoor ingest --format ethereum-etl` on the real samples in ../shared/data/ethereum.
///
/// Expected figures: `Tests/Fixtures/ethereum_etl_expected.py` (python3's csv module on the same files).
@Suite struct EthereumETLCLITests {
    static let sample = TestPaths.sharedData + "/ethereum/blocks_17173049_17173050"

    @Test func ingestsADirectoryAndSaysWhatItDid() throws {
        let directory = TemporaryDirectory("cli-eth")
        let store = directory.appending("store")
        let result = try Spoor.run(["ingest", store, "--format", "ethereum-etl", Self.sample])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "")
        // python: 418 transfers (127 native, 291 token), 298 transactions, 9 failed, 163 zero-value of which 1 failed.
        #expect(result.stderr.hasPrefix("rows 418, added 418, duplicates 0, rejected 0, "), "\(result)")
        #expect(
            result.stderr.contains(
                "\ntransactions 298 (new 298), native 127, internal 0, token 291, failed transactions 9, "
                    + "zero-value skipped 162\n"), "\(result)")
        let counts = try statsCounts(store)
        #expect(counts["transfers"] == 418 && counts["transactions"] == 298 && counts["assets"] == 76, "\(counts)")
        // One source per input file, each complete.
        let sources = (try statsJSON(store)["sources"] as? [[String: Any]]) ?? []
        #expect(sources.count == 4)
        #expect(
            sources.allSatisfy {
                $0["complete"] as? Bool == true && ($0["source"] as? String ?? "").hasPrefix("ethereum-etl:")
            })

        let again = try Spoor.run(["ingest", store, "--format", "ethereum-etl", Self.sample])
        #expect(again.status == 0, "\(again)")
        #expect(
            again.stderr.hasPrefix("rows 0, added 0, duplicates 418, rejected 0, files already ingested 4, "),
            "\(again)")
        #expect(try statsCounts(store) == counts)
        #expect(try Spoor.run(["verify", store]).status == 0)
    }

    @Test func keepZeroAddsTheZeroValueEdges() throws {
        let directory = TemporaryDirectory("cli-eth-zero")
        let store = directory.appending("store")
        let result = try Spoor.run(["ingest", store, "--format", "ethereum-etl", "--keep-zero", Self.sample])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.hasPrefix("rows 580, added 580, "), "\(result)")  // python --keep-zero: 580
        #expect(try statsCounts(store)["transfers"] == 580)
    }

    @Test func theTornadoCashTransferAnswersAQuery() throws {
        let directory = TemporaryDirectory("cli-eth-torn")
        let store = directory.appending("store")
        let file = TestPaths.sharedData + "/ethereum/token_transfers_15320500_15320589.csv"
        let ingest = try Spoor.run(["ingest", store, "--format", "ethereum-etl", file])
        #expect(ingest.status == 0, "\(ingest)")
        let result = try Spoor.run([
            "query", store, "MATCH (a:Address)-[t:TRANSFER]->(b:Address {address: $x}) RETURN a.address, t.value",
            "--param", "x=0x2f50508a8a3d323b91336fa3ea6ae50e55f32185", "--format", "csv",
        ])
        #expect(result.status == 0, "\(result)")
        // shared/data/README.md and python: 2001 TORN (2001 * 10^18 units) from 0xa5737ad5….
        let lines = result.stdout.split(whereSeparator: \.isNewline).map(String.init)  // CSV output ends lines with CRLF
        #expect(
            lines == ["a.address,t.value", "0xa5737ad5e48ffaf7e321bd4a8be1abb1586bb786,2001000000000000000000"],
            "\(result)")
    }

    @Test func aMissingColumnFailsBeforeTheStoreIsCreated() throws {
        let directory = TemporaryDirectory("cli-eth-missing")
        let store = directory.appending("store")
        let file = try directory.write(
            "token_address,from_address,to_address,transaction_hash,log_index,block_number\n", to: "token_transfers.csv"
        )
        let result = try Spoor.run(["ingest", store, "--format", "ethereum-etl", Self.sample, file])
        #expect(result.status == 1, "\(result)")
        #expect(
            result.stderr == """
                error: \(file):1: bad header: missing column 'value': expected the columns \
                'token_address,from_address,to_address,value,transaction_hash,log_index,block_number' (any order, others \
                allowed), found 'token_address,from_address,to_address,transaction_hash,log_index,block_number'

                """, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    @Test func keepZeroIsForEthereumETLOnly() throws {
        let result = try Spoor.run(["ingest", "/tmp/x", "--format", "transfers-csv", "--keep-zero", "a.csv"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.hasPrefix("Error: --keep-zero applies to --format ethereum-etl only"), "\(result)")
    }
}

/// `spoor ingest --format ethereum-etl` killed with SIGKILL while it writes, then run again, ends with the same store
/// as an uninterrupted ingest.
@Suite struct EthereumETLResumeCLITests {
    @Test func sigkillWhileWritingThenResume() throws {
        let file = TestPaths.sharedData + "/ethereum/token_transfers_15320500_15320589.csv"
        let directory = TemporaryDirectory("cli-eth-kill")
        let reference = directory.appending("reference")
        let resumed = directory.appending("resumed")
        // 12,888 transfers in batches of 200: 65 write transactions.
        let full = try Spoor.run(["ingest", reference, "--format", "ethereum-etl", "--batch-size", "200", file])
        try #require(full.status == 0, "\(full)")

        // Kill as soon as `stats` shows a partly committed source (polled while the child runs).
        var sawPartial = false
        for _ in 0..<3 where !sawPartial {
            let child = try Spoor.start(["ingest", resumed, "--format", "ethereum-etl", "--batch-size", "200", file])
            while child.process.isRunning && !sawPartial {
                Thread.sleep(forTimeInterval: 0.01)
                guard FileManager.default.fileExists(atPath: resumed + "/data.mdb") else { continue }
                let stats = try Spoor.run(["stats", resumed, "--format", "json"])
                guard stats.status == 0,
                    let object = try? JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any],
                    let sources = object["sources"] as? [[String: Any]]
                else { continue }
                sawPartial = sources.contains {
                    $0["complete"] as? Bool == false && (($0["committedRows"] as? NSNumber)?.intValue ?? 0) > 0
                }
            }
            child.kill()
            _ = child.finish()
            #expect(try Spoor.run(["verify", resumed]).status == 0)
        }
        #expect(sawPartial, "a kill left a partly committed source (else the test proves little)")

        let finish = try Spoor.run(["ingest", resumed, "--format", "ethereum-etl", "--batch-size", "200", file])
        #expect(finish.status == 0, "\(finish)")
        let expected = try statsJSON(reference)
        let actual = try statsJSON(resumed)
        #expect(expected["counts"] as? NSDictionary == actual["counts"] as? NSDictionary)
        #expect(expected["sources"] as? NSArray == actual["sources"] as? NSArray)
        #expect(statsCountsFrom(actual)["transfers"] == 12_888)  // python: 12888 rows
        let probe = "MATCH (a:Address)-[t:TRANSFER]->(b:Address) WHERE t.block = 15320560 "
            + "RETURN a.address, b.address, t.value, t.logIndex ORDER BY t.logIndex, a.address, b.address"
        let a = try Spoor.run(["query", reference, probe, "--format", "csv"])
        let b = try Spoor.run(["query", resumed, probe, "--format", "csv"])
        #expect(a.status == 0 && !a.stdout.isEmpty && a.stdout == b.stdout)
    }

    func statsCountsFrom(_ object: [String: Any]) -> [String: Int] {
        ((object["counts"] as? [String: Any]) ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
    }
}
