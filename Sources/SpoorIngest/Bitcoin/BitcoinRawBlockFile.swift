/// Files that each hold one serialized block (`--format bitcoin-raw`): binary, or hex text (either case, surrounding
/// whitespace and line breaks allowed, as `bitcoin-cli getblock HASH 0` prints it).
public enum BitcoinRawBlockFile {
    /// The block bytes of the file at `path`: decoded from hex when the whole file is hex digits and whitespace
    /// (and not empty), as is otherwise.
    public static func bytes(path: String) throws(BitcoinParseError) -> [UInt8] {
        let mapped: MappedBytes
        do {
            mapped = try MappedBytes(path: path)
        } catch {
            throw BitcoinParseError(.unreadable(reason: error.description), file: path, offset: 0)
        }
        // The mapping must outlive the reads through `buffer`.
        return try withExtendedLifetime(mapped) { () throws(BitcoinParseError) -> [UInt8] in
            try bytes(contents: UnsafeRawBufferPointer(start: mapped.base, count: mapped.count), file: path)
        }
    }

    /// The block bytes of `contents` (hex text or binary, see `bytes(path:)`); `file` names them in errors.
    public static func bytes(contents: UnsafeRawBufferPointer, file: String) throws(BitcoinParseError) -> [UInt8] {
        var digits = [UInt8]()
        var isHex = contents.count > 0
        for byte in contents {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                UInt8(ascii: "A")...UInt8(ascii: "F"):
                digits.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            default:
                isHex = false
            }
            if !isHex { break }
        }
        // A binary block starts with a 4-byte version; all-hex-digit binary files of even length are not a concern
        // in practice (the header's hashes and nonce make such bytes astronomically unlikely).
        guard isHex, !digits.isEmpty else { return Array(contents) }
        guard digits.count % 2 == 0, let decoded = BitcoinHex.decode(String(decoding: digits, as: UTF8.self)) else {
            throw BitcoinParseError(
                .badLength(what: "hex block", detail: "\(digits.count) hex digits is an odd number"),
                file: file,
                offset: 0
            )
        }
        return decoded
    }

    /// Reads and parses the one block in the file at `path`, verifying its merkle root.
    public static func block(path: String) throws(BitcoinParseError) -> BitcoinBlock {
        let bytes = try bytes(path: path)
        let block = try BitcoinBlock.parse(bytes, file: path, offset: 0)
        try block.verifyMerkleRoot(file: path, offset: 0)
        return block
    }
}
