import Foundation
import Logging
import Spoor
import SpoorTestSupport
import Testing

/// The ethereum-etl ingest on the real samples in ../shared/data/ethereum.
///
/// Expected figures come from `Tests/Fixtures/ethereum_etl_expected.py` (python3's csv module on the same files, no
/// Spoor code) unless a comment says otherwise.
@Suite struct EthereumETLIngestTests {
    static let data = TestPaths.sharedData + "/ethereum"

    /// What the store holds after an ingest, read back through the reader.
    struct Contents {
        var counts: StoreCounts
        var nativeSum: Amount
        var nativeEdges: Int
        /// Per token contract: (transfers, exact sum, or `nil` past 2^256 − 1).
        var tokens: [String: (count: Int, sum: Amount?)]
        /// Every stored transfer, once (from its outgoing end).
        var transfers: [(from: String, to: String, properties: TransferProperties, asset: String?)]
    }

    static func ingest(
        _ paths: [String], into directory: TemporaryDirectory, options: EthereumETLIngestOptions = .init()
    ) throws -> (Graph, EthereumETLSummary) {
        let graph = try Graph.open(at: directory.appending("store"), mode: .readWrite)
        let summary = try EthereumETLIngester(store: graph.store, options: options, logger: .init(label: "test"))
            .ingest(paths: paths)
        return (graph, summary)
    }

    static func contents(_ graph: Graph) throws -> Contents {
        try graph.read { reader in
            var contents = Contents(
                counts: try reader.counts(), nativeSum: .zero, nativeEdges: 0, tokens: [:], transfers: [])
            var records: [AddressRecord] = []
            try reader.forEachAddress {
                records.append($0); return true
            }
            let texts = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0.address) })
            for record in records {
                for incidence in try reader.incidences(of: record.id) where incidence.direction == .outgoing {
                    let properties = incidence.properties
                    let asset = try reader.assetAddress(properties.asset)
                    contents.transfers.append((record.address, texts[incidence.neighbor] ?? "?", properties, asset))
                    if let asset {
                        let old = contents.tokens[asset] ?? (0, .zero)
                        contents.tokens[asset] = (old.count + 1, old.sum.flatMap { $0.adding(properties.value) })
                    } else {
                        contents.nativeEdges += 1
                        contents.nativeSum = try #require(contents.nativeSum.adding(properties.value))
                    }
                }
            }
            return contents
        }
    }

    static func hash(_ text: String) throws -> [UInt8] { try #require(TxHash(hex: text)).bytes }

    @Test func blocks47218And47219FourPlainTransfersWithBlockTimes() throws {
        let directory = TemporaryDirectory("eth-47218")
        let (graph, summary) = try Self.ingest([Self.data + "/blocks_47218_47219"], into: directory)
        let contents = try Self.contents(graph)
        #expect(contents.counts.transfers == 4)  // python: transfers 4
        #expect(contents.counts.transactions == 4)  // python: transactions 4
        #expect(contents.nativeSum == Amount(decimal: "128445185037751432000"))  // python: native_sum
        #expect(summary.nativeTransfers == 4 && summary.ingest.added == 4 && summary.ingest.rejected == 0)
        // By hand from blocks.csv / transactions.csv: tx 0x99f1… is index 0 of block 47218 (time 1438936285),
        // tx 0x4bcc… index 1 of block 47219 (time 1438936326): keys 0 and 1 << 19.
        let first = try #require(contents.transfers.first { $0.from == "0x1406854d149e081ac09cb4ca560da463f3123059" })
        #expect(
            first.properties.time == 1_438_936_285 && first.properties.block == 47218 && first.properties.logIndex == 0)
        #expect(first.properties.value == Amount(decimal: "110000000000000000000"))
        let last = try #require(contents.transfers.first { $0.from == "0xf9a19aea1193d9b9e4ef2f5b8c9ec8df93a22356" })
        #expect(last.properties.time == 1_438_936_326 && last.properties.logIndex == 524_288)
    }

    @Test func block483920NativeAndTokenTransfersInChainOrder() throws {
        let directory = TemporaryDirectory("eth-483920")
        let (graph, summary) = try Self.ingest([Self.data + "/block_483920"], into: directory)
        let contents = try Self.contents(graph)
        #expect(contents.counts.transfers == 4)  // python: transfers 4 (2 native, 2 token)
        #expect(contents.nativeEdges == 2)
        #expect(contents.nativeSum == Amount(decimal: "1541220060000000000"))  // python: native_sum
        #expect(contents.counts.transactions == 4)  // python: transactions 4
        let token = "0xf4eced2f682ce333f96f2d8966c613ded8fc95dd"
        #expect(contents.tokens[token]?.count == 2 && contents.tokens[token]?.sum == Amount(300_000))  // python
        // Two zero-value calls to the token contract: records without edges. Receipts have no status (2015).
        #expect(summary.zeroValueSkipped == 2 && summary.failedTransactions == 0)
        // By hand: token logs 0 and 1 belong to transactions 0 and 1, so keys (0 << 19) + 2^17 + 0 and
        // (1 << 19) + 2^17 + 1; the native transfers are transactions 2 and 3: keys 2 << 19 and 3 << 19.
        let keys = contents.transfers.map(\.properties.logIndex).sorted()
        #expect(keys == [131_072, 655_361, 1_048_576, 1_572_864])
        #expect(contents.transfers.allSatisfy { $0.properties.time == 1_446_561_880 })  // blocks.csv timestamp
        // The zero-value transaction 0x04cb… is recorded, with only its token transfer.
        let record = try graph.read { reader in
            try reader.transactionID(
                hash: try Self.hash("0x04cbcb236043d8fb7839e07bbc7f5eed692fb2ca55d897f1101eac3e3ad4fab8")
            )
            .flatMap { try reader.transaction($0) }
        }
        #expect(record?.transfers.map(\.logIndex) == [131_072])
    }

    @Test func blocks17173049And17173050CountsSumsAndFailedTransactions() throws {
        let directory = TemporaryDirectory("eth-17173049")
        let (graph, summary) = try Self.ingest([Self.data + "/blocks_17173049_17173050"], into: directory)
        let contents = try Self.contents(graph)
        #expect(contents.counts.transfers == 418)  // python: transfers 418
        #expect(contents.nativeEdges == 127)  // python: native_edges 127
        #expect(contents.nativeSum == Amount(decimal: "82246255043361813012"))  // python: native_sum
        #expect(contents.counts.transactions == 298)  // python: transactions 298
        #expect(contents.counts.assets == 76)  // python: tokens 76
        #expect(contents.tokens.count == 76)
        let big = "0xcd2b042e904a935b2f1f9f3a2a5e73070f24aecc"
        #expect(contents.tokens[big]?.sum == Amount(decimal: "13639694928001122450075032506026"))  // python
        // python: 9 receipts with status 0; one of them (0xd225…) has value 0. 163 zero-value transactions in all.
        #expect(summary.failedTransactions == 9)
        #expect(summary.zeroValueSkipped == 162)
        #expect(summary.nativeTransfers + summary.zeroValueSkipped + summary.failedTransactions == 298)
        #expect(summary.tokenTransfers == 291 && summary.tokenTransfersWithoutTransactionIndex == 0)

        // The failed transaction 0x7831… (receipt status 0) sent 44371473389270320 wei: recorded, value not stored.
        let failed = "0x7831885ee487449f4766db92e66fa47ab8a27af0beaca3103146e68fb7b4c19a"
        let record = try graph.read { reader in
            try reader.transactionID(hash: try Self.hash(failed)).flatMap { try reader.transaction($0) }
        }
        #expect(record?.transfers.isEmpty == true)
        #expect(record?.block == 17_173_049)
        #expect(
            !contents.transfers.contains { $0.properties.value == Amount(44_371_473_389_270_320) && $0.asset == nil })
        #expect(try Self.verify(graph))
    }

    @Test func keepZeroAddsTheZeroValueEdges() throws {
        let directory = TemporaryDirectory("eth-keep-zero")
        let (graph, summary) = try Self.ingest(
            [Self.data + "/blocks_17173049_17173050"], into: directory, options: .init(keepZero: true))
        let contents = try Self.contents(graph)
        #expect(contents.counts.transfers == 580)  // python --keep-zero: transfers 580
        #expect(contents.nativeEdges == 289)  // python --keep-zero: native_edges 289 (298 − 9 failed)
        #expect(summary.zeroValueSkipped == 0)
        // The contract creation 0xf9e4… (value 0) goes to the receipt's contract_address.
        let creation = try #require(contents.transfers.first { $0.to == "0x303abf64fe75964565d2b44b9e4518e6126f1f0e" })
        #expect(creation.from == "0x6cdeb3b685cdf7f2032040e9e8461a77bd9632a7" && creation.properties.value == .zero)
        // By hand: the creation is transaction 115 of block 17173050: key 115 << 19.
        #expect(creation.properties.logIndex == 115 << 19 && creation.properties.block == 17_173_050)
    }

    @Test func tokenSampleKeepsHugeValuesExactly() throws {
        let directory = TemporaryDirectory("eth-tokens")
        let (graph, summary) = try Self.ingest([Self.data + "/token_transfers_15320500_15320589.csv"], into: directory)
        let contents = try Self.contents(graph)
        // python (csv module on the file): 12888 rows, 8125 transactions, 1179 tokens, 9144 addresses.
        #expect(contents.counts.transfers == 12_888)
        #expect(contents.counts.transactions == 8_125)
        #expect(contents.counts.assets == 1_179)
        #expect(contents.counts.addresses == 9_144)
        #expect(summary.tokenTransfersWithoutTransactionIndex == 12_888)  // no transactions.csv: index unknown
        let threshold = try #require(Amount(decimal: "170141183460469231731687303715884105728"))  // 2^127
        #expect(contents.transfers.count { $0.properties.value > threshold } == 108)  // python: above_2^127 108
        // python: the largest value, and the sum of all values modulo 2^256.
        #expect(
            contents.transfers.map(\.properties.value).max()
                == Amount(decimal: "114874432455688033885131856719613584383126211047926510776292258124428473756746"))
        #expect(
            Self.wrappingSum(contents.transfers.map(\.properties.value))
                == Amount(decimal: "102755651487658605037339324983652824433249679607812608437375048449575451893769"))
        // python: per-token count and sum.
        #expect(contents.tokens["0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"]?.count == 1_912)
        #expect(
            contents.tokens["0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"]?.sum
                == Amount(decimal: "85937344243761577953971"))
        #expect(contents.tokens["0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"]?.sum == Amount(184_727_277_474_301))
        #expect(contents.tokens["0xdac17f958d2ee523a2206206994597c13d831ec7"]?.sum == Amount(71_931_251_956_965))
        // python: 4 tokens whose sum passes 2^256 − 1 (the derived total is unknown, each transfer is exact).
        #expect(contents.tokens.values.count { $0.sum == nil } == 4)
        #expect(contents.transfers.allSatisfy { $0.properties.time == 0 })  // no blocks.csv, no block_timestamp
    }

    @Test func tornadoCashHitThroughTheFacade() throws {
        let directory = TemporaryDirectory("eth-tornado")
        let (graph, _) = try Self.ingest([Self.data + "/token_transfers_15320500_15320589.csv"], into: directory)
        // shared/data/README.md and python: tx 0xd88ba24c… (block 15320560, log 69) sends 2001 TORN (token
        // 0x77777fed…) from 0xa5737ad5… to Tornado Cash 0x2f50508a…; the only row that touches that address.
        let rows = try graph.query(
            """
            MATCH (a:Address {address: $x})<-[t:TRANSFER]-(b:Address)
            RETURN b.address, t.value, t.asset, t.block, t.logIndex, t.tx
            """, parameters: ["x": .string("0x2f50508a8a3d323b91336fa3ea6ae50e55f32185")]
        ).all()
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row[0] == .string("0xa5737ad5e48ffaf7e321bd4a8be1abb1586bb786"))
        #expect(row[1] == .amount(try #require(Amount(decimal: "2001000000000000000000"))))  // 2001 * 10^18
        #expect(row[2] == .string("0x77777feddddffc19ff86db637967013e6c6a116c"))
        #expect(row[3] == .integer(15_320_560))
        #expect(row[4] == .integer(131_072 + 69))  // transaction index unknown (0), log 69
        #expect(row[5] == .string("0xd88ba24c3dd6f8a64c7eeb04184d64d0febbffb0c21c154e5045584a9bae1ce1"))
        let sent = try graph.query(
            "MATCH (a:Address {address: $x})-[t:TRANSFER]->(b) RETURN count(*)",
            parameters: ["x": .string("0x2f50508a8a3d323b91336fa3ea6ae50e55f32185")]
        ).all()
        #expect(sent == [[.integer(0)]])
    }

    @Test(arguments: [
        // python: transfers, native sum, transactions; --keep-zero transfers.
        ("block_with_create_traces.csv", 1, "64655529900000002048", 2, 2),
        ("block_with_error_traces.csv", 1, "1100000000000000000", 2, 1),
        ("block_with_subtraces_traces.csv", 2, "100437194980000000000", 2, 2),
        ("block_with_suicide_traces.csv", 1, "50000000000000000", 1, 2),
    ])
    func tracesSamples(file: String, transfers: Int, sum: String, transactions: Int, keepZero: Int) throws {
        let path = Self.data + "/traces/" + file
        let directory = TemporaryDirectory("eth-traces")
        let (graph, _) = try Self.ingest([path], into: directory)
        let contents = try Self.contents(graph)
        #expect(contents.counts.transfers == UInt64(transfers), "\(file)")
        #expect(contents.nativeSum == Amount(decimal: sum), "\(file)")
        #expect(contents.counts.transactions == UInt64(transactions), "\(file)")
        let zeroDirectory = TemporaryDirectory("eth-traces-zero")
        let (zeroGraph, _) = try Self.ingest([path], into: zeroDirectory, options: .init(keepZero: true))
        #expect(try zeroGraph.read { try $0.counts().transfers } == UInt64(keepZero), "\(file)")
    }

    @Test func selfDestructIsTheFirstInternalTransferOfItsTransaction() throws {
        let directory = TemporaryDirectory("eth-suicide")
        let (graph, summary) = try Self.ingest([Self.data + "/traces/block_with_suicide_traces.csv"], into: directory)
        let contents = try Self.contents(graph)
        // By hand: the self-destruct (trace_address 0) of transaction 0 sends 0.05 ETH from the contract 0x474f… back
        // to 0x8397…: rank 1, key 1; the top-level call carries 0 and makes no edge.
        let transfer = try #require(contents.transfers.first)
        #expect(transfer.from == "0x474faa5018639791952fae334e2911700ac7fe9b")
        #expect(transfer.to == "0x83973747eec131bf9a08ac64fb1a518e891bdf4b")
        #expect(transfer.properties.logIndex == 1 && transfer.properties.block == 1_011_973)
        #expect(summary.internalTransfers == 1 && summary.nativeTransfers == 0 && summary.zeroValueSkipped == 1)
    }

    @Test func reingestAddsNothing() throws {
        let directory = TemporaryDirectory("eth-again")
        let sample = Self.data + "/blocks_17173049_17173050"
        let (graph, first) = try Self.ingest([sample], into: directory)
        #expect(first.ingest.added == 418)
        let before = try Self.contents(graph)
        let ingester = EthereumETLIngester(store: graph.store, logger: .init(label: "test"))
        let again = try ingester.ingest(paths: [sample])
        // The directory holds 4 CSV files (blocks, receipts, token_transfers, transactions).
        #expect(again.ingest.added == 0 && again.ingest.filesAlreadyIngested == 4 && again.ingest.duplicates == 418)
        // The same files named one by one in another order are the same set.
        let names = ["transactions.csv", "token_transfers.csv", "receipts.csv", "blocks.csv"]
        let same = try ingester.ingest(paths: names.map { sample + "/" + $0 })
        #expect(same.ingest.added == 0 && same.ingest.filesAlreadyIngested == 4)
        // A subset is another set: it is planned again, and the store already holds its 127 native transfers.
        let subset = try ingester.ingest(paths: names.filter { $0 != "token_transfers.csv" }.map { sample + "/" + $0 })
        #expect(subset.ingest.filesAlreadyIngested == 0)
        #expect(subset.ingest.added == 0 && subset.ingest.duplicates == 127 && subset.transactionsAdded == 0)
        let after = try Self.contents(graph)
        #expect(after.counts == before.counts)
        #expect(after.transfers.map(\.properties) == before.transfers.map(\.properties))
    }

    @Test func tokenTransfersFirstIngestedAloneAreNotAddedAgainWithTheirTransactionIndex() throws {
        let directory = TemporaryDirectory("eth-token-first")
        let sample = Self.data + "/block_483920"
        let (graph, alone) = try Self.ingest([sample + "/token_transfers.csv"], into: directory)
        #expect(alone.ingest.added == 2 && alone.tokenTransfersWithoutTransactionIndex == 2)
        let whole = try EthereumETLIngester(store: graph.store, logger: .init(label: "test")).ingest(paths: [sample])
        #expect(whole.ingest.added == 2)  // the two native transfers
        #expect(whole.ingest.duplicates == 2)  // the two token transfers, stored under transaction index 0
        #expect(try graph.read { try $0.counts().transfers } == 4)
    }

    @Test func malformedValueGoesToTheRejectsFileWithItsLine() throws {
        let directory = TemporaryDirectory("eth-rejects")
        let input = directory.appending("export")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        let source = try String(contentsOfFile: Self.data + "/blocks_47218_47219/transactions.csv", encoding: .utf8)
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Line 3 (the second transaction) gets a value with a letter in it.
        lines[2] = lines[2].replacingOccurrences(of: ",8140416390630760000,", with: ",81404163906307600x0,")
        try lines.joined(separator: "\n").write(toFile: input + "/transactions.csv", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: Self.data + "/blocks_47218_47219/blocks.csv", toPath: input + "/blocks.csv")
        let (graph, summary) = try Self.ingest([input], into: directory)
        #expect(summary.ingest.rejected == 1 && summary.ingest.added == 3)
        let rejects = try String(contentsOfFile: try #require(summary.ingest.rejectsFiles.first), encoding: .utf8)
        #expect(
            rejects == input + "/transactions.csv:3: non-numeric value in column 'value', found '81404163906307600x0'\n"
        )
        #expect(try graph.read { try $0.counts().transfers } == 3)

        let strict = TemporaryDirectory("eth-strict")
        #expect(
            throws: IngestError.rejectedRow(
                RowRejection(
                    file: input + "/transactions.csv", line: 3,
                    reason: "non-numeric value in column 'value', found '81404163906307600x0'"))
        ) {
            try Self.ingest([input], into: strict, options: .init(strict: true))
        }
    }

    @Test func missingColumnFailsBeforeAnythingIsWritten() throws {
        let directory = TemporaryDirectory("eth-missing")
        let file = try directory.write(
            "hash,nonce,block_number,transaction_index,from_address,to_address\n", to: "transactions.csv")
        #expect(
            throws: IngestError.missingColumns(
                file: file, missing: ["value"],
                expected: "hash,block_number,transaction_index,from_address,to_address,value",
                found: "hash,nonce,block_number,transaction_index,from_address,to_address")
        ) {
            try EthereumETLIngester.check(paths: [file])
        }
        let error = IngestError.missingColumns(file: "t.csv", missing: ["value"], expected: "a,value", found: "a")
        #expect(
            error.description
                == "t.csv:1: bad header: missing column 'value': expected the columns 'a,value' (any order, others allowed), found 'a'"
        )
    }

    /// The sum modulo 2^256, limb by limb (a second, simple implementation of the check).
    static func wrappingSum(_ values: [Amount]) -> Amount? {
        var limbs: [UInt64] = [0, 0, 0, 0]
        for value in values {
            var carry: UInt64 = 0
            for index in 0..<4 {
                let (partial, overflow1) = limbs[index].addingReportingOverflow(value.words[index])
                let (sum, overflow2) = partial.addingReportingOverflow(carry)
                limbs[index] = sum
                carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
            }
        }
        return Amount(words: limbs)
    }

    static func verify(_ graph: Graph) throws -> Bool {
        let report = try graph.verify()
        return report.problems.isEmpty
    }
}

/// An ingest stopped after some batches and run again ends as an uninterrupted one.
@Suite struct EthereumETLResumeTests {
    struct Stop: Error {}

    @Test func stoppedAfterThreeBatchesThenResumed() throws {
        let sample = EthereumETLIngestTests.data + "/token_transfers_15320500_15320589.csv"
        let options = EthereumETLIngestOptions(batchSize: 1_000)
        let referenceDirectory = TemporaryDirectory("eth-resume-reference")
        let (reference, full) = try EthereumETLIngestTests.ingest([sample], into: referenceDirectory, options: options)
        #expect(full.ingest.added == 12_888)

        let directory = TemporaryDirectory("eth-resume")
        let graph = try Graph.open(at: directory.appending("store"), mode: .readWrite)
        let ingester = EthereumETLIngester(store: graph.store, options: options, logger: .init(label: "test"))
        #expect(throws: Stop.self) {
            try ingester.ingest(paths: [sample]) { progress in
                if progress.phase == .writing && progress.rowsCommitted == 3_000 { throw Stop() }
            }
        }
        let partial = try graph.read { reader in (try reader.counts().transfers, try reader.sources()) }
        #expect(partial.0 == 3_000)  // 3 batches of 1,000 items (every item of this file is a transfer)
        #expect(partial.1.count == 1)
        #expect(String(decoding: partial.1[0].progress, as: UTF8.self) == "rows=3000;complete=0;transfers=3000")

        let resumed = try ingester.ingest(paths: [sample])
        #expect(resumed.ingest.added == 9_888 && resumed.ingest.duplicates == 3_000)
        let expected = try EthereumETLIngestTests.contents(reference)
        let actual = try EthereumETLIngestTests.contents(graph)
        #expect(actual.counts == expected.counts)
        #expect(actual.transfers.map(\.properties) == expected.transfers.map(\.properties))
        #expect(
            try graph.read { try $0.sources().map(\.source) } == (try reference.read { try $0.sources().map(\.source) })
        )
        #expect(try graph.verify().problems.isEmpty)
    }
}

/// The order key and the naming of input files.
@Suite struct EthereumETLOrderKeyTests {
    @Test func keysSortInChainOrderWithinABlock() throws {
        // By hand from the layout: transaction index in bits 31…19, own value 0, trace rank r → r, log l → 2^17 + l.
        let keys = [
            EthereumETLOrderKey.own(transactionIndex: 0),
            EthereumETLOrderKey.trace(transactionIndex: 0, rank: 1),
            EthereumETLOrderKey.trace(transactionIndex: 0, rank: 131_071),
            EthereumETLOrderKey.log(transactionIndex: 0, logIndex: 0),
            EthereumETLOrderKey.log(transactionIndex: 0, logIndex: 393_215),
            EthereumETLOrderKey.own(transactionIndex: 1),
            EthereumETLOrderKey.log(transactionIndex: 1, logIndex: 7),
            EthereumETLOrderKey.own(transactionIndex: 8_191),
        ]
        #expect(keys == [0, 1, 131_071, 131_072, 524_287, 524_288, 655_367, 4_294_443_008])
        #expect(EthereumETLOrderKey.trace(transactionIndex: 0, rank: 0) == nil)
        #expect(EthereumETLOrderKey.trace(transactionIndex: 0, rank: 131_072) == nil)
        #expect(EthereumETLOrderKey.log(transactionIndex: 0, logIndex: 393_216) == nil)
        #expect(EthereumETLOrderKey.own(transactionIndex: 8_192) == nil)
        #expect(
            EthereumETLOrderKey.transactionIndex(of: 655_367) == 1 && EthereumETLOrderKey.local(of: 655_367) == 131_079)
    }

    @Test func tablesAreNamedByTheirFileNames() {
        #expect(EthereumETLTable.named("blocks.csv") == .blocks)
        #expect(EthereumETLTable.named("transactions_00001000_00001999.csv") == .transactions)
        #expect(EthereumETLTable.named("token_transfers_15320500_15320589.csv") == .tokenTransfers)
        #expect(EthereumETLTable.named("block_with_error_traces.csv") == .traces)
        #expect(EthereumETLTable.named("receipts.csv") == .receipts)
        #expect(EthereumETLTable.named("logs.csv") == nil)
        #expect(EthereumETLTable.named("transactions_with_receipts.csv") == nil)  // two tables: ask the header
    }

    @Test func directoriesContributeTheirTablesOnly() throws {
        let base = EthereumETLIngestTests.data + "/block_483920"
        // The directory holds blocks, logs, receipts, token_transfers, transactions CSVs and a JSON file.
        let files = try EthereumETLFile.resolve([base, base + "/blocks.csv"])
        #expect(
            files.map { ($0.path as NSString).lastPathComponent } == [
                "blocks.csv", "receipts.csv", "token_transfers.csv", "transactions.csv",
            ])
        #expect(files.map(\.table) == [.blocks, .receipts, .tokenTransfers, .transactions])
        #expect(
            throws: IngestError.malformed(
                file: base + "/logs.csv", line: 1,
                reason: "not an ethereum-etl table: neither its name nor its header names one of blocks, transactions, "
                    + "token_transfers, receipts, traces")
        ) { try EthereumETLFile.resolve([base + "/logs.csv"]) }
        #expect(throws: IngestError.unreadable(file: base + "/none", reason: "no such file or directory")) {
            try EthereumETLFile.resolve([base + "/none"])
        }
    }

    @Test func aFileNamedByNoTableIsRecognisedByItsHeader() throws {
        let directory = TemporaryDirectory("eth-sniff")
        let file = try directory.write(
            "token_address,from_address,to_address,value,transaction_hash,log_index,block_number\n", to: "export.csv")
        #expect(try EthereumETLFile.resolve([file]) == [EthereumETLFile(path: file, table: .tokenTransfers)])
    }
}

/// Keccak-256 and the address of a contract creation.
@Suite struct EthereumETLKeccakTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func publishedDigests() {
        // The Keccak team's / Ethereum's well-known Keccak-256 digests of "" and "abc".
        #expect(Self.hex(Keccak256.hash([])) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(
            Self.hex(Keccak256.hash(Array("abc".utf8)))
                == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    @Test func samePermutationAsSHA3() {
        // SHA3-256 differs from Keccak-256 only in the padding byte. Digests from python3 hashlib.sha3_256 of the
        // same inputs: 200 × 0xa3 (two blocks), 0…255 three times (six blocks), 135 and 136 × 'a' (block edges).
        let sha3 = { (bytes: [UInt8]) in Self.hex(Keccak256.hash(bytes, domain: 0x06)) }
        #expect(
            sha3([UInt8](repeating: 0xA3, count: 200))
                == "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787")
        let counting: [UInt8] = Array(0...255)
        #expect(
            sha3(counting + counting + counting)
                == "c043b2b15d405c9f4cd92fdaef420eba6201d328fb34ec0e2c16e4981b9e4b39")
        #expect(
            sha3([UInt8](repeating: 0x61, count: 135))
                == "8094bb53c44cfb1e67b7c30447f9a1c33696d2463ecc1d9c92538913392843c9")
        #expect(
            sha3([UInt8](repeating: 0x61, count: 136))
                == "3fc5559f14db8e453a0a3091edbd2bc25e11528d81c66fa570a4efdcc2695ee1")
    }

    @Test func creationAddressMatchesTheReceipt() {
        // blocks_17173049_17173050: tx 0xf9e4… from 0x6cdeb3… with nonce 0 created, per receipts.csv, 0x303abf….
        #expect(
            Keccak256.contractAddress(sender: "0x6cdeb3b685cdf7f2032040e9e8461a77bd9632a7", nonce: 0)
                == "0x303abf64fe75964565d2b44b9e4518e6126f1f0e")
        #expect(Keccak256.contractAddress(sender: "0xnothex", nonce: 0) == nil)
    }

    @Test func creationWithoutReceiptsGetsItsAddressFromTheNonce() throws {
        // The sample's transactions.csv and blocks.csv without receipts.csv: the creation still reaches 0x303abf….
        let sample = EthereumETLIngestTests.data + "/blocks_17173049_17173050"
        let directory = TemporaryDirectory("eth-nonce")
        let (graph, summary) = try EthereumETLIngestTests.ingest(
            [sample + "/transactions.csv", sample + "/blocks.csv"], into: directory, options: .init(keepZero: true))
        #expect(summary.creationsWithoutAddress == 0)
        let contents = try EthereumETLIngestTests.contents(graph)
        #expect(contents.transfers.contains { $0.to == "0x303abf64fe75964565d2b44b9e4518e6126f1f0e" })
        // Without receipts no transaction is known to have failed: python, transactions with value > 0 or the
        // creation (--keep-zero): all 298.
        #expect(contents.counts.transfers == 298)
    }
}

/// Internal transfers on a hand-made traces.csv whose answers are worked out by hand.
@Suite struct EthereumETLTraceOrderTests {
    static let header =
        "block_number,transaction_hash,transaction_index,from_address,to_address,value,input,output,trace_type,"
        + "call_type,reward_type,gas,gas_used,subtraces,trace_address,error,status,trace_id"
    static let tx = "0x" + String(repeating: "ab", count: 32)
    static func address(_ n: Int) -> String { "0x" + String(repeating: "0", count: 38) + String(format: "%02x", n) }

    /// One trace row of transaction `tx` (index 3, block 500).
    static func row(
        _ path: String, _ type: String, _ callType: String, _ value: String, error: String = "",
        status: String = "1", from: Int = 1, to: Int = 2
    ) -> String {
        let quoted = path.contains(",") ? "\"\(path)\"" : path
        return
            "500,\(tx),3,\(address(from)),\(address(to)),\(value),0x,0x,\(type),\(callType),,0,0,0,\(quoted),\(error),\(status),id"
    }

    @Test func ranksFollowTraceOrderAndFailuresRevertTheirChildren() throws {
        // Rows deliberately out of order. Trace order: [] [0] [0,0] [0,0,0] [0,1] [1] [2] [10] (numeric, so [2] before
        // [10]). Ranked (call of type call, create, suicide; not the top level): [0]=1 [0,0]=2 [0,0,0]=3 [1]=4 [2]=5
        // [10]=6; [0,1] is a delegatecall and has no rank. [0,0] failed (error), so [0,0,0] is reverted although its
        // own status says 1; [1] moves 0. Stored: [] 1 wei (key 3 << 19), [0] 2 wei (rank 1), [2] 5 wei (rank 5),
        // [10] 6 wei (rank 6).
        let rows = [
            Self.row("10", "call", "call", "6", to: 10),
            Self.row("0,0,0", "call", "call", "4", to: 4),
            Self.row("", "call", "call", "1", to: 1),
            Self.row("2", "suicide", "", "5", from: 2, to: 5),
            Self.row("0,1", "call", "delegatecall", "0", to: 7),
            Self.row("0", "call", "call", "2", to: 2),
            Self.row("0,0", "call", "call", "3", error: "Reverted", status: "0", to: 3),
            Self.row("1", "call", "call", "0", to: 8),
            "500,,,,\(Self.address(9)),2000000000000000000,,,reward,,block,,,0,,,1,reward_500_0",
        ]
        let directory = TemporaryDirectory("eth-trace-order")
        let file = try directory.write(([Self.header] + rows).joined(separator: "\n") + "\n", to: "traces.csv")
        let (graph, summary) = try EthereumETLIngestTests.ingest([file], into: directory)
        let contents = try EthereumETLIngestTests.contents(graph)
        let stored = contents.transfers.map { ($0.properties.logIndex, $0.to, $0.properties.value) }
            .sorted { $0.0 < $1.0 }
        let base: UInt32 = 3 << 19
        #expect(stored.map(\.0) == [base, base + 1, base + 5, base + 6])
        #expect(stored.map(\.1) == [Self.address(1), Self.address(2), Self.address(5), Self.address(10)])
        #expect(stored.map(\.2) == [Amount(1), Amount(2), Amount(5), Amount(6)])
        #expect(summary.nativeTransfers == 1 && summary.internalTransfers == 3)
        #expect(summary.failedInternalTransfers == 2 && summary.zeroValueSkipped == 1)
        #expect(contents.counts.transactions == 1)  // the reward has no transaction
        // The transaction lists its transfers in chain order.
        let record = try graph.read { reader in
            try reader.transactionID(hash: try EthereumETLIngestTests.hash(Self.tx)).flatMap {
                try reader.transaction($0)
            }
        }
        #expect(record?.transfers.map(\.logIndex) == [base, base + 1, base + 5, base + 6])
    }

    @Test func aBadValueInAnInternalTransferIsRejectedWithItsLine() throws {
        let rows = [Self.row("", "call", "call", "1"), Self.row("0", "call", "call", "-5")]
        let directory = TemporaryDirectory("eth-trace-bad")
        let file = try directory.write(([Self.header] + rows).joined(separator: "\n") + "\n", to: "traces.csv")
        let (_, summary) = try EthereumETLIngestTests.ingest([file], into: directory)
        #expect(summary.ingest.added == 1 && summary.ingest.rejected == 1)
        let rejects = try String(contentsOfFile: try #require(summary.ingest.rejectsFiles.first), encoding: .utf8)
        #expect(rejects == "\(file):3: negative value '-5'\n")
    }
}
