import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An advisory `flock` on a store directory: every open ``Store`` holds it shared; compaction, which replaces the
/// data file, holds it exclusively, so it never runs while any Spoor process has the store open, and a store opened
/// meanwhile waits until the new data file is in place.
///
/// `flock` locks belong to the open file description, not to the process (unlike LMDB's own `fcntl` locks on
/// `lock.mdb`), so two stores of one process hold two shared locks and an exclusive request conflicts with both.
final class DirectoryLock: @unchecked Sendable {  // Safe because the descriptor is immutable and closed once.
    /// The directory's descriptor (also used to fsync the directory after a rename).
    let descriptor: Int32
    let path: String

    /// Opens `path` and locks it, shared or exclusive; with `wait` false an exclusive lock held elsewhere makes it
    /// throw ``StoreError/inUse(path:operation:)`` instead of waiting.
    init(path: String, exclusive: Bool, wait: Bool, operation: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StoreError.file(path: path, operation: "opening the store directory", reason: Self.reason(errno))
        }
        var code: Int32
        repeat {
            code = flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB))
        } while code != 0 && errno == EINTR
        if code != 0 {
            let error = errno
            close(descriptor)
            if error == EWOULDBLOCK { throw StoreError.inUse(path: path, operation: operation) }
            throw StoreError.file(path: path, operation: "locking the store directory", reason: Self.reason(error))
        }
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }  // Closing the last descriptor of the description releases the lock.

    /// Flushes the directory entry changes (a rename) to disk.
    func syncDirectory() throws {
        guard fsync(descriptor) == 0 else {
            throw StoreError.file(path: path, operation: "fsync of the store directory", reason: Self.reason(errno))
        }
    }

    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
