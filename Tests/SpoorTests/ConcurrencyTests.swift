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

struct QueryResultCancellationTests {
    /// Cancels on a thread of its own: a dispatch queue may get no worker while test tasks hold every core.
    static func cancel(_ cancellation: QueryCancellation, after microseconds: UInt32) {
        Thread.detachNewThread {
            usleep(microseconds)
            cancellation.cancel()
        }
    }

    @Test func cancelStopsAStoreQuery() throws {
        let directory = TemporaryDirectory("cancel")
        let (graph, _) = try FixtureIngestTests.ingestedGraph(directory)
        let result = try graph.query("MATCH (a:Address)-[t:TRANSFER]->(b:Address) RETURN a.address, b.address")
        #expect(try result.next() != nil)
        result.cancel()
        do {
            _ = try result.next()
            Issue.record("expected a cancelled error")
        } catch let error as QueryError {
            #expect(error.kind == .cancelled)
        }
        #expect(result.cancellation.isCancelled)
    }

    @Test func cancelFromAnotherThreadStopsALongPull() throws {
        let directory = TemporaryDirectory("cancel")
        let (graph, _) = try FixtureIngestTests.ingestedGraph(directory)
        // The 7 addresses nine times over (40M rows): one long pull, an aggregation over the whole product.
        let product = "abcdefghi".map { "(\($0):Address)" }.joined(separator: ", ")
        let result = try graph.query(
            "MATCH \(product) RETURN count(*)",
            limits: QueryLimits(timeout: .seconds(60), maxExpansions: .max))
        let cancellation = result.cancellation
        let started = ContinuousClock.now
        Self.cancel(cancellation, after: 50_000)
        do {
            _ = try result.all()
            Issue.record("expected a cancelled error")
        } catch let error as QueryError {
            #expect(error.kind == .cancelled)
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
