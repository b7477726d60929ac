import Foundation
import Testing
import SpoorAnalytics
import SpoorStore
import SpoorTestSupport

/// Clustering on a hand-drawn UTXO chain:
///
/// ```
/// block 0  cb0 -> A 50        cb0b -> B 50        (two coinbases, as two blocks would; values in sat)
///          cb0c -> C 50, D 30, E 10
/// block 1  T1: A 50 + B 50 -> P 60, Q 40           multi-input: {A, B}
///          T2: C 50 + D 30 -> X 20, Y 20           two equal outputs, all outputs: a CoinJoin, skipped
///          T3: Q 40 + E 10 -> R 45                 multi-input: {Q, E}
///          cb1 -> A 5
/// block 2  T4: P 60 + R 45 + A 5 -> S 105          multi-input: P-R, then {P, R} with {A, B}
/// ```
/// After blocks 0-1: clusters {A, B}, {Q, E}; C and D alone. After block 2 (incremental run: only its 1 new
/// transaction is read): {A, B, P, R} (the second merge makes it reach 4), {Q, E}, and why(B, R) = B–A (T1), A–P (T4), P–R (T4).
struct ClusteringTests {
    static func id(_ n: UInt8) -> [UInt8] { [UInt8](repeating: n, count: 32) }
    static func out(_ address: String, _ value: UInt64) -> UTXOOutputInput { UTXOOutputInput(address: address, value: value) }
    static func spend(_ n: UInt8, _ index: UInt32) -> UTXOOutpointInput { UTXOOutpointInput(txid: id(n), index: index) }
    static func tx(_ n: UInt8, _ inputs: [UTXOOutpointInput], _ outputs: [UTXOOutputInput]) -> UTXOTransactionInput {
        UTXOTransactionInput(txid: id(n), isCoinbase: inputs.isEmpty, inputs: inputs, outputs: outputs)
    }

    static let blocks: [UTXOBlockInput] = [
        UTXOBlockInput(hash: id(0xB0), height: 0, time: 0, transactions: [
            tx(0x01, [], [out("A", 50)]), tx(0x02, [], [out("B", 50)]), tx(0x03, [], [out("C", 50), out("D", 30), out("E", 10)]),
        ]),
        UTXOBlockInput(hash: id(0xB1), height: 1, time: 600, transactions: [
            tx(0x04, [], [out("A", 5)]),
            tx(0x11, [spend(0x01, 0), spend(0x02, 0)], [out("P", 60), out("Q", 40)]),
            tx(0x12, [spend(0x03, 0), spend(0x03, 1)], [out("X", 20), out("Y", 20)]),
            tx(0x13, [spend(0x11, 1), spend(0x03, 2)], [out("R", 45)]),
        ]),
        UTXOBlockInput(hash: id(0xB2), height: 2, time: 1200, transactions: [
            tx(0x14, [spend(0x11, 0), spend(0x13, 0), spend(0x04, 0)], [out("S", 105)]),
        ]),
    ]

    static func clusters(_ store: Store) throws -> [String: Set<String>] {
        try store.read { reader in
            var result: [String: Set<String>] = [:]
            try reader.forEachAddress { record in
                let cluster = try reader.cluster(of: record.id)
                let members = try reader.clusterMembers(cluster).map { try reader.address($0)?.address ?? "?" }
                result[record.address] = Set(members)
                #expect(try reader.clusterSize(cluster) == UInt64(members.count))
                return true
            }
            return result
        }
    }

    @Test func multiInputSkipsCoinJoinsAndRunsIncrementally() throws {
        let directory = TemporaryDirectory("cluster")
        let store = try Store.open(at: directory.path, mode: .readWrite)
        let writer = try store.makeUTXOWriter()
        try writer.append(Array(Self.blocks[0...1]))
        let first = try AddressClustering(store: store).run()
        #expect(first.restarted && first.transactions == 7 && first.merges == 2)
        #expect(first.coinJoins == ["generic": 1])
        var clusters = try Self.clusters(store)
        #expect(clusters["A"] == ["A", "B"] && clusters["B"] == ["A", "B"])
        #expect(clusters["Q"] == ["Q", "E"] && clusters["C"] == ["C"] && clusters["D"] == ["D"])

        try writer.append([Self.blocks[2]])
        let second = try AddressClustering(store: store, options: ClusteringOptions(sizeThreshold: 4)).run()
        // Another size threshold is not another heuristic: the run goes on from where the first stopped.
        #expect(!second.restarted && second.transactions == 1 && second.merges == 2)
        #expect(second.crossings.map(\.sizeAfter) == [4])
        clusters = try Self.clusters(store)
        #expect(clusters["R"] == ["A", "B", "P", "R"] && clusters["E"] == ["Q", "E"])
        try store.read { reader in
            let b = try #require(try reader.addressID("B"))
            let r = try #require(try reader.addressID("R"))
            let steps = try AddressClustering.why(b, r, reader: reader)
            #expect(steps.map { "\($0.from)-\($0.to)" } == ["B-A", "A-P", "P-R"])
            #expect(steps.map(\.txid) == [String(repeating: "11", count: 32), String(repeating: "14", count: 32), String(repeating: "14", count: 32)])
            #expect(steps.allSatisfy { $0.heuristic == .multiInput })
            let c = try #require(try reader.addressID("C"))
            #expect(try AddressClustering.why(b, c, reader: reader).isEmpty)
        }
        // Other heuristics: the clusters are rebuilt from the first transaction.
        let rebuilt = try AddressClustering(store: store, options: ClusteringOptions(skipCoinJoins: false)).run()
        #expect(rebuilt.restarted && rebuilt.transactions == 8 && rebuilt.merges == 5)
        #expect(try Self.clusters(store)["C"] == ["C", "D"])
    }

    /// Change heuristics on one payment each (inputs K 100,000,000 + L 80,000,000):
    /// - optimal: outputs U 150,000,000 and V 25,000,000: only V is below the smallest input (80,000,000): V is change.
    /// - round payment: outputs U 150,000,000 (round) and V 29,999,000: V is change.
    @Test func changeHeuristics() throws {
        for (heuristic, change) in [(ClusterHeuristic.changeOptimal, UInt64(25_000_000)), (.changeRoundPayment, 29_999_000)] {
            let directory = TemporaryDirectory("cluster-change")
            let store = try Store.open(at: directory.path, mode: .readWrite)
            try store.makeUTXOWriter().append([
                UTXOBlockInput(hash: Self.id(0xC0), height: 0, time: 0, transactions: [
                    Self.tx(0x21, [], [Self.out("K", 100_000_000), Self.out("L", 80_000_000)]),
                    Self.tx(0x22, [Self.spend(0x21, 0), Self.spend(0x21, 1)], [Self.out("U", 150_000_000), Self.out("V", change)]),
                ]),
            ])
            _ = try AddressClustering(store: store, options: ClusteringOptions(heuristics: [.multiInput, heuristic])).run()
            let clusters = try Self.clusters(store)
            #expect(clusters["V"] == ["K", "L", "V"], "\(heuristic)")
            #expect(clusters["U"] == ["U"], "\(heuristic)")
        }
    }

    @Test func coinJoinPatterns() {
        func details(inputs: Int, outputs: [UInt64]) -> UTXODetails {
            UTXODetails(
                position: 1, isCoinbase: false,
                inputs: (0..<inputs).map { UTXOInputRecord(address: AddressID(UInt64($0)), value: Amount(1_000_000_000), source: .coinbase) },
                outputs: outputs.map { UTXOOutputRecord(address: AddressID(99), value: Amount($0)) })
        }
        #expect(CoinJoinPattern.match(details(inputs: 5, outputs: Array(repeating: 5_000_000, count: 5))) == .whirlpool)
        #expect(CoinJoinPattern.match(details(inputs: 40, outputs: Array(repeating: 10_000_000, count: 30) + [7, 8, 9])) == .wasabi)
        #expect(CoinJoinPattern.match(details(inputs: 4, outputs: [2_000, 2_000, 2_000, 17, 99])) == .joinMarket)
        #expect(CoinJoinPattern.match(details(inputs: 2, outputs: [60, 40])) == nil)
        #expect(CoinJoinPattern.match(details(inputs: 1, outputs: [20, 20])) == nil)
    }

    /// Account chains, on transfers in this order (X1 and X2 tagged `exchange`):
    /// U1 → D1 10, U2 → D1 20, D1 → X1 30, U3 → D2 5, D2 → X2 5, D2 → Z 1, U1 → D3 7, D3 → X2 7, X1 → U4 3.
    /// Deposit addresses: D1 and D3 (they send only to exchanges; D2 also pays Z). Their payers join them, and U1
    /// paid both: {D1, U1, U2, D3}. Components: everything is connected, one cluster of 10.
    @Test func accountChainsDepositAddressesAndComponents() throws {
        let transfers = [("U1", "D1", 10), ("U2", "D1", 20), ("D1", "X1", 30), ("U3", "D2", 5), ("D2", "X2", 5),
                         ("D2", "Z", 1), ("U1", "D3", 7), ("D3", "X2", 7), ("X1", "U4", 3)]
        for (heuristic, expected) in [
            (ClusterHeuristic.depositAddress, ["D1": Set(["D1", "U1", "U2", "D3"]), "D2": ["D2"], "U3": ["U3"], "X1": ["X1"]]),
            (.accountComponent, ["D1": Set(["U1", "U2", "D1", "X1", "U3", "D2", "X2", "Z", "D3", "U4"])]),
        ] {
            let directory = TemporaryDirectory("cluster-account")
            let store = try Store.open(at: directory.path, mode: .readWrite)
            let writer = try store.makeWriter()
            try writer.append(transfers.enumerated().map { index, transfer in
                TransferInput(txHash: Self.id(UInt8(index + 1)), block: UInt64(index), time: Int64(index) * 12,
                              from: transfer.0, to: transfer.1, value: Amount(UInt64(transfer.2)), asset: nil, logIndex: 0)
            })
            try writer.addTags([TagRecord(address: "X1", tag: "exchange"), TagRecord(address: "X2", tag: "exchange")])
            let summary = try AddressClustering(store: store, options: ClusteringOptions(heuristics: [heuristic])).run()
            let clusters = try Self.clusters(store)
            for (address, members) in expected { #expect(clusters[address] == members, "\(heuristic) \(address)") }
            #expect(summary.merges == (heuristic == .depositAddress ? 3 : 9), "\(heuristic)")
        }
    }
}
