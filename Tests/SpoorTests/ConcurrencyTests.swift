import Foundation
import Spoor
import SpoorTestSupport
import Testing

/// One `Graph` shared by many threads: concurrent queries see consistent snapshots while the writer ingests.
struct ConcurrencyTests {
    @Test func manyReadersAndOneWriterOnOneGraph() async throws {
        let directory = TemporaryDirectory("concurrency")
        let (graph, _) = try FixtureIngestTests.ingestedGraph(directory)
        // A second file of 400 transfers between two new addresses, ingested while readers run.
        var lines = ["tx_hash,block_number,block_timestamp,from_address,to_address,value,asset,log_index"]
        for n in 0..<400 {
            let hash = "0x" + String(repeating: "f", count: 56) + String(format: "%08x", n)
            lines.append("\(hash),\(200 + n),\(5000 + n),\(FixtureIngestTests.address("e5")),\(FixtureIngestTests.address("f6")),1,,0")
        }
        let file = try directory.write(lines.joined(separator: "\n") + "\n", to: "more.csv")
        let counts = try await withThrowingTaskGroup(of: [Int].self) { group in
            group.addTask {
                _ = try graph.ingestTransfers(files: [file], options: TransfersIngestOptions(batchSize: 50))
                return []
            }
            for _ in 0..<6 {
                group.addTask {
                    var seen: [Int] = []
                    for _ in 0..<20 {
                        let rows = try graph.query("MATCH (a:Address)-[t:TRANSFER]->(b:Address) RETURN count(*)").all()
                        guard case .integer(let count)? = rows.first?.first else { return [-1] }
                        seen.append(Int(count))
                    }
                    return seen
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append(contentsOf: $1) }
        }
        // Every snapshot holds the 8 fixture transfers plus whole batches of 50: never a torn batch.
        #expect(counts.allSatisfy { $0 >= 8 && $0 <= 408 && ($0 - 8) % 50 == 0 }, "\(counts)")
        #expect(try graph.query("MATCH ()-[t:TRANSFER]->() RETURN count(*)").all() == [[.integer(408)]])
    }
}
