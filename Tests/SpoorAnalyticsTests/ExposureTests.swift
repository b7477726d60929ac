import Foundation
import SpoorAnalytics
import SpoorStore
import SpoorTestSupport
import Testing

@Suite("Exposure on the hand-worked account fixture")
struct ExposureTests {
    let analyzer = ExposureAnalyzer(source: accountFixture())

    @Test func indirectIncomingWithEvidence() throws {
        // C (3) against the list {S}: C received t3 (A→C 70) and t4 (B→C 33): total in 103, nothing direct.
        // Haircut taint (see TaintFixtureTests.accountHaircut): t3 carried 20 at hop 2, t4 13 at hop 3: indirect 33.
        let report = try analyzer.exposure(of: [AddressID(3)], listed: [AddressID(0)], options: .init())
        #expect(report.directIn == .zero)
        #expect(report.indirectIn == WideAmount(33))
        #expect(report.totalIn == WideAmount(103))
        #expect(report.totalOut == .zero)
        #expect(report.hopIn == 2)
        #expect(report.hopOut == nil)
        #expect(abs(report.share - 33.0 / 103.0) < 1e-12)
        // Shortest path first: S→A (t1) then A→C (t3); the next: S→A, A→B (t2), B→C (t4).
        #expect(report.evidenceIn.map { $0.steps.map(\.transfer.id.rawValue) } == [[1, 3], [1, 2, 4]])
        #expect(report.evidenceIn[0].steps.map(\.taint) == [Amount(40), Amount(20)])
        #expect(RiskLevels.defaults.level(of: report) == "severe")  // 33/103 ≈ 0.32 ≥ 0.25.
        // maxHops 2: t4's taint (hop 3) no longer counts.
        let near = try analyzer.exposure(of: [AddressID(3)], listed: [AddressID(0)], options: .init(maxHops: 2))
        #expect(near.indirectIn == WideAmount(20))
    }

    @Test func directAndCluster() throws {
        // A (1): t1 S→A 40 is direct; total in 60 + 40 = 100, total out 50 + 70 = 120.
        let report = try analyzer.exposure(of: [AddressID(1)], listed: [AddressID(0)], options: .init())
        #expect(report.directIn == WideAmount(40))
        #expect(report.indirectIn == .zero)
        #expect(report.totalIn == WideAmount(100))
        #expect(report.totalOut == WideAmount(120))
        #expect(report.hopIn == 1)
        #expect(report.evidenceIn.map { $0.steps.map(\.transfer.id.rawValue) } == [[1]])
        // The cluster {A, B}: t2 (A→B) is internal; in = 60 + 40 (t0, t1), out = 70 + 33 (t3, t4).
        let cluster = try analyzer.exposure(of: [AddressID(1), AddressID(2)], listed: [AddressID(0)], options: .init())
        #expect(cluster.totalIn == WideAmount(100))
        #expect(cluster.totalOut == WideAmount(103))
        #expect(cluster.directIn == WideAmount(40))
    }

    @Test func outgoingThroughBackwardTaint() throws {
        // X (4) against the list {C}: backward haircut from C, newest first (B = balance, T = taint):
        // t4' C→B 33 (B: 33/33); t3' C→A 70 (A: 70/70); t2' B→A 50: B pays min(50, 33) = 33, all tainted, A gets 50
        // carrying 33 (A: 120/103); t1' A→S 40 carries ⌊40 × 103 / 120⌋ = 34 (A: 80/69); t0' A→X 60 carries
        // ⌊60 × 69 / 80⌋ = ⌊51.75⌋ = 51. So 51 of the 60 X sent reached C, at hop 2, through A.
        let report = try analyzer.exposure(of: [AddressID(4)], listed: [AddressID(3)], options: .init())
        #expect(report.totalOut == WideAmount(60))
        #expect(report.indirectOut == WideAmount(51))
        #expect(report.directOut == .zero)
        #expect(report.hopOut == 2)
        #expect(abs(report.shareOut - 51.0 / 60.0) < 1e-12)
        #expect(report.evidenceOut.map { $0.steps.map(\.transfer.id.rawValue) } == [[0, 3]])
    }

    @Test func riskLevelsFileMatchesTheDefaults() throws {
        let levels = try RiskLevels.load(path: TestPaths.repository + "/Schemas/risk-levels.json")
        #expect(levels == RiskLevels.defaults)
        #expect(levels.level(share: 0, minimalHop: nil) == "low")
        #expect(levels.level(share: 0.01, minimalHop: nil) == "medium")
        #expect(levels.level(share: 0, minimalHop: 2) == "high")
        let directory = TemporaryDirectory("risk")
        let bad = try directory.write(
            #"{"version": 1, "levels": [{"name": "x", "minShare": 2}], "default": "low"}"#,
            to: "bad.json"
        )
        #expect(throws: RiskLevelsError.self) { try RiskLevels.load(path: bad) }
        let missing = try directory.write(#"{"version": 1, "levels": []}"#, to: "missing.json")
        #expect { try RiskLevels.load(path: missing) } throws: { error in
            "\(error)".contains("missing \"default\"")
        }
    }
}
