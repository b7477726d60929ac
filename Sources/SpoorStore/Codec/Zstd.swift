internal import CZstd

/// A reusable zstd compression context: one per write batch, so sealing a chunk allocates no context.
final class ZstdCompressor {
    private let context: OpaquePointer?
    let level: Int32

    /// The corresponding C function is `ZSTD_createCCtx`.
    init(level: Int32 = 3) {
        context = ZSTD_createCCtx()
        self.level = level
    }

    /// The corresponding C function is `ZSTD_freeCCtx`.
    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `input`. The corresponding C function is `ZSTD_compressCCtx`.
    func compress(_ input: [UInt8]) throws(StoreError) -> [UInt8] {
        guard let context else { throw .compression("cannot create a compression context") }
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { inp in
                ZSTD_compressCCtx(context, out.baseAddress, bound, inp.baseAddress, inp.count, level)
            }
        }
        if ZSTD_isError(written) != 0 { throw .compression(String(cString: ZSTD_getErrorName(written))) }
        output.removeLast(bound - written)
        return output
    }
}

/// A reusable zstd decompression context: one per reader, so a chunk decode allocates no context.
/// Not thread-safe; a ``GraphReader`` owns one and is used by one thread at a time.
final class ZstdDecompressor {
    /// Created on the first compressed chunk: a read that meets only plain chunks (most one-hop queries) never pays
    /// for `ZSTD_createDCtx`.
    private lazy var context: OpaquePointer? = ZSTD_createDCtx()
    private var created = false

    init() {}

    /// The corresponding C function is `ZSTD_freeDCtx`.
    deinit { if created { ZSTD_freeDCtx(context) } }

    /// Decompresses `input` that must expand to exactly `size` bytes.
    /// The corresponding C function is `ZSTD_decompressDCtx`.
    func decompress(_ input: UnsafeRawBufferPointer, size: Int) throws(DecodeError) -> [UInt8] {
        guard size >= 0, size <= 1 << 28 else { throw DecodeError(reason: "implausible decompressed size \(size)") }
        created = true
        guard let context else { throw DecodeError(reason: "zstd: cannot create a decompression context") }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_decompressDCtx(context, out.baseAddress, size, input.baseAddress, input.count)
        }
        if ZSTD_isError(written) != 0 {
            throw DecodeError(reason: "zstd: \(String(cString: ZSTD_getErrorName(written)))")
        }
        guard written == size else { throw DecodeError(reason: "zstd produced \(written) bytes, expected \(size)") }
        return output
    }
}
