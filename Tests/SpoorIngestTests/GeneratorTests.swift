import Foundation
import SpoorIngest
import SpoorStore
import Testing

@Suite struct GeneratorTests {
    static func firstOFACAddresses(_ count: Int) throws -> [String] {
        let list = try TagFileReader.read(path: IngestTestPaths.sharedData + "/ofac/sanctioned_addresses_ETH.txt", tag: "ofac")
        return list.entries.prefix(count).map(\.address)
    }

    @Test func sameSeedSameBytes() throws {
        let directory = IngestTestPaths.temporaryDirectory("gen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = TransfersGenerator.Options(seed: 42, transferCount: 20_000)
        options.sanctioned = try Self.firstOFACAddresses(5)
        let first = try TransfersGenerator(options: options).write(to: directory + "/a.csv")
        let second = try TransfersGenerator(options: options).write(to: directory + "/b.csv")
        #expect(first.sha256 == (try FileDigest.sha256(path: directory + "/a.csv")))
        #expect(first.sha256 == (try FileDigest.sha256(path: directory + "/b.csv")))
        #expect(first.sha256 == second.sha256)
        options.seed = 43
        let third = try TransfersGenerator(options: options).write(to: directory + "/c.csv")
        #expect(third.sha256 != first.sha256)
    }

    @Test func summaryMatchesTheFile() throws {
        let directory = IngestTestPaths.temporaryDirectory("gen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = TransfersGenerator.Options(seed: 7, transferCount: 50_000)
        let sanctioned = try Self.firstOFACAddresses(5)
        options.sanctioned = sanctioned
        options.transfersPerSanctioned = 12
        let summary = try TransfersGenerator(options: options).write(to: directory + "/t.csv")
        #expect(summary.plantedTransfers == 60)
        #expect(summary.plantedBySender == Dictionary(uniqueKeysWithValues: sanctioned.map { ($0, 12) }))

        let (rows, rejections) = try TransfersCSVReader.readAll(path: directory + "/t.csv")
        #expect(rejections.isEmpty)
        #expect(rows.count == 50_000)
        let sanctionedSet = Set(sanctioned)
        let planted = rows.filter { sanctionedSet.contains($0.from) }
        #expect(planted.count == 60)
        #expect(!rows.contains { sanctionedSet.contains($0.to) })
        #expect(planted.allSatisfy { $0.asset == nil })
        #expect(Set(planted.map(\.to)).isDisjoint(with: summary.hubs.map(\.address)))

        // Chain order in the file: blocks and log indexes increase, time follows blocks.
        for (previous, row) in zip(rows, rows.dropFirst()) {
            #expect(
                row.blockNumber > previous.blockNumber
                    || (row.blockNumber == previous.blockNumber && row.logIndex > previous.logIndex))
        }
        #expect(rows.allSatisfy { $0.timestamp == 1_660_000_000 + Int64($0.blockNumber - 15_000_000) * 12 })
        #expect(Set(rows.map(\.blockNumber)).count == summary.blocks)
        #expect(Set(rows.map(\.txHash)).count == summary.transactions)
        #expect(summary.transactions < rows.count && summary.transactions > rows.count * 8 / 10)
        #expect(rows.filter { $0.asset != nil }.count == summary.tokenTransfers)
        #expect(Set(rows.compactMap(\.asset)).count == 5)
        let twoTo127 = Amount(words: [0, 1 << 63])!
        #expect(rows.filter { $0.value > twoTo127 }.count == summary.hugeValues)
        #expect(rows.filter { $0.value == .max }.count == summary.maximumValues)
        #expect(rows.filter { $0.value.isZero }.count == summary.zeroValues)
        #expect((300...700).contains(summary.hugeValues))
        #expect((13_000...17_000).contains(summary.tokenTransfers))
        #expect((250...450).contains(summary.blocks))

        // Power law: the busiest address has far more transfers than the median one.
        var degree: [String: Int] = [:]
        for row in rows {
            degree[row.from, default: 0] += 1
            degree[row.to, default: 0] += 1
        }
        #expect(degree.count == summary.distinctAddresses)
        let top = summary.hubs[0]
        #expect(degree[top.address] == top.degree)
        #expect(top.degree > 2_000)
        print(summary)
    }

    @Test func rejectsBadSanctionedAddress() {
        var options = TransfersGenerator.Options(seed: 1, transferCount: 100)
        options.sanctioned = ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]
        #expect(throws: IngestError.invalidArgument("sanctioned address '1BoatSLRHtKNngkdXEeobR76b53LETtpyT' is not 0x and 40 hex digits")) {
            try TransfersGenerator(options: options).write(to: "/nonexistent/x.csv")
        }
    }
}
