import Foundation
import SpoorTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `spoor compact`, and the compaction `spoor ingest` does by itself.
@Suite struct CompactCLITests {
    /// 50,000 generated rows in batches of 2,500: LMDB's copy-on-write leaves about half the file on its free list
    /// (measured by hand with `spoor compact --if-free 1`: 3,027 free pages, 51.6% of 22.9 MiB).
    static func makeStore(_ directory: TemporaryDirectory, compact: Bool) throws -> (store: String, stderr: String) {
        let csv = directory.appending("transfers.csv")
        let generated = try Spoor.run(["generate", "transfers", "--count", "50000", "--seed", "3", "--out", csv])
        try #require(generated.status == 0, "\(generated)")
        let store = directory.appending("store")
        let result = try Spoor.run(
            ["ingest", store, "--format", "transfers-csv", "--batch-size", "2500", csv] + (compact ? [] : ["--no-compact"]))
        try #require(result.status == 0, "\(result)")
        return (store, result.stderr)
    }

    /// The first sender of the generated file (seed 3), its transfers both ways.
    static let probe = "MATCH (a:Address {address: '0x14914303fc65fd77886fb6150dd26ad5bbb61c80'})-[t:TRANSFER]-(b:Address) "
        + "RETURN b.address, t.value, t.block ORDER BY t.block, t.value, b.address LIMIT 25"

    static func query(_ store: String) throws -> String {
        let result = try Spoor.run(["query", store, Self.probe])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("7657327150566507546"), "the file's first row: \(result)")
        return result.stdout
    }

    @Test func compactPrintsWhatItSavedAndKeepsTheData() throws {
        let directory = TemporaryDirectory("cli-compact")
        let (store, stderr) = try Self.makeStore(directory, compact: false)
        #expect(!stderr.contains("compacted"), "--no-compact: \(stderr)")
        let counts = try statsCounts(store)
        let answer = try Self.query(store)
        let sizeBefore = try (FileManager.default.attributesOfItem(atPath: store + "/data.mdb")[.size] as? NSNumber)?.intValue ?? 0

        let result = try Spoor.run(["compact", store])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.hasPrefix("compacted: "), "\(result)")
        let sizeAfter = try (FileManager.default.attributesOfItem(atPath: store + "/data.mdb")[.size] as? NSNumber)?.intValue ?? 0
        #expect(sizeAfter < sizeBefore * 3 / 4, "\(sizeBefore) → \(sizeAfter)")
        #expect(try statsCounts(store) == counts)
        #expect(try Self.query(store) == answer)
        let verify = try Spoor.run(["verify", store])
        #expect(verify.status == 0 && verify.stdout.hasSuffix("sound\n"), "\(verify)")

        let again = try Spoor.run(["compact", store, "--if-free", "0.2"])
        #expect(again.status == 0 && again.stderr.hasPrefix("not compacted: 0 free pages"), "\(again)")
    }

    @Test func ingestCompactsWhenFreePagesPassTheThreshold() throws {
        let directory = TemporaryDirectory("cli-compact-ingest")
        let (store, stderr) = try Self.makeStore(directory, compact: true)
        #expect(stderr.contains("\ncompacted: "), "\(stderr)")
        let verify = try Spoor.run(["verify", store])
        #expect(verify.status == 0, "\(verify)")
    }

    /// SIGKILL at spread-out moments of `spoor compact` (the whole run takes ~0.1 s): every time the store verifies
    /// sound with the same counts and query answer, whether the kill landed before, during or after the copy.
    @Test func sigkillAtAnyMomentLeavesASoundStore() throws {
        let directory = TemporaryDirectory("cli-compact-kill")
        let (store, _) = try Self.makeStore(directory, compact: false)
        let counts = try statsCounts(store)
        let answer = try Self.query(store)
        var killed = 0
        for step in 0..<12 {
            let child = try Spoor.start(["compact", store])
            Thread.sleep(forTimeInterval: Double(step) * 0.01)
            let wasRunning = child.process.isRunning
            child.kill()
            let result = child.finish()
            if wasRunning && result.killedBySignal { killed += 1 }
            let verify = try Spoor.run(["verify", store])
            #expect(verify.status == 0 && verify.stdout.hasSuffix("sound\n"), "after a kill at \(step * 10) ms: \(verify)")
            #expect(try statsCounts(store) == counts)
            #expect(try Self.query(store) == answer)
        }
        #expect(killed > 0, "at least one kill landed while compact ran")
    }

    @Test func refusedWhileAnotherProcessHasTheStoreOpen() throws {
        let directory = TemporaryDirectory("cli-compact-busy")
        let (store, _) = try Self.makeStore(directory, compact: false)
        let input = Pipe()  // kept open, so the REPL waits for a statement with the store open
        let repl = try Spoor.start(["repl", store], standardInput: input)
        defer {
            repl.kill()
            _ = repl.finish()
        }
        Thread.sleep(forTimeInterval: 1.0)
        let result = try Spoor.run(["compact", store])
        #expect(result.status != 0, "\(result)")
        #expect(result.stderr.contains("is open in another process"), "\(result)")
    }
}
