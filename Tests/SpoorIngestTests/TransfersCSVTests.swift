import Foundation
import SpoorIngest
import SpoorStore
import Testing

private let header = TransfersCSVReader.header
private let validFields = [
    "0x1111111111111111111111111111111111111111111111111111111111111111", "15320500", "1660364976",
    "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "1000000000000000000", "", "0",
]

private func read(_ text: String, file: String = "t.csv") throws -> (rows: [TransferRow], rejections: [RowRejection]) {
    var reader = try TransfersCSVReader(bytes: Array(text.utf8), file: file)
    return reader.collect()
}

private func read(bytes: [UInt8]) throws -> (rows: [TransferRow], rejections: [RowRejection]) {
    var reader = try TransfersCSVReader(bytes: bytes, file: "t.csv")
    return reader.collect()
}

/// A one-row file where column `index` is replaced by `value`.
private func fileWith(column index: Int, _ value: String) -> String {
    var fields = validFields
    fields[index] = value
    return header + "\n" + fields.joined(separator: ",") + "\n"
}

@Suite struct TransfersCSVTests {
    @Test func smallFixture() throws {
        let path = IngestTestPaths.fixtures + "/transfers-small.csv"
        let (rows, rejections) = try TransfersCSVReader.readAll(path: path)
        #expect(rejections.isEmpty)
        #expect(rows.count == 5)
        // Rows come in file order (out of chain order); the line numbers are 1-based with the header on line 1.
        #expect(rows.map(\.blockNumber) == [15_320_502, 15_320_500, 15_320_500, 15_320_501, 15_320_501])
        #expect(rows.map(\.line) == [2, 3, 4, 5, 6])
        #expect(rows[0].from == "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")  // mixed case canonicalised
        #expect(rows[0].asset == nil)
        #expect(rows[0].logIndex == 3)
        #expect(rows[0].value == Amount(2_000_000_000_000_000_000))
        #expect(rows[2].asset == "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")
        #expect(rows[3].value == Amount.max)
        #expect(rows[3].timestamp == 1_660_366_043)
        #expect(rows[4].timestamp == 1_660_366_043)
        #expect(rows[4].value == Amount.zero)
        #expect(rows[1].txHash == rows[2].txHash)
        #expect(rows[1].txHash.description == "0x" + String(repeating: "1", count: 64))
        let sorted = rows.sorted { ($0.blockNumber, $0.logIndex) < ($1.blockNumber, $1.logIndex) }
        #expect(sorted.map(\.line) == [3, 4, 6, 5, 2])
    }

    @Test func progressCounters() throws {
        let text = header + "\n" + validFields.joined(separator: ",") + "\n"
        var reader = try TransfersCSVReader(bytes: Array(text.utf8), file: "t.csv")
        #expect(reader.totalBytes == text.utf8.count)
        #expect(reader.bytesRead == header.utf8.count + 1)
        _ = reader.next()
        #expect(reader.bytesRead == reader.totalBytes)
        #expect(reader.next() == nil)
    }

    @Test func crlfAndNoTrailingNewline() throws {
        let row = validFields.joined(separator: ",")
        for (text, count) in [
            (header + "\r\n" + row + "\r\n" + row + "\r\n", 2), (header + "\r\n" + row + "\r\n" + row, 2),
            (header + "\n" + row + "\n" + row, 2), (header + "\n" + row + "\r", 1), (header + "\r\n", 0), (header, 0),
        ] {
            let (rows, rejections) = try read(text)
            #expect(rejections.isEmpty, "\(rejections)")
            #expect(rows.count == count)
            #expect(rows.allSatisfy { $0.logIndex == 0 && $0.value == Amount(1_000_000_000_000_000_000) })
        }
    }

    @Test func blankLinesAreSkipped() throws {
        let row = validFields.joined(separator: ",")
        let (rows, rejections) = try read(header + "\n\n" + row + "\n\r\n" + row + "\n\n")
        #expect(rejections.isEmpty)
        #expect(rows.map(\.line) == [3, 5])
    }

    @Test func quotedFields() throws {
        let quoted = validFields.map { "\"\($0)\"" }.joined(separator: ",")
        let (rows, rejections) = try read("\"tx_hash\",block_number,block_timestamp,from_address,to_address,value,asset,log_index\r\n" + quoted + "\r\n")
        #expect(rejections.isEmpty)
        #expect(rows.count == 1)
        #expect(rows.first?.asset == nil)
        #expect(rows.first?.to == validFields[4])
    }

    @Test func quotedFieldSpanningLinesKeepsLineNumbers() throws {
        var fields = validFields
        fields[6] = "\"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48\n\""
        let row = validFields.joined(separator: ",")
        let (rows, rejections) = try read(header + "\n" + fields.joined(separator: ",") + "\n" + row + "\n")
        #expect(rejections.map(\.description) == [
            "t.csv:2: bad hex in column 'asset': expected empty (native coin) or 0x and 40 hex digits, found '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48\n'"
        ])
        #expect(rows.map(\.line) == [4])
    }

    @Test func badHeader() throws {
        let text = "hash,block,time,from,to,value,asset,log_index\n" + validFields.joined(separator: ",") + "\n"
        let error = #expect(throws: IngestError.self) { try read(text, file: "data/x.csv") }
        #expect(
            error?.description
                == "data/x.csv:1: bad header: expected 'tx_hash,block_number,block_timestamp,from_address,to_address,value,asset,log_index', found 'hash,block,time,from,to,value,asset,log_index'"
        )
        let empty = #expect(throws: IngestError.self) { try read("", file: "e.csv") }
        #expect(empty == .badHeader(file: "e.csv", expected: header, found: ""))
        #expect(empty?.description.hasSuffix("found an empty file") == true)
        // A missing column is a header error too.
        let missing = #expect(throws: IngestError.self) {
            try read("tx_hash,block_number,block_timestamp,from_address,to_address,value,asset\n")
        }
        #expect(missing == .badHeader(file: "t.csv", expected: header, found: "tx_hash,block_number,block_timestamp,from_address,to_address,value,asset"))
    }

    @Test func missingFile() {
        let error = #expect(throws: IngestError.self) { try TransfersCSVReader(path: "/nonexistent/t.csv") }
        #expect(error?.description == "/nonexistent/t.csv: cannot read file: No such file or directory (errno: 2)")
    }

    static let badRows: [(String, String)] = [
        (fileWith(column: 0, "0x11"), "bad hex in column 'tx_hash': expected 0x and 64 hex digits, found '0x11'"),
        (fileWith(column: 0, "0x" + String(repeating: "g", count: 64)),
         "bad hex in column 'tx_hash': expected 0x and 64 hex digits, found '0x" + String(repeating: "g", count: 64) + "'"),
        (fileWith(column: 0, ""), "empty required field 'tx_hash'"),
        (fileWith(column: 1, "-1"), "bad block_number: expected a non-negative decimal integer below 2^63, found '-1'"),
        (fileWith(column: 1, "9223372036854775808"),
         "bad block_number: expected a non-negative decimal integer below 2^63, found '9223372036854775808'"),
        (fileWith(column: 1, ""), "empty required field 'block_number'"),
        (fileWith(column: 2, "yesterday"), "bad block_timestamp: expected unix seconds or an ISO-8601 UTC time, found 'yesterday'"),
        (fileWith(column: 2, "2022-02-30 00:00:00 UTC"),
         "bad block_timestamp: expected unix seconds or an ISO-8601 UTC time, found '2022-02-30 00:00:00 UTC'"),
        (fileWith(column: 3, "0xaaaa"), "bad hex in column 'from_address': expected 0x and 40 hex digits, found '0xaaaa'"),
        (fileWith(column: 3, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
         "bad hex in column 'from_address': expected 0x and 40 hex digits, found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"),
        (fileWith(column: 4, "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbz"),
         "bad hex in column 'to_address': expected 0x and 40 hex digits, found '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbz'"),
        (fileWith(column: 4, ""), "empty required field 'to_address'"),
        (fileWith(column: 5, "-5"), "negative value '-5'"),
        (fileWith(column: 5, "1e18"), "non-numeric value '1e18'"),
        (fileWith(column: 5, "1.5"), "non-numeric value '1.5'"),
        (fileWith(column: 5, " 15"), "non-numeric value ' 15'"),
        (fileWith(column: 5, "-"), "non-numeric value '-'"),
        (fileWith(column: 5, ""), "empty required field 'value'"),
        (fileWith(column: 5, "115792089237316195423570985008687907853269984665640564039457584007913129639936"),
         "value of 2^256 or more: '115792089237316195423570985008687907853269984665640564039457584007913129639936'"),
        (fileWith(column: 5, String(repeating: "9", count: 100)),
         "value of 2^256 or more: '" + String(repeating: "9", count: 80) + "…' (100 bytes)"),
        (fileWith(column: 6, "ETH"),
         "bad hex in column 'asset': expected empty (native coin) or 0x and 40 hex digits, found 'ETH'"),
        (fileWith(column: 7, "4294967296"),
         "bad log_index: expected a non-negative decimal integer below 2^32, found '4294967296'"),
        (fileWith(column: 7, ""), "empty required field 'log_index'"),
        (header + "\n" + validFields.dropLast().joined(separator: ",") + "\n", "wrong column count (expected 8, found 7)"),
        (header + "\n" + validFields.joined(separator: ",") + ",\n", "wrong column count (expected 8, found 9)"),
        (header + "\nhello\n", "wrong column count (expected 8, found 1)"),
        (fileWith(column: 5, "\"12\"3\""), "unexpected character after closing quote in column 6"),
        (fileWith(column: 5, "\"123"), "unterminated quoted field in column 6"),
        (fileWith(column: 3, "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaé"),
         "bad hex in column 'from_address': expected 0x and 40 hex digits, found '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaé'"),
    ]

    @Test(arguments: badRows)
    func badRowIsRejectedWithReason(text: String, reason: String) throws {
        let (rows, rejections) = try read(text)
        #expect(rows.isEmpty)
        #expect(rejections == [RowRejection(file: "t.csv", line: 2, reason: reason)])
        #expect(rejections.first?.description == "t.csv:2: " + reason)
    }

    @Test func nonUTF8Bytes() throws {
        var bytes = Array((header + "\n").utf8)
        var fields = validFields.map { Array($0.utf8) }
        fields[5] = [0x31, 0xFF, 0x32]
        bytes += Array(fields.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "\n")]
        bytes += Array(validFields.joined(separator: ",").utf8)
        let (rows, rejections) = try read(bytes: bytes)
        #expect(rejections.map(\.description) == ["t.csv:2: non-UTF-8 bytes in column 'value'"])
        #expect(rows.map(\.line) == [3])
    }

    @Test func badRowsDoNotStopReading() throws {
        let good = validFields.joined(separator: ",")
        let text = [header, good, "garbage", good, fileWith(column: 5, "-1").split(separator: "\n")[1].description, good]
            .joined(separator: "\n")
        let (rows, rejections) = try read(text)
        #expect(rows.map(\.line) == [2, 4, 6])
        #expect(rejections.map(\.line) == [3, 5])
    }

    @Test func valueBoundaries() throws {
        let cases: [(String, Amount)] = [
            ("0", .zero), ("000", .zero), ("18446744073709551615", Amount(UInt64.max)),
            ("18446744073709551616", Amount(words: [0, 1])!),
            ("340282366920938463463374607431768211456", Amount(words: [0, 0, 1])!),
            ("115792089237316195423570985008687907853269984665640564039457584007913129639935", .max),
            ("0000115792089237316195423570985008687907853269984665640564039457584007913129639935", .max),
        ]
        for (text, expected) in cases {
            let (rows, rejections) = try read(fileWith(column: 5, text))
            #expect(rejections.isEmpty, "\(text)")
            #expect(rows.first?.value == expected, "\(text)")
        }
    }

    @Test func ethereumETLTokenTransfersConvert() throws {
        let source = IngestTestPaths.sharedData + "/ethereum/token_transfers_15320500_15320589.csv"
        let directory = IngestTestPaths.temporaryDirectory("etl")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let destination = directory + "/transfers.csv"
        let (written, rejections) = try EthereumETLTokenTransfers.convert(source: source, destination: destination)
        #expect(written == 12_888)
        #expect(rejections.isEmpty)
        let (rows, readRejections) = try TransfersCSVReader.readAll(path: destination)
        #expect(readRejections.isEmpty)
        #expect(rows.count == 12_888)
        #expect(rows.allSatisfy { $0.asset != nil && $0.timestamp == 0 })
        #expect(Set(rows.map(\.blockNumber)).isSubset(of: Set(15_320_500...15_320_589)))
        let twoTo127 = Amount(words: [0, 1 << 63])!
        let above2to127 = rows.filter { $0.value > twoTo127 }
        #expect(above2to127.count == 108)
        let tornado = rows.filter { $0.to == "0x2f50508a8a3d323b91336fa3ea6ae50e55f32185" }
        #expect(tornado.count == 1)
        #expect(tornado.first?.txHash.description == "0xd88ba24c3dd6f8a64c7eeb04184d64d0febbffb0c21c154e5045584a9bae1ce1")
        #expect(tornado.first?.blockNumber == 15_320_560)
        // Same rows straight from the export (CRLF line endings) and from the converted file.
        var direct = try EthereumETLTokenTransfers(path: source)
        var directRows: [TransferRow] = []
        while case .row(var row)? = direct.next() {
            row.line = 0
            directRows.append(row)
        }
        #expect(directRows == rows.map { var row = $0; row.line = 0; return row })
    }

    @Test func ethereumETLBadHeader() {
        let error = #expect(throws: IngestError.self) {
            try EthereumETLTokenTransfers(bytes: Array((header + "\n").utf8), file: "tt.csv")
        }
        #expect(error == .badHeader(file: "tt.csv", expected: EthereumETLTokenTransfers.header, found: header))
    }

    @Test func writerRoundTrip() throws {
        let (rows, _) = try TransfersCSVReader.readAll(path: IngestTestPaths.fixtures + "/transfers-small.csv")
        let directory = IngestTestPaths.temporaryDirectory("writer")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try TransfersCSVWriter(path: directory + "/out.csv")
        for row in rows { try writer.write(row) }
        let digest = try writer.finish()
        #expect(digest == (try FileDigest.sha256(path: directory + "/out.csv")))
        let (again, rejections) = try TransfersCSVReader.readAll(path: directory + "/out.csv")
        #expect(rejections.isEmpty)
        #expect(again == rows)
    }

    @Test func canonicalAddressAndTxHash() {
        #expect(TransferRow.canonicalAddress("0XABCDEFabcdef0123456789ABCDEFabcdef012345") == "0xabcdefabcdef0123456789abcdefabcdef012345")
        #expect(TransferRow.canonicalAddress("0xabc") == nil)
        let hash = TxHash(hex: "0x" + String(repeating: "Ab", count: 32))
        #expect(hash?.bytes == [UInt8](repeating: 0xAB, count: 32))
        #expect(hash == TxHash(bytes: [UInt8](repeating: 0xAB, count: 32)))
    }
}
