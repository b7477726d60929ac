internal import CZstd

/// zstd compression of sealed chunks.
enum Zstd {
    /// Compresses `input` at `level`. The corresponding C function is `ZSTD_compress`.
    static func compress(_ input: [UInt8], level: Int32 = 3) throws(StoreError) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { inp in
                ZSTD_compress(out.baseAddress, bound, inp.baseAddress, inp.count, level)
            }
        }
        if ZSTD_isError(written) != 0 { throw .compression(String(cString: ZSTD_getErrorName(written))) }
        output.removeLast(bound - written)
        return output
    }

    /// Decompresses `input` that must expand to exactly `size` bytes.
    /// The corresponding C function is `ZSTD_decompress`.
    static func decompress(_ input: UnsafeRawBufferPointer, size: Int) throws(DecodeError) -> [UInt8] {
        guard size >= 0, size <= 1 << 28 else { throw DecodeError(reason: "implausible decompressed size \(size)") }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_decompress(out.baseAddress, size, input.baseAddress, input.count)
        }
        if ZSTD_isError(written) != 0 {
            throw DecodeError(reason: "zstd: \(String(cString: ZSTD_getErrorName(written)))")
        }
        guard written == size else { throw DecodeError(reason: "zstd produced \(written) bytes, expected \(size)") }
        return output
    }
}
