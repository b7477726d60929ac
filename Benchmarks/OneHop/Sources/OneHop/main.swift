// A small release harness for the latency of a 1-hop query (p50/p90/p99 over 20,000 runs on the benchmark store):
// `cd Benchmarks/OneHop && swift build -c release && .build/release/OneHop /tmp/spoor-bench/query-1000000.spoor [query|uncached|run|prepare|reader|all]`
import Foundation
import Spoor

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/tmp/spoor-bench/query-1000000.spoor"
let graph = try Graph.open(at: path, mode: .readOnly)
// The benchmark's anchors: 1,000 addresses drawn (seeded) from all addresses by degree order.
let random: [String] = try graph.read { reader in
    var degrees: [(UInt64, String)] = []
    try reader.forEachAddress { record in
        degrees.append((record.degree, record.address))
        return true
    }
    degrees.sort { $0.0 > $1.0 }
    var state: UInt64 = 2026
    return (0..<1000).map { _ -> String in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return degrees[Int(state >> 33) % degrees.count].1
    }
}
let text = "MATCH (a:Address {address: $a})-[t:TRANSFER]->(b:Address) RETURN b.address, t.value"
let prepared = try PreparedQuery.prepare(text)

func measure(_ label: String, iterations: Int = 20_000, _ body: (String) throws -> Int) rethrows {
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    var rows = 0
    for index in 0..<(iterations + 1000) {
        let address = random[index % random.count]
        let start = DispatchTime.now().uptimeNanoseconds
        rows += try body(address)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1000
        if index >= 1000 { samples.append(elapsed) }
    }
    samples.sort()
    func p(_ q: Double) -> String { String(format: "%.1f", samples[Int(Double(samples.count - 1) * q)]) }
    print("\(label): p50 \(p(0.5)) µs, p90 \(p(0.9)) µs, p99 \(p(0.99)) µs (rows \(rows))")
}

let mode = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "all"
if mode == "all" || mode == "query" {
    try measure("graph.query(text)") { try graph.query(text, parameters: ["a": .string($0)]).all().count }
}
if mode == "all" || mode == "uncached" {
    // What graph.query did before the cache: prepare the text, then run it.
    try measure("prepare + graph.run (old graph.query)") {
        try graph.run(try PreparedQuery.prepare(text), parameters: ["a": .string($0)]).all().count
    }
}
if mode == "all" || mode == "run" {
    try measure("graph.run(prepared)") { try graph.run(prepared, parameters: ["a": .string($0)]).all().count }
}
if mode == "all" || mode == "prepare" {
    try measure("PreparedQuery.prepare") { _ in try PreparedQuery.prepare(text).columns.count }
}
if mode == "all" || mode == "reader" {
    try measure("reader incidences") { address in
        try graph.read { reader in try reader.addressID(address).map { try reader.incidences(of: $0).count } ?? 0 }
    }
}
