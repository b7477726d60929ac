import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered output file that also hashes what it writes (SHA-256), for deterministic-output checks.
final class OutputFile {
    let path: String
    private var descriptor: Int32
    private(set) var buffer: [UInt8] = []
    private var hasher = SHA256()
    private(set) var bytesWritten = 0
    private static let flushThreshold = 1 << 20

    /// Creates or truncates `path`.
    init(path: String) throws(IngestError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw .unreadable(file: path, reason: "cannot create: " + MappedBytes.errnoText()) }
        buffer.reserveCapacity(OutputFile.flushThreshold + 4096)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    @inline(__always)
    func append(_ byte: UInt8) { buffer.append(byte) }

    func append(_ text: String) { buffer.append(contentsOf: text.utf8) }

    func append(contentsOf bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    /// Runs `body` on the buffer (for writers that format in place).
    @inline(__always)
    func withBuffer<T>(_ body: (inout [UInt8]) -> T) -> T { body(&buffer) }

    /// Writes the buffer out when it is large.
    @inline(__always)
    func flushIfNeeded() throws(IngestError) {
        if buffer.count >= OutputFile.flushThreshold { try flush() }
    }

    func flush() throws(IngestError) {
        guard !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        let result: Int? = buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return nil
                }
                offset += written
            }
            return offset
        }
        guard let result else { throw .unreadable(file: path, reason: "write failed: " + MappedBytes.errnoText()) }
        bytesWritten += result
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes the file and returns the SHA-256 of everything written, as lowercase hex.
    func finish() throws(IngestError) -> String {
        try flush()
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        return Self.hex(hasher.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// SHA-256 of files, for reproducibility checks.
public enum FileDigest {
    /// The SHA-256 of the file at `path`, as 64 lowercase hex digits.
    public static func sha256(path: String) throws(IngestError) -> String {
        let bytes = try MappedBytes(path: path)
        var hasher = SHA256()
        if let base = bytes.base {
            // In 64 MiB pieces, each released once hashed, so the mapping never holds the whole file resident.
            let piece = 64 << 20
            var offset = 0
            while offset < bytes.count {
                let length = Swift.min(piece, bytes.count - offset)
                hasher.update(bufferPointer: UnsafeRawBufferPointer(start: base + offset, count: length))
                offset += length
                bytes.releasePages(before: offset)
            }
        }
        return OutputFile.hex(hasher.finalize())
    }
}
