import Foundation
import Testing
@testable import SpoorStore
import SpoorTestSupport

/// `Store.compact`: free pages go, the data stays, and a stop at any step leaves a sound store.
@Suite struct CompactionTests {
    /// A store of 3,000 transfers among 60 addresses written in 30 batches: every batch rewrites the open chunks
    /// and records it touches, so LMDB's free list grows.
    static func makeStore(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.appending("store")
        let store = try Store.open(at: path, mode: .readWrite)
        let writer = try store.makeWriter()
        var rng = SeededGenerator(seed: 7)
        let names = (0..<60).map { "0x" + String(format: "%040x", $0) }
        var transfers: [TransferInput] = []
        for n in 0..<3000 {
            transfers.append(
                StoreTests.transfer(
                    n, from: names[Int.random(in: 0..<60, using: &rng)], to: names[Int.random(in: 0..<60, using: &rng)],
                    value: rng.next() >> 20, block: UInt64(n / 10), log: UInt32(n % 10)))
        }
        for start in stride(from: 0, to: transfers.count, by: 100) {
            try writer.append(Array(transfers[start..<start + 100]))
        }
        return path
    }

    /// Everything a reader sees: counts and every address's record and stream, as text.
    static func snapshot(_ path: String) throws -> [String] {
        let store = try Store.open(at: path, mode: .readOnly)
        return try store.read { reader in
            var lines = ["\(try reader.counts())"]
            try reader.forEachAddress { record in
                lines.append("\(record)")
                for incidence in try reader.incidences(of: record.id) { lines.append("  \(incidence)") }
                return true
            }
            for raw in 0..<(try reader.counts().transactions) {
                let record = try #require(try reader.transaction(TxID(raw)))
                lines.append("tx \(raw) \(record.hash.hexText) → \(String(describing: try reader.transactionID(hash: record.hash)))")
            }
            #expect(try reader.verify().problems == [])
            return lines
        }
    }

    static func size(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? NSNumber)?.intValue ?? -1
    }

    /// Free pages as `mdb_stat -ef` (LMDB's own tool) counts them, when it is installed.
    static func mdbStatFreePages(_ path: String) -> Int? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mdb_stat")
        process.arguments = ["-ef", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.contains("Free pages:") }
        return line.flatMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") }
    }

    @Test func compactionDropsTheFreePagesAndKeepsEveryRecord() throws {
        let directory = TemporaryDirectory("compact")
        let path = try Self.makeStore(directory)
        let before = try Self.snapshot(path)
        let sizeBefore = try Self.size(path)
        let freeByTool = Self.mdbStatFreePages(path)

        let result = try Store.compact(at: path)
        #expect(result.performed)
        #expect(result.bytesBefore == sizeBefore)
        if let freeByTool { #expect(result.freePagesBefore == freeByTool, "the free list as mdb_stat -ef counts it") }
        #expect(result.freePagesBefore > 0)
        #expect(result.bytesAfter == (try Self.size(path)))
        // The copy leaves out at least the free pages (and the free list's own pages).
        #expect(result.bytesAfter <= sizeBefore - result.freePagesBefore * result.pageSize)
        if let freeAfter = Self.mdbStatFreePages(path) { #expect(freeAfter == 0) }
        #expect(try Self.snapshot(path) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "/" + compactionFileName))

        // The compacted store takes more batches, and compacting again finds nothing to free.
        let store = try Store.open(at: path, mode: .readWrite)
        try store.makeWriter().append([
            StoreTests.transfer(9_000, from: "0x" + String(repeating: "a", count: 40), to: "0x" + String(repeating: "b", count: 40),
                                value: 5, block: 10_000, log: 0)
        ])
        try store.read { (reader) throws in #expect(try reader.verify().problems == []) }
    }

    @Test func belowTheThresholdNothingIsWritten() throws {
        let directory = TemporaryDirectory("compact-threshold")
        let path = try Self.makeStore(directory)
        let sizeBefore = try Self.size(path)
        let result = try Store.compact(at: path, minimumFreeFraction: 0.2, minimumFreeBytes: 1 << 40)
        #expect(!result.performed)
        #expect(result.bytesAfter == sizeBefore)
        #expect(try Self.size(path) == sizeBefore)
        let all = try Store.compact(at: path, minimumFreeFraction: 1)
        #expect(!all.performed, "free pages are never the whole file")
    }

    @Test func refusedWhileTheStoreIsOpen() throws {
        let directory = TemporaryDirectory("compact-open")
        let path = try Self.makeStore(directory)
        let store = try Store.open(at: path, mode: .readOnly)
        #expect(throws: StoreError.self) { try Store.compact(at: path) }
        do {
            _ = try Store.compact(at: path)
        } catch StoreError.inUse(let named, _) {
            #expect(named == path)
        } catch {
            Issue.record("expected inUse, got \(error)")
        }
        _ = store
    }

    struct Killed: Error {}

    /// A kill at each step, simulated by throwing there without any cleanup the kill would not do either: the store
    /// opens sound with the same contents, and the next compaction finishes.
    @Test(arguments: CompactionStep.allCases)
    func aStopAtAnyStepLeavesASoundStore(step: CompactionStep) throws {
        let directory = TemporaryDirectory("compact-kill")
        let path = try Self.makeStore(directory)
        let before = try Self.snapshot(path)
        let sizeBefore = try Self.size(path)
        #expect(throws: Killed.self) {
            _ = try Store.compact(at: path, minimumFreeFraction: 0) { at in
                if at == step { throw Killed() }
            }
        }
        // Before the rename the old file is intact; after it the new one is in place.
        #expect((try Self.size(path) < sizeBefore) == (step == .renamed))
        #expect(try Self.snapshot(path) == before)
        // A partial copy left behind (by a real kill) is removed by the next writable open.
        try Data("partial".utf8).write(to: URL(fileURLWithPath: path + "/" + compactionFileName))
        _ = try Store.open(at: path, mode: .readWrite)
        #expect(!FileManager.default.fileExists(atPath: path + "/" + compactionFileName))
        let result = try Store.compact(at: path)
        #expect(result.performed)
        #expect(try Self.snapshot(path) == before)
    }
}
