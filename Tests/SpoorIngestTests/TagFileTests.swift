import Foundation
import SpoorIngest
import Testing

private func parse(_ text: String, tag: String? = "watch", source: String? = nil, confidence: Double? = nil) throws -> TagFile {
    try TagFileReader.parse(bytes: Array(text.utf8), file: "tags", tag: tag, source: source, confidence: confidence)
}

@Suite struct TagFileTests {
    static let ofac = IngestTestPaths.sharedData + "/ofac"

    @Test(arguments: [("ETH", 152), ("XBT", 435)])
    func ofacListsTextAndJSONAgree(asset: String, count: Int) throws {
        let text = try TagFileReader.read(path: Self.ofac + "/sanctioned_addresses_\(asset).txt", tag: "ofac", source: "OFAC SDN")
        let json = try TagFileReader.read(path: Self.ofac + "/sanctioned_addresses_\(asset).json", tag: "ofac", source: "OFAC SDN")
        #expect(text.format == .addressList)
        #expect(json.format == .jsonStrings)
        #expect(text.entries.count == count)
        #expect(json.entries.count == count)
        #expect(text.rejections.isEmpty && json.rejections.isEmpty)
        #expect(text.duplicateCount == 0 && json.duplicateCount == 0)
        #expect(text.entries == json.entries)
        #expect(text.entries.allSatisfy { $0.tag == "ofac" && $0.source == "OFAC SDN" && $0.confidence == nil })
    }

    @Test func ofacETHIsCanonicalLowercase() throws {
        let file = try TagFileReader.read(path: Self.ofac + "/sanctioned_addresses_ETH.txt", tag: "ofac")
        #expect(file.entries.first?.address == "0x01e2919679362dfbc9ee1644ba9c6da6d6245bb1")
        #expect(file.entries.contains { $0.address == "0x2f50508a8a3d323b91336fa3ea6ae50e55f32185" })
        #expect(file.entries.allSatisfy { $0.address == $0.address.lowercased() && $0.address.utf8.count == 42 })
    }

    @Test func ofacXBTKeepsBase58AndLowercasesBech32() throws {
        let file = try TagFileReader.read(path: Self.ofac + "/sanctioned_addresses_XBT.txt", tag: "ofac")
        let raw = try String(contentsOfFile: Self.ofac + "/sanctioned_addresses_XBT.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let expected = raw.map { $0.lowercased().hasPrefix("bc1") ? $0.lowercased() : $0 }
        #expect(file.entries.map(\.address) == expected)
        #expect(file.entries.filter { $0.address.hasPrefix("bc1") }.count == 80)
    }

    @Test func ethLabelsObjects() throws {
        let file = try TagFileReader.read(path: IngestTestPaths.sharedData + "/labels/eth-labels/ftx.json", tag: "exchange")
        #expect(file.format == .jsonObjects)
        #expect(file.entries.count == 7)
        #expect(file.entries.first == TagEntry(address: "0x2faf487a4414fe77e2327f0bf4ae2a264a776ad2", tag: "exchange", name: "FTX"))
        // Without a caller tag the name tag becomes the tag.
        let named = try TagFileReader.read(path: IngestTestPaths.sharedData + "/labels/eth-labels/ftx.json", tag: nil)
        #expect(named.entries.first?.tag == "FTX")
    }

    @Test func mewDarklistRejectsTheShortAddressAndDedupes() throws {
        let file = try TagFileReader.read(path: IngestTestPaths.sharedData + "/labels/mew_addresses-darklist.json", tag: "phishing")
        #expect(file.format == .jsonObjects)
        #expect(file.rejections.count == 1)
        #expect(file.rejections.first?.reason == "bad address '0x9CdfC5b0ACA4527a0916412E9dbD6AD85556A49': expected 0x and 40 hex digits")
        // 693 entries: 630 distinct after trimming and lowercasing, one of them the short one.
        #expect(file.entries.count == 629)
        #expect(file.duplicateCount == 693 - 629 - 1)
        #expect(file.entries.contains { $0.address == "0x00e01a648ff41346cdeb873182383333d2184dd1" })  // trailing space trimmed
    }

    @Test func addressListWithCommentsAndBadLines() throws {
        let text = """
            # a watchlist
            0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA   # trailing comment

            BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH
            1BoatSLRHtKNngkdXEeobR76b53LETtpyT\r
            0x1234
            two words here
            0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            bc1qXy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh
            """
        let file = try parse(text, tag: "watch", source: "manual", confidence: 0.5)
        #expect(file.format == .addressList)
        #expect(file.entries.map(\.address) == [
            "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
            "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
        ])
        #expect(file.entries.allSatisfy { $0.tag == "watch" && $0.source == "manual" && $0.confidence == 0.5 })
        #expect(file.duplicateCount == 1)
        #expect(file.rejections.map(\.description) == [
            "tags:6: bad address '0x1234': expected 0x and 40 hex digits",
            "tags:7: expected one address per line, found 'two words here'",
            "tags:9: bad address 'bc1qXy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh': mixed-case bech32",
        ])
    }

    @Test func addressListNeedsATag() throws {
        let file = try parse("0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", tag: nil)
        #expect(file.entries.isEmpty)
        #expect(file.rejections.map(\.description) == [
            "tags:1: no tag for 0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: the file gives none and no default tag was given"
        ])
    }

    @Test func csvTags() throws {
        let text = """
            address,tag,source,confidence\r
            0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,mixer,,0.9\r
            0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb,,chainalysis,\r
            "0xcccccccccccccccccccccccccccccccccccccccc","exchange, hot wallet","a ""quoted"" source",1\r
            0xdddddddddddddddddddddddddddddddddddddddd,scam,,1.5\r
            0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee,scam\r
            # comment\r
            0xffffffffffffffffffffffffffffffffffffffff,scam,,abc\r
            0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,mixer,other,0.1\r

            """
        let file = try parse(text, tag: "default", source: "caller", confidence: 0.3)
        #expect(file.format == .csv)
        #expect(file.entries == [
            TagEntry(address: "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", tag: "mixer", source: "caller", confidence: 0.9),
            TagEntry(address: "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", tag: "default", source: "chainalysis", confidence: 0.3),
            TagEntry(address: "0xcccccccccccccccccccccccccccccccccccccccc", tag: "exchange, hot wallet", source: "a \"quoted\" source", confidence: 1),
        ])
        #expect(file.duplicateCount == 1)
        #expect(file.rejections.map(\.description) == [
            "tags:5: confidence must be a number in 0...1, found '1.5'",
            "tags:6: wrong column count (expected 4, found 2)",
            "tags:8: confidence must be a number in 0...1, found 'abc'",
        ])
    }

    @Test func jsonErrorsNameTheLine() throws {
        let error = #expect(throws: IngestError.self) { try parse("[\n  \"0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n  oops\n]") }
        // Foundation's wording ("Invalid value around character 52") with the line, column and text found there.
        let description = try #require(error?.description)
        #expect(description.hasPrefix("tags:3: invalid JSON at column 3: "))
        #expect(description.hasSuffix(", found 'oops'"))
        let truncated = #expect(throws: IngestError.self) { try parse("[\n  \"0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n") }
        #expect(truncated?.description.hasPrefix("tags:2: invalid JSON: ") == true)
        let notArray = #expect(throws: IngestError.self) { try parse("{\"address\": \"x\"}") }
        #expect(notArray == .malformed(file: "tags", line: 1, reason: "expected a JSON array of address strings or of objects with an \"address\" member"))
        let file = try parse("[\n  \"0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\n  42,\n  \"0xzz\"\n]")
        #expect(file.entries.count == 1)
        #expect(file.rejections.map(\.description) == [
            // A number is not searched for: the line is the previous entry's, and the entry is named.
            "tags:2: entry 2: expected an address string or an object with an \"address\" member",
            "tags:4: bad address '0xzz': expected 0x and 40 hex digits",
        ])
    }

    @Test func jsonObjectsWithoutAddress() throws {
        let file = try parse("[{\"address\": \"0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", \"label\": \"L\\u00e9\"},\n {\"name\": \"x\"}]", tag: nil)
        #expect(file.entries == [TagEntry(address: "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", tag: "Lé", name: "Lé")])
        #expect(file.rejections.map(\.description) == [
            "tags:1: entry 2: expected an object with a string \"address\" member"
        ])
    }

    @Test func jsonEntryLinesFollowTheText() throws {
        // Duplicates map to successive lines; an escaped string cannot be found and is named by its entry.
        let text = """
            [
              {"address": "0x1234", "name": "a"},
              {"address": "0x1234", "name": "b"},
              "0x123\\u0034",
              {"address": "0xzz"}
            ]
            """
        let file = try parse(text)
        #expect(file.entries.isEmpty)
        #expect(file.rejections.map(\.description) == [
            "tags:2: bad address '0x1234': expected 0x and 40 hex digits",
            "tags:3: bad address '0x1234': expected 0x and 40 hex digits",
            "tags:3: entry 3: bad address '0x1234': expected 0x and 40 hex digits",
            "tags:5: bad address '0xzz': expected 0x and 40 hex digits",
        ])
    }

    @Test func jsonWithByteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("[\n\"0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\n x]".utf8)
        let error = #expect(throws: IngestError.self) {
            try TagFileReader.parse(bytes: bytes, file: "tags", tag: "watch")
        }
        #expect(error?.description.hasPrefix("tags:3: invalid JSON at column 2: ") == true)
        #expect(error?.description.hasSuffix(", found 'x]'") == true)
    }

    @Test func badConfidenceArgument() {
        #expect(throws: IngestError.invalidArgument("confidence must be in 0...1, found 2.0")) { try parse("", confidence: 2) }
    }

    @Test func unreadableFile() {
        let error = #expect(throws: IngestError.self) { try TagFileReader.read(path: "/nonexistent/list.txt", tag: "x") }
        #expect(error?.file == "/nonexistent/list.txt")
    }
}
