import Foundation
import SpoorIngest
import Testing

@Suite struct BitcoinAddressTests {
    @Test func ripemd160PaperVectors() {
        // Bosselaers' RIPEMD-160 page test vectors (also checked with Python hashlib.new("ripemd160")).
        let vectors: [(String, String)] = [
            ("", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
            ("a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
            ("abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
            ("message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
            ("abcdefghijklmnopqrstuvwxyz", "f71c27109c692c1b56bbdceb5b9d2865b3708dbc"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "12a053384a9c0c88e405a06c27dcf49ada62eb2b"),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "b0e20b6e3116640286ed3a87a5713079b21f5189"
            ),
            (String(repeating: "1234567890", count: 8), "9b752e45573d4b39f4dbd3323cab82bf63326bfb"),
            (String(repeating: "a", count: 1_000_000), "52783243c1697bdbe16d37f97f68f08325dc1528"),
        ]
        for (message, digest) in vectors {
            #expect(BitcoinHex.encode(RIPEMD160.hash(Array(message.utf8))) == digest, "\(message.prefix(20))")
        }
        // Padding boundaries, 'a' * n (Python hashlib).
        let boundaries: [(Int, String)] = [
            (55, "0d8a8c9063a48576a7c97e9f95253a6e53ff6765"), (56, "e72334b46c83cc70bef979e15453706c95b888be"),
            (57, "eed82d19d597ab275b550ff3d6e0bc2a75350388"), (63, "e640041293fe663b9bf3f8c21ffecac03819e6b2"),
            (64, "9dfb7d374ad924f3f88de96291c33e9abed53e32"), (65, "99724bb11811e7166af38f671b6a082d8ab4960b"),
            (119, "23e398ff2bac815aa1bbb57ca2a669c841872919"), (120, "c476770a6dae31fcee8d25efe6559a05c8024595"),
        ]
        for (count, digest) in boundaries {
            #expect(BitcoinHex.encode(RIPEMD160.hash([UInt8](repeating: 0x61, count: count))) == digest, "\(count)")
        }
    }

    static func network(chain: String) -> BitcoinNetwork? {
        chain == "testnet4" ? .testnet : BitcoinNetwork(name: chain)
    }

    @Test func bitcoinCoreKeyIOVectors() throws {
        // Tests/Fixtures/bitcoin/key_io_valid_subset.json: the address vectors of Bitcoin Core's key_io_valid.json.
        let vectors = try #require(
            try BitcoinTestData.json(BitcoinTestData.fixtures + "/key_io_valid_subset.json") as? [[Any]]
        )
        #expect(vectors.count == 48)
        for vector in vectors {
            let address = try #require(vector[0] as? String)
            let scriptHex = try #require(vector[1] as? String)
            let script = try #require(BitcoinHex.decode(scriptHex))
            let chain = try #require((vector[2] as? [String: Any])?["chain"] as? String)
            let network = try #require(Self.network(chain: chain))
            let encoded = BitcoinAddressEncoder.address(scriptPubKey: script, network: network)
            #expect(encoded.text == address, "\(chain) \(address)")
            #expect(encoded.type != .nonStandard && encoded.type != .multisig)
            if address.hasPrefix(network.bech32HumanReadablePart + "1") {
                let decoded = Bech32.decodeSegwitAddress(
                    humanReadablePart: network.bech32HumanReadablePart,
                    address: address.uppercased()
                )
                #expect(decoded.map { BitcoinScript.witnessProgram(script)! == $0 } == true, "\(address)")
            } else {
                let payload = try #require(Base58.checkDecode(address))
                #expect(payload.count == 21)
            }
        }
    }

    @Test func bip173AndBip350Vectors() throws {
        let vectors = try #require(
            try BitcoinTestData.json(BitcoinTestData.fixtures + "/bip173_bip350_vectors.json") as? [String: Any]
        )
        let validBech32 = try #require(vectors["valid_bech32"] as? [String])
        let validBech32m = try #require(vectors["valid_bech32m"] as? [String])
        for text in validBech32 { #expect(Bech32.decode(text)?.variant == .bech32, "\(text)") }
        for text in validBech32m { #expect(Bech32.decode(text)?.variant == .bech32m, "\(text)") }
        for text in try #require(vectors["invalid_bech32m"] as? [String]) {
            #expect(Bech32.decode(text)?.variant != .bech32m, "\(text)")
        }
        // Re-encoding a valid string's parts gives the string back (lower case).
        for text in validBech32 + validBech32m {
            let decoded = try #require(Bech32.decode(text))
            #expect(
                Bech32.encode(
                    humanReadablePart: decoded.humanReadablePart,
                    data: decoded.data,
                    variant: decoded.variant
                ) == text.lowercased()
            )
        }
        for pair in try #require(vectors["valid_segwit"] as? [[String]]) {
            let address = pair[0]
            let script = try #require(BitcoinHex.decode(pair[1]))
            let hrp = address.lowercased().hasPrefix("bc1") ? "bc" : "tb"
            let network: BitcoinNetwork = hrp == "bc" ? .mainnet : .testnet
            let decoded = try #require(Bech32.decodeSegwitAddress(humanReadablePart: hrp, address: address))
            #expect(BitcoinScript.witnessProgram(script)?.version == decoded.version)
            #expect(BitcoinScript.witnessProgram(script)?.program == decoded.program)
            #expect(BitcoinAddressEncoder.address(scriptPubKey: script, network: network).text == address.lowercased())
        }
        for address in try #require(vectors["invalid_segwit"] as? [String]) {
            #expect(Bech32.decodeSegwitAddress(humanReadablePart: "bc", address: address) == nil, "\(address)")
            #expect(Bech32.decodeSegwitAddress(humanReadablePart: "tb", address: address) == nil, "\(address)")
        }
    }

    @Test func knownEarlyMainnetAddresses() throws {
        let blocks = try BitcoinTestData.blkBlocksByHand()
        let genesis = try BitcoinBlock.parse(blocks[0], file: "blk")
        let genesisOutput = BitcoinAddressEncoder.address(
            scriptPubKey: genesis.transactions[0].outputs[0].scriptPubKey,
            network: .mainnet
        )
        // The genesis coinbase pays Satoshi's key, shown by explorers as 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa.
        #expect(genesisOutput.text == "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
        #expect(genesisOutput.type == .p2pk)

        // Block 170: the first bitcoin transaction, f4184fc5..., 10 BTC to Hal Finney and 40 BTC change
        // (explorer values; also derived with Python hashlib sha256 + ripemd160 + base58).
        let block170 = try BitcoinBlock.parse(blocks[170], file: "blk")
        #expect(block170.header.hashHex == "00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee")
        let payment = try #require(block170.transactions.first { $0.txidHex.hasPrefix("f4184fc5") })
        #expect(payment.txidHex == "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16")
        #expect(payment.inputs[0].previousTxidHex == "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9")
        let addresses = payment.outputs.map {
            BitcoinAddressEncoder.address(scriptPubKey: $0.scriptPubKey, network: .mainnet).text
        }
        #expect(addresses == ["1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3", "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S"])
        #expect(payment.outputs.map(\.value) == [1_000_000_000, 4_000_000_000])
        let coinbase = BitcoinAddressEncoder.address(
            scriptPubKey: block170.transactions[0].outputs[0].scriptPubKey,
            network: .mainnet
        )
        #expect(coinbase.text == "1PSSGeFHDnKNxiEyFrD1wcEaHr9hrQDDWc")
    }

    @Test func scriptTypeCountsMatchTheManifest() throws {
        for entry in try BitcoinTestData.manifestBlocks() {
            let file = try #require(entry["file"] as? String)
            let block = try BitcoinBlock.parse(
                try BitcoinTestData.bytes(BitcoinTestData.directory + "/" + file),
                file: file
            )
            var counts: [String: Int] = [:]
            for transaction in block.transactions {
                for output in transaction.outputs {
                    let address = BitcoinAddressEncoder.address(scriptPubKey: output.scriptPubKey, network: .mainnet)
                    counts[address.type.description, default: 0] += 1
                    if address.type == .nullData {
                        #expect(address.text == nil && address.dataLength == output.scriptPubKey.count - 1)
                    } else {
                        #expect(address.text != nil)
                    }
                }
            }
            // MANIFEST.json counts per script type (collector's classifier).
            #expect(counts["p2pkh", default: 0] == entry["p2pkh_outputs"] as? Int, "\(file)")
            #expect(counts["p2sh", default: 0] == entry["p2sh_outputs"] as? Int, "\(file)")
            #expect(counts["p2wpkh", default: 0] == entry["p2wpkh_outputs"] as? Int, "\(file)")
            #expect(counts["p2wsh", default: 0] == entry["p2wsh_outputs"] as? Int, "\(file)")
            #expect(counts["p2tr", default: 0] == entry["p2tr_outputs"] as? Int, "\(file)")
            #expect(counts["nulldata", default: 0] == entry["op_return_outputs"] as? Int, "\(file)")
            if file.hasSuffix("866342.raw") { #expect(counts["p2tr"] == 2757) }  // data README
        }
    }

    @Test func scriptClassification() throws {
        let key33 = [UInt8](repeating: 0x11, count: 33).enumerated().map { $0.offset == 0 ? 0x02 : $0.element }
        let key65 = [UInt8](repeating: 0x22, count: 65).enumerated().map { $0.offset == 0 ? 0x04 : $0.element }
        #expect(BitcoinScript.type(of: [33] + key33 + [0xAC]) == .p2pk)
        #expect(BitcoinScript.type(of: [65] + key65 + [0xAC]) == .p2pk)
        // A 33-byte push whose first byte is not 02/03 is not a valid key size: non-standard.
        #expect(BitcoinScript.type(of: [33] + [0x05] + key33.dropFirst() + [0xAC]) == .nonStandard)
        let multisig: [UInt8] = [0x51] + [33] + key33 + [65] + key65 + [0x52, 0xAE]
        #expect(BitcoinScript.type(of: multisig) == .multisig)
        #expect(BitcoinScript.type(of: [0x53] + [33] + key33 + [0x51, 0xAE]) == .nonStandard)  // m > n
        #expect(BitcoinScript.type(of: [0x6A]) == .nullData)
        #expect(BitcoinScript.type(of: [0x6A, 0x04, 1, 2, 3, 4]) == .nullData)
        #expect(BitcoinScript.type(of: []) == .nonStandard)
        #expect(BitcoinScript.type(of: [0x00, 0x14] + [UInt8](repeating: 0, count: 19)) == .nonStandard)
        // Witness v0 with a 16-byte program.
        #expect(BitcoinScript.type(of: [0x00, 0x10] + [UInt8](repeating: 0, count: 16)) == .nonStandard)
        #expect(BitcoinScript.type(of: [0x51, 0x02, 0x4E, 0x73]) == .witnessUnknown(version: 1))  // P2A anchor
        #expect(BitcoinScript.type(of: [0x60, 0x02, 0x00, 0x00]) == .witnessUnknown(version: 16))

        // The P2A anchor address bc1pfeessrawgf is the widely published one for OP_1 <4e73>.
        #expect(
            BitcoinAddressEncoder.address(scriptPubKey: [0x51, 0x02, 0x4E, 0x73], network: .mainnet).text
                == "bc1pfeessrawgf"
        )

        // Script-keyed addresses: prefix + SHA-256 of the script (Python hashlib.sha256(b"\x6a\x6b").hexdigest() style).
        let odd: [UInt8] = [0x6B, 0x6C]
        let nonstandard = BitcoinAddressEncoder.address(scriptPubKey: odd, network: .mainnet)
        #expect(nonstandard.type == .nonStandard)
        #expect(nonstandard.text == "nonstandard-" + BitcoinHex.encode(BitcoinHash.sha256(odd)))
        #expect(
            BitcoinAddressEncoder.address(scriptPubKey: multisig, network: .mainnet).text?.hasPrefix("multisig-")
                == true
        )
        #expect(BitcoinAddressEncoder.address(scriptPubKey: multisig, network: .mainnet).text?.count == 9 + 64)
    }

    @Test func sha256AndBase58KnownValues() {
        // FIPS 180-2 "abc".
        #expect(
            BitcoinHex.encode(BitcoinHash.sha256(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
        // Base58 of leading zeros keeps one '1' per zero byte.
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(Base58.decode("112") == [0, 0, 1])
        #expect(Base58.decode("0OIl") == nil)
        #expect(Base58.checkDecode("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb") == nil)  // last character changed
        #expect(BitcoinNetwork(name: "regtest") == .regtest)
        #expect(BitcoinNetwork(name: "nope") == nil)
        #expect(BitcoinNetwork.signet.magic == [0x0A, 0x03, 0xCF, 0x40])
    }
}
