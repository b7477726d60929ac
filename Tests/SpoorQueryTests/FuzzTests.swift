import Foundation
import SpoorTestSupport
import Testing
@testable import SpoorQuery

/// Nothing a user types may crash the process: 100k seeded queries per run (mutated valid queries and random token
/// sequences, each half bounded to 60 s) either run or throw a `QueryError` whose range lies inside the text.
struct FuzzTests {
    /// `SPOOR_FUZZ_SEED` replaces the fixed seeds (`make fuzz` runs many); a failure message names the seed.
    static let seedOverride = ProcessInfo.processInfo.environment["SPOOR_FUZZ_SEED"].flatMap { UInt64($0) }

    static let seeds = [
        "MATCH (a:Address {address: 'a'})-[t:TRANSFER]->(b) WHERE t.value > 10 AND b.address STARTS WITH 'b' RETURN b.address, sum(t.value) ORDER BY b.address DESC SKIP 1 LIMIT 3",
        "MATCH (a)-[r:TRANSFER|PAID*1..3]-(b), (b)<-[s]-(c) WHERE a <> c OR NOT r IS NULL RETURN DISTINCT a, count(*) AS n",
        "UNWIND [1, 2.5, 'x', null, [3], {k: $p}] AS v WITH v WHERE v IN [1, 'x'] RETURN v, size(toString(v)), coalesce(v, -1) % 2",
        "OPTIONAL MATCH p = (a)-[*..2]->(b) RETURN [x IN nodes(p) WHERE x IS NOT NULL | id(x)][0..2], CASE WHEN a IS NULL THEN 0 ELSE 1 END",
    ]
    static let fragments = ["(", ")", "[", "]", "{", "}", "-", "->", "<-", "*", "..", ",", ":", "'", "\"", "`", "$p", "0",
                            "99999999999999999999", "NOT", "AND", "MATCH", "RETURN", "WITH", "null", " ", "\n", "é", "\\", "/*", "//"]

    /// Cypher's words and symbols, for random token sequences.
    static let tokens = ["MATCH", "OPTIONAL", "WHERE", "WITH", "RETURN", "UNWIND", "AS", "ORDER", "BY", "SKIP", "LIMIT",
                         "UNION", "ALL", "CALL", "YIELD", "DISTINCT", "AND", "OR", "XOR", "NOT", "IN", "IS", "NULL",
                         "CASE", "WHEN", "THEN", "ELSE", "END", "count(*)", "sum", "(", ")", "[", "]", "{", "}", "-",
                         "->", "<-", ":", ",", ".", "..", "*", "=", "<>", "<", ">=", "+", "/", "%", "^", "=~", "|", "a",
                         "b", "r", "Address", "TRANSFER", "value", "$p", "0", "1", "-1", "2.5", "'x'", "true", "null"]

    /// Random token sequences, seeded; about 100k queries per run together with the mutations below.
    @Test func randomTokenSequencesRunOrThrowQueryErrors() throws {
        var rng = SeededGenerator(seed: Self.seedOverride ?? 42_2026)
        let graph = Fixture.graph()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var ran = 0
        for iteration in 0..<50_000 where clock.now < deadline {
            let length = Int.random(in: 1...14, using: &rng)
            let query = (0..<length).map { _ in Self.tokens[Int.random(in: 0..<Self.tokens.count, using: &rng)] }
                .joined(separator: " ")
            do {
                let limits = QueryLimits(maxRows: 1000, timeout: .seconds(1), maxExpansions: 10_000)
                _ = try PreparedQuery.prepare(query).run(on: graph, parameters: ["p": .integer(1)], limits: limits).all()
            } catch {
                #expect(error.range.start >= 0 && error.range.end <= query.utf8.count + 1, "seed \(rng.seed) #\(iteration): \(query)")
            }
            ran += 1
        }
        #expect(ran >= 10_000)  // bounded in time; on a normal machine all 50,000 run
    }

    @Test func mutatedQueriesRunOrThrowQueryErrors() throws {
        var rng = SeededGenerator(seed: Self.seedOverride ?? 20261123)
        let graph = Fixture.graph()
        var errors = 0
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        for iteration in 0..<50_000 where clock.now < deadline {
            var text = Array(Self.seeds[iteration % Self.seeds.count])
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0...text.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0 where !text.isEmpty:
                    text.removeSubrange(min(position, text.count - 1)..<min(text.count, position + Int.random(in: 1...6, using: &rng)))
                case 1:
                    text.insert(contentsOf: Self.fragments[Int.random(in: 0..<Self.fragments.count, using: &rng)], at: position)
                default:
                    let cut = text.count > 1 ? Int.random(in: 0..<text.count, using: &rng) : 0
                    text = Array(text[cut...] + text[..<cut])
                }
            }
            let query = String(text)
            do {
                let prepared = try PreparedQuery.prepare(query)
                let limits = QueryLimits(maxRows: 1000, timeout: .seconds(1), maxExpansions: 10_000)
                let cursor = try prepared.run(on: graph, parameters: ["p": .integer(1)], limits: limits)
                _ = try cursor.all()
            } catch {
                errors += 1
                #expect(error.range.start >= 0 && error.range.end <= query.utf8.count + 1, "seed \(rng.seed) #\(iteration): \(query)")
                #expect(!error.rendered(in: query).isEmpty)
            }
        }
        #expect(errors > 1000)  // most mutations are malformed; they must all have been caught as QueryError
    }
}
