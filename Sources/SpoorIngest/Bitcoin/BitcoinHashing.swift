import Crypto

/// Lower-case hex encoding and decoding of byte strings.
public enum BitcoinHex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes` in their order.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Lower-case hex of `bytes` in reverse order: how txids and block hashes are displayed.
    public static func encodeReversed(_ bytes: [UInt8]) -> String { encode(bytes.reversed()) }

    /// The bytes of an even-length hex string (either case); `nil` if it is not hex.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// The bytes of a display-order hex hash, reversed into internal order; `nil` if it is not hex.
    public static func decodeReversed(_ text: some StringProtocol) -> [UInt8]? { decode(text).map { $0.reversed() } }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// The hash functions Bitcoin uses: SHA-256 (swift-crypto), double SHA-256, RIPEMD-160 and HASH160.
public enum BitcoinHash {
    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { sha256(buffer: $0) }
    }

    /// SHA-256 of the bytes in `buffer`.
    public static func sha256(buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bufferPointer: buffer)
        return bytes(of: hasher.finalize())
    }

    /// SHA-256(SHA-256(`bytes`)), as used for block hashes, txids and Base58Check checksums.
    public static func doubleSHA256(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { doubleSHA256(buffer: $0) }
    }

    /// SHA-256(SHA-256(bytes in `buffer`)).
    public static func doubleSHA256(buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bufferPointer: buffer)
        return secondRound(hasher.finalize())
    }

    /// SHA-256(SHA-256(the concatenation of `parts`)), without copying the parts together.
    public static func doubleSHA256(parts: [UnsafeRawBufferPointer]) -> [UInt8] {
        var hasher = SHA256()
        for part in parts { hasher.update(bufferPointer: part) }
        return secondRound(hasher.finalize())
    }

    /// SHA-256(SHA-256(`first` ‖ `second` ‖ `third`)): a witness transaction's txid without an array of parts.
    static func doubleSHA256(
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        _ third: UnsafeRawBufferPointer
    ) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bufferPointer: first)
        hasher.update(bufferPointer: second)
        hasher.update(bufferPointer: third)
        return secondRound(hasher.finalize())
    }

    /// SHA-256(SHA-256(`left` ‖ `right`)): one merkle tree node.
    public static func merkleParent(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return secondRound(hasher.finalize())
    }

    /// Writes SHA-256(SHA-256(`left` ‖ `right`)) into the 32 bytes of `target` (which may overlap `left`: both
    /// inputs are read before anything is written).
    static func merkleParent(
        _ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer
    ) {
        var hasher = SHA256()
        hasher.update(bufferPointer: left)
        hasher.update(bufferPointer: right)
        let first = hasher.finalize()
        var second = SHA256()
        first.withUnsafeBytes { second.update(bufferPointer: $0) }
        second.finalize().withUnsafeBytes { target.copyMemory(from: $0) }
    }

    /// RIPEMD-160(SHA-256(`bytes`)): the 20-byte key and script hash of P2PKH, P2SH and P2WPKH.
    public static func hash160(_ bytes: [UInt8]) -> [UInt8] { RIPEMD160.hash(sha256(bytes)) }

    private static func secondRound(_ first: SHA256.Digest) -> [UInt8] {
        var hasher = SHA256()
        first.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return bytes(of: hasher.finalize())
    }

    /// The 32 digest bytes, copied in one go (`Array(digest)` goes through the slow generic sequence path).
    @inline(__always)
    private static func bytes(of digest: SHA256.Digest) -> [UInt8] {
        digest.withUnsafeBytes { source in
            [UInt8](unsafeUninitializedCapacity: source.count) { target, count in
                UnsafeMutableRawBufferPointer(target).copyMemory(from: source)
                count = source.count
            }
        }
    }
}
