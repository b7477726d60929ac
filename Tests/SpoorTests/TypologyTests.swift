import Foundation
import Spoor
import SpoorAnalytics
import SpoorIngest
import SpoorTestSupport
import Testing

/// The typology detectors on the hand-made `Tests/Fixtures/typologies.csv` (every expected finding is worked out by
/// hand in `Tests/Fixtures/README.md`), and on generated data with planted cases.
@Suite struct TypologyTests {
    static let fixture = TestPaths.fixtures + "/typologies.csv"
    static func a(_ suffix: String) -> String { FixtureIngestTests.address(suffix) }

    static func fixtureGraph(_ directory: TemporaryDirectory) throws -> Graph {
        let graph = try Graph.open(at: directory.appending("typologies.spoor"), mode: .readWrite)
        let summary = try graph.ingestTransfers(files: [fixture])
        #expect(summary.added == 24 && summary.rejected == 0)
        return graph
    }

    // MARK: Hand-worked fixture

    @Test func peelChainOnTheFixture() throws {
        let directory = TemporaryDirectory("typology")
        let graph = try Self.fixtureGraph(directory)
        try graph.read { reader in
            // README: one chain F → P0 → P1 → P2 (three steps); P3 sends once only, so it is no step.
            let chains = try PeelChainDetector().scan(reader)
            #expect(chains.count == 1)
            let chain = try #require(chains.first)
            #expect(chain.addresses == [Self.a("a0"), Self.a("a1"), Self.a("a2")])
            #expect(chain.source == Self.a("f0") && chain.end == Self.a("a3"))
            #expect(chain.steps.map(\.received.value) == [Amount(100000), Amount(95000), Amount(80000)])
            #expect(chain.steps.map(\.forwarded.value) == [Amount(95000), Amount(80000), Amount(70000)])
            #expect(chain.steps.map(\.peeled.value) == [Amount(5000), Amount(10000), Amount(8000)])
            #expect(chain.steps.map(\.peeled.to) == [Self.a("e0"), Self.a("e1"), Self.a("e2")])
            #expect(chain.steps[0].received.tx == "0x" + String(repeating: "0", count: 61) + "201")
            #expect(chain.steps.map(\.received.time) == [2200, 2212, 2224])
            // From the funder and from the first hop: the same chain; from P1 only two steps are left (< 3).
            #expect(try PeelChainDetector().chains(from: Self.a("f0"), in: reader) == chains)
            #expect(try PeelChainDetector().chains(from: Self.a("a0"), in: reader) == chains)
            #expect(try PeelChainDetector().chains(from: Self.a("a1"), in: reader).isEmpty)
            var two = PeelChainOptions()
            two.minLength = 2
            #expect(
                try PeelChainDetector(options: two).chains(from: Self.a("a1"), in: reader).map(\.addresses)
                    == [[Self.a("a1"), Self.a("a2")]])
            // A peel of at most 5 %: P1's 10000 of 95000 (10.5 %) breaks the chain after P0; nothing of 3 steps left.
            var strict = PeelChainOptions()
            strict.maxPeelPercent = 5
            #expect(try PeelChainDetector(options: strict).scan(reader).isEmpty)
            #expect(try PeelChainDetector().chains(from: Self.a("ff"), in: reader).isEmpty)
        }
    }

    @Test func fanOutAndFanInOnTheFixture() throws {
        let directory = TemporaryDirectory("typology")
        let graph = try Self.fixtureGraph(directory)
        try graph.read { reader in
            // Defaults (small: 10^17 ≤ value < 10^18): every fixture amount is below 10^17, so nothing.
            #expect(try StructuringDetector().scan(reader, direction: .fanOut).isEmpty)
            #expect(try StructuringDetector().scan(reader, direction: .fanIn).isEmpty)
            // Small: 1 ≤ value < 10^18. G's six sends (c1..c6) in one window of 12 s; H's five receipts.
            var wide = StructuringOptions()
            wide.minAmount = Amount(1)
            let out = try StructuringDetector(options: wide).scan(reader, direction: .fanOut)
            #expect(out.map(\.address) == [Self.a("b0")])
            #expect(out.first?.counterparties == 6 && out.first?.total == Amount(1_001_500))
            let fanIn = try StructuringDetector(options: wide).scan(reader, direction: .fanIn)
            #expect(fanIn.map(\.address) == [Self.a("d0")])
            #expect(fanIn.first?.transfers.map(\.from) == (1...5).map { Self.a("c\($0)") })
            #expect(fanIn.first?.total == Amount(1500) && fanIn.first?.start == 2284 && fanIn.first?.end == 2284)
            // Small: 1 ≤ value < 1000: 5 of G's 6 sends (83 % ≥ 80 %), total 100+200+300+400+500 = 1500.
            var options = wide
            options.maxAmount = Amount(1000)
            let small = try StructuringDetector(options: options).findings(
                at: Self.a("b0"), direction: .fanOut, in: reader)
            #expect(small.count == 1 && small.first?.total == Amount(1500) && small.first?.counterparties == 5)
            // 200 ≤ value < 1000: only c2..c5, four counterparties.
            var band = options
            band.minAmount = Amount(200)
            #expect(
                try StructuringDetector(options: band).findings(at: Self.a("b0"), direction: .fanOut, in: reader)
                    .isEmpty)
            // 90 % small required: 5 of 6 is not enough, and no later window has 5 counterparties.
            options.minSmallPercent = 90
            #expect(
                try StructuringDetector(options: options).findings(at: Self.a("b0"), direction: .fanOut, in: reader)
                    .isEmpty)
            // Six counterparties required for fan-in: H has five.
            var six = wide
            six.minCounterparties = 6
            #expect(try StructuringDetector(options: six).scan(reader, direction: .fanIn).isEmpty)
        }
    }

    @Test func passThroughOnTheFixture() throws {
        let directory = TemporaryDirectory("typology")
        let graph = try Self.fixtureGraph(directory)
        try graph.read { reader in
            // README: P0..P3, c1..c5, K1 and Q1 pass ≥ 90 % of a receipt on within the hour; K2 only 88.9 %.
            let found = try PassThroughDetector().scan(reader)
            let expected = ["a0", "a1", "a2", "a3", "c1", "c2", "c3", "c4", "c5", "dd", "f1"].map(Self.a)
            #expect(Set(found.map(\.address)) == Set(expected))
            #expect(found.count == 11)
            let p2 = try PassThroughDetector().findings(at: Self.a("a2"), in: reader)
            // P2 gets 80000; 70000 (87.5 %) is not yet 90 %, 70000 + 8000 = 78000 is.
            #expect(p2.first?.sent.map(\.value) == [Amount(70000), Amount(8000)] && p2.first?.delay == 12)
            #expect(p2.first?.sentTotal == Amount(78000))
            var strict = PassThroughOptions()
            strict.minOutPercent = 99
            // 99 %: P0 (100 %), P3 (98.6 % fails), P1 (94.7 % fails), P2 (97.5 % fails), c1..c5 (100 %),
            // K1 (90 % fails), Q1 (100 %).
            #expect(
                Set(try PassThroughDetector(options: strict).scan(reader).map(\.address))
                    == Set(["a0", "c1", "c2", "c3", "c4", "c5", "f1"].map(Self.a)))
            var quick = PassThroughOptions()
            quick.maxDelay = 11
            // Everything passes on 12 s or more after the receipt.
            #expect(try PassThroughDetector(options: quick).scan(reader).isEmpty)
        }
    }

    @Test func roundTripsOnTheFixture() throws {
        let directory = TemporaryDirectory("typology")
        let graph = try Self.fixtureGraph(directory)
        try graph.read { reader in
            // R → K1 → K2 → R (3 hops, 24 s) and Q2 → Q1 → Q2 (2 hops); Q1 → Q2 → Q1 runs backwards in time.
            let found = try RoundTripDetector().scan(reader)
            #expect(Set(found.map(\.origin)) == Set([Self.a("cc"), Self.a("f2")]))
            let r = try RoundTripDetector().roundTrips(from: Self.a("cc"), in: reader)
            #expect(r.map(\.addresses) == [[Self.a("cc"), Self.a("dd"), Self.a("de"), Self.a("cc")]])
            #expect(r.first?.transfers.map(\.value) == [Amount(50000), Amount(45000), Amount(40000)])
            #expect(r.first?.duration == 24)
            #expect(try RoundTripDetector().roundTrips(from: Self.a("f1"), in: reader).isEmpty)
            #expect(try RoundTripDetector().roundTrips(from: Self.a("f2"), in: reader).map(\.hops) == [2])
            var two = RoundTripOptions()
            two.maxHops = 2
            #expect(try RoundTripDetector(options: two).roundTrips(from: Self.a("cc"), in: reader).isEmpty)
            var band = RoundTripOptions()
            band.minValuePercent = 85  // 40000 is 80 % of 50000.
            #expect(try RoundTripDetector(options: band).roundTrips(from: Self.a("cc"), in: reader).isEmpty)
            band.maxHops = 1
            #expect(throws: TypologyError.self) { try RoundTripDetector(options: band).scan(reader) }
        }
    }

    @Test func proceduresOnTheFixture() throws {
        let directory = TemporaryDirectory("typology")
        let graph = try Self.fixtureGraph(directory)
        func rows(_ text: String, _ parameters: [String: Value] = [:]) throws -> [[Value]] {
            try graph.query(text, parameters: parameters).all()
        }
        let a = { (suffix: String) in Value.string(Self.a(suffix)) }
        // The same answers as the Swift tests above, through the query language.
        #expect(
            try rows("CALL spoor.typology.peelChains(null, {}) YIELD length, addresses RETURN length, addresses")
                == [[.integer(3), .list([a("a0"), a("a1"), a("a2")])]])
        #expect(
            try rows(
                "CALL spoor.typology.fanOut($g, {minAmount: 1}) YIELD address, counterparties, total RETURN *",
                ["g": a("b0")]) == [[a("b0"), .integer(6), .amount(Amount(1_001_500))]])
        #expect(
            try rows(
                "CALL spoor.typology.fanIn(null, {minAmount: '1', maxAmount: 1000}) YIELD address, others, total "
                    + "RETURN address, size(others), total") == [[a("d0"), .integer(5), .amount(Amount(1500))]])
        #expect(
            try rows(
                "CALL spoor.typology.passThrough('0x00000000000000000000000000000000000000A2', {}) "
                    + "YIELD address, received, sent, delay, to RETURN address, received, sent, delay, to")
                == [
                    [a("a2"), .amount(Amount(80000)), .amount(Amount(78000)), .integer(12), .list([a("a3"), a("e2")])]
                ])
        #expect(
            try rows("CALL spoor.typology.roundTrips(null, {}) YIELD origin, hops RETURN origin, hops ORDER BY hops")
                == [[a("f2"), .integer(2)], [a("cc"), .integer(3)]])
        #expect(
            try rows("CALL spoor.typology.roundTrips(null, {maxHops: 2}) YIELD origin RETURN origin") == [[a("f2")]])
        // Bad options are query errors that name the procedure and the option.
        for (text, message) in [
            ("CALL spoor.typology.peelChains(null, {bogus: 1}) YIELD length RETURN length", "unknown option 'bogus'"),
            ("CALL spoor.typology.fanOut(null, {minSmallPercent: 101}) YIELD address RETURN address", "0...100"),
            ("CALL spoor.typology.roundTrips(null, {maxHops: 1}) YIELD origin RETURN origin", "maxHops must be 2...16"),
            ("CALL spoor.typology.passThrough(null, {minAmount: 'x'}) YIELD address RETURN address", "decimal string"),
            ("CALL spoor.typology.roundTrips(null, {maxDegree: -1}) YIELD origin RETURN origin", "at least 0"),
            ("CALL spoor.typology.fanIn(null, {window: -5}) YIELD address RETURN address", "window must be"),
        ] {
            do {
                _ = try rows(text)
                Issue.record("no error for \(text)")
            } catch let error as QueryError {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }

    @Test func extremeOptionsNeitherTrapNorChangeTheFixtureAnswers() throws {
        let directory = TemporaryDirectory("typology")
        let graph = try Self.fixtureGraph(directory)
        // Time limits at Int64.max saturate instead of overflowing; the fixture answers stay those of the README.
        var peel = PeelChainOptions()
        peel.maxDelay = .max
        #expect(try graph.peelChains(options: peel).count == 1)
        var pass = PassThroughOptions()
        pass.maxDelay = .max
        #expect(try graph.passThroughs(options: pass).count == 11)
        var structuring = StructuringOptions()
        structuring.window = .max
        structuring.minAmount = Amount(1)
        #expect(try graph.structuring(.fanOut, options: structuring).map(\.address) == [Self.a("b0")])
        var trips = RoundTripOptions()
        trips.maxDuration = .max
        trips.maxDegree = .max
        #expect(try graph.roundTrips(options: trips).count == 2)
        #expect(throws: TypologyError.self) {
            var negative = PassThroughOptions()
            negative.maxDelay = -1
            _ = try graph.passThroughs(options: negative)
        }
    }

    // MARK: Generated data

    /// SHA-256 of `spoor generate transfers --count 20000 --seed 42` written by the generator before the
    /// `plantTypologies` option existed (main at 6759fc5): the default output must not change.
    @Test func defaultGeneratorOutputIsUnchanged() throws {
        let directory = TemporaryDirectory("typology-gen")
        let summary = try TransfersGenerator(options: .init(seed: 42, transferCount: 20_000))
            .write(to: directory.appending("a.csv"))
        #expect(summary.sha256 == "cb163ecd23039ff90abc56f64b10d71de5c6cc431d2afc9712d318378e0315eb")
        #expect(summary.typologies.isEmpty)
    }

    @Test func plantedCasesKeepTheFileInChainOrderAndTheSanctionedPlants() throws {
        let directory = TemporaryDirectory("typology-gen")
        var options = TransfersGenerator.Options(seed: 7, transferCount: 20_000)
        options.sanctioned = (1...5).map { "0x" + String(repeating: "0", count: 39) + String($0) }
        options.plantTypologies = 4
        let summary = try TransfersGenerator(options: options).write(to: directory.appending("p.csv"))
        // 4 of each kind; 5 sanctioned senders × 10 transfers still all there.
        #expect(summary.typologies.count == 20 && summary.plantedTransfers == 50)
        let (rows, rejections) = try TransfersCSVReader.readAll(path: directory.appending("p.csv"))
        #expect(rejections.isEmpty && rows.count == 20_000)
        for (previous, row) in zip(rows, rows.dropFirst()) {
            #expect(
                row.blockNumber > previous.blockNumber
                    || (row.blockNumber == previous.blockNumber && row.logIndex > previous.logIndex))
        }
        // Shapes: 9 + 9 + 9 + 3 + (2, 3, 4, 2 hops) transfers; every planted row is native and in its own transaction.
        let plantedTotal = summary.typologies.map(\.transfers).reduce(0, +)
        let expectedTotal = 4 * 30 + 11  // 4 × (9 + 9 + 9 + 3), plus round trips of 2 + 3 + 4 + 2 hops
        #expect(plantedTotal == expectedTotal)
        let planted = Set(summary.typologies.flatMap(\.addresses))
        let plantedRows = rows.filter { planted.contains($0.from) }
        #expect(plantedRows.count == plantedTotal)
        #expect(plantedRows.allSatisfy { $0.asset == nil && planted.contains($0.to) })
        let hashCounts = Dictionary(grouping: rows, by: \.txHash).mapValues(\.count)
        #expect(plantedRows.allSatisfy { hashCounts[$0.txHash] == 1 })
        // The manifest's block is the block of the case's first transfer.
        for typology in summary.typologies {
            let first = rows.first { $0.from == typology.addresses[0] }  // F, F, S0, F, O: each sends the first row
            #expect(first?.blockNumber == typology.block, "\(typology)")
        }
    }

    struct Detected {
        var peel: [PeelChain]
        var fanOut: [StructuringFinding]
        var fanIn: [StructuringFinding]
        var passThrough: [PassThroughFinding]
        var roundTrips: [RoundTrip]
    }

    static func detectAll(_ graph: Graph) throws -> Detected {
        try graph.read { reader in
            Detected(
                peel: try PeelChainDetector().scan(reader),
                fanOut: try StructuringDetector().scan(reader, direction: .fanOut),
                fanIn: try StructuringDetector().scan(reader, direction: .fanIn),
                passThrough: try PassThroughDetector().scan(reader),
                roundTrips: try RoundTripDetector().scan(reader))
        }
    }

    static func generatedGraph(_ directory: TemporaryDirectory, plant: Int) throws
        -> (Graph, TransfersGenerator.Summary)
    {
        var options = TransfersGenerator.Options(seed: 42, transferCount: 20_000)
        options.plantTypologies = plant
        let summary = try TransfersGenerator(options: options).write(to: directory.appending("g.csv"))
        let graph = try Graph.open(at: directory.appending("g.spoor"), mode: .readWrite)
        _ = try graph.ingestTransfers(files: [directory.appending("g.csv")])
        return (graph, summary)
    }

    @Test func everyPlantedCaseIsFoundAndCleanDataGivesFewFalseHits() throws {
        let directory = TemporaryDirectory("typology-plant")
        let (graph, summary) = try Self.generatedGraph(directory, plant: 6)
        #expect(summary.typologies.count == 30)  // 6 of each of the 5 kinds.
        let found = try Self.detectAll(graph)
        for planted in summary.typologies {
            let members = Set(planted.addresses)
            switch planted.kind {
            case .peelChain:
                // The four hops P0..P3 in order, funded by F.
                #expect(
                    found.peel.contains {
                        $0.addresses == Array(planted.addresses[1...4]) && $0.source == planted.addresses[0]
                    },
                    "\(planted)")
            case .fanOut:
                #expect(
                    found.fanOut.contains {
                        $0.address == planted.subject && $0.counterparties == 8
                            && Set($0.transfers.map(\.to)).isSubset(of: members)
                    }, "\(planted)")
            case .fanIn:
                #expect(
                    found.fanIn.contains {
                        $0.address == planted.subject && $0.counterparties == 8
                            && Set($0.transfers.map(\.from)).isSubset(of: members)
                    }, "\(planted)")
            case .passThrough:
                #expect(
                    found.passThrough.contains { $0.address == planted.subject && $0.sent.count == 2 }, "\(planted)")
            case .roundTrip:
                #expect(
                    found.roundTrips.contains {
                        $0.origin == planted.subject && $0.hops == planted.hops
                            && Set($0.addresses).isSubset(of: members)
                    }, "\(planted)")
            }
        }
        // Findings that touch no planted address are false hits on the generated (clean) part of the data.
        let plantedAddresses = Set(summary.typologies.flatMap(\.addresses))
        let falseHits = [
            "peelChain": found.peel.filter { plantedAddresses.isDisjoint(with: $0.addresses) }.count,
            "fanOut": found.fanOut.filter { !plantedAddresses.contains($0.address) }.count,
            "fanIn": found.fanIn.filter { !plantedAddresses.contains($0.address) }.count,
            "passThrough": found.passThrough.filter { !plantedAddresses.contains($0.address) }.count,
            "roundTrip": found.roundTrips.filter { !plantedAddresses.contains($0.origin) }.count,
        ]
        print(
            "typology false hits among 20000 generated transfers with planted cases:",
            falseHits.sorted { $0.key < $1.key })

        // The same file without plants: every finding is a false hit.
        let cleanDirectory = TemporaryDirectory("typology-clean")
        let (clean, cleanSummary) = try Self.generatedGraph(cleanDirectory, plant: 0)
        #expect(cleanSummary.typologies.isEmpty)
        let cleanFound = try Self.detectAll(clean)
        let cleanHits = [
            "peelChain": cleanFound.peel.count, "fanOut": cleanFound.fanOut.count, "fanIn": cleanFound.fanIn.count,
            "passThrough": cleanFound.passThrough.count, "roundTrip": cleanFound.roundTrips.count,
        ]
        print("typology false hits on 20000 clean generated transfers:", cleanHits.sorted { $0.key < $1.key })
        for (kind, count) in cleanHits { #expect(count <= Self.falseHitBound[kind, default: 0], "\(kind): \(count)") }
        for (kind, count) in falseHits { #expect(count <= Self.falseHitBound[kind, default: 0], "\(kind): \(count)") }
    }

    /// Bounds on false hits per 20,000 generated transfers (measured figures are in the README).
    static let falseHitBound = ["peelChain": 5, "fanOut": 5, "fanIn": 5, "passThrough": 100, "roundTrip": 10]
}
