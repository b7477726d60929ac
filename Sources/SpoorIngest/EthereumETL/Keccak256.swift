/// Keccak-256 as Ethereum uses it (the original Keccak padding `0x01`, not SHA3-256's `0x06`), and the address a
/// contract creation makes.
///
/// Checked against the published digests of `""` and `"abc"` and against a real creation's receipt (see
/// `EthereumETLKeccakTests`).
package enum Keccak256 {
    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]
    /// Rotation of lane x + 5y.
    private static let rotations: [UInt64] = [
        0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
    ]
    /// The rate in bytes (1600 − 2 · 256 bits).
    private static let rate = 136

    /// The 32-byte digest of `message`. `domain` is the first padding byte: 0x01 for Keccak-256; 0x06 gives
    /// SHA3-256 (FIPS 202), the same permutation, which the tests check against Python's `hashlib.sha3_256`.
    package static func hash(_ message: [UInt8], domain: UInt8 = 0x01) -> [UInt8] {
        var state = [UInt64](repeating: 0, count: 25)
        var padded = message
        padded.append(domain)
        while padded.count % rate != 0 { padded.append(0) }
        padded[padded.count - 1] |= 0x80
        for blockStart in stride(from: 0, to: padded.count, by: rate) {
            for lane in 0..<(rate / 8) {
                var value: UInt64 = 0
                for byte in 0..<8 { value |= UInt64(padded[blockStart + lane * 8 + byte]) << (8 * UInt64(byte)) }
                state[lane] ^= value
            }
            permute(&state)
        }
        var digest: [UInt8] = []
        for lane in 0..<4 {
            for byte in 0..<8 { digest.append(UInt8(truncatingIfNeeded: state[lane] >> (8 * UInt64(byte)))) }
        }
        return digest
    }

    /// Keccak-f[1600].
    private static func permute(_ a: inout [UInt64]) {
        var b = [UInt64](repeating: 0, count: 25)
        var c = [UInt64](repeating: 0, count: 5)
        for round in 0..<24 {
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotate(c[(x + 1) % 5], 1)
                for y in stride(from: 0, to: 25, by: 5) { a[y + x] ^= d }
            }
            for x in 0..<5 {
                for y in 0..<5 {
                    // ρ and π: lane (x, y) moves to (y, 2x + 3y).
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = rotate(a[x + 5 * y], rotations[x + 5 * y])
                }
            }
            for y in stride(from: 0, to: 25, by: 5) {
                for x in 0..<5 { a[y + x] = b[y + x] ^ (~b[y + (x + 1) % 5] & b[y + (x + 2) % 5]) }
            }
            a[0] ^= roundConstants[round]
        }
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        count == 0 ? value : (value << count) | (value >> (64 - count))
    }

    /// The address a creation by `sender` with `nonce` makes: the last 20 bytes of keccak256(rlp([sender, nonce])),
    /// as `0x` + 40 lowercase hex digits. `nil` when `sender` is not `0x` + 40 hex digits.
    package static func contractAddress(sender: String, nonce: UInt64) -> String? {
        let hex = Array(sender.utf8)
        guard hex.count == 42 else { return nil }
        var address: [UInt8] = []
        for index in stride(from: 2, to: 42, by: 2) {
            let high = FieldParsing.hexDigit(hex[index])
            let low = FieldParsing.hexDigit(hex[index + 1])
            guard high < 16, low < 16 else { return nil }
            address.append(high << 4 | low)
        }
        // RLP: the address as a 20-byte string (0x94 prefix); the nonce as its big-endian bytes without leading
        // zeros: 0 is the empty string (0x80), 1…127 a single byte, else 0x80 + length and the bytes.
        var nonceBytes: [UInt8] = []
        var rest = nonce
        while rest > 0 {
            nonceBytes.insert(UInt8(truncatingIfNeeded: rest), at: 0)
            rest >>= 8
        }
        var item: [UInt8] = [0x94] + address
        if nonceBytes.count == 1 && nonceBytes[0] < 0x80 {
            item += nonceBytes
        } else {
            item += [0x80 + UInt8(nonceBytes.count)] + nonceBytes
        }
        let encoded = [0xC0 + UInt8(item.count)] + item  // At most 1 + 21 + 9 = 31 bytes: a short list.
        let digest = hash(encoded)
        return "0x" + digest[12...].map(FieldParsing.hexPair).joined()
    }
}
