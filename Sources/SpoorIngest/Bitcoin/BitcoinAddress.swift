/// The address an output pays, as shown by block explorers.
public struct BitcoinOutputAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address text; `nil` only for null-data (OP_RETURN) outputs.
    ///
    /// - P2PKH, P2SH: Base58Check. P2PK: the P2PKH address of HASH160(pubkey), as explorers show it.
    /// - P2WPKH, P2WSH: bech32 (BIP 173). P2TR and other witness versions: bech32m (BIP 350).
    /// - Bare multisig: `multisig-` + hex(SHA-256(script)); non-standard: `nonstandard-` + hex(SHA-256(script)).
    ///   These are not real addresses but stable keys, so outputs with the same script share one address node.
    public var text: String?
    /// The script type.
    public var type: OutputScriptType
    /// For null data: the number of script bytes after the OP_RETURN opcode; 0 otherwise.
    public var dataLength: Int

    /// Creates an address value.
    public init(text: String?, type: OutputScriptType, dataLength: Int = 0) {
        self.text = text
        self.type = type
        self.dataLength = dataLength
    }

    /// The text, or `nulldata(N bytes)`.
    public var description: String { text ?? "nulldata(\(dataLength) bytes)" }
}

/// Encodes output scripts as address strings.
public enum BitcoinAddressEncoder {
    /// The address (or script-hash key) of `scriptPubKey` on `network`; see `BitcoinOutputAddress.text`.
    public static func address(scriptPubKey script: [UInt8], network: BitcoinNetwork) -> BitcoinOutputAddress {
        let type = BitcoinScript.type(of: script)
        switch type {
        case .p2pkh:
            return BitcoinOutputAddress(text: Base58.checkEncode([network.p2pkhPrefix] + script[3..<23]), type: type)
        case .p2sh:
            return BitcoinOutputAddress(text: Base58.checkEncode([network.p2shPrefix] + script[2..<22]), type: type)
        case .p2pk:
            let key = BitcoinScript.payToPubKeyKey(script) ?? []
            let text = Base58.checkEncode([network.p2pkhPrefix] + BitcoinHash.hash160(key))
            return BitcoinOutputAddress(text: text, type: type)
        case .p2wpkh, .p2wsh, .p2tr, .witnessUnknown:
            guard let (version, program) = BitcoinScript.witnessProgram(script),
                let text = Bech32.encodeSegwitAddress(
                    humanReadablePart: network.bech32HumanReadablePart,
                    version: version,
                    program: program
                )
            else {
                return BitcoinOutputAddress(text: scriptKey("nonstandard", script), type: .nonStandard)
            }
            return BitcoinOutputAddress(text: text, type: type)
        case .nullData:
            return BitcoinOutputAddress(text: nil, type: type, dataLength: script.count - 1)
        case .multisig:
            return BitcoinOutputAddress(text: scriptKey("multisig", script), type: type)
        case .nonStandard:
            return BitcoinOutputAddress(text: scriptKey("nonstandard", script), type: type)
        }
    }

    /// The Base58Check P2PKH address of a 20-byte key hash.
    public static func p2pkhAddress(keyHash: [UInt8], network: BitcoinNetwork) -> String {
        Base58.checkEncode([network.p2pkhPrefix] + keyHash)
    }

    private static func scriptKey(_ prefix: String, _ script: [UInt8]) -> String {
        prefix + "-" + BitcoinHex.encode(BitcoinHash.sha256(script))
    }
}

/// Base58 and Base58Check (Bitcoin alphabet).
public enum Base58 {
    static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    /// Base58 of `bytes`, one `1` per leading zero byte.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // The number in limbs of five base-58 digits (58^5 < 2^30), least significant first: one division per
        // five digits instead of one per digit.
        let limbBase: UInt64 = 656_356_768
        var limbs = [UInt64]()
        limbs.reserveCapacity(bytes.count * 138 / 500 + 1)
        for byte in bytes[zeros...] {
            var carry = UInt64(byte)
            for index in limbs.indices {
                let value = limbs[index] << 8 | carry
                limbs[index] = value % limbBase
                carry = value / limbBase
            }
            while carry > 0 {
                limbs.append(carry % limbBase)
                carry /= limbBase
            }
        }
        var digits = [UInt8]()  // least significant first
        digits.reserveCapacity(limbs.count * 5)
        for var limb in limbs {
            for _ in 0..<5 {
                digits.append(UInt8(limb % 58))
                limb /= 58
            }
        }
        while digits.last == 0 { digits.removeLast() }  // The top limb's leading zero digits.
        var text = [UInt8](repeating: UInt8(ascii: "1"), count: zeros)
        text.reserveCapacity(zeros + digits.count)
        for digit in digits.reversed() { text.append(alphabet[Int(digit)]) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Base58 of `payload` followed by the first 4 bytes of its double SHA-256.
    public static func checkEncode(_ payload: [UInt8]) -> String {
        encode(payload + BitcoinHash.doubleSHA256(payload).prefix(4))
    }

    /// The bytes of a Base58 string; `nil` on a character outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        var table = [Int](repeating: -1, count: 128)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = index }
        let characters = Array(text.utf8)
        let zeros = characters.prefix { $0 == UInt8(ascii: "1") }.count
        var bytes = [UInt8]()  // least significant first
        for character in characters[zeros...] {
            guard character < 128, table[Int(character)] >= 0 else { return nil }
            var carry = table[Int(character)]
            for index in bytes.indices {
                carry += Int(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }

    /// The payload of a Base58Check string; `nil` if it is not Base58, shorter than 4 bytes or the checksum fails.
    public static func checkDecode(_ text: String) -> [UInt8]? {
        guard let bytes = decode(text), bytes.count >= 4 else { return nil }
        let payload = Array(bytes.dropLast(4))
        guard Array(bytes.suffix(4)) == Array(BitcoinHash.doubleSHA256(payload).prefix(4)) else { return nil }
        return payload
    }
}

/// Bech32 (BIP 173) and bech32m (BIP 350) for segwit addresses.
public enum Bech32 {
    /// The checksum variant.
    public enum Variant: Sendable, Hashable {
        /// BIP 173, constant 1: witness v0.
        case bech32
        /// BIP 350, constant 0x2bc830a3: witness v1 and later.
        case bech32m

        var constant: UInt32 { self == .bech32 ? 1 : 0x2BC8_30A3 }
    }

    static let charset: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    static func polymod(_ values: [UInt8]) -> UInt32 {
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1FF_FFFF) << 5 ^ UInt32(value)
            // The generator's five words, each applied when its bit of `top` is set (0 &- bit: all ones or zero).
            checksum ^= (0 &- (top & 1)) & 0x3B6A_57B2
            checksum ^= (0 &- (top >> 1 & 1)) & 0x2650_8E6D
            checksum ^= (0 &- (top >> 2 & 1)) & 0x1EA1_19FA
            checksum ^= (0 &- (top >> 3 & 1)) & 0x3D42_33DD
            checksum ^= (0 &- (top >> 4 & 1)) & 0x2A14_62B3
        }
        return checksum
    }

    static func expand(_ humanReadablePart: [UInt8]) -> [UInt8] {
        humanReadablePart.map { $0 >> 5 } + [0] + humanReadablePart.map { $0 & 31 }
    }

    /// Encodes 5-bit `data` under `humanReadablePart` (lower case) with the checksum of `variant`.
    public static func encode(humanReadablePart: String, data: [UInt8], variant: Variant) -> String {
        let hrp = Array(humanReadablePart.lowercased().utf8)
        let values = expand(hrp) + data + [0, 0, 0, 0, 0, 0]
        let mod = polymod(values) ^ variant.constant
        var text = hrp
        text.append(UInt8(ascii: "1"))
        for value in data { text.append(charset[Int(value)]) }
        for index in 0..<6 { text.append(charset[Int((mod >> UInt32(5 * (5 - index))) & 31)]) }
        return String(decoding: text, as: UTF8.self)
    }

    /// Decodes a bech32 or bech32m string (at most 90 characters, one case, valid checksum) into its lower-case
    /// human-readable part, 5-bit data (checksum removed) and variant; `nil` if it is invalid.
    public static func decode(_ text: String) -> (humanReadablePart: String, data: [UInt8], variant: Variant)? {
        let characters = Array(text.utf8)
        guard characters.count <= 90 else { return nil }
        var hasLower = false
        var hasUpper = false
        for character in characters {
            guard character >= 33 && character <= 126 else { return nil }
            if character >= UInt8(ascii: "a") && character <= UInt8(ascii: "z") { hasLower = true }
            if character >= UInt8(ascii: "A") && character <= UInt8(ascii: "Z") { hasUpper = true }
        }
        guard !(hasLower && hasUpper) else { return nil }
        let lower = characters.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")), separator >= 1, separator + 7 <= lower.count
        else { return nil }
        let hrp = Array(lower[..<separator])
        var data = [UInt8]()
        for character in lower[(separator + 1)...] {
            guard let value = charset.firstIndex(of: character) else { return nil }
            data.append(UInt8(value))
        }
        let check = polymod(expand(hrp) + data)
        let variant: Variant
        if check == Variant.bech32.constant {
            variant = .bech32
        } else if check == Variant.bech32m.constant {
            variant = .bech32m
        } else {
            return nil
        }
        return (String(decoding: hrp, as: UTF8.self), Array(data.dropLast(6)), variant)
    }

    /// Regroups bits (8→5 with padding, 5→8 without); `nil` on invalid padding.
    static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var accumulator = 0
        var bits = 0
        var result = [UInt8]()
        let maxValue = (1 << to) - 1
        for value in data {
            guard Int(value) >> from == 0 else { return nil }
            accumulator = (accumulator << from) | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                result.append(UInt8((accumulator >> bits) & maxValue))
            }
        }
        if pad {
            if bits > 0 { result.append(UInt8((accumulator << (to - bits)) & maxValue)) }
        } else if bits >= from || ((accumulator << (to - bits)) & maxValue) != 0 {
            return nil
        }
        return result
    }

    /// The segwit address of a witness program: bech32 for version 0, bech32m for 1..16; `nil` for a version above
    /// 16 or a program length outside 2..40 (20 or 32 for version 0).
    public static func encodeSegwitAddress(humanReadablePart: String, version: Int, program: [UInt8]) -> String? {
        guard (0...16).contains(version), (2...40).contains(program.count) else { return nil }
        if version == 0 && program.count != 20 && program.count != 32 { return nil }
        guard let data = convertBits(program, from: 8, to: 5, pad: true) else { return nil }
        return encode(
            humanReadablePart: humanReadablePart,
            data: [UInt8(version)] + data,
            variant: version == 0 ? .bech32 : .bech32m
        )
    }

    /// The witness version and program of a segwit address with the expected human-readable part, checking the
    /// BIP 173/350 rules (variant matches version, program lengths, padding); `nil` if it is invalid.
    public static func decodeSegwitAddress(
        humanReadablePart: String,
        address: String
    ) -> (version: Int, program: [UInt8])? {
        guard let decoded = decode(address), decoded.humanReadablePart == humanReadablePart.lowercased(),
            let versionValue = decoded.data.first, versionValue <= 16
        else { return nil }
        let version = Int(versionValue)
        guard let program = convertBits(Array(decoded.data.dropFirst()), from: 5, to: 8, pad: false),
            (2...40).contains(program.count)
        else { return nil }
        if version == 0 && program.count != 20 && program.count != 32 { return nil }
        guard decoded.variant == (version == 0 ? .bech32 : .bech32m) else { return nil }
        return (version, program)
    }
}
