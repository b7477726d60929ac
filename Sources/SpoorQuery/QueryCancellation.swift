import Synchronization

/// A flag that stops a running query: pass one to ``PreparedQuery/run(on:parameters:limits:procedures:cancellation:)``
/// and call ``cancel()`` from any thread. The run notices within a few rows (or a few thousand comparisons of a
/// sort), and its cursor then throws a ``QueryError`` of kind `.cancelled`.
public final class QueryCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Creates a flag that is not set.
    public init() {}

    /// Asks the run to stop. Thread-safe; calling it again, or after the run has finished, does nothing.
    public func cancel() {
        flag.store(true, ordering: .releasing)
    }

    /// Whether ``cancel()`` has been called.
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }
}
