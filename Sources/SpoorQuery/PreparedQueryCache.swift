import Synchronization

/// Prepared queries by text, so that running the same text again skips lexing, parsing and binding. Thread-safe.
///
/// Holds at most `capacity` queries; when full, the least recently used half is dropped. Errors are not cached (a bad
/// text is parsed again each time, to report it with the same diagnostic).
public final class PreparedQueryCache: Sendable {
    private struct State {
        var entries: [String: (query: PreparedQuery, used: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    private let procedures: ProcedureRegistry
    /// The most queries kept.
    public let capacity: Int

    /// An empty cache whose queries resolve `CALL`s in `procedures`.
    public init(capacity: Int = 256, procedures: ProcedureRegistry = .standard) {
        self.capacity = max(1, capacity)
        self.procedures = procedures
    }

    /// The prepared form of `text`, from the cache or prepared now (and kept). Throws what
    /// ``PreparedQuery/prepare(_:procedures:)`` throws.
    public func prepared(_ text: String) throws(QueryError) -> PreparedQuery {
        let cached = state.withLock { state -> PreparedQuery? in
            guard let entry = state.entries[text] else { return nil }
            state.clock += 1
            state.entries[text]?.used = state.clock
            return entry.query
        }
        if let cached { return cached }
        let query = try PreparedQuery.prepare(text, procedures: procedures)
        state.withLock { state in
            if state.entries.count >= capacity {
                let keep = state.entries.sorted { $0.value.used > $1.value.used }.prefix(capacity / 2)
                state.entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
            }
            state.clock += 1
            state.entries[text] = (query, state.clock)
        }
        return query
    }

    /// How many queries are kept.
    public var count: Int { state.withLock { $0.entries.count } }
}
