#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a whole file: memory-mapped read-only, or an owned copy for in-memory input.
///
/// Immutable after `init`, so sharing it between copies of a reader is safe.
final class MappedBytes: @unchecked Sendable {  // Safe because the bytes and the pointer never change after init.
    /// The first byte; `nil` when the input is empty.
    let base: UnsafePointer<UInt8>?
    /// The number of bytes.
    let count: Int
    private let isMapped: Bool

    /// Maps the file at `path` read-only.
    init(path: String) throws(IngestError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .unreadable(file: path, reason: MappedBytes.errnoText())
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .unreadable(file: path, reason: MappedBytes.errnoText())
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(file: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size > 0 else {
            base = nil
            count = 0
            isMapped = false
            return
        }
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .unreadable(file: path, reason: "mmap failed: " + MappedBytes.errnoText())
        }
        _ = madvise(mapped, size, MADV_SEQUENTIAL)
        base = UnsafePointer(mapped.assumingMemoryBound(to: UInt8.self))
        count = size
        isMapped = true
    }

    /// Copies `bytes` (for parsing in-memory text).
    init(copying bytes: some Collection<UInt8>) {
        count = bytes.count
        isMapped = false
        if count == 0 {
            base = nil
        } else {
            let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
            _ = UnsafeMutableBufferPointer(start: storage, count: count).initialize(from: bytes)
            base = UnsafePointer(storage)
        }
    }

    deinit {
        guard let base else { return }
        if isMapped {
            _ = munmap(UnsafeMutableRawPointer(mutating: base), count)
        } else {
            UnsafeMutablePointer(mutating: base).deallocate()
        }
    }

    /// Drops the mapped pages before `offset` from the process's resident set (`madvise(MADV_DONTNEED)`): a read
    /// that comes back to them reads the file again, so the bytes never change. A long read calls it as it goes, so
    /// its resident size does not grow with the file. A no-op for an owned copy.
    func releasePages(before offset: Int) {
        guard isMapped, let base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let length = (Swift.min(offset, count) / page) * page
        guard length > 0 else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base), length, MADV_DONTNEED)
    }

    /// Calls `body` with the bytes (valid only inside `body`, while this object lives).
    func withBuffer<T, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    static func errnoText() -> String {
        let code = errno
        return String(cString: strerror(code)) + " (errno: \(code))"
    }
}
